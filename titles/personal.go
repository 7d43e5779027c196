package titles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"simklink/simkl"
)

// ResolveAs is Resolve for a signed-in visitor, whose token can resolve
// what an anonymous lookup cannot:
//
//   - Simkl answers anonymous lookups with 401 user_token_required (reported
//     for AUTH V2): the lookup is made again with the visitor's token, against
//     that user's rate limits rather than the app's.
//   - Letterboxd and Trakt slugs are not among /search/id's parameters (it
//     answers [] for them), but POST /sync/watched resolves them: it is asked
//     with the visitor's token.
//
// What is found is public, so it goes into the shared caches like any other
// resolution, and later visitors, signed in or not, get it from there.
// Without a token, or for any other outcome, ResolveAs is Resolve.
func (r *Resolver) ResolveAs(ctx context.Context, ref simkl.Ref, token string, allow Gate) (Resolved, error) {
	res, err := r.Resolve(ctx, ref, allow)
	if token == "" || err == nil {
		return res, err
	}
	byWatched := errors.Is(err, simkl.ErrNotFound) && watchedOnly(ref.Kind)
	if !errors.Is(err, simkl.ErrUserTokenRequired) && !byWatched {
		return res, err
	}
	// One resolution per ref and user at a time: the user's own budget, and
	// another user's failure (a revoked token) cannot fail this one.
	sum := sha256.Sum256([]byte(token))
	key := "user:" + ref.Key() + ":" + hex.EncodeToString(sum[:8])
	release, err := r.admit(key, allow)
	if err != nil {
		return Resolved{}, err
	}
	defer release()
	ch := r.flight.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opt.FetchTimeout)
		defer cancel()
		return r.fetchAs(fctx, ref, token, byWatched)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return Resolved{}, res.Err
		}
		return Resolved{Title: res.Val.(simkl.Title)}, nil
	case <-ctx.Done():
		return Resolved{}, ctx.Err()
	}
}

// watchedOnly reports whether Simkl resolves IDs of kind k through
// /sync/watched but not /search/id.
func watchedOnly(k simkl.Kind) bool {
	return k == simkl.KindLetterboxd || k == simkl.KindTraktSlug
}

// fetchAs resolves ref with the user's token: /search/id, or /sync/watched
// for the kinds only it knows, then the (public) summary.
func (r *Resolver) fetchAs(ctx context.Context, ref simkl.Ref, token string, byWatched bool) (simkl.Title, error) {
	now := r.opt.Now()
	var hit simkl.Title
	if !byWatched {
		found, err := r.up.SearchIDAs(ctx, ref, token)
		switch {
		case errors.Is(err, simkl.ErrNotFound) && watchedOnly(ref.Kind):
			byWatched = true
		case errors.Is(err, simkl.ErrNotFound):
			r.refs.Add(ref.Key(), refEntry{notFound: true, expires: now.Add(r.opt.NotFoundTTL)})
			return simkl.Title{}, err
		case err != nil:
			return simkl.Title{}, err
		default:
			hit = pick(found, ref)
		}
	}
	if byWatched {
		var err error
		if hit, err = r.byWatched(ctx, ref, token); err != nil {
			return simkl.Title{}, err
		}
	}
	re, err := r.remember(ref, hit, now)
	if err != nil {
		return simkl.Title{}, err
	}
	t, err := r.summary(ctx, ref.Key(), re, now)
	if err == nil {
		r.shareResolved(ctx, ref, t)
	}
	return t, err
}

// byWatched asks POST /sync/watched which title ref is. Simkl names the
// title's Simkl ID only when it is in the user's library: for other titles
// the answer (result false) carries no ID, and the ref stays unresolved
// for this user.
func (r *Resolver) byWatched(ctx context.Context, ref simkl.Ref, token string) (simkl.Title, error) {
	states, err := r.up.Watched(ctx, token, []simkl.WatchedItem{{Ref: ref}}, 0)
	if err != nil {
		return simkl.Title{}, err
	}
	if len(states) != 1 || states[0].Result == simkl.ResultNotFound || states[0].SimklID == 0 {
		return simkl.Title{}, fmt.Errorf("%w: /sync/watched did not name the title", simkl.ErrNotFound)
	}
	st := states[0]
	hit := simkl.Title{Type: st.Type, IDs: simkl.IDs{Simkl: st.SimklID}}
	if hit.Type != "" {
		return hit, nil
	}
	// The answer named no type: ask the summaries, movies first (every
	// Letterboxd title is a film).
	for _, typ := range []simkl.MediaType{simkl.Movie, simkl.Show, simkl.Anime} {
		t, err := r.up.Summary(ctx, typ, st.SimklID)
		if errors.Is(err, simkl.ErrNotFound) {
			continue
		}
		if err != nil {
			return simkl.Title{}, err
		}
		hit.Type = typ
		if t.Type != "" {
			hit.Type = t.Type
		}
		return hit, nil
	}
	return simkl.Title{}, fmt.Errorf("%w: no summary for simkl %d", simkl.ErrNotFound, st.SimklID)
}
