package handlers

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"simklink/auth"
)

// fakeSessionAuth is an Auth whose session holds viewer (nil: signed out) and
// flash, and that counts how often the session is loaded and its notice
// taken.
type fakeSessionAuth struct {
	Auth
	viewer         *auth.Viewer
	flash          string
	viewers, reads int
	ended          bool
}

func (a *fakeSessionAuth) Load(http.ResponseWriter, *http.Request) (auth.Session, error) {
	a.viewers++
	return auth.Session{Viewer: a.viewer, Flash: a.flash}, nil
}

func (a *fakeSessionAuth) TakeFlash(w http.ResponseWriter, r *http.Request, s *auth.Session) string {
	a.reads++
	f := s.Flash
	s.Flash = ""
	return f
}

func (a *fakeSessionAuth) AbandonedSignIn(http.ResponseWriter, *http.Request) bool { return false }

func (a *fakeSessionAuth) EndSession(http.ResponseWriter, *http.Request) { a.ended = true }

// TestSetCachingFollowsTheVisit: withVisit reads the session
// once per request whatever the handler does with it, and setCaching
// decides Cache-Control from the visit alone (never from Set-Cookie).
func TestSetCachingFollowsTheVisit(t *testing.T) {
	tests := []struct {
		name   string
		auth   *fakeSessionAuth
		use    func(w http.ResponseWriter, r *http.Request)
		shared string
		want   string
	}{
		{"anonymous, shared page", &fakeSessionAuth{}, nil, cachePage, cachePage},
		{"anonymous, never stored", &fakeSessionAuth{}, nil, "", "no-store"},
		{"anonymous with a cookie set for another reason", &fakeSessionAuth{}, func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "unrelated", Value: "1"})
		}, cacheTitle, cacheTitle},
		{"signed in", &fakeSessionAuth{viewer: &auth.Viewer{Name: "demo"}}, nil, cacheTitle, "private, no-store"},
		{"a notice taken from the session", &fakeSessionAuth{flash: "Your Simkl connection ended."}, func(w http.ResponseWriter, r *http.Request) {
			visitOf(r).takeFlash(w, r)
			visitOf(r).takeFlash(w, r) // read once, whoever asks
		}, cacheTitle, "private, no-store"},
		{"a session ended by this request", &fakeSessionAuth{viewer: &auth.Viewer{Name: "demo"}}, func(w http.ResponseWriter, r *http.Request) {
			visitOf(r).end(w, r)
		}, cacheTitle, "private, no-store"},
	}
	for _, tt := range tests {
		h := withVisit(tt.auth, slog.New(slog.DiscardHandler))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = visitOf(r).Viewer
			_ = visitOf(r).Viewer
			if tt.use != nil {
				tt.use(w, r)
			}
			setCaching(w, r, tt.shared)
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/t/simkl/2090", nil))
		if got := rec.Header().Get("Cache-Control"); got != tt.want {
			t.Errorf("%s: Cache-Control %q, want %q", tt.name, got, tt.want)
		}
		if tt.auth.viewers != 1 || tt.auth.reads > 1 {
			t.Errorf("%s: session read %d times for the viewer and %d for the notice", tt.name, tt.auth.viewers, tt.auth.reads)
		}
	}
}

// TestCachingIsDecidedInOnePlace keeps it so: only caching.go sets
// Cache-Control (the page cache replays what it stored), and only the
// session load (session.go) looks at Set-Cookie.
func TestCachingIsDecidedInOnePlace(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]map[string]bool{
		`"Cache-Control"`: {"caching.go": true, "pagecache.go": true},
		`"Set-Cookie"`:    {"session.go": true},
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for word, where := range allowed {
			if strings.Contains(string(b), word) && !where[f] {
				t.Errorf("%s mentions %s: decide caching with setCaching or setCacheFixed (caching.go)", f, word)
			}
		}
	}
}
