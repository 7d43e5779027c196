package views

import (
	"strconv"
	"strings"
)

// slugLabel makes a label usable in an id attribute.
func slugLabel(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			out = append(out, r)
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		default:
			if len(out) > 0 && out[len(out)-1] != '-' {
				out = append(out, '-')
			}
		}
	}
	return strings.Trim(string(out), "-")
}

func cellLabel(c EpisodeCell) string {
	n := "Episode " + strconv.Itoa(c.Number)
	switch {
	case c.Watched:
		return n + ", watched"
	case !c.Aired:
		return n + ", not aired yet"
	}
	return n + ", not watched"
}

func cellTitle(c EpisodeCell) string {
	if c.LastWatched != nil {
		return cellLabel(c) + " " + c.LastWatched.Relative
	}
	return cellLabel(c)
}

func primaryTestID(a *Action) string {
	if a.TestID != "" {
		return a.TestID
	}
	return "badge-primary"
}
