package handlers

import (
	"log/slog"
	"net/url"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// models turns Simkl's titles and answers into the views' models: the
// title card, the badge, the share section, unfurl tags. It does no I/O;
// handlers fetch, then ask models to build.
type models struct {
	links    Links
	base     *url.URL         // BASE_URL: absolute links are built from it
	now      func() time.Time // "3 days ago", released or upcoming
	linksCSS string           // the share section's stylesheet
	qrs      *lru.Cache[string, string]
	logger   *slog.Logger
}

func newModels(links Links, base *url.URL, now func() time.Time, linksCSS string, logger *slog.Logger) *models {
	// A QR code takes about a millisecond to draw; signed-in pages are
	// rendered per visit, so codes are kept.
	qrs, _ := lru.New[string, string](1024)
	return &models{links: links, base: base, now: now, linksCSS: linksCSS, qrs: qrs, logger: logger}
}

// absURL is path on BASE_URL.
func (m *models) absURL(path string) string {
	return strings.TrimRight(m.base.String(), "/") + path
}

// absolute makes a URL absolute against BASE_URL (image URLs already are,
// except when a base was configured as a path).
func (m *models) absolute(u string) string {
	if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		return u
	}
	return m.absURL(u)
}
