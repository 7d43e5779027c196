package tracker

import (
	"context"

	"simklink/simkl"
)

// MaxListTitles bounds a list: one POST /sync/watched answers for all of
// them (Simkl takes up to 100 items per call with counters).
const MaxListTitles = 50

// Summaries answers, for every title of a list, whether it is in the
// user's tracker and with which status, from ONE POST /sync/watched with
// counters only (no per-episode data, which a list does not show). The
// answers are not cached: a title page needs the episodes, which these
// lack. States come back in the order of titles.
func (t *Tracker) Summaries(ctx context.Context, token string, titles []simkl.Title) ([]simkl.WatchState, error) {
	if len(titles) == 0 {
		return nil, nil
	}
	items := make([]simkl.WatchedItem, len(titles))
	for i, ti := range titles {
		items[i] = simkl.WatchedItem{Ref: simklRef(ti)}
	}
	states, err := t.up.Watched(ctx, token, items, simkl.Counters)
	if err != nil {
		return nil, err
	}
	out := make([]simkl.WatchState, len(titles))
	for i, ti := range titles {
		// Simkl answers in order; match by ID all the same.
		for _, st := range states {
			if st.SimklID == ti.IDs.Simkl {
				out[i] = st
				break
			}
		}
		if out[i].SimklID == 0 && i < len(states) && states[i].SimklID == 0 {
			out[i] = states[i]
		}
	}
	return out, nil
}

// AddAll files every title under the list to (plantowatch, …) with ONE
// POST /sync/add-to-list, and patches the cached states of those Simkl
// added. It returns the Simkl IDs it added.
func (t *Tracker) AddAll(ctx context.Context, token string, titles []simkl.Title, to string) (map[int]bool, error) {
	if len(titles) == 0 {
		return nil, nil
	}
	items := make([]simkl.ListItem, len(titles))
	for i, ti := range titles {
		items[i] = simkl.ListItem{Ref: simklRef(ti), Type: ti.Type, To: to}
	}
	res, err := t.up.AddToList(ctx, token, items)
	if err != nil {
		return nil, err
	}
	added := map[int]bool{}
	for _, e := range res.Added {
		added[e.IDs.Simkl] = true
	}
	for _, ti := range titles {
		if !added[ti.IDs.Simkl] {
			continue
		}
		applied := to
		for _, e := range res.Added {
			if e.IDs.Simkl == ti.IDs.Simkl && e.To != "" {
				applied = e.To
			}
		}
		t.patch(token, ti.IDs.Simkl, func(s *simkl.WatchState) { s.Result, s.List = simkl.ResultInLibrary, applied })
	}
	return added, nil
}
