package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"simklink/auth"
	"simklink/locale"
	"simklink/simkl"
	"simklink/views"
)

func validStatus(t simkl.MediaType, status string) bool {
	for _, s := range simkl.ListStatuses(t) {
		if s == status {
			return true
		}
	}
	return false
}

// badgeModel turns Simkl's answer into the badge's view model.
func (m *models) badgeModel(t simkl.Title, st simkl.WatchState, ep *views.EpisodeLink, path string, loc *locale.Locale) views.Badge {
	now := m.now()
	b := views.Badge{Path: path, IsMovie: t.Type == simkl.Movie, Status: st.List, StatusLabel: views.ListLabel(st.List), Loc: loc}
	switch st.Result {
	case simkl.ResultInLibrary:
		b.Presence = views.PresenceIn
	case simkl.ResultNotInLibrary:
		b.Presence = views.PresenceNotIn
		if st.List != "" {
			// Filed under a list (e.g. Plan to watch) without a watch yet:
			// it is in the tracker.
			b.Presence = views.PresenceIn
		}
	default:
		b.Presence = views.PresenceNotFound
	}
	if !st.LastWatchedAt.IsZero() {
		b.LastWatched = when(st.LastWatchedAt, now, loc)
	}
	// Regular episodes only: Simkl's totals count the specials too when it
	// lists them, which the season rows show apart.
	c := st.Regular()
	b.Watched, b.Aired, b.Total = c.Watched, c.Aired, c.Total
	for _, v := range simkl.ListStatuses(t.Type) {
		b.Statuses = append(b.Statuses, views.StatusOption{Value: v, Label: views.ListLabel(v), Current: v == st.List})
	}
	if ep != nil {
		es := &views.EpisodeState{Season: ep.Season, Number: ep.Number, Label: views.EpisodeLabel(ep.Season, ep.Number), Known: ep.Known}
		// Simkl reports an anime as season 1, its specials as season 0; a
		// special never stands for the regular episode of its number.
		season := ep.Season
		switch {
		case ep.Special:
			season, es.Season, es.Special, es.Label = 0, 0, true, fmt.Sprintf("Special %d", ep.Number)
		case t.Type == simkl.Anime:
			season = 1
		}
		for _, sp := range st.Seasons {
			if sp.Number != season {
				continue
			}
			for _, e := range sp.Episodes {
				if int(e.Number) == ep.Number {
					es.Watched, es.Aired, es.Known = e.Watched, e.Aired, true
				}
			}
		}
		b.Episode = es
	}
	b.Primary = primaryAction(t, st, b)
	return b
}

// primaryAction is the one action the badge's status line offers: add a
// title that is not in the tracker, mark an episode link's episode, a
// movie, or a show's next aired episode watched. Nil when there is none
// (everything aired is watched, or Simkl does not know the title).
func primaryAction(t simkl.Title, st simkl.WatchState, b views.Badge) *views.Action {
	mark := func(season, number int) *views.Action {
		a := &views.Action{Label: "Mark " + views.EpisodeLabel(season, number) + " watched", URL: b.Path + "/watched",
			Fields: [][2]string{{"season", strconv.Itoa(season)}, {"episode", strconv.Itoa(number)}, {"from", "badge"}}, TestID: "mark-episode-watched"}
		if t.Type == simkl.Anime {
			a.Label = "Mark episode " + strconv.Itoa(number) + " watched"
		}
		return a
	}
	switch {
	case b.Presence == views.PresenceNotFound:
		return nil
	case b.Episode != nil:
		if e := b.Episode; e.Known && e.Aired && !e.Watched {
			season := e.Season
			if t.Type == simkl.Anime && !e.Special {
				season = animeSeason(st, e.Number)
			}
			a := mark(season, e.Number)
			if e.Special {
				a.Label = "Mark special " + strconv.Itoa(e.Number) + " watched"
			}
			a.Fields = append(a.Fields, [2]string{"page", "episode"})
			return a
		}
		return nil
	case b.Presence == views.PresenceNotIn:
		return &views.Action{Label: "Add to Plan to watch", URL: b.Path + "/list", Fields: [][2]string{{"status", simkl.ListPlanToWatch}}, TestID: "add-plantowatch"}
	case t.Type == simkl.Movie:
		if st.List != simkl.ListCompleted {
			return &views.Action{Label: "Mark watched", URL: b.Path + "/watched", TestID: "mark-movie-watched"}
		}
		return nil
	}
	// A show or anime in the tracker: its first aired episode not yet
	// watched, regular seasons in order (specials are not "next").
	seasons := append([]simkl.SeasonProgress(nil), st.Seasons...)
	sort.SliceStable(seasons, func(i, j int) bool { return seasons[i].Number < seasons[j].Number })
	for _, sp := range seasons {
		if sp.Number == 0 {
			continue
		}
		for _, e := range sp.Episodes {
			if e.Aired && !e.Watched {
				return mark(sp.Number, int(e.Number))
			}
		}
	}
	return nil
}

// animeSeason is the season Simkl's watched answer files an anime episode
// under (anime have one, numbered straight through); 1 when it has none.
func animeSeason(st simkl.WatchState, number int) int {
	for _, sp := range st.Seasons {
		for _, e := range sp.Episodes {
			if int(e.Number) == number && sp.Number > 0 {
				return sp.Number
			}
		}
	}
	return 1
}

// when formats a moment for a <time> element, in the visitor's language.
func when(t, now time.Time, loc *locale.Locale) *views.When {
	u := t.UTC()
	return &views.When{ISO: u.Format(time.RFC3339), Relative: loc.Relative(t, now), Exact: loc.Date(u) + ", " + loc.Time(u) + " UTC"}
}

// handleBadge serves the badge fragment (htmx retry, remove confirmation),
// or the badge as a page when opened directly.
func handleBadge(tk *tracking) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, t, ok := tk.title(w, r, "")
		if !ok {
			return
		}
		setCaching(w, r, "")
		b, ended := tk.currentBadge(w, r, v, t)
		if ended {
			sessionEnded(w, r, canonicalPath(t))
			return
		}
		b.ConfirmRemove = !b.Unavailable && r.URL.Query().Get("confirm") == "remove"
		tk.renderBadge(w, r, v, t, b, http.StatusOK)
	})
}

// currentBadge is the viewer's badge for t as it stands (from the tracker's
// cache when fresh), or "couldn't reach Simkl" with a retry. ended reports
// that Simkl refused the token and the session has been ended.
func (tk *tracking) currentBadge(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title) (b views.Badge, ended bool) {
	path := canonicalPath(t)
	st, err := tk.state(w, r, v, t)
	switch {
	case errors.Is(err, simkl.ErrTokenRevoked):
		return views.Badge{}, true
	case err != nil:
		tk.rs.logger.Warn("tracker state unavailable", "request_id", requestID(r.Context()), "simkl", t.IDs.Simkl, "err", err)
		return views.Badge{Path: path, IsMovie: t.Type == simkl.Movie, Unavailable: true}, false
	}
	return tk.m.badgeModel(t, st, nil, path, tk.rs.loc(r)), false
}

// renderBadge answers with the badge: the fragment for htmx, else the
// badge as a page.
func (tk *tracking) renderBadge(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title, b views.Badge, status int) {
	if isHTMX(r) {
		tk.rs.render(w, r, status, views.TrackerBadge(b))
		return
	}
	card := tk.m.titleCard(t)
	p := tk.rs.page(r, views.PageTitle(card))
	p.NoIndex = true
	p.User = &views.User{Name: v.Name}
	tk.rs.render(w, r, status, views.BadgePage(p, card, b))
}
