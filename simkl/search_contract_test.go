package simkl_test

import (
	"context"
	"errors"
	"testing"

	"simklink/simkl"
	"simklink/simkl/simkltest"
)

func TestContractTextSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	got, err := e.c.Search(ctx, simkl.Movie, "inception", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].IDs.Simkl != simkltest.InceptionID || got[0].Type != simkl.Movie || got[0].Year != 2010 || got[0].Poster == "" {
		t.Fatalf("movie search: %+v", got)
	}
	got, err = e.c.Search(ctx, simkl.Anime, "attack on titan", 10)
	if err != nil || len(got) != 1 || got[0].IDs.Simkl != simkltest.AttackOnTitanID || got[0].Type != simkl.Anime {
		t.Fatalf("anime search: %+v %v", got, err)
	}
	got, err = e.c.Search(ctx, simkl.Show, "one piece", 10)
	if err != nil || len(got) != 1 || got[0].IDs.Simkl != simkltest.OnePieceNetflixID || got[0].Type != simkl.Show {
		t.Fatalf("tv search: %+v %v", got, err)
	}
	if got, err := e.c.Search(ctx, simkl.Show, "nothing like this", 10); err != nil || len(got) != 0 {
		t.Fatalf("no match: %+v %v", got, err)
	}
	before := e.srv.Simkl.Stats().Total
	if _, err := e.c.Search(ctx, simkl.Movie, "  ", 10); !errors.Is(err, simkl.ErrInvalidID) {
		t.Fatalf("empty query: %v", err)
	}
	if n := e.srv.Simkl.Stats().Total; n != before {
		t.Fatalf("an empty query cost %d calls", n-before)
	}
	if v := e.srv.Simkl.Stats().Violations; v != 0 {
		t.Fatalf("%d violations", v)
	}
}
