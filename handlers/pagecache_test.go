package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPageKey(t *testing.T) {
	allowed := []string{"season", "episode", "type", "year"}
	tests := []struct {
		target string
		key    string
		ok     bool
	}{
		{"/t/imdb/tt1375666", "/t/imdb/tt1375666", true},
		{"/t/tvdb/153021?season=4&episode=3", "/t/tvdb/153021?episode=3&season=4", true},
		{"/t/tvdb/153021?episode=3&season=4", "/t/tvdb/153021?episode=3&season=4", true},
		{"/t/tvdb/153021?episode=%33&season=4", "/t/tvdb/153021?episode=3&season=4", true},
		{"/t/imdb/tt1375666?n=1", "", false},                      // a key the page does not read
		{"/t/imdb/tt1375666?utm_source=chat", "", false},          // the same
		{"/t/tvdb/153021?season=4&season=5&episode=3", "", false}, // repeated
		{"/t/imdb/tt1375666?type=" + strings.Repeat("x", 200), "", false},
		{"/t/imdb/tt1375666?%zz", "", false},
	}
	for _, tt := range tests {
		key, ok := pageKey(httptest.NewRequest(http.MethodGet, tt.target, nil), allowed...)
		if key != tt.key || ok != tt.ok {
			t.Errorf("pageKey(%s) = %q, %v; want %q, %v", tt.target, key, ok, tt.key, tt.ok)
		}
	}
}

func TestPageCacheIsBoundedInBytesAndDropsExpiredEntries(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := newPageCache(100_000, time.Minute, func() time.Time { return now })
	body := []byte(strings.Repeat("<p>a page</p>", 1000)) // 13 KB, gzipped to little
	for i := range 50 {
		c.put("/t/simkl/"+string(rune('a'+i)), body, "public")
	}
	entries, size := c.stats()
	if size > 100_000 || entries >= 50 || entries == 0 {
		t.Fatalf("%d entries, %d bytes; want at most 100,000 bytes", entries, size)
	}
	if _, ok := c.get("/t/simkl/a"); ok {
		t.Error("the oldest entry survived past the bound")
	}
	if _, ok := c.get("/t/simkl/" + string(rune('a'+49))); !ok {
		t.Error("the newest entry is missing")
	}
	now = now.Add(time.Minute)
	if _, ok := c.get("/t/simkl/" + string(rune('a'+49))); ok {
		t.Error("an expired entry was served")
	}
	if entries, size := c.stats(); entries != 0 || size != 0 {
		t.Errorf("expired entries kept: %d entries, %d bytes", entries, size)
	}
	huge := []byte(strings.Repeat("x", 200_000))
	if p := c.put("/huge", huge, "public"); len(p.body) != len(huge) {
		t.Error("a page bigger than the cache is not returned to send")
	}
	if entries, _ := c.stats(); entries != 0 {
		t.Error("a page bigger than the cache was kept")
	}
}

// TestAcceptsGzip: pages and static files read Accept-Encoding with one
// parser; q=0 refuses gzip however it is spelt.
func TestAcceptsGzip(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   bool
	}{
		{"gzip", true},
		{"gzip, deflate, br", true},
		{"GZIP", true},
		{"*", true},
		{"gzip;q=0", false},
		{"gzip;q=0.0", false},
		{"gzip; q=0.000", false},
		{"gzip;Q=0", false},
		{"br;q=1, gzip;q=0", false},
		{"*;q=0", false},
		{"identity", false},
		{"", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", tt.header)
		if got := acceptsGzip(r); got != tt.want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", tt.header, got, tt.want)
		}
	}
}
