package auth

import (
	"strings"
	"testing"
)

func TestSafeReturnPath(t *testing.T) {
	long := "/t/imdb/tt1375666?season=" + strings.Repeat("1", 5000)
	tests := []struct{ in, want string }{
		// Kept (rebuilt).
		{"/", "/"},
		{"/t/imdb/tt1375666", "/t/imdb/tt1375666"},
		{"/t/imdb/tt1375666?season=1&episode=2", "/t/imdb/tt1375666?episode=2&season=1"},
		{"/t/mal/5114?type=anime&year=2009&action=watched&status=plantowatch", "/t/mal/5114?action=watched&status=plantowatch&type=anime&year=2009"},
		{"/t/tvdb/the-walking-dead", "/t/tvdb/the-walking-dead"},
		{"/t/letterboxd/the-godfather_1972.x", "/t/letterboxd/the-godfather_1972.x"},
		{"/t/title/Inception", "/t/title/Inception"},
		{"/t/title/The%20Office?year=2005", "/t/title/The%20Office?year=2005"},
		{"/t/title/Am%C3%A9lie", "/t/title/Am%C3%A9lie"},
		{"/t/title/Amélie", "/t/title/Am%C3%A9lie"},
		{"/t/title/What%3F", "/t/title/What%3F"},
		{"/?season=1", "/?season=1"},
		{"/t/imdb/tt1375666#top", "/t/imdb/tt1375666"},
		{"/l/imdb:tt1375666,tvdb:153021,mal:21", "/l/imdb:tt1375666,tvdb:153021,mal:21"},
		{"/l/imdb:tt1375666,evil:1", "/"},
		{"/l/imdb:tt1375666,,mal:21", "/"},
		{"/l/" + strings.TrimSuffix(strings.Repeat("mal:1,", 51), ","), "/"},

		// Query keys and values not ours are dropped.
		{"/t/imdb/tt1375666?next=//evil", "/t/imdb/tt1375666"},
		{"/t/imdb/tt1375666?season=1&next=https://evil.example", "/t/imdb/tt1375666?season=1"},
		{"/t/imdb/tt1375666?season=ONE", "/t/imdb/tt1375666"},
		{"/t/imdb/tt1375666?season=1%0A", "/t/imdb/tt1375666"},
		{"/t/imdb/tt1375666?season=1&season=2", "/t/imdb/tt1375666?season=1"},
		{"/t/imdb/tt1375666?season=%zz", "/t/imdb/tt1375666"},
		{"/t/imdb/tt1375666?season=1;episode=2", "/t/imdb/tt1375666"},

		// Elsewhere.
		{"", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{`/\evil.example`, "/"},
		{`\/evil.example`, "/"},
		{"%2F%2Fevil.example", "/"},
		{"/%2F%2Fevil.example", "/"},
		{"/%252F%252Fevil.example", "/"},
		{"/t/imdb/tt1%252F..", "/"},
		{"/t/imdb/%5Cevil", "/"},
		{"/t/title/AC%2FDC", "/"},
		{"/t%2Fimdb/tt1375666", "/"},
		{"/t/title/100%25", "/"},
		{"https://evil.example", "/"},
		{"https://simklink.example//evil.example", "/"},
		{"https://simklink.example/t/imdb/tt1375666", "/"},
		{"javascript:alert(1)", "/"},
		{"/javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"/t/imdb/tt1375666\t", "/"},
		{"/t/imdb/tt1375666\r\nSet-Cookie: x=1", "/"},
		{"/t/imdb/tt1375666?season=1\n", "/"},
		{"\t//evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/t/imdb/tt1375666\x00", "/"},
		{"/../etc/passwd", "/"},
		{"/t/../../x", "/"},
		{"/t/imdb/..", "/"},
		{"/t/imdb/%2e%2e", "/"},
		{"/t/title/..", "/"},
		{"/t/title/%2E", "/"},
		{"/t/title/%20", "/"},
		{"/t/title/a%0Ab", "/"},
		{"/t/title/" + strings.Repeat("a", 201), "/"},
		{"/t/imdb/" + strings.Repeat("a", 151), "/"},
		{"/t/imdb/tt1375666/", "/"},
		{"/t/imdb/tt1375666/extra", "/"},
		{"/t/imdb/", "/"},
		{"/t/IMDB/tt1375666", "/"},
		{"/t/unknown/123", "/"},
		{"/t/imdb/-tt1", "/"},
		{"/t/imdb/tt1;x", "/"},
		{"/login?next=/t/imdb/tt1", "/"},
		{"/auth/callback", "/"},
		{"/@evil.example", "/"},
		{"/t//imdb", "/"},
		{long, "/"},
		{strings.Repeat("/", 10000), "/"},
	}
	for _, tt := range tests {
		if got := SafeReturnPath(tt.in); got != tt.want {
			t.Errorf("SafeReturnPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := SafeReturnPath("/t/title/" + strings.Repeat("é", 200)); got == "/" {
		t.Error("a 200-rune title was rejected")
	}
	if got := SafeReturnPath("/t/imdb/" + strings.Repeat("a", 150)); got == "/" {
		t.Error("a 150-character ID was rejected")
	}
}

func FuzzSafeReturnPath(f *testing.F) {
	for _, s := range []string{"/", "//evil", "/t/imdb/tt1375666?season=1", "/t/title/A%20B", `/\x`, "/%252F", "/l/mal:21,imdb:tt1375666"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := SafeReturnPath(in)
		if out != "/" && !strings.HasPrefix(out, "/t/") && !strings.HasPrefix(out, "/l/") && !strings.HasPrefix(out, "/?") {
			t.Fatalf("SafeReturnPath(%q) = %q", in, out)
		}
		if strings.HasPrefix(out, "//") || strings.ContainsAny(out, "\\\t\r\n") {
			t.Fatalf("SafeReturnPath(%q) = %q", in, out)
		}
		if again := SafeReturnPath(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
	})
}
