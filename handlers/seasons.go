package handlers

import (
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
	"simklink/views"
)

// gridBlock is the most episodes one grid fragment holds; longer seasons
// (One Piece) are split into blocks.
const gridBlock = 100

// maxBlock bounds a block number in a URL or form: 1000 blocks of
// gridBlock episodes is far beyond the longest season, and the bound keeps
// block arithmetic from overflowing.
const maxBlock = 1000

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
		row := views.SeasonRow{Number: sp.Number, Label: views.SeasonLabel(sp.Number, single), Watched: sp.Watched, Aired: sp.Aired,
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

// handleSeason serves one season's episode grid (or a long season's block
// list, or one block with ?block=N), from the tracker's cached answer.
func handleSeason(tk *tracking) http.Handler {
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
			tk.rs.fail(w, r, &pageError{status: http.StatusBadRequest, page: views.Error{Heading: "That season link is not valid",
				Message: "Season links look like /t/simkl/2090/season/4."}})
			return
		}
		v, t, ok := tk.title(w, r, "")
		if !ok {
			return
		}
		setCaching(w, r, "")
		path := canonicalPath(t)
		st, err := tk.state(w, r, v, t)
		if errors.Is(err, simkl.ErrTokenRevoked) {
			sessionEnded(w, r, path)
			return
		}
		var g views.EpisodeGrid
		if err != nil {
			g = views.EpisodeGrid{Path: path, Season: season, Label: views.SeasonLabel(season, false),
				Error: "Couldn't reach Simkl to load these episodes.", RetryURL: r.URL.RequestURI()}
		} else {
			var found bool
			g, found = gridModel(st, path, season, block, tk.rs.loc(r), tk.m.now())
			if !found {
				tk.rs.fail(w, r, &pageError{status: http.StatusNotFound, page: views.Error{Heading: "No such season",
					Message: "Simkl lists no such season (or block of episodes) for this title."}})
				return
			}
		}
		tk.renderGrid(w, r, v, t, g, http.StatusOK)
	})
}

// renderGrid answers with a season's grid (and extra out-of-band
// regions) for htmx, else with the grid as a page.
func (tk *tracking) renderGrid(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title, g views.EpisodeGrid, status int, extra ...templ.Component) {
	if isHTMX(r) {
		tk.rs.render(w, r, status, templ.Join(append([]templ.Component{views.Grid(g)}, extra...)...))
		return
	}
	card := tk.m.titleCard(t)
	p := tk.rs.page(r, g.Label+" · "+views.PageTitle(card))
	p.NoIndex = true
	p.User = &views.User{Name: v.Name}
	tk.rs.render(w, r, status, views.GridPage(p, card, g))
}

// gridModel builds the grid of one season, or of one block of a long
// season, or a long season's block list.
func gridModel(st simkl.WatchState, path string, season, block int, loc *locale.Locale, now time.Time) (views.EpisodeGrid, bool) {
	single := regularSeasons(st.Seasons) == 1
	for _, sp := range st.Seasons {
		if sp.Number != season {
			continue
		}
		g := views.EpisodeGrid{Path: path, Season: season, Block: block, Label: views.SeasonLabel(season, single), Actions: true}
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
