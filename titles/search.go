package titles

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"simklink/simkl"
)

// searchTypes are the types one search covers, in the order results are
// listed: Simkl's text search answers one type per call.
var searchTypes = [...]simkl.MediaType{simkl.Movie, simkl.Show, simkl.Anime}

// searchLimit is how many results per type a search asks for.
const searchLimit = 10

type searchEntry struct {
	found   []simkl.Title
	expires time.Time
}

// Found is a text search's answer.
type Found struct {
	Titles []simkl.Title
	// Partial is set when Simkl could not answer for some types just now.
	Partial bool
}

// SearchKey normalises a query the way the cache keys it: case and runs of
// spaces do not make a new search.
func SearchKey(q string) string { return strings.ToLower(strings.Join(strings.Fields(q), " ")) }

// Search runs Simkl's text search for q across movies, shows and anime:
// one call per type, each cached for the title TTL (a day) and coalesced
// with concurrent searches for the same words, each admitted through the
// miss gate like any other lookup. It fails only when no type
// could be answered.
func (r *Resolver) Search(ctx context.Context, q string, allow Gate) (Found, error) {
	q = SearchKey(q)
	if _, err := simkl.TitleRef(q, ""); err != nil {
		return Found{}, err
	}
	var (
		wg      sync.WaitGroup
		results [len(searchTypes)][]simkl.Title
		errs    [len(searchTypes)]error
	)
	for i, t := range searchTypes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = r.searchType(ctx, t, q, allow)
		}()
	}
	wg.Wait()
	var out Found
	failed := 0
	for i := range searchTypes {
		if errs[i] != nil {
			failed++
			continue
		}
		out.Titles = append(out.Titles, results[i]...)
	}
	if failed == len(searchTypes) {
		return Found{}, errors.Join(errs[:]...)
	}
	out.Partial = failed > 0
	return out, nil
}

func (r *Resolver) searchType(ctx context.Context, t simkl.MediaType, q string, allow Gate) ([]simkl.Title, error) {
	key := "search:" + string(t) + ":" + q
	now := r.opt.Now()
	if e, ok := r.searches.Get(key); ok && now.Before(e.expires) {
		r.hits.Add(1)
		return e.found, nil
	}
	r.misses.Add(1)
	release, err := r.admit(key, allow)
	if err != nil {
		if e, ok := r.searches.Peek(key); ok {
			return e.found, nil
		}
		return nil, err
	}
	defer release()
	ch := r.flight.DoChan(key, func() (any, error) {
		// A search that missed the cache just as an earlier flight for the
		// same words finished starts a flight of its own: the answer is
		// in the cache by now.
		if e, ok := r.searches.Peek(key); ok && r.opt.Now().Before(e.expires) {
			return e.found, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opt.FetchTimeout)
		defer cancel()
		found, err := r.up.Search(fctx, t, q, searchLimit)
		if err != nil {
			return nil, err
		}
		r.searches.Add(key, searchEntry{found: found, expires: now.Add(r.opt.TTL)})
		return found, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			if e, ok := r.searches.Peek(key); ok {
				r.staleServed.Add(1)
				return e.found, nil
			}
			return nil, res.Err
		}
		return res.Val.([]simkl.Title), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
