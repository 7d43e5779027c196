package handlers

import "net/http"

// Cache-Control is decided here, and only here.

// Policies for answers that are the same for every signed-out visitor.
const (
	cacheTitle   = "public, max-age=300, stale-while-revalidate=86400, stale-if-error=86400"
	cachePartial = "public, max-age=30" // a page missing data Simkl could not give just now
	cachePage    = "public, max-age=300"
	cacheBadLink = "public, max-age=60" // bad and unknown links change rarely
)

// setCaching sets Cache-Control and Vary: Cookie for an answer that
// depends on the visit. shared is the policy when the answer is the same
// for every signed-out visitor, "" when no cache may keep it. A personal
// visit (visit.personal) is never stored by any cache, and its answers
// differ between htmx and plain requests.
func setCaching(w http.ResponseWriter, r *http.Request, shared string) {
	h := w.Header()
	addVary(h, "Cookie")
	switch {
	case visitOf(r).personal():
		h.Set("Cache-Control", "private, no-store")
		addVary(h, "HX-Request")
	case shared == "":
		h.Set("Cache-Control", "no-store")
	default:
		h.Set("Cache-Control", shared)
	}
}

// addVary adds v to Vary once.
func addVary(h http.Header, v string) {
	for _, have := range h.Values("Vary") {
		if have == v {
			return
		}
	}
	h.Add("Vary", v)
}

// setCacheFixed sets Cache-Control on an answer that is the same for every
// visitor whoever asks (a redirect that depends on the URL alone, an image,
// a sign-in step, a health check): it never reads the session, so it does
// not vary by cookie. Replies from the page cache carry the policy they
// were stored with (pagecache.go).
func setCacheFixed(w http.ResponseWriter, policy string) {
	w.Header().Set("Cache-Control", policy)
}
