package tracker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"simklink/simkl"
)

// ErrNotApplied means Simkl answered but listed the title under not_found:
// nothing changed.
var ErrNotApplied = errors.New("tracker: Simkl did not match the title; nothing changed")

// Outcome says what Simkl did with an action.
type Outcome struct {
	// State is the user's state after the action, as Simkl reported it.
	State simkl.WatchState
	// Asked and Applied are the list status asked for and the one Simkl
	// applied; they differ when Simkl rewrote it (a movie sent to Watching
	// becomes Completed).
	Asked, Applied string
	// Removed: the write that decided the state took the title out of the
	// library. (Adding and removing share a queue, so a tap on one may be
	// answered by a newer tap on the other.)
	Removed bool
}

// Rewritten reports whether Simkl applied another status than asked.
func (o Outcome) Rewritten() bool { return o.Asked != "" && o.Applied != "" && o.Asked != o.Applied }

func simklRef(t simkl.Title) simkl.Ref {
	r, _ := simkl.ParseRef(string(simkl.KindSimkl), strconv.Itoa(t.IDs.Simkl))
	return r
}

func (t *Tracker) writeKey(token string, title simkl.Title, what string) string {
	k := keyFor(token, title.IDs.Simkl)
	return string(k.user[:]) + "/" + strconv.Itoa(title.IDs.Simkl) + "/" + what
}

// after returns the state after a write: the cached state patched with f
// when there is one to patch, else a fresh answer from Simkl. A show's
// state without seasons cannot be patched: Simkl answers "not in your
// library" with nothing but result false, so the episodes a write just
// marked have nowhere to go, and the fresh answer has them.
func (t *Tracker) after(ctx context.Context, token string, title simkl.Title, f func(*simkl.WatchState)) (simkl.WatchState, error) {
	if title.Type != simkl.Movie {
		if e, ok := t.cache.Peek(keyFor(token, title.IDs.Simkl)); ok && len(e.state.Seasons) == 0 {
			t.cache.Remove(keyFor(token, title.IDs.Simkl))
		}
	}
	if st, ok := t.patch(token, title.IDs.Simkl, f); ok {
		return st, nil
	}
	return t.State(ctx, token, title)
}

// SetList files the title under a list (POST /sync/add-to-list).
func (t *Tracker) SetList(ctx context.Context, token string, title simkl.Title, to string) (Outcome, error) {
	v, err := t.writes.Do(ctx, t.writeKey(token, title, "list"), func(wctx context.Context) (any, error) {
		res, err := t.up.AddToList(wctx, token, []simkl.ListItem{{Ref: simklRef(title), Type: title.Type, To: to}})
		if err != nil {
			return nil, err
		}
		if len(res.NotFound) > 0 || len(res.Added) == 0 {
			return nil, ErrNotApplied
		}
		applied := res.Added[0].To
		if applied == "" {
			applied = to
		}
		now := t.opt.Clock.Now().UTC()
		st, err := t.after(wctx, token, title, func(s *simkl.WatchState) {
			s.Result, s.List = simkl.ResultInLibrary, applied
			if title.Type == simkl.Movie && applied == simkl.ListCompleted {
				// Simkl records a watch when a movie is filed as completed.
				s.LastWatchedAt = now
			}
		})
		if err != nil {
			return nil, err
		}
		return Outcome{State: st, Asked: to, Applied: applied}, nil
	})
	if err != nil {
		return Outcome{}, err
	}
	return v.(Outcome), nil
}

// Target names what to mark or unmark: a movie (zero Target), one season
// (Episode 0), or one episode.
type Target struct {
	Season  int
	Episode int
}

func (tg Target) key() string {
	return fmt.Sprintf("mark/%d/%d", tg.Season, tg.Episode)
}

func (tg Target) item(title simkl.Title) simkl.HistoryItem {
	it := simkl.HistoryItem{Ref: simklRef(title), Type: title.Type}
	if title.Type != simkl.Movie {
		s := simkl.HistorySeason{Number: tg.Season}
		if tg.Episode > 0 {
			s.Episodes = []int{tg.Episode}
		}
		it.Seasons = []simkl.HistorySeason{s}
	}
	return it
}

// MarkWatched records a watch (POST /sync/history).
func (t *Tracker) MarkWatched(ctx context.Context, token string, title simkl.Title, tg Target) (Outcome, error) {
	return t.mark(ctx, token, title, tg, true)
}

// Unmark removes watches (POST /sync/history/remove) of one season or one
// episode. Use Remove for the whole title.
func (t *Tracker) Unmark(ctx context.Context, token string, title simkl.Title, tg Target) (Outcome, error) {
	if title.Type == simkl.Movie {
		return Outcome{}, errors.New("tracker: Unmark takes a season or an episode; use Remove for a whole title")
	}
	return t.mark(ctx, token, title, tg, false)
}

func (t *Tracker) mark(ctx context.Context, token string, title simkl.Title, tg Target, watched bool) (Outcome, error) {
	// Marking and unmarking the same target share a key, so the last tap
	// wins.
	v, err := t.writes.Do(ctx, t.writeKey(token, title, tg.key()), func(wctx context.Context) (any, error) {
		items := []simkl.HistoryItem{tg.item(title)}
		var res *simkl.HistoryResult
		var err error
		if watched {
			res, err = t.up.AddHistory(wctx, token, items)
		} else {
			res, err = t.up.RemoveHistory(wctx, token, items)
		}
		if err != nil {
			return nil, err
		}
		// Simkl answers 201 with zero counts for items it ignored (an
		// anime[] key, for one), so nothing counted is nothing done.
		if res.NotFound > 0 || watched && res.Movies+res.Shows == 0 {
			return nil, ErrNotApplied
		}
		applied := ""
		for _, s := range res.Statuses {
			if s.Status != "" {
				applied = s.Status
			}
		}
		now := t.opt.Clock.Now().UTC()
		st, err := t.after(wctx, token, title, func(s *simkl.WatchState) {
			applyMark(s, title, tg, watched, now)
			if applied != "" {
				s.Result, s.List = simkl.ResultInLibrary, applied
			}
		})
		if err != nil {
			return nil, err
		}
		return Outcome{State: st, Applied: applied}, nil
	})
	if err != nil {
		return Outcome{}, err
	}
	return v.(Outcome), nil
}

// applyMark patches a cached state the way Simkl's history endpoints change
// it: only aired episodes can be watched.
func applyMark(s *simkl.WatchState, title simkl.Title, tg Target, watched bool, now time.Time) {
	if watched {
		s.Result = simkl.ResultInLibrary
		s.LastWatchedAt = now
		if title.Type == simkl.Movie && s.List == "" || s.List == simkl.ListPlanToWatch && title.Type == simkl.Movie {
			s.List = simkl.ListCompleted
		}
	}
	// Only the target season's episodes change: a special (season 0) and
	// the regular episode of the same number are different episodes.
	for i := range s.Seasons {
		sp := &s.Seasons[i]
		if sp.Number != tg.Season {
			continue
		}
		for j := range sp.Episodes {
			ep := &sp.Episodes[j]
			if (tg.Episode == 0 || int(ep.Number) == tg.Episode) && ep.Aired {
				ep.Watched = watched
				if watched {
					ep.SetLastWatchedAt(now)
				} else {
					ep.SetLastWatchedAt(time.Time{})
				}
			}
		}
	}
	// Count as Simkl does, so that the patched state and a fresh answer
	// agree.
	s.Recount()
	if watched && s.List == "" && title.Type != simkl.Movie {
		s.List = simkl.ListWatching
	}
}

// Remove takes the title out of the user's library entirely: history,
// list entry and rating (POST /sync/history/remove with no seasons).
func (t *Tracker) Remove(ctx context.Context, token string, title simkl.Title) (Outcome, error) {
	v, err := t.writes.Do(ctx, t.writeKey(token, title, "list"), func(wctx context.Context) (any, error) {
		res, err := t.up.RemoveHistory(wctx, token, []simkl.HistoryItem{{Ref: simklRef(title), Type: title.Type}})
		if err != nil {
			return nil, err
		}
		if res.NotFound > 0 {
			return nil, ErrNotApplied
		}
		st, err := t.after(wctx, token, title, func(s *simkl.WatchState) {
			s.Result, s.List, s.LastWatchedAt = simkl.ResultNotInLibrary, "", time.Time{}
			for i := range s.Seasons {
				s.Seasons[i].Watched = 0
				for j := range s.Seasons[i].Episodes {
					s.Seasons[i].Episodes[j].Watched = false
					s.Seasons[i].Episodes[j].SetLastWatchedAt(time.Time{})
				}
			}
			s.Recount()
		})
		if err != nil {
			return nil, err
		}
		return Outcome{State: st, Removed: true}, nil
	})
	if err != nil {
		return Outcome{}, err
	}
	return v.(Outcome), nil
}
