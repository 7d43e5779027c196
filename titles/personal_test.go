package titles_test

import (
	"errors"
	"testing"

	"simklink/redisstore"
	"simklink/redisstore/redistest"
	"simklink/simkl"
	"simklink/simkl/simkltest"
	"simklink/titles"
)

func standIn(t *testing.T) (*simkltest.Server, *simkl.Client) {
	t.Helper()
	srv := simkltest.NewServer(simkltest.Options{AuthV2: true})
	t.Cleanup(srv.Close)
	c, err := simkl.New(simkl.Config{APIBase: srv.URL, WebBase: srv.WebBase(), ImageBase: srv.ImageBase(), ClientID: "simklink-demo"})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func mustRef(t *testing.T, kind, id string) simkl.Ref {
	t.Helper()
	r, err := simkl.ParseRef(kind, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// When Simkl wants a user token for lookups, a signed-out visitor gets
// ErrUserTokenRequired (remembered: the next one costs no call), a
// signed-in one resolves with their own token, and the title then serves
// everyone from the shared cache.
func TestResolveAsWhenLookupsNeedAUser(t *testing.T) {
	t.Parallel()
	srv, c := standIn(t)
	f := srv.Simkl.Faults()
	f.UserTokenRequired = true
	srv.Simkl.SetFaults(f)
	r := titles.New(c, titles.Options{})
	inception := mustRef(t, "imdb", "tt1375666")

	if _, err := r.ResolveAs(t.Context(), inception, "", nil); !errors.Is(err, simkl.ErrUserTokenRequired) {
		t.Fatalf("signed out: %v", err)
	}
	before := srv.Simkl.Stats().Total
	if _, err := r.Resolve(t.Context(), inception, nil); !errors.Is(err, simkl.ErrUserTokenRequired) || srv.Simkl.Stats().Total != before {
		t.Fatalf("signed out again: %v, %d calls", err, srv.Simkl.Stats().Total-before)
	}

	tok := srv.Simkl.MintToken("reader")
	res, err := r.ResolveAs(t.Context(), inception, tok, nil)
	if err != nil || res.Title.IDs.Simkl != simkltest.InceptionID || res.Title.Overview == "" {
		t.Fatalf("signed in: %+v, %v", res, err)
	}
	var asUser bool
	for _, call := range srv.Simkl.Calls() {
		asUser = asUser || call.Pattern == "GET /search/id" && call.User == "reader" && call.Status == 200
	}
	if !asUser {
		t.Error("the lookup was not made with the visitor's token")
	}
	before = srv.Simkl.Stats().Total
	if res, err := r.Resolve(t.Context(), inception, nil); err != nil || res.Title.IDs.Simkl != simkltest.InceptionID || srv.Simkl.Stats().Total != before {
		t.Fatalf("signed out after a signed-in lookup: %+v, %v, %d calls", res, err, srv.Simkl.Stats().Total-before)
	}
}

// Trakt slugs are not among /search/id's parameters (it answers []); they
// are resolved through POST /sync/watched with the visitor's token. John
// Wick 4 is in the demo library.
func TestResolveAsTraktSlugThroughWatched(t *testing.T) {
	t.Parallel()
	srv, c := standIn(t)
	r := titles.New(c, titles.Options{})
	slug := mustRef(t, "traktslug", "john-wick-chapter-4-2023")
	tok := srv.Simkl.MintToken("slugger")
	if _, err := r.ResolveAs(t.Context(), slug, "", nil); !errors.Is(err, simkl.ErrNotFound) {
		t.Fatalf("traktslug signed out: %v, want ErrNotFound (/search/id answers [])", err)
	}
	res, err := r.ResolveAs(t.Context(), slug, tok, nil)
	if err != nil || res.Title.IDs.Simkl != simkltest.JohnWick4ID || res.Title.Type != simkl.Movie {
		t.Fatalf("traktslug signed in: %+v, %v", res, err)
	}
	if n := srv.Simkl.Stats().Calls["POST /sync/watched"]; n != 1 {
		t.Errorf("%d POST /sync/watched, want the one that resolved the slug", n)
	}
	if res, err := r.Resolve(t.Context(), slug, nil); err != nil || res.Title.IDs.Simkl != simkltest.JohnWick4ID {
		t.Fatalf("then signed out, from the cache: %+v, %v", res, err)
	}
}

// What only a signed-in visitor's token resolves (a lookup Simkl refuses
// without a user, a Trakt slug) is shared: a replica that told a
// signed-out visitor "sign in" or "unknown" a moment ago serves the title
// once a user on another replica has resolved it, with no call to Simkl.
func TestResolveAsIsSharedAcrossReplicas(t *testing.T) {
	t.Parallel()
	srv, c := standIn(t)
	redis := redistest.Start(t)
	replica := func() *titles.Resolver {
		st, err := redisstore.Open(redis.URL, redisstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return titles.New(c, titles.Options{Shared: st})
	}
	a, b := replica(), replica()
	tok := srv.Simkl.MintToken("sharer")

	slug := mustRef(t, "traktslug", "john-wick-chapter-4-2023")
	if _, err := a.Resolve(t.Context(), slug, nil); !errors.Is(err, simkl.ErrNotFound) {
		t.Fatalf("traktslug signed out on a: %v", err)
	}
	if _, err := b.ResolveAs(t.Context(), slug, tok, nil); err != nil {
		t.Fatalf("traktslug signed in on b: %v", err)
	}
	before := srv.Simkl.Stats().Total
	if res, err := a.Resolve(t.Context(), slug, nil); err != nil || res.Title.IDs.Simkl != simkltest.JohnWick4ID {
		t.Fatalf("traktslug signed out on a, after b: %+v, %v", res, err)
	}
	if n := srv.Simkl.Stats().Total - before; n != 0 {
		t.Errorf("a's signed-out traktslug view after b resolved it made %d calls", n)
	}

	f := srv.Simkl.Faults()
	f.UserTokenRequired = true
	srv.Simkl.SetFaults(f)
	inception := mustRef(t, "imdb", "tt1375666")
	if _, err := a.Resolve(t.Context(), inception, nil); !errors.Is(err, simkl.ErrUserTokenRequired) {
		t.Fatalf("signed out on a: %v", err)
	}
	if _, err := b.ResolveAs(t.Context(), inception, tok, nil); err != nil {
		t.Fatalf("signed in on b: %v", err)
	}
	mid := srv.Simkl.Stats().Total
	if res, err := a.Resolve(t.Context(), inception, nil); err != nil || res.Title.IDs.Simkl != simkltest.InceptionID {
		t.Fatalf("signed out on a, after b: %+v, %v", res, err)
	}
	if n := srv.Simkl.Stats().Total - mid; n != 0 {
		t.Errorf("a's signed-out view after b resolved it made %d calls", n)
	}
}
