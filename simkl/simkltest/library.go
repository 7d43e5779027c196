package simkltest

import (
	"maps"
	"regexp"
	"time"
)

// Entry is one title in a user's library, as returned by (*Simkl).Entry for
// assertions.
type Entry struct {
	SimklID int
	Type    string // "movie", "show" or "anime"
	// Status is the list: watching, plantowatch, hold, dropped or completed.
	Status  string
	AddedAt time.Time
	// LastWatchedAt is the most recent watch; zero when never watched.
	LastWatchedAt time.Time
	// Rating is 1-10, or 0 when unrated.
	Rating int
	// Watched maps {season, episode} to when that episode was watched, for
	// shows and anime (nil for movies). Anime use season 1 and the absolute
	// episode number; specials are season 0. A zero time means watched at
	// an unknown time (a show filed as completed without watched_at).
	Watched map[[2]int]time.Time
}

// user is one Simkl account. All fields are guarded by Simkl.mu.
type user struct {
	id      int
	name    string
	joined  time.Time
	avatar  string // image path, e.g. "3f/3f2a…"
	library map[int]*entry
	// shared marks entries still shared with the demo library: a new user
	// gets the demo's entries by reference (a load test mints hundreds of
	// users), and own copies one before its first change.
	shared  map[int]bool
	v1Token string // the stable AUTH V1 token; "" until first issued
}

// own returns the user's entry for id, ready to change: a copy of the demo's
// entry if it was still shared.
func (u *user) own(id int) (*entry, bool) {
	e, ok := u.library[id]
	if ok && u.shared[id] {
		e = e.clone()
		u.library[id] = e
		delete(u.shared, id)
	}
	return e, ok
}

// entry is the mutable form of Entry.
type entry struct {
	status      string
	added       time.Time
	lastWatched time.Time
	rating      int
	watched     map[[2]int]time.Time // nil for movies
}

func (e *entry) clone() *entry {
	c := *e
	if e.watched != nil {
		c.watched = maps.Clone(e.watched)
	}
	return &c
}

func (e *entry) export(t *title) Entry {
	x := Entry{
		SimklID:       t.id,
		Type:          t.kind.recordType(),
		Status:        e.status,
		AddedAt:       e.added,
		LastWatchedAt: e.lastWatched,
		Rating:        e.rating,
	}
	if t.kind != kindMovie {
		x.Watched = maps.Clone(e.watched)
		if x.Watched == nil {
			x.Watched = map[[2]int]time.Time{}
		}
	}
	return x
}

// mark records episode sn/ep as watched at at. It refuses episodes that do
// not exist, have not aired, or are already watched (Simkl ignores
// re-sending a watched item unless rewatches are enabled).
func (e *entry) mark(t *title, sn, ep int, at, now time.Time) bool {
	if !t.aired(sn, ep, now) {
		return false
	}
	k := [2]int{sn, ep}
	if _, done := e.watched[k]; done {
		return false
	}
	if e.watched == nil {
		e.watched = make(map[[2]int]time.Time)
	}
	e.watched[k] = at
	if at.After(e.lastWatched) {
		e.lastWatched = at
	}
	return true
}

// unmark removes episode sn/ep; it reports whether it was watched.
func (e *entry) unmark(sn, ep int) bool {
	k := [2]int{sn, ep}
	if _, ok := e.watched[k]; !ok {
		return false
	}
	delete(e.watched, k)
	return true
}

// recomputeLastWatched sets lastWatched to the latest episode watch.
func (e *entry) recomputeLastWatched() {
	var last time.Time
	for _, at := range e.watched {
		if at.After(last) {
			last = at
		}
	}
	e.lastWatched = last
}

// allAiredWatched reports whether every aired regular episode is watched.
func (e *entry) allAiredWatched(t *title, now time.Time) bool {
	for _, s := range t.seasons {
		for ep := 1; ep <= s.count; ep++ {
			if s.date(ep).After(now) {
				continue
			}
			if _, ok := e.watched[[2]int{s.number, ep}]; !ok {
				return false
			}
		}
	}
	return true
}

var userNameRe = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

func validUserName(name string) bool { return userNameRe.MatchString(name) }

// demoLibrary builds the demo user's library. Timestamps are relative to
// start (the clock when New ran), so they are stable for the life of the
// stand-in: e.g. Inception was watched three days before start.
func demoLibrary(cat *catalog, start time.Time) map[int]*entry {
	start = start.UTC().Truncate(time.Second)
	day := 24 * time.Hour
	lib := make(map[int]*entry)

	lib[InceptionID] = &entry{status: "completed", added: start.Add(-40 * day), lastWatched: start.Add(-3 * day), rating: 9}
	lib[JohnWick4ID] = &entry{status: "plantowatch", added: start.Add(-10 * day)}
	lib[AttackOnTitanID] = &entry{status: "plantowatch", added: start.Add(-8 * day), watched: map[[2]int]time.Time{}}

	// watchRun marks eps (season, episode pairs in order) one step apart,
	// the last at end.
	watchRun := func(id int, status string, end time.Time, step time.Duration, eps [][2]int) {
		t := cat.byID[id]
		e := &entry{status: status, added: end.Add(-time.Duration(len(eps))*step - day)}
		for i, k := range eps {
			e.mark(t, k[0], k[1], end.Add(-time.Duration(len(eps)-1-i)*step), start)
		}
		lib[id] = e
	}
	upTo := func(id int, lastSeason, lastEp int) [][2]int {
		var out [][2]int
		for _, s := range cat.byID[id].seasons {
			for ep := 1; ep <= s.count; ep++ {
				if s.number > lastSeason || s.number == lastSeason && ep > lastEp {
					return out
				}
				out = append(out, [2]int{s.number, ep})
			}
		}
		return out
	}
	watchRun(BreakingBadID, "completed", start.Add(-200*day), day, upTo(BreakingBadID, 5, 16))
	watchRun(WalkingDeadID, "watching", start.Add(-1*day), day, upTo(WalkingDeadID, 4, 8))
	watchRun(GameOfThronesID, "hold", start.Add(-120*day), day, upTo(GameOfThronesID, 2, 3))
	watchRun(OnePieceID, "watching", start.Add(-2*day), 4*time.Hour, upTo(OnePieceID, 1, 500))
	watchRun(DemonSlayerID, "dropped", start.Add(-300*day), day, upTo(DemonSlayerID, 1, 3))
	return lib
}
