package simkltest

import (
	"net/http"
	"strconv"
	"strings"
)

// POST /users/settings, in the api.simkl.org shape. The body may be empty or {}.
// avatar is a scheme-relative URL on this stand-in's /img, as Simkl's is on
// //simkl.in.
func (s *Simkl) userSettings(w http.ResponseWriter, r *http.Request, u *user) {
	if _, err := readJSONBody(w, r, true); err != nil {
		return
	}
	s.mu.Lock()
	name, id, joined, avatar := u.name, u.id, u.joined, u.avatar
	s.mu.Unlock()
	type userInfo struct {
		Name     string `json:"name"`
		JoinedAt string `json:"joined_at"`
		Gender   string `json:"gender"`
		Avatar   string `json:"avatar"`
		Bio      string `json:"bio"`
		Loc      string `json:"loc"`
		Age      string `json:"age"`
	}
	type account struct {
		ID       int    `json:"id"`
		Timezone string `json:"timezone"`
		Type     string `json:"type"`
	}
	writeJSON(w, http.StatusOK, struct {
		User    userInfo `json:"user"`
		Account account  `json:"account"`
	}{
		// Gender, location and age are blank, as privacy settings allow.
		User: userInfo{
			Name:     name,
			JoinedAt: joined.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
			// Scheme-relative, with a cache-busting query, as recorded:
			// "//simkl.in/avatars/40/871_101.jpg?1595673211".
			Avatar: strings.TrimPrefix(strings.TrimPrefix(baseURL(r), "http:"), "https:") +
				"/img/avatars/" + avatar + "/user_100.jpg?" + strconv.FormatInt(joined.Unix(), 10),
			Bio: "Stand-in account.",
		},
		Account: account{ID: id, Timezone: "UTC", Type: "free"},
	})
}

// baseURL is the absolute URL where the stand-in is mounted, recovered
// from the original request URI when http.StripPrefix has shortened the
// path.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := ""
	uri, _, _ := strings.Cut(r.RequestURI, "?")
	if p := r.URL.Path; strings.HasSuffix(uri, p) {
		prefix = strings.TrimSuffix(uri, p)
	}
	return scheme + "://" + r.Host + prefix
}
