package simkl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Result is the three-way answer of POST /sync/watched for one item. On the
// wire it is true, false or the string "not_found".
type Result int

const (
	// ResultNotFound: Simkl could not match the IDs to any title.
	ResultNotFound Result = iota
	// ResultNotInLibrary: Simkl knows the title; the user has not added it.
	ResultNotInLibrary
	// ResultInLibrary: the user has watched, or is watching, the title.
	ResultInLibrary
)

func (r Result) String() string {
	switch r {
	case ResultInLibrary:
		return "in_library"
	case ResultNotInLibrary:
		return "not_in_library"
	}
	return "not_found"
}

func (r *Result) UnmarshalJSON(b []byte) error {
	switch s := string(bytes.TrimSpace(b)); s {
	case "true":
		*r = ResultInLibrary
	case "false":
		*r = ResultNotInLibrary
	case `"not_found"`, "null":
		*r = ResultNotFound
	default:
		return fmt.Errorf("simkl: unexpected result %s", s)
	}
	return nil
}

func (r Result) MarshalJSON() ([]byte, error) {
	switch r {
	case ResultInLibrary:
		return []byte("true"), nil
	case ResultNotInLibrary:
		return []byte("false"), nil
	}
	return []byte(`"not_found"`), nil
}

// Extended selects what POST /sync/watched adds to each answer.
type Extended uint8

const (
	// Counters adds episode counts and a per-season summary.
	Counters Extended = 1 << iota
	// Episodes adds per-episode arrays to each season.
	Episodes
	// Specials adds season 0; only with Episodes.
	Specials
)

func (e Extended) String() string {
	var parts []string
	if e&Counters != 0 {
		parts = append(parts, "counters")
	}
	if e&Episodes != 0 {
		parts = append(parts, "episodes")
	}
	if e&Specials != 0 {
		parts = append(parts, "specials")
	}
	return strings.Join(parts, ",")
}

// WatchedItem is one question to POST /sync/watched: is this title in the
// user's tracker, or, with Episode set, has the user watched this episode?
type WatchedItem struct {
	Ref     Ref
	Season  int
	Episode int // > 0 asks about one episode
}

func (it WatchedItem) MarshalJSON() ([]byte, error) {
	m := refFields(it.Ref)
	if it.Episode > 0 {
		m["season"] = it.Season
		m["episode"] = it.Episode
	}
	return json.Marshal(m)
}

// refFields is how every sync body names a title: an "ids" object (api.simkl.org's
// form), or title + year for the fallback, plus the type hint that TMDB needs.
func refFields(r Ref) map[string]any {
	m := map[string]any{}
	if r.Kind == KindTitle {
		m["title"] = r.ID
		if r.Year != 0 {
			m["year"] = r.Year
		}
	} else {
		var v any = r.ID
		if r.Kind == KindSimkl {
			n, _ := strconv.Atoi(r.ID)
			v = n
		}
		m["ids"] = map[string]any{string(r.Kind): v}
	}
	if r.Type != "" {
		m["type"] = string(r.Type)
	}
	return m
}

// WatchState is Simkl's answer about one WatchedItem.
type WatchState struct {
	Result  Result
	SimklID int
	// Type is Simkl's type of the matched title, when the answer names it
	// ("" otherwise).
	Type          MediaType
	List          string    // watching, completed, plantowatch, hold, dropped; "" when null
	LastWatchedAt time.Time // zero when never watched
	// Counters is set when Counters or Episodes was asked for (shows and
	// anime only).
	Counters *EpisodeCounts
	Seasons  []SeasonProgress
	// Episode-level questions: whether that episode is watched is Result.
}

// EpisodeCounts are the aggregate counts of a show or a season.
type EpisodeCounts struct {
	Total, Aired, ToBeAired, Watched int
}

func (c *EpisodeCounts) add(o EpisodeCounts) {
	c.Total += o.Total
	c.Aired += o.Aired
	c.ToBeAired += o.ToBeAired
	c.Watched += o.Watched
}

// Regular counts the regular episodes: the sum of the seasons other than
// season 0 when Simkl listed seasons, else its totals. Simkl's own totals
// include the specials when extended=specials added season 0 ("adjusts
// counters accordingly"), so they cannot be shown as the show's progress.
func (s WatchState) Regular() EpisodeCounts {
	if len(s.Seasons) == 0 {
		if s.Counters != nil {
			return *s.Counters
		}
		return EpisodeCounts{}
	}
	var c EpisodeCounts
	for _, sp := range s.Seasons {
		if sp.Number != 0 {
			c.add(sp.EpisodeCounts)
		}
	}
	return c
}

// Specials counts season 0; ok is false when Simkl listed none.
func (s WatchState) Specials() (c EpisodeCounts, ok bool) {
	for _, sp := range s.Seasons {
		if sp.Number == 0 {
			return sp.EpisodeCounts, true
		}
	}
	return EpisodeCounts{}, false
}

// Recount sets each season's watched count from its episodes (when it
// lists them) and the totals from the seasons, the way Simkl counts:
// season 0 included when it is there. A state patched after a write then
// counts exactly as a fresh answer would.
func (s *WatchState) Recount() {
	if len(s.Seasons) == 0 {
		return
	}
	var total EpisodeCounts
	for i := range s.Seasons {
		sp := &s.Seasons[i]
		if len(sp.Episodes) > 0 {
			n := 0
			for _, e := range sp.Episodes {
				if e.Watched {
					n++
				}
			}
			sp.Watched = n
		}
		total.add(sp.EpisodeCounts)
	}
	if s.Counters != nil {
		*s.Counters = total
	}
}

// SeasonProgress is one season in a WatchState.
type SeasonProgress struct {
	Number int
	EpisodeCounts
	Episodes []EpisodeProgress // only with Episodes
}

// EpisodeProgress is one episode in a SeasonProgress. It is kept small (16
// bytes, not 40 with an int and a time.Time) because a user's cached state
// of a long anime holds one per episode: One Piece has over 1,100.
type EpisodeProgress struct {
	Number  int32
	Watched bool
	Aired   bool
	// lastWatched is Unix seconds; 0 when unknown.
	lastWatched int64
}

// LastWatchedAt is when the episode was last watched; zero when unknown
// (Simkl gives none when a title was marked completed as a whole).
func (e EpisodeProgress) LastWatchedAt() time.Time {
	if e.lastWatched == 0 {
		return time.Time{}
	}
	return time.Unix(e.lastWatched, 0).UTC()
}

// SetLastWatchedAt sets the last-watched time; the zero time clears it.
func (e *EpisodeProgress) SetLastWatchedAt(t time.Time) {
	if t.IsZero() {
		e.lastWatched = 0
		return
	}
	e.lastWatched = t.Unix()
}

type wireCounts struct {
	Total     *flexInt `json:"episodes_total"`
	Aired     flexInt  `json:"episodes_aired"`
	ToBeAired flexInt  `json:"episodes_to_be_aired"`
	Watched   flexInt  `json:"episodes_watched"`
}

func (w wireCounts) counts() EpisodeCounts {
	var total int
	if w.Total != nil {
		total = int(*w.Total)
	}
	return EpisodeCounts{Total: total, Aired: int(w.Aired), ToBeAired: int(w.ToBeAired), Watched: int(w.Watched)}
}

func (s *WatchState) UnmarshalJSON(b []byte) error {
	var w struct {
		Result        Result     `json:"result"`
		Simkl         flexInt    `json:"simkl"`
		Type          string     `json:"type"`
		List          *string    `json:"list"`
		LastWatchedAt flexString `json:"last_watched_at"`
		// LastWatched is the older name of last_watched_at, still in
		// recorded answers and read by production clients.
		LastWatched flexString `json:"last_watched"`
		IDs         IDs        `json:"ids"`
		wireCounts
		Seasons []struct {
			Number flexInt `json:"number"`
			wireCounts
			Episodes []struct {
				Number        flexInt    `json:"number"`
				Watched       bool       `json:"watched"`
				Aired         bool       `json:"aired"`
				LastWatchedAt flexString `json:"last_watched_at"`
			} `json:"episodes"`
		} `json:"seasons"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	last := w.LastWatchedAt
	if last == "" {
		last = w.LastWatched
	}
	out := WatchState{Result: w.Result, SimklID: int(w.Simkl), Type: ParseMediaType(w.Type), LastWatchedAt: parseTime(string(last))}
	if out.SimklID == 0 && out.Result != ResultNotFound {
		out.SimklID = w.IDs.Simkl
	}
	if w.List != nil {
		out.List = *w.List
	}
	if w.wireCounts.Total != nil {
		c := w.wireCounts.counts()
		out.Counters = &c
	}
	for _, ws := range w.Seasons {
		sp := SeasonProgress{Number: int(ws.Number), EpisodeCounts: ws.wireCounts.counts()}
		for _, we := range ws.Episodes {
			ep := EpisodeProgress{Number: int32(we.Number), Watched: we.Watched, Aired: we.Aired}
			ep.SetLastWatchedAt(parseTime(string(we.LastWatchedAt)))
			sp.Episodes = append(sp.Episodes, ep)
		}
		out.Seasons = append(out.Seasons, sp)
	}
	*s = out
	return nil
}

// MaxWatchedItems is Simkl's per-call limit on /sync/watched when per-episode
// data is asked for; more gives 400 max_items.
const MaxWatchedItems = 100

// Watched asks POST /sync/watched about items for the user holding token.
// The answer is parallel to items. Simkl refuses more than 100 items per
// call with extended=episodes (api.simkl.org; simkl.docs.apiary.io says with any extended), so when
// any extended value is set the client splits the batch itself, which is
// safe under both readings. Each split is one more POST against the user's
// 1 POST/s budget, and waits its turn.
func (c *Client) Watched(ctx context.Context, token string, items []WatchedItem, ext Extended) ([]WatchState, error) {
	if len(items) == 0 {
		return nil, nil
	}
	size := len(items)
	if ext != 0 {
		size = MaxWatchedItems
	}
	out := make([]WatchState, 0, len(items))
	for start := 0; start < len(items); start += size {
		batch := items[start:min(start+size, len(items))]
		states, err := c.watchedBatch(ctx, token, batch, ext)
		if err != nil {
			return nil, err
		}
		out = append(out, states...)
	}
	return out, nil
}

func (c *Client) watchedBatch(ctx context.Context, token string, items []WatchedItem, ext Extended) ([]WatchState, error) {
	var q url.Values
	if ext != 0 {
		q = url.Values{"extended": {ext.String()}}
	}
	raw, err := c.do(ctx, call{method: http.MethodPost, path: "/sync/watched", pattern: "/sync/watched", query: q, token: token, body: items}, nil)
	if err != nil {
		return nil, err
	}
	// An empty request answers the literal null; a non-empty one never
	// should, but treat every empty shape as "no answers" and let the length
	// check below report it.
	var states []WatchState
	if !isEmptyJSON(raw) {
		if err := json.Unmarshal(raw, &states); err != nil {
			return nil, &decodeError{endpoint: "POST /sync/watched", err: err}
		}
	}
	if len(states) != len(items) {
		return nil, &decodeError{endpoint: "POST /sync/watched", err: fmt.Errorf("%d answers for %d items", len(states), len(items))}
	}
	return states, nil
}

// List statuses accepted by /sync/add-to-list.
const (
	ListWatching    = "watching"
	ListPlanToWatch = "plantowatch"
	ListHold        = "hold"
	ListDropped     = "dropped"
	ListCompleted   = "completed"
)

// ListStatuses returns the statuses Simkl accepts for a type. Movies have no
// Watching or On hold: Simkl silently turns a movie sent to "watching" into
// "completed", and "hold" on a movie is undefined.
func ListStatuses(t MediaType) []string {
	if t == Movie {
		return []string{ListPlanToWatch, ListCompleted, ListDropped}
	}
	return []string{ListWatching, ListPlanToWatch, ListHold, ListCompleted, ListDropped}
}

// ListItem is one title to file under a list with POST /sync/add-to-list.
type ListItem struct {
	Ref  Ref
	Type MediaType // decides movies[] or shows[] (anime go under shows[])
	To   string
}

// ListEcho is an item Simkl echoes back from /sync/add-to-list.
type ListEcho struct {
	To   string
	Type string
	IDs  IDs
}

func (e *ListEcho) UnmarshalJSON(b []byte) error {
	var w struct {
		To   string `json:"to"`
		Type string `json:"type"`
		IDs  IDs    `json:"ids"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = ListEcho(w)
	return nil
}

// ListResult is Simkl's answer to /sync/add-to-list: what it filed (with the
// status it actually applied, which may differ from the one asked for) and
// what it could not match.
type ListResult struct {
	Added    []ListEcho
	NotFound []ListEcho
}

// AddToList files items under their lists. Each item carries its own "to":
// Simkl rejects a top-level "to" alone.
func (c *Client) AddToList(ctx context.Context, token string, items []ListItem) (*ListResult, error) {
	body := map[string][]map[string]any{}
	for _, it := range items {
		m := refFields(it.Ref)
		m["to"] = it.To
		key := sectionFor(it.Type)
		body[key] = append(body[key], m)
	}
	var w struct {
		Added    map[string][]ListEcho `json:"added"`
		NotFound map[string][]ListEcho `json:"not_found"`
	}
	if _, err := c.do(ctx, call{method: http.MethodPost, path: "/sync/add-to-list", pattern: "/sync/add-to-list", write: true, token: token, body: body}, &w); err != nil {
		return nil, err
	}
	res := &ListResult{}
	for _, k := range []string{"movies", "shows", "anime"} {
		res.Added = append(res.Added, w.Added[k]...)
		res.NotFound = append(res.NotFound, w.NotFound[k]...)
	}
	return res, nil
}

// sectionFor names the body array for a type: movies[] or shows[]. Anime
// go under shows[] on every write: Simkl's reference documents only
// movies[] and shows[], /sync/history/remove silently ignores anime[]
// (api.simkl.org), and production clients (aniyomi, CrossWatch) send anime under
// shows[].
func sectionFor(t MediaType) string {
	if t == Movie {
		return "movies"
	}
	return "shows"
}

// HistoryItem marks (or, for RemoveHistory, unmarks) a title: the whole
// title when Seasons is empty, else the listed seasons, each whole when its
// Episodes is empty.
type HistoryItem struct {
	Ref       Ref
	Type      MediaType
	WatchedAt time.Time // zero: now
	Status    string    // optional list status to set
	Seasons   []HistorySeason
}

// HistorySeason names a season and, optionally, some of its episodes.
type HistorySeason struct {
	Number   int
	Episodes []int
}

func (it HistoryItem) fields() map[string]any {
	m := refFields(it.Ref)
	if !it.WatchedAt.IsZero() {
		m["watched_at"] = it.WatchedAt.UTC().Format(time.RFC3339)
	}
	if it.Status != "" {
		m["status"] = it.Status
	}
	if len(it.Seasons) > 0 {
		seasons := make([]map[string]any, 0, len(it.Seasons))
		for _, s := range it.Seasons {
			sm := map[string]any{"number": s.Number}
			if len(s.Episodes) > 0 {
				eps := make([]map[string]int, 0, len(s.Episodes))
				for _, n := range s.Episodes {
					eps = append(eps, map[string]int{"number": n})
				}
				sm["episodes"] = eps
			}
			seasons = append(seasons, sm)
		}
		m["seasons"] = seasons
	}
	return m
}

func historyBody(items []HistoryItem) map[string][]map[string]any {
	body := map[string][]map[string]any{}
	for _, it := range items {
		key := sectionFor(it.Type)
		body[key] = append(body[key], it.fields())
	}
	return body
}

// HistoryResult is Simkl's answer to /sync/history and /sync/history/remove.
type HistoryResult struct {
	Movies, Shows, Episodes int // how many were added (or deleted)
	// Statuses says, for /sync/history, which status each title ended in.
	Statuses []HistoryStatus
	// NotFound counts the items Simkl could not match.
	NotFound int
}

// HistoryStatus is the status Simkl applied to one title.
type HistoryStatus struct {
	SimklID   int
	Status    string
	SimklType string
}

type wireHistory struct {
	Added   *historyCounts `json:"added"`
	Deleted *historyCounts `json:"deleted"`
	// not_found holds arrays of echoed items per type.
	NotFound map[string][]json.RawMessage `json:"not_found"`
}

type historyCounts struct {
	Movies   flexInt `json:"movies"`
	Shows    flexInt `json:"shows"`
	Episodes flexInt `json:"episodes"`
	Statuses []struct {
		Request struct {
			IDs IDs `json:"ids"`
		} `json:"request"`
		Response struct {
			Status    string `json:"status"`
			SimklType string `json:"simkl_type"`
		} `json:"response"`
	} `json:"statuses"`
}

func (w wireHistory) result() *HistoryResult {
	res := &HistoryResult{}
	counts := w.Added
	if counts == nil {
		counts = w.Deleted
	}
	if counts != nil {
		res.Movies, res.Shows, res.Episodes = int(counts.Movies), int(counts.Shows), int(counts.Episodes)
		for _, s := range counts.Statuses {
			res.Statuses = append(res.Statuses, HistoryStatus{SimklID: s.Request.IDs.Simkl, Status: s.Response.Status, SimklType: s.Response.SimklType})
		}
	}
	for _, v := range w.NotFound {
		res.NotFound += len(v)
	}
	return res
}

// AddHistory marks items watched with POST /sync/history. Simkl answers 201
// (api.simkl.org) or 200 (simkl.docs.apiary.io); any 2xx is success, and NotFound must be checked.
func (c *Client) AddHistory(ctx context.Context, token string, items []HistoryItem) (*HistoryResult, error) {
	var w wireHistory
	if _, err := c.do(ctx, call{method: http.MethodPost, path: "/sync/history", pattern: "/sync/history", write: true, token: token, body: historyBody(items)}, &w); err != nil {
		return nil, err
	}
	return w.result(), nil
}

// RemoveHistory unmarks items with POST /sync/history/remove. An item with
// no seasons removes the title from the library entirely: history, list
// entry and rating.
func (c *Client) RemoveHistory(ctx context.Context, token string, items []HistoryItem) (*HistoryResult, error) {
	var w wireHistory
	if _, err := c.do(ctx, call{method: http.MethodPost, path: "/sync/history/remove", pattern: "/sync/history/remove", write: true, token: token, body: historyBody(items)}, &w); err != nil {
		return nil, err
	}
	return w.result(), nil
}
