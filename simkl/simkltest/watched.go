package simkltest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// maxWatchedItems is the item limit of POST /sync/watched with
// extended=episodes.
const maxWatchedItems = 100

// extended is the parsed extended parameter of POST /sync/watched: a
// comma-separated mix of counters, episodes and specials; order does not
// matter and unknown values are ignored.
type extended struct{ counters, episodes, specials bool }

func parseExtended(v string) extended {
	var x extended
	for _, p := range strings.Split(v, ",") {
		switch strings.TrimSpace(p) {
		case "counters":
			x.counters = true
		case "episodes":
			x.episodes = true
		case "specials":
			x.specials = true
		}
	}
	return x
}

type seasonCounts struct {
	Number    int            `json:"number"`
	Total     int            `json:"episodes_total"`
	Aired     int            `json:"episodes_aired"`
	ToBeAired int            `json:"episodes_to_be_aired"`
	Watched   int            `json:"episodes_watched"`
	Episodes  []episodeState `json:"episodes,omitempty"`
}

type episodeState struct {
	Number        int  `json:"number"`
	Watched       bool `json:"watched"`
	Aired         bool `json:"aired"`
	LastWatchedAt any  `json:"last_watched_at"`
}

// POST /sync/watched
//
// The answer is an array parallel to the request: each entry echoes the
// item's keys and adds result (true, false or "not_found"). A true entry
// also gets simkl, list and last_watched_at (last_watched with the
// legacy_last_watched fault), and shows and anime the counters when
// extended asks; a false entry gets only type. result is true for any
// title in the user's lists, plantowatch included (simkl.docs.apiary.io: "the item is in
// the user's lists"). With season and episode, result says whether that
// episode is watched.
func (s *Simkl) syncWatched(w http.ResponseWriter, r *http.Request, u *user) {
	ext := parseExtended(r.URL.Query().Get("extended"))
	body, err := readJSONBody(w, r, false)
	if err != nil {
		return
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		writeError(w, http.StatusBadRequest, "wrong_parameter", "The body must be a JSON array of items")
		return
	}
	if len(raws) == 0 {
		// Documented quirk: [] is answered with the literal null.
		writeJSON(w, http.StatusOK, nil)
		return
	}
	// The 100-item limit applies only with episodes (api.simkl.org); simkl.docs.apiary.io says with
	// any extended value. api.simkl.org is the newer source, and per-episode loading
	// is what makes large requests costly.
	if ext.episodes && len(raws) > maxWatchedItems {
		writeError(w, http.StatusBadRequest, "max_items", "At most 100 items per request with extended=episodes")
		return
	}
	items := make([]object, len(raws))
	titles := make([]*title, len(raws))
	for i, raw := range raws {
		o, err := decodeObject(raw)
		if err != nil {
			writeError(w, http.StatusBadRequest, "wrong_parameter", "Every item must be a JSON object")
			return
		}
		items[i] = o
		titles[i], _ = s.cat.resolve(refOf(o, true))
	}

	// Copy what is needed of the library, then build the answer unlocked.
	now := s.now()
	entries := make(map[int]*entry)
	s.mu.Lock()
	legacy := s.faults.LegacyLastWatched
	for _, t := range titles {
		if t == nil {
			continue
		}
		if e, ok := u.library[t.id]; ok {
			if _, done := entries[t.id]; !done {
				entries[t.id] = e.clone()
			}
		}
	}
	s.mu.Unlock()

	out := make([]object, len(items))
	for i, o := range items {
		res := o.clone()
		t := titles[i]
		if t == nil {
			res.set("result", "not_found")
			out[i] = res
			continue
		}
		e := entries[t.id]
		result := e != nil
		if sn, ep, ok := episodeQuery(o); ok && t.kind != kindMovie {
			// Anime are season 1 and specials season 0, as in the counters.
			_, result = e.watchedMap()[[2]int{sn, ep}]
		}
		if !result {
			// Recorded answers (production error reports, 2025) carry only
			// the echo, type and result when the answer is false: no
			// simkl, list, last-watched or counters, although the api.simkl.org
			// example shows simkl, list and last_watched_at set to null.
			if _, ok := res.get("type"); !ok {
				res.set("type", t.kind.recordType())
			}
			res.set("result", false)
			out[i] = res
			continue
		}
		res.set("result", result)
		res.set("simkl", t.id)
		// Older answers name the last watch "last_watched" (captures from
		// 2020, and the field aniyomi's tracker still reads); the api.simkl.org say
		// "last_watched_at". The legacy_last_watched switch sends the old name.
		lastKey := "last_watched_at"
		if legacy {
			lastKey = "last_watched"
		}
		res.set("list", e.status)
		res.set(lastKey, timeJSON(e.lastWatched))
		if (ext.counters || ext.episodes) && t.kind != kindMovie {
			addCounters(&res, t, e.watchedMap(), ext, now)
		}
		out[i] = res
	}
	writeJSON(w, http.StatusOK, out)
}

// watchedMap is nil-safe.
func (e *entry) watchedMap() map[[2]int]time.Time {
	if e == nil {
		return nil
	}
	return e.watched
}

// episodeQuery reads an item's season and episode; both must be given.
func episodeQuery(o object) (sn, ep int, ok bool) {
	rs, ok1 := o.get("season")
	re, ok2 := o.get("episode")
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	sn, ok1 = intValue(rs)
	ep, ok2 = intValue(re)
	return sn, ep, ok1 && ok2
}

// addCounters adds the episode counters and seasons. Season 0 appears only
// with both specials and episodes, and then the totals count it too;
// otherwise they count regular episodes only (like total_episodes). Anime
// are one season numbered 1, their specials season 0.
func addCounters(res *object, t *title, watched map[[2]int]time.Time, ext extended, now time.Time) {
	var seasons []seasonCounts
	var total seasonCounts
	count := func(sn season) seasonCounts {
		c := seasonCounts{Number: sn.number, Total: sn.count}
		for ep := 1; ep <= sn.count; ep++ {
			aired := !sn.date(ep).After(now)
			at, ok := watched[[2]int{sn.number, ep}]
			if aired {
				c.Aired++
			} else {
				c.ToBeAired++
			}
			if ok {
				c.Watched++
			}
			if ext.episodes {
				var last any
				if ok {
					last = timeJSON(at)
				}
				c.Episodes = append(c.Episodes, episodeState{Number: ep, Watched: ok, Aired: aired, LastWatchedAt: last})
			}
		}
		return c
	}
	add := func(c seasonCounts) {
		total.Total += c.Total
		total.Aired += c.Aired
		total.ToBeAired += c.ToBeAired
		total.Watched += c.Watched
		seasons = append(seasons, c)
	}
	// specials "includes special episodes as season 0 and adjusts counters
	// accordingly" (api.simkl.org): the totals then count specials too.
	if ext.episodes && ext.specials {
		if sp, ok := t.season(0); ok {
			add(count(sp))
		}
	}
	for _, sn := range t.seasons {
		add(count(sn))
	}
	res.set("episodes_total", total.Total)
	res.set("episodes_aired", total.Aired)
	res.set("episodes_to_be_aired", total.ToBeAired)
	res.set("episodes_watched", total.Watched)
	res.set("seasons", seasons)
}
