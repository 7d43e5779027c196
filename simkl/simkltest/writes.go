package simkltest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Write endpoints answer 201, as api.simkl.org says (simkl.docs.apiary.io's examples show 200).

// writeRequest is the body of /sync/add-to-list, /sync/history and
// /sync/history/remove.
type writeRequest struct {
	Movies   []json.RawMessage `json:"movies"`
	Shows    []json.RawMessage `json:"shows"`
	Episodes []json.RawMessage `json:"episodes"`
}

// writeItem is one item of a write body.
type writeItem struct {
	obj       object // the item as sent, for echoing
	t         *title // nil when not found
	To        string `json:"to"`
	Status    string `json:"status"`
	WatchedAt string `json:"watched_at"`
	AddedAt   string `json:"added_at"`
	Rating    *int   `json:"rating"`
	Seasons   []struct {
		Number    *int      `json:"number"`
		WatchedAt string    `json:"watched_at"`
		Episodes  []epWrite `json:"episodes"`
	} `json:"seasons"`
	Episodes []epWrite `json:"episodes"`

	watchedAt, addedAt time.Time
}

type epWrite struct {
	Number    *int   `json:"number"`
	WatchedAt string `json:"watched_at"`
}

// badRequest is a 400 to answer.
type badRequest struct{ code, msg string }

func (e *badRequest) Error() string { return e.msg }

func wrongParameter(format string, args ...any) error {
	return &badRequest{"wrong_parameter", fmt.Sprintf(format, args...)}
}

// validLists are the list statuses.
func validList(s string) bool {
	switch s {
	case "watching", "plantowatch", "hold", "dropped", "completed":
		return true
	}
	return false
}

// parseWriteItems decodes and resolves one array of a write body. want
// restricts what the items may resolve to: movies[] holds movies, shows[]
// shows and anime.
func (s *Simkl) parseWriteItems(raws []json.RawMessage, want kind) ([]*writeItem, error) {
	items := make([]*writeItem, 0, len(raws))
	for _, raw := range raws {
		o, err := decodeObject(raw)
		if err != nil {
			return nil, wrongParameter("Every item must be a JSON object")
		}
		it := &writeItem{obj: o}
		if err := json.Unmarshal(raw, it); err != nil {
			return nil, wrongParameter("Bad item: %v", err)
		}
		if it.WatchedAt != "" {
			if it.watchedAt, err = parseTime(it.WatchedAt); err != nil {
				return nil, wrongParameter("watched_at must be an ISO 8601 time such as 2026-05-15T22:30:00Z")
			}
		}
		if it.AddedAt != "" {
			if it.addedAt, err = parseTime(it.AddedAt); err != nil {
				return nil, wrongParameter("added_at must be an ISO 8601 time such as 2026-05-15T22:30:00Z")
			}
		}
		if it.Status != "" && !validList(it.Status) {
			return nil, wrongParameter("status must be one of watching, plantowatch, hold, dropped, completed")
		}
		if it.Rating != nil && (*it.Rating < 1 || *it.Rating > 10) {
			return nil, wrongParameter("rating must be 1-10")
		}
		for _, sn := range it.Seasons {
			if sn.Number == nil {
				return nil, &badRequest{"empty_field", "Every season needs a number"}
			}
			if err := checkEpisodes(sn.WatchedAt, sn.Episodes); err != nil {
				return nil, err
			}
		}
		if err := checkEpisodes("", it.Episodes); err != nil {
			return nil, err
		}
		rf := refOf(o, false)
		rf.want = want
		it.t, _ = s.cat.resolve(rf)
		items = append(items, it)
	}
	return items, nil
}

func checkEpisodes(seasonWatchedAt string, eps []epWrite) error {
	if seasonWatchedAt != "" {
		if _, err := parseTime(seasonWatchedAt); err != nil {
			return wrongParameter("watched_at must be an ISO 8601 time")
		}
	}
	for _, ep := range eps {
		if ep.Number == nil {
			return &badRequest{"empty_field", "Every episode needs a number"}
		}
		if ep.WatchedAt != "" {
			if _, err := parseTime(ep.WatchedAt); err != nil {
				return wrongParameter("watched_at must be an ISO 8601 time")
			}
		}
	}
	return nil
}

// parseSections reads a write body's movies[] and shows[]; anime go under
// shows[].
//
// anime[] is ignored by every write: its items are neither applied nor
// listed in not_found. The reference documents only movies[] and shows[]
// for add-to-list and history, api.simkl.org say /sync/history/remove silently
// ignores anime[], and production clients (aniyomi, CrossWatch) send anime
// under shows[]. A 400 would be stricter than anything recorded; ignoring
// shows a client that sends anime[] what it would really see: nothing
// changed.
func (s *Simkl) parseSections(req *writeRequest) (movies, shows []*writeItem, err error) {
	if movies, err = s.parseWriteItems(req.Movies, kindMovie); err != nil {
		return nil, nil, err
	}
	if shows, err = s.parseWriteItems(req.Shows, kindShow|kindAnime); err != nil {
		return nil, nil, err
	}
	return movies, shows, nil
}

// readWrite reads a write body. It writes the error itself.
func (s *Simkl) readWrite(w http.ResponseWriter, r *http.Request) (*writeRequest, bool) {
	body, err := readJSONBody(w, r, false)
	if err != nil {
		return nil, false
	}
	var req writeRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "wrong_parameter", "The body must be a JSON object with movies or shows arrays")
		return nil, false
	}
	return &req, true
}

func writeBadRequest(w http.ResponseWriter, err error) {
	var br *badRequest
	if errors.As(err, &br) {
		writeError(w, http.StatusBadRequest, br.code, br.msg)
		return
	}
	writeError(w, http.StatusBadRequest, "wrong_parameter", "Bad request")
}

// echo returns the item as sent with extra keys set. The ids stay as sent:
// recorded answers do not add the simkl ID (github.com/srgsf/simkl-client's test fixtures wl_sync_status.json).
func (it *writeItem) echo(kv ...field) object {
	o := it.obj.clone()
	for _, f := range kv {
		o.set(f.key, f.value)
	}
	return o
}

// entryLocked returns the user's entry for t, creating it (added at
// addedAt, or now) if needed.
func entryLocked(u *user, t *title, addedAt, now time.Time) *entry {
	e, _ := u.own(t.id)
	if e == nil {
		e = &entry{added: now}
		if t.kind != kindMovie {
			e.watched = make(map[[2]int]time.Time)
		}
		u.library[t.id] = e
	}
	if !addedAt.IsZero() {
		e.added = addedAt
	}
	return e
}

// POST /sync/add-to-list
//
// Every item needs its own "to"; a "to" only at the top level is rejected
// with 400 empty_field (api.simkl.org; another api.simkl.org page still shows a top-level
// "to", but the newer rule is the stricter one). Silent rewrites: a movie
// sent to watching becomes completed with a watch recorded; a show sent to
// completed that still has unaired episodes becomes watching (plantowatch
// if nothing has aired). Anime go under shows[]; anime[] is ignored (see
// parseSections).
func (s *Simkl) addToList(w http.ResponseWriter, r *http.Request, u *user) {
	req, ok := s.readWrite(w, r)
	if !ok {
		return
	}
	movies, shows, err := s.parseSections(req)
	if err != nil {
		writeBadRequest(w, err)
		return
	}
	for _, it := range slices.Concat(movies, shows) {
		if it.To == "" {
			writeError(w, http.StatusBadRequest, "empty_field", `Missed "to" parameter`)
			return
		}
		if !validList(it.To) {
			writeError(w, http.StatusBadRequest, "wrong_parameter", `"to" must be one of watching, plantowatch, hold, dropped, completed`)
			return
		}
	}

	now := s.now()
	applied := make(map[*writeItem]string)
	s.mu.Lock()
	for _, it := range slices.Concat(movies, shows) {
		if it.t != nil {
			applied[it] = applyList(u, it, now)
		}
	}
	s.mu.Unlock()

	type lists struct {
		Movies []object `json:"movies"`
		Shows  []object `json:"shows"`
	}
	resp := struct {
		Added    lists `json:"added"`
		NotFound lists `json:"not_found"`
	}{lists{[]object{}, []object{}}, lists{[]object{}, []object{}}}
	for _, it := range movies {
		if it.t == nil {
			resp.NotFound.Movies = append(resp.NotFound.Movies, it.obj)
			continue
		}
		resp.Added.Movies = append(resp.Added.Movies, it.echo(field{"to", applied[it]}, field{"type", "movie"}))
	}
	for _, it := range shows {
		if it.t == nil {
			resp.NotFound.Shows = append(resp.NotFound.Shows, it.obj)
			continue
		}
		resp.Added.Shows = append(resp.Added.Shows, it.echo(field{"to", applied[it]}, field{"type", "show"}))
	}
	writeJSON(w, http.StatusCreated, resp)
}

// applyList files one item in a list and returns the list applied.
func applyList(u *user, it *writeItem, now time.Time) string {
	t := it.t
	e := entryLocked(u, t, it.addedAt, now)
	to := it.To
	at := it.watchedAt
	if at.IsZero() {
		at = now
	}
	if t.kind == kindMovie {
		// "hold" on a movie is undefined upstream; it is stored as sent.
		if to == "watching" || to == "completed" {
			to = "completed"
			if at.After(e.lastWatched) {
				e.lastWatched = at
			}
		}
		e.status = to
		return to
	}
	if to == "completed" {
		if t.statusAt(now) != "ended" {
			to = "watching"
			if t.airedCount(now) == 0 {
				to = "plantowatch"
			}
		} else {
			// Per-episode times are unknown unless watched_at was sent.
			for _, sn := range t.seasons {
				for ep := 1; ep <= sn.count; ep++ {
					e.mark(t, sn.number, ep, it.watchedAt, now)
				}
			}
			if at.After(e.lastWatched) {
				e.lastWatched = at
			}
		}
	}
	e.status = to
	return to
}

type historyStatus struct {
	Request  object `json:"request"`
	Response struct {
		Status    string `json:"status"`
		SimklType string `json:"simkl_type"`
		AnimeType any    `json:"anime_type"`
	} `json:"response"`
}

// POST /sync/history
//
// movies[] are marked watched. shows[] (anime included; anime[] is
// ignored, see parseSections) are marked by their shape: seasons (all of a
// season, or listed episodes), episodes (shorthand for season 1; anime:
// absolute numbers), or the whole
// show: every aired episode, then completed if the show has ended, else
// watching. status "completed" on an airing show becomes watching; status
// plantowatch, hold or dropped without seasons only files the show.
// Top-level episodes[] are found by their Simkl episode ID. Unaired,
// unknown or already watched episodes are skipped. Counts: matched movies,
// matched shows, and newly marked episodes. {} answers 201 with zeros.
func (s *Simkl) addToHistory(w http.ResponseWriter, r *http.Request, u *user) {
	req, ok := s.readWrite(w, r)
	if !ok {
		return
	}
	movies, shows, err := s.parseSections(req)
	if err != nil {
		writeBadRequest(w, err)
		return
	}
	eps, err := s.parseEpisodeItems(req.Episodes)
	if err != nil {
		writeBadRequest(w, err)
		return
	}

	now := s.now()
	var added struct {
		Movies   int             `json:"movies"`
		Shows    int             `json:"shows"`
		Episodes int             `json:"episodes"`
		Statuses []historyStatus `json:"statuses"`
	}
	added.Statuses = []historyStatus{}
	notFound := struct {
		Movies   []object `json:"movies"`
		Shows    []object `json:"shows"`
		Episodes []object `json:"episodes"`
	}{[]object{}, []object{}, []object{}}
	status := make(map[*writeItem]string)

	s.mu.Lock()
	for _, it := range movies {
		if it.t != nil {
			status[it] = historyMovie(u, it, now)
			added.Movies++
		}
	}
	for _, it := range shows {
		if it.t != nil {
			n, st := historyShow(u, it, now)
			status[it] = st
			added.Shows++
			added.Episodes += n
		}
	}
	for _, ep := range eps {
		if ep.t == nil {
			continue
		}
		e := entryLocked(u, ep.t, time.Time{}, now)
		at := ep.watchedAt
		if at.IsZero() {
			at = now
		}
		if e.mark(ep.t, ep.season, ep.episode, at, now) {
			added.Episodes++
		}
		e.status = settledStatus(ep.t, e, now)
	}
	s.mu.Unlock()

	report := func(it *writeItem, typ string) {
		var hs historyStatus
		hs.Request = it.obj.clone()
		hs.Request.set("type", typ)
		hs.Response.Status = status[it]
		hs.Response.SimklType = it.t.kind.searchType()
		if it.t.kind == kindAnime {
			hs.Response.AnimeType = it.t.animeType
		}
		added.Statuses = append(added.Statuses, hs)
	}
	for _, it := range movies {
		if it.t == nil {
			notFound.Movies = append(notFound.Movies, it.echo(field{"type", "movie"}))
			continue
		}
		report(it, "movie")
	}
	for _, it := range shows {
		if it.t == nil {
			notFound.Shows = append(notFound.Shows, it.echo(field{"type", "show"}))
			continue
		}
		report(it, "show")
	}
	for _, ep := range eps {
		if ep.t == nil {
			o := ep.obj.clone()
			o.set("type", "episode")
			notFound.Episodes = append(notFound.Episodes, o)
		}
	}
	writeJSON(w, http.StatusCreated, struct {
		Added    any `json:"added"`
		NotFound any `json:"not_found"`
	}{added, notFound})
}

// historyMovie marks a movie watched (or only files it, for status
// plantowatch, hold or dropped) and returns its list.
func historyMovie(u *user, it *writeItem, now time.Time) string {
	e := entryLocked(u, it.t, it.addedAt, now)
	if it.Rating != nil {
		e.rating = *it.Rating
	}
	switch it.Status {
	case "plantowatch", "hold", "dropped":
		e.status = it.Status
		return e.status
	}
	// Re-sending a watched movie does nothing (no rewatches).
	if e.lastWatched.IsZero() {
		e.lastWatched = it.watchedAt
		if e.lastWatched.IsZero() {
			e.lastWatched = now
		}
	}
	e.status = "completed"
	return e.status
}

// historyShow marks a show's episodes and returns how many were newly
// marked and the list applied.
func historyShow(u *user, it *writeItem, now time.Time) (int, string) {
	t := it.t
	e := entryLocked(u, t, it.addedAt, now)
	if it.Rating != nil {
		e.rating = *it.Rating
	}
	at := func(times ...string) time.Time {
		for _, s := range times {
			if s != "" {
				if tt, err := parseTime(s); err == nil {
					return tt
				}
			}
		}
		if !it.watchedAt.IsZero() {
			return it.watchedAt
		}
		return now
	}
	marked := 0
	mark := func(sn, ep int, when time.Time) {
		if e.mark(t, sn, ep, when, now) {
			marked++
		}
	}
	parts := len(it.Seasons) > 0 || len(it.Episodes) > 0
	for _, sn := range it.Seasons {
		if len(sn.Episodes) == 0 {
			if s, ok := t.season(*sn.Number); ok {
				for ep := 1; ep <= s.count; ep++ {
					mark(s.number, ep, at(sn.WatchedAt))
				}
			}
			continue
		}
		for _, ep := range sn.Episodes {
			mark(*sn.Number, *ep.Number, at(ep.WatchedAt, sn.WatchedAt))
		}
	}
	for _, ep := range it.Episodes {
		mark(1, *ep.Number, at(ep.WatchedAt))
	}

	switch {
	case it.Status == "plantowatch" || it.Status == "hold" || it.Status == "dropped":
		e.status = it.Status
	case !parts && it.Status == "watching":
		e.status = "watching"
	default:
		if !parts {
			for _, s := range t.seasons {
				for ep := 1; ep <= s.count; ep++ {
					mark(s.number, ep, at())
				}
			}
		}
		e.status = settledStatus(t, e, now)
	}
	return marked, e.status
}

// settledStatus is the list a show lands in after episodes are marked:
// completed once it has ended and every episode is watched, else watching.
func settledStatus(t *title, e *entry, now time.Time) string {
	if t.statusAt(now) == "ended" && e.allAiredWatched(t, now) {
		return "completed"
	}
	return "watching"
}

// episodeWrite is one item of a top-level episodes[] array.
type episodeWrite struct {
	obj             object
	t               *title
	season, episode int
	watchedAt       time.Time
}

// parseEpisodeItems reads top-level episodes[], found by their Simkl
// episode ID (ids.simkl). TVDB and AniDB episode IDs are not in the
// catalog, so they are not found.
func (s *Simkl) parseEpisodeItems(raws []json.RawMessage) ([]*episodeWrite, error) {
	out := make([]*episodeWrite, 0, len(raws))
	for _, raw := range raws {
		o, err := decodeObject(raw)
		if err != nil {
			return nil, wrongParameter("Every episode must be a JSON object")
		}
		ew := &episodeWrite{obj: o}
		if rawAt, ok := o.get("watched_at"); ok {
			if v, ok := scalar(rawAt); ok && v != "" {
				if ew.watchedAt, err = parseTime(v); err != nil {
					return nil, wrongParameter("watched_at must be an ISO 8601 time")
				}
			}
		}
		if rawIDs, ok := o.get("ids"); ok {
			if ids, err := decodeObject(rawIDs); err == nil {
				if rawID, ok := ids.get("simkl"); ok {
					if id, ok := intValue(rawID); ok {
						ew.t, ew.season, ew.episode, _ = s.cat.findEpisode(id)
					}
				}
			}
		}
		out = append(out, ew)
	}
	return out, nil
}

// POST /sync/history/remove
//
// An item without seasons or episodes leaves the library entirely
// (history, list and rating); seasons without episodes unmark those
// seasons; episodes unmark only those. Unknown episode numbers of a
// matched show are no error. anime[] is silently ignored (api.simkl.org: anime go
// under shows[]). Top-level episodes[] that are not found are dropped, as
// not_found has no episodes key.
func (s *Simkl) removeFromHistory(w http.ResponseWriter, r *http.Request, u *user) {
	req, ok := s.readWrite(w, r)
	if !ok {
		return
	}
	movies, shows, err := s.parseSections(req)
	if err != nil {
		writeBadRequest(w, err)
		return
	}
	eps, err := s.parseEpisodeItems(req.Episodes)
	if err != nil {
		writeBadRequest(w, err)
		return
	}

	var deleted struct {
		Movies   int `json:"movies"`
		Shows    int `json:"shows"`
		Episodes int `json:"episodes"`
	}
	notFound := struct {
		Movies []object `json:"movies"`
		Shows  []object `json:"shows"`
	}{[]object{}, []object{}}

	now := s.now()
	s.mu.Lock()
	for _, it := range movies {
		if it.t == nil {
			continue
		}
		if _, ok := u.library[it.t.id]; ok {
			delete(u.library, it.t.id)
			delete(u.shared, it.t.id)
			deleted.Movies++
		}
	}
	for _, it := range shows {
		if it.t == nil {
			continue
		}
		e, ok := u.own(it.t.id)
		if !ok {
			continue
		}
		if len(it.Seasons) == 0 && len(it.Episodes) == 0 {
			delete(u.library, it.t.id)
			delete(u.shared, it.t.id)
			deleted.Shows++
			continue
		}
		deleted.Episodes += unmarkParts(e, it)
		settleAfterRemove(it.t, e, now)
	}
	for _, ep := range eps {
		if ep.t == nil {
			continue
		}
		if e, ok := u.own(ep.t.id); ok && e.unmark(ep.season, ep.episode) {
			deleted.Episodes++
			settleAfterRemove(ep.t, e, now)
		}
	}
	s.mu.Unlock()

	for _, it := range movies {
		if it.t == nil {
			notFound.Movies = append(notFound.Movies, it.obj)
		}
	}
	for _, it := range shows {
		if it.t == nil {
			notFound.Shows = append(notFound.Shows, it.obj)
		}
	}
	writeJSON(w, http.StatusCreated, struct {
		Deleted  any `json:"deleted"`
		NotFound any `json:"not_found"`
	}{deleted, notFound})
}

// unmarkParts unmarks an item's seasons and episodes and counts them.
func unmarkParts(e *entry, it *writeItem) int {
	n := 0
	for _, sn := range it.Seasons {
		if len(sn.Episodes) == 0 {
			for k := range e.watched {
				if k[0] == *sn.Number && e.unmark(k[0], k[1]) {
					n++
				}
			}
			continue
		}
		for _, ep := range sn.Episodes {
			if e.unmark(*sn.Number, *ep.Number) {
				n++
			}
		}
	}
	for _, ep := range it.Episodes {
		if e.unmark(1, *ep.Number) {
			n++
		}
	}
	return n
}

// settleAfterRemove moves a completed show back to watching when episodes
// were unmarked, and recomputes its last watch.
func settleAfterRemove(t *title, e *entry, now time.Time) {
	if e.status == "completed" && !e.allAiredWatched(t, now) {
		e.status = "watching"
	}
	e.recomputeLastWatched()
}
