package views

import "simklink/locale"

// When is a moment shown relatively ("3 days ago") with the exact time in
// a <time datetime> element. The handler computes both: components are pure
// and never read the clock.
type When struct {
	ISO      string // RFC 3339, for datetime=
	Relative string // "3 days ago"
	Exact    string // "26 Nov 2026, 14:05 UTC", for the title attribute
}

// Presence values of Badge.Presence.
const (
	PresenceIn       = "in"       // in the visitor's tracker
	PresenceNotIn    = "not_in"   // Simkl knows the title; not in the tracker yet
	PresenceNotFound = "notfound" // Simkl doesn't know this title
)

// StatusOption is one list status the visitor can choose.
type StatusOption struct {
	Value   string // plantowatch, watching, ...
	Label   string // Plan to watch, Watching, ...
	Current bool
}

// Badge is the signed-in visitor's tracker state for one title: the
// swappable region id="badge". It also carries the one-tap actions.
type Badge struct {
	Path        string // canonical title path, e.g. /t/simkl/2090: base of fragment and action URLs
	IsMovie     bool   // a movie: no episode counts
	Presence    string // PresenceIn, PresenceNotIn, PresenceNotFound
	Status      string // list status, "" when none
	StatusLabel string // Watching, Completed, Plan to watch, On hold, Dropped
	LastWatched *When  // nil when never watched
	// Episodes counts, for shows and anime.
	Watched, Aired, Total int
	// Episode is set on an episode link.
	Episode *EpisodeState
	// Statuses are the lists this title can be filed under (movies have no
	// Watching or On hold).
	Statuses []StatusOption
	// Notice is what the last action did, e.g. "Simkl filed it under
	// Completed: movies can't be Watching."
	Notice string
	// Error is why the last action failed; the state shown is unchanged.
	Error string
	// WriteAccessURL, with Error, is where to grant simklink write access
	// again (the visitor allowed reading only).
	WriteAccessURL string
	// Unavailable: Simkl could not be reached; the badge offers a retry.
	Unavailable bool
	// Confirm, after a signed-out visitor signed in to act, offers that
	// action (never performed through a GET).
	Confirm *Confirm
	// ConfirmRemove asks before taking the title out of the tracker.
	ConfirmRemove bool
	// Primary is the one action the status line offers: add it, mark the
	// movie or the next episode watched. Nil when there is none.
	Primary *Action
	// Loc formats counts; nil formats them as American English.
	Loc *locale.Locale
}

// Action is a one-tap POST with its hidden fields, answered with the
// badge.
type Action struct {
	Label  string      // "Mark S4 E9 watched"
	URL    string      // e.g. /t/simkl/2090/watched
	Fields [][2]string // name, value
	TestID string      // data-testid of the button
}

// EpisodeState is whether the visitor watched the episode an episode link
// points at.
type EpisodeState struct {
	Season, Number int
	Special        bool   // a special (season 0): never the regular episode of its number
	Label          string // "S4 E3" or "Episode 500"
	Watched, Aired bool
	Known          bool // Simkl lists this episode
}

// Confirm is an action waiting for the visitor's confirmation.
type Confirm struct {
	Status string // list status to set
	Label  string // "Add to Plan to watch"
}

// SeasonRow is one season (or, for a long anime, one block of episodes) in
// the progress list. Its episode grid loads lazily from URL.
type SeasonRow struct {
	Number  int
	Label   string // "Season 4", "Specials", "Episodes 101–200"
	Watched int
	Aired   int
	Total   int
	URL     string // fragment URL of the grid (a full page without htmx)
	// Blocks: this row holds a long season whose grid is split; URL then
	// loads the block list rather than a grid.
	Blocks bool
}

// Seasons is the per-season progress list: the swappable region
// id="seasons". Its size depends on the number of seasons, never on the
// number of episodes.
type Seasons struct {
	Path string
	Rows []SeasonRow
}

// EpisodeCell is one episode in a grid.
type EpisodeCell struct {
	Number      int
	Watched     bool
	Aired       bool
	LastWatched *When
}

// EpisodeGrid is one season's (or block's) episodes: the fragment that htmx
// loads into a season row. At most 100 cells.
type EpisodeGrid struct {
	Path    string
	Season  int
	Block   int // 1-based block of a long season; 0 for a whole season
	Label   string
	Cells   []EpisodeCell
	Actions bool // the visitor can mark and unmark (signed in)
	// LastWatched is the most recently watched episode of these, shown
	// under the grid (a cell's own time is only in its tooltip, which
	// phones do not show). Nil when Simkl gives no times.
	LastWatched     *When
	LastWatchedEpNo int
	// Blocks, instead of Cells, for a long season: rows that each load a
	// grid.
	Blocks []SeasonRow
	Error  string
	// RetryURL, with Error, reloads this grid into its slot.
	RetryURL string
	// WriteAccessURL, with Error: see Badge.
	WriteAccessURL string
}

// InAppBrowser is the page shown instead of sign-in inside an app's
// embedded browser, where Simkl's sign-in refuses to work.
type InAppBrowser struct {
	App       string // "Instagram"
	PageURL   string // absolute URL of the page to open in the browser
	AnywayURL string // try sign-in here anyway
}
