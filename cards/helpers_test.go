package cards

import (
	"fmt"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

func fmtSscanf(seg string, x, y, n *int) (int, error) {
	return fmt.Sscanf(seg, "M%d %dh%d", x, y, n)
}
