package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"simklink/auth"
	"simklink/locale"
	"simklink/simkl"
	"simklink/tracker"
	"simklink/views"
)

// Tracker is the signed-in visitor's watch state and actions (package
// tracker).
type Tracker interface {
	State(ctx context.Context, token string, t simkl.Title) (simkl.WatchState, error)
	SetList(ctx context.Context, token string, t simkl.Title, to string) (tracker.Outcome, error)
	MarkWatched(ctx context.Context, token string, t simkl.Title, tg tracker.Target) (tracker.Outcome, error)
	Unmark(ctx context.Context, token string, t simkl.Title, tg tracker.Target) (tracker.Outcome, error)
	Remove(ctx context.Context, token string, t simkl.Title) (tracker.Outcome, error)
}

// badgeTimeout bounds how long a page waits for the visitor's tracker
// state before it renders the badge as "couldn't reach Simkl" with a retry.
const badgeTimeout = 2500 * time.Millisecond

// gridBlock is the most episodes one grid fragment holds; longer seasons
// (One Piece) are split into blocks.
const gridBlock = 100

// maxBlock bounds a block number in a URL or form: 1000 blocks of
// gridBlock episodes is far beyond the longest season, and the bound keeps
// block arithmetic from overflowing.
const maxBlock = 1000

// trackerState fetches the viewer's state for t. A revoked token ends the
// session: the visitor is then shown signed out, with a notice.
func (s *server) trackerState(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title) (simkl.WatchState, error) {
	if s.Tracker == nil {
		return simkl.WatchState{}, errors.New("no tracker configured")
	}
	ctx, cancel := context.WithTimeout(r.Context(), badgeTimeout)
	defer cancel()
	st, err := s.Tracker.State(ctx, v.Token.Access, t)
	if errors.Is(err, simkl.ErrTokenRevoked) && s.Auth != nil {
		// AUTH V2: another request or a copy of the cookie may have
		// refreshed the token, which ends the old one. Renew and ask once
		// more; a grant that is gone ends the session.
		vis := visitOf(r)
		nv, rerr := s.Auth.Renew(w, r, v)
		if rerr == nil {
			*v = *nv
			vis.renewed(v)
			st, err = s.Tracker.State(ctx, v.Token.Access, t)
		}
		switch {
		case !errors.Is(err, simkl.ErrTokenRevoked):
		case errors.Is(rerr, auth.ErrSessionEnded):
			vis.ended()
		default:
			vis.end(w, r)
		}
	}
	return st, err
}

// titleRegions builds the signed-in regions of a title page: the badge and,
// for shows and anime, the season list (more). ended reports that the
// session was ended because Simkl refused the token.
func (s *server) titleRegions(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title, ep *views.EpisodeLink, path string) (badge, more templ.Component, ended bool) {
	st, err := s.trackerState(w, r, v, t)
	if errors.Is(err, simkl.ErrTokenRevoked) {
		return nil, nil, true
	}
	if err != nil {
		s.Logger.Warn("tracker state unavailable", "request_id", requestID(r.Context()), "simkl", t.IDs.Simkl, "err", err)
		return views.TrackerBadge(views.Badge{Path: path, Kind: string(t.Type), Unavailable: true}), nil, false
	}
	b := s.badgeModel(t, st, ep, path, s.loc(r))
	q := r.URL.Query()
	if q.Get("action") == "list" && validStatus(t.Type, q.Get("status")) && b.Status != q.Get("status") {
		b.Confirm = &views.Confirm{Status: q.Get("status"), Label: "Add to " + listLabel(q.Get("status"))}
	}
	if q.Get("confirm") == "remove" {
		b.ConfirmRemove = true
	}
	if q.Get("action") == "list" && b.Confirm != nil {
		b.Primary = nil // the confirmation is the action
	}
	if t.Type != simkl.Movie && len(st.Seasons) > 0 {
		more = views.SeasonsList(seasonsModel(st, path))
	}
	return views.TrackerBadge(b), more, false
}

func validStatus(t simkl.MediaType, status string) bool {
	for _, s := range simkl.ListStatuses(t) {
		if s == status {
			return true
		}
	}
	return false
}

func listLabel(status string) string {
	switch status {
	case simkl.ListWatching:
		return "Watching"
	case simkl.ListCompleted:
		return "Completed"
	case simkl.ListPlanToWatch:
		return "Plan to watch"
	case simkl.ListHold:
		return "On hold"
	case simkl.ListDropped:
		return "Dropped"
	}
	return ""
}

// badgeModel turns Simkl's answer into the badge's view model.
func (s *server) badgeModel(t simkl.Title, st simkl.WatchState, ep *views.EpisodeLink, path string, loc *locale.Locale) views.Badge {
	now := s.Now()
	b := views.Badge{Path: path, Kind: string(t.Type), Status: st.List, StatusLabel: listLabel(st.List), Loc: loc}
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
		b.Statuses = append(b.Statuses, views.StatusOption{Value: v, Label: listLabel(v), Current: v == st.List})
	}
	if ep != nil {
		es := &views.EpisodeState{Season: ep.Season, Number: ep.Number, Label: episodeLabel(ep.Season, ep.Number), Known: ep.Known}
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
		a := &views.Action{Label: "Mark " + episodeLabel(season, number) + " watched", URL: b.Path + "/watched",
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

func episodeLabel(season, number int) string {
	if season > 0 {
		return fmt.Sprintf("S%d E%d", season, number)
	}
	return fmt.Sprintf("Episode %d", number)
}

// seasonsModel lists the seasons, specials last. A season longer than one
// grid block becomes a row whose fragment lists its blocks, so the page's
// size never grows with the number of episodes.
func seasonsModel(st simkl.WatchState, path string) views.Seasons {
	seasons := append([]simkl.SeasonProgress(nil), st.Seasons...)
	sort.SliceStable(seasons, func(i, j int) bool {
		a, b := seasons[i].Number, seasons[j].Number
		if a == 0 || b == 0 {
			return b == 0 && a != 0
		}
		return a < b
	})
	out := views.Seasons{Path: path}
	single := regularSeasons(seasons) == 1
	for _, sp := range seasons {
		row := views.SeasonRow{Number: sp.Number, Label: seasonLabel(sp.Number, single), Watched: sp.Watched, Aired: sp.Aired,
			Total: max(sp.Total, len(sp.Episodes)), URL: path + "/season/" + strconv.Itoa(sp.Number)}
		row.Blocks = len(sp.Episodes) > gridBlock
		out.Rows = append(out.Rows, row)
	}
	return out
}

// regularSeasons counts the seasons other than the specials.
func regularSeasons(seasons []simkl.SeasonProgress) int {
	n := 0
	for _, sp := range seasons {
		if sp.Number != 0 {
			n++
		}
	}
	return n
}

func seasonLabel(n int, single bool) string {
	switch {
	case n == 0:
		return "Specials"
	case single:
		return "Episodes"
	}
	return "Season " + strconv.Itoa(n)
}

// when formats a moment for a <time> element, in the visitor's language.
func when(t, now time.Time, loc *locale.Locale) *views.When {
	u := t.UTC()
	return &views.When{ISO: u.Format(time.RFC3339), Relative: loc.Relative(t, now), Exact: loc.Date(u) + ", " + loc.Time(u) + " UTC"}
}

// signedInTitle resolves the title of a fragment or action URL and the
// signed-in viewer. It writes the answer itself and returns ok=false when
// the request cannot go on: a bad link, or no session (htmx gets
// HX-Redirect to sign in, a plain request a 303).
func (s *server) signedInTitle(w http.ResponseWriter, r *http.Request, next string) (*auth.Viewer, simkl.Title, bool) {
	ref, err := simkl.ParseRef(r.PathValue("kind"), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return nil, simkl.Title{}, false
	}
	v := visitOf(r).Viewer
	if v == nil {
		if next == "" {
			next = "/t/" + string(ref.Kind) + "/" + ref.ID
		}
		target := loginURL(next, "/")
		setCaching(w, r, "")
		if isHTMX(r) {
			w.Header().Set("HX-Redirect", target)
			w.WriteHeader(http.StatusUnauthorized)
			return nil, simkl.Title{}, false
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil, simkl.Title{}, false
	}
	// Signed in: lookups may use the daily budget's reserve.
	res, err := s.Titles.ResolveAs(simkl.ForSignedIn(r.Context()), ref, v.Token.Access, s.misses.allowFor(r))
	if errors.Is(err, simkl.ErrTokenRevoked) {
		visitOf(r).end(w, r) // describe says to sign in again
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, simkl.Title{}, false
	}
	return v, res.Title, true
}

// handleBadge serves the badge fragment (htmx retry, remove confirmation),
// or the badge as a page when opened directly.
func (s *server) handleBadge() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, t, ok := s.signedInTitle(w, r, "")
		if !ok {
			return
		}
		setCaching(w, r, "")
		b, ended := s.currentBadge(w, r, v, t)
		if ended {
			s.sessionEnded(w, r, canonicalPath(t))
			return
		}
		b.ConfirmRemove = !b.Unavailable && r.URL.Query().Get("confirm") == "remove"
		s.renderBadge(w, r, v, t, b, http.StatusOK)
	})
}

// currentBadge is the viewer's badge for t as it stands (from the tracker's
// cache when fresh), or "couldn't reach Simkl" with a retry. ended reports
// that Simkl refused the token and the session has been ended.
func (s *server) currentBadge(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title) (b views.Badge, ended bool) {
	path := canonicalPath(t)
	st, err := s.trackerState(w, r, v, t)
	switch {
	case errors.Is(err, simkl.ErrTokenRevoked):
		return views.Badge{}, true
	case err != nil:
		s.Logger.Warn("tracker state unavailable", "request_id", requestID(r.Context()), "simkl", t.IDs.Simkl, "err", err)
		return views.Badge{Path: path, Kind: string(t.Type), Unavailable: true}, false
	}
	return s.badgeModel(t, st, nil, path, s.loc(r)), false
}

// renderBadge answers with the badge: the fragment for htmx, else the
// badge as a page.
func (s *server) renderBadge(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title, b views.Badge, status int) {
	if isHTMX(r) {
		s.render(w, r, status, views.TrackerBadge(b))
		return
	}
	card := s.titleCard(t)
	p := s.page(r, pageTitle(card))
	p.NoIndex = true
	p.User = &views.User{Name: v.Name}
	s.render(w, r, status, views.BadgePage(p, card, b))
}

// sessionEnded answers a fragment or action request whose token Simkl
// refused: the session is already ended; send the visitor to sign in.
func (s *server) sessionEnded(w http.ResponseWriter, r *http.Request, path string) {
	// The title page says the connection ended and offers sign-in.
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", path)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

func canonicalPath(t simkl.Title) string { return "/t/simkl/" + strconv.Itoa(t.IDs.Simkl) }

// handleSeason serves one season's episode grid (or a long season's block
// list, or one block with ?block=N), from the tracker's cached answer.
func (s *server) handleSeason() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		season, err := strconv.Atoi(r.PathValue("season"))
		block, berr := 0, error(nil)
		if b := r.URL.Query().Get("block"); b != "" {
			block, berr = strconv.Atoi(b)
			if berr == nil && (block < 1 || block > maxBlock) {
				berr = errors.New("block out of range")
			}
		}
		if err != nil || berr != nil || season < 0 || season > 999 {
			s.fail(w, r, &pageError{status: http.StatusBadRequest, page: views.Error{Heading: "That season link is not valid",
				Message: "Season links look like /t/simkl/2090/season/4."}})
			return
		}
		v, t, ok := s.signedInTitle(w, r, "")
		if !ok {
			return
		}
		setCaching(w, r, "")
		path := canonicalPath(t)
		st, err := s.trackerState(w, r, v, t)
		if errors.Is(err, simkl.ErrTokenRevoked) {
			s.sessionEnded(w, r, path)
			return
		}
		var g views.EpisodeGrid
		if err != nil {
			g = views.EpisodeGrid{Path: path, Season: season, Label: seasonLabel(season, false),
				Error: "Couldn't reach Simkl to load these episodes.", RetryURL: r.URL.RequestURI()}
		} else {
			var found bool
			g, found = gridModel(st, path, season, block, s.loc(r), s.Now())
			if !found {
				s.fail(w, r, &pageError{status: http.StatusNotFound, page: views.Error{Heading: "No such season",
					Message: "Simkl lists no such season (or block of episodes) for this title."}})
				return
			}
		}
		s.renderGrid(w, r, v, t, g, http.StatusOK)
	})
}

func (s *server) renderGrid(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title, g views.EpisodeGrid, status int, extra ...templ.Component) {
	if isHTMX(r) {
		s.render(w, r, status, templ.Join(append([]templ.Component{views.Grid(g)}, extra...)...))
		return
	}
	card := s.titleCard(t)
	p := s.page(r, g.Label+" · "+pageTitle(card))
	p.NoIndex = true
	p.User = &views.User{Name: v.Name}
	s.render(w, r, status, views.GridPage(p, card, g))
}

// gridModel builds the grid of one season, or of one block of a long
// season, or a long season's block list.
func gridModel(st simkl.WatchState, path string, season, block int, loc *locale.Locale, now time.Time) (views.EpisodeGrid, bool) {
	single := regularSeasons(st.Seasons) == 1
	for _, sp := range st.Seasons {
		if sp.Number != season {
			continue
		}
		g := views.EpisodeGrid{Path: path, Season: season, Block: block, Label: seasonLabel(season, single), Actions: true}
		eps := sp.Episodes
		if len(eps) > gridBlock && block == 0 {
			for from := 0; from < len(eps); from += gridBlock {
				part := eps[from:min(from+gridBlock, len(eps))]
				row := views.SeasonRow{Number: season, Total: len(part),
					Label: fmt.Sprintf("Episodes %d–%d", part[0].Number, part[len(part)-1].Number),
					URL:   fmt.Sprintf("%s/season/%d?block=%d", path, season, from/gridBlock+1)}
				for _, e := range part {
					if e.Aired {
						row.Aired++
					}
					if e.Watched {
						row.Watched++
					}
				}
				g.Blocks = append(g.Blocks, row)
			}
			return g, true
		}
		if block > 0 {
			from := (block - 1) * gridBlock
			if from >= len(eps) {
				return views.EpisodeGrid{}, false
			}
			eps = eps[from:min(from+gridBlock, len(eps))]
			g.Label = fmt.Sprintf("Episodes %d–%d", eps[0].Number, eps[len(eps)-1].Number)
		}

		var latest time.Time
		for _, e := range eps {
			c := views.EpisodeCell{Number: int(e.Number), Watched: e.Watched, Aired: e.Aired}
			if lw := e.LastWatchedAt(); !lw.IsZero() {
				c.LastWatched = when(lw, now, loc)
				if lw.After(latest) {
					latest, g.LastWatched, g.LastWatchedEpNo = lw, c.LastWatched, c.Number
				}
			}
			g.Cells = append(g.Cells, c)
		}
		return g, true
	}
	return views.EpisodeGrid{}, false
}
