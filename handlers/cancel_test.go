package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"simklink/handlers"
	"simklink/simkl/simkltest"
)

// TestVisitorLeavingIsNotAnError: a request whose visitor has gone (its
// context cancelled) gets no error page, no ERROR log line, and never loops.
// The handler is called directly, so the request surely arrives and its
// log line is written when ServeHTTP returns.
func TestVisitorLeavingIsNotAnError(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sim.Simkl.SetFaults(simkltest.Faults{LatencyMS: 300})
	gone, cancelGone := context.WithCancel(context.Background())
	cancelGone()
	for _, path := range []string{"/t/mal/21", "/"} {
		// An uncached title, which waits for Simkl, and a page that only renders.
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil).WithContext(gone))
		if rec.Code >= 500 || strings.Contains(rec.Body.String(), "Something went wrong") {
			t.Errorf("%s for a visitor who left: %d", path, rec.Code)
		}
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "path=/t/mal/21") {
		t.Fatalf("the abandoned request was not logged:\n%.2000s", logs)
	}
	if strings.Contains(logs, "level=ERROR") {
		t.Fatalf("a visitor leaving was logged as an error:\n%.2000s", logs)
	}
	if strings.Count(logs, "\n") > 50 {
		t.Fatalf("the log grew to %d lines", strings.Count(logs, "\n"))
	}
	h.sim.Simkl.SetFaults(simkltest.Faults{})
	if p := h.get(nil, "/t/mal/21"); p.resp.StatusCode != 200 {
		t.Fatalf("after: %d", p.resp.StatusCode)
	}
}

// TestErrorPagesThatSetCookiesAreNotShared: a 404 that also refreshed the
// visitor's session (Set-Cookie) must never be stored by a shared cache.
func TestErrorPagesThatSetCookiesAreNotShared(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{auth: "v2"})
	c := h.session("vic")
	h.authNow.Add(int64(8 * 24 * time.Hour))
	p := h.get(c, "/t/imdb/tt0000001")
	if p.resp.StatusCode != 404 || len(p.resp.Header.Values("Set-Cookie")) == 0 {
		t.Fatalf("want a 404 that refreshed the session: %d %v", p.resp.StatusCode, p.resp.Header.Values("Set-Cookie"))
	}
	if cc := p.resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Fatalf("Cache-Control %q on an error page with Set-Cookie", cc)
	}
	// The same 404 for a stranger is shareable.
	if cc := h.get(nil, "/t/imdb/tt0000001").resp.Header.Get("Cache-Control"); cc != "public, max-age=60" {
		t.Fatalf("anonymous 404: %q", cc)
	}
}

// TestHTMXErrorsAreShownInPlace: htmx swaps only 2xx answers, so errors
// come back 200 with the message and an innerHTML swap.
func TestHTMXErrorsAreShownInPlace(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("wes")
	p := h.get(c, "/t/simkl/2090/season/77", "HX-Request", "true")
	if p.resp.StatusCode != 200 || p.resp.Header.Get("HX-Reswap") != "innerHTML" || p.testid("error-heading").Length() != 1 || strings.Contains(p.body, "<html") {
		t.Fatalf("htmx error: %d reswap %q body %.300s", p.resp.StatusCode, p.resp.Header.Get("HX-Reswap"), p.body)
	}
	if plain := h.get(c, "/t/simkl/2090/season/77"); plain.resp.StatusCode != 404 || plain.doc.Find("html").Length() != 1 {
		t.Fatalf("plain error: %d", plain.resp.StatusCode)
	}
}

// TestGridThatCannotLoadOffersARetry: a season grid whose state Simkl
// cannot give says so, with a retry into the same slot.
func TestGridThatCannotLoadOffersARetry(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("xia")
	h.get(nil, "/t/tvdb/153021") // the title is cached, the user's state is not
	h.sim.Simkl.SetFaults(simkltest.Faults{Down: true})
	p := h.get(c, "/t/simkl/2090/season/4", "HX-Request", "true")
	h.sim.Simkl.SetFaults(simkltest.Faults{})
	retry := p.testid("grid-retry")
	if p.resp.StatusCode != 200 || p.testid("grid-error").Length() != 1 || retry.AttrOr("data-hx-get", "") != "/t/simkl/2090/season/4" {
		t.Fatalf("grid with Simkl down: %d retry %q", p.resp.StatusCode, retry.AttrOr("data-hx-get", ""))
	}
}

// TestOneClientCannotTakeEveryonesLookups: each client has a share of the
// lookups that go to Simkl; past it, that client's uncached titles say
// "busy" without calling Simkl, while other clients and cached titles are
// unaffected.
func TestOneClientCannotTakeEveryonesLookups(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{config: handlers.Config{ClientIPHeader: "X-Forwarded-For", MissesPerSecond: 0.001, MissBurst: 3}})
	spammer := []string{"X-Forwarded-For", "198.51.100.7, 203.0.113.9"} // the proxy appended .9
	h.get(nil, "/t/imdb/tt1375666", spammer...)                         // 1: cached from now on
	h.get(nil, "/t/imdb/tt0000001", spammer...)                         // 2
	h.get(nil, "/t/imdb/tt0000002", spammer...)                         // 3
	before := h.sim.Simkl.Stats().Total
	p := h.get(nil, "/t/imdb/tt0000003", spammer...)
	if p.resp.StatusCode != http.StatusServiceUnavailable || h.sim.Simkl.Stats().Total != before {
		t.Fatalf("4th miss: %d, %d upstream calls", p.resp.StatusCode, h.sim.Simkl.Stats().Total-before)
	}
	if p := h.get(nil, "/t/simkl/191853", spammer...); p.resp.StatusCode != 200 {
		t.Fatalf("a cached title for the same client: %d", p.resp.StatusCode)
	}
	if p := h.get(nil, "/t/mal/21", "X-Forwarded-For", "192.0.2.44"); p.resp.StatusCode != 200 {
		t.Fatalf("another client: %d", p.resp.StatusCode)
	}
}

// TestSimklAnswering429: cached titles still render, an uncached one says
// Simkl is busy (503 with a retry), and a signed-in badge offers a retry.
func TestSimklAnswering429(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("zoe")
	h.get(nil, "/t/imdb/tt1375666")
	h.sim.Simkl.SetFaults(simkltest.Faults{RateLimited: true})
	defer h.sim.Simkl.SetFaults(simkltest.Faults{})
	if p := h.get(nil, "/t/simkl/191853"); p.resp.StatusCode != 200 {
		t.Fatalf("cached title: %d", p.resp.StatusCode)
	}
	p := h.get(nil, "/t/mal/21")
	if p.resp.StatusCode != http.StatusServiceUnavailable || p.testid("retry").Length() != 1 || p.resp.Header.Get("Retry-After") == "" {
		t.Fatalf("uncached title: %d", p.resp.StatusCode)
	}
	p = h.get(c, "/t/simkl/191853")
	if p.resp.StatusCode != 200 || p.testid("badge-unavailable").Length() != 1 || p.testid("badge-retry").Length() != 1 {
		t.Fatalf("badge: %d", p.resp.StatusCode)
	}
}
