package handlers_test

import (
	"strings"
	"testing"
)

// TestSyncOnlyIDs: /search/id does not take Letterboxd or Trakt slugs (it
// answers []), but POST /sync/watched resolves them. A signed-out visitor
// gets the honest "doesn't know this ID yet" page with a Simkl search link
// (never a 5xx); a signed-in visitor whose library has the title gets the
// title, which then serves everyone from the shared cache.
func TestSyncOnlyIDs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const wick = "/t/traktslug/john-wick-chapter-4-2023" // in the demo library
	p := h.get(nil, wick)
	if p.resp.StatusCode != 404 || p.testid("error-heading").Text() != "Simkl doesn't know this ID yet" ||
		!strings.Contains(p.testid("error-message").Text(), "john-wick-chapter-4-2023") {
		t.Fatalf("signed out: %d %q", p.resp.StatusCode, p.testid("error-heading").Text())
	}
	if href := p.testid("links").Find(`a[href*="/web/search"]`).AttrOr("href", ""); href == "" {
		t.Error("no Simkl search link")
	}
	if p.testid("links").Find(`a[href^="/login?next="]`).Length() != 1 {
		t.Error("no sign-in link")
	}

	c, _ := h.signIn("wendy", "/")
	p = h.get(c, wick)
	if p.resp.StatusCode != 200 || p.testid("title-name").Text() != "John Wick: Chapter 4" || p.testid("badge").Length() != 1 {
		t.Fatalf("signed in: %d %q", p.resp.StatusCode, p.testid("title-name").Text())
	}
	if p := h.get(nil, wick); p.resp.StatusCode != 200 || p.testid("title-name").Text() != "John Wick: Chapter 4" {
		t.Fatalf("signed out, after a signed-in visit: %d", p.resp.StatusCode)
	}

	// A title the user does not track: Simkl's answer names no ID, so the
	// page stays the honest one, signed in too.
	const truman = "/t/letterboxd/the-truman-show"
	if p := h.get(c, truman); p.resp.StatusCode != 404 || !strings.Contains(p.testid("error-heading").Text(), "Simkl doesn") {
		t.Fatalf("untracked letterboxd slug signed in: %d %q", p.resp.StatusCode, p.testid("error-heading").Text())
	}
}
