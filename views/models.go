// Package views holds simklink's templ components. Components are pure
// functions of the view models in this file: they make no calls and read no
// request state. Every region that htmx swaps is its own component, and the
// full page is built from the same components.
package views

import (
	"time"

	"simklink/locale"
)

// Assets are the fingerprinted URLs of the static files.
type Assets struct {
	CSS     string // e.g. /static/app.3f2a9c1e.css
	HTMX    string // e.g. /static/htmx.min.d6fdc75f.js (htmx 2.0.11)
	AppJS   string // air times in the browser's zone, signed-in pages only (no inline scripts under our CSP); "" if none
	Favicon string // SVG favicon
	// LinksCSS styles the link makers' tools (box, results, lists, share
	// panel, embeds); pages load it where they use them.
	LinksCSS string
}

// Page is what the layout needs: head metadata and the chrome around content.
type Page struct {
	Title       string // <title>, without the " · simklink" suffix
	Description string // meta description
	Canonical   string // absolute URL; "" for none
	NoIndex     bool   // error pages
	OG          *OpenGraph
	JSONLD      any // marshalled into <script type="application/ld+json">; nil for none
	Assets      Assets
	User        *User  // nil when signed out
	LoginURL    string // "/login?next=..." for the header's sign-in link
	Demo        bool   // demo mode: show the banner linking to the stand-in
	Flash       string // one-line notice at the top, e.g. "Your Simkl connection ended. Sign in again."
	// OEmbed is the oEmbed discovery URL of a title page; "" for none.
	OEmbed string
	// LinkTools loads Assets.LinksCSS in the head (pages built around the
	// box or cards).
	LinkTools bool
}

// OpenGraph is the link-unfurling metadata of a title page.
type OpenGraph struct {
	Title       string
	Description string
	Image       string // absolute URL
	ImageWidth  int
	ImageHeight int
	ImageAlt    string
	URL         string // absolute canonical URL
	Type        string // video.movie or video.tv_show
}

// User is the signed-in visitor as the header shows them.
type User struct {
	Name string
}

// Image is an <img> with its intrinsic size reserved (no layout shift).
type Image struct {
	Src    string
	Srcset string // "url 170w, url 190w, url 340w"
	Sizes  string
	Width  int
	Height int
	Alt    string
}

// Title is the signed-out title card: everything that is the same for every
// visitor, so it can be cached publicly.
type Title struct {
	Path          string // our canonical path, e.g. /t/simkl/2090
	IsMovie       bool   // a movie (Simkl type movie): no episodes, no seasons
	KindLabel     string // Movie, TV show, Anime
	Name          string
	Year          int
	Overview      string
	Genres        []string
	Runtime       int // minutes; 0 when unknown
	TotalEpisodes int // shows and anime; 0 when unknown
	Status        string
	StatusLabel   string // "Ended", "Airing", "Released", "Upcoming", ...
	Poster        *Image // nil when Simkl has none
	SimklURL      string // the title's page on simkl.com (required link back)
	Episode       *EpisodeLink
	// Stale is set when Simkl could not be reached and this is a cached copy.
	Stale bool

	// Loc formats the page's dates and numbers (the visitor's
	// Accept-Language); nil formats them as American English.
	Loc *locale.Locale

	// What helps a visitor decide; each is empty when Simkl has none.
	EnTitle       string   // an anime's English title, when it differs from Name
	AltTitles     []string // an anime's main other titles
	Ratings       []Rating // Simkl, IMDb, MAL, in that order
	Certification string   // "TV-MA", "PG-13"
	Network       string
	Airing        *Airing   // airing shows: when new episodes come out
	Released      time.Time // a movie's release or a show's first air date; zero when unknown
	Trailer       *Trailer
	// Share is the Share section (nil: none).
	Share *Share
}

// Rating is one source's rating of a title.
type Rating struct {
	Source string  // "Simkl", "IMDb", "MAL"
	Value  float64 // out of 10
	Votes  int     // 0 when unknown
	Rank   int     // MAL's rank; 0 when none
}

// Airing is the weekly slot of an airing show: its next airing, in the
// zone it is shown in, and that zone's name.
type Airing struct {
	Next time.Time
	Zone string // "New York time"
}

// Trailer is a YouTube video of the title. It is a link to YouTube: the
// page loads nothing from YouTube unless the visitor follows it.
type Trailer struct {
	Name string // "" when Simkl has none
	URL  string // https://www.youtube.com/watch?v=…
}

// EpisodeLink is set on an episode-level link (?season=N&episode=M).
type EpisodeLink struct {
	Season  int  // 0 for anime, which Simkl numbers straight through, and for specials
	Special bool // a special (?season=0), numbered apart from the episodes
	Number  int
	Title   string // "" when Simkl has no episode of that number
	Aired   time.Time
	Known   bool // Simkl lists this episode
	// Unavailable: Simkl could not be asked for the episode list just now.
	Unavailable bool

	Overview string
	Still    *Image // the episode's still; nil when Simkl has none
	// Prev and Next are the neighbouring episodes' pages, nil at either end.
	Prev, Next *EpisodeNav
}

// EpisodeNav links a neighbouring episode's page.
type EpisodeNav struct {
	Season, Number int // Season 0 for anime
	Title          string
	URL            string
}

// Sample is a link on the home page.
type Sample struct {
	Label string
	Note  string
	URL   string
}

// Home is the home page.
type Home struct {
	Samples []Sample
	Kinds   []KindHelp
	// Bookmarklet is a javascript: URL that opens the page being viewed in
	// simklink (it only sends location.href to /go?q=).
	Bookmarklet string
}

// KindHelp documents one accepted ID kind: /t/imdb/tt1375666.
type KindHelp struct {
	Kind    string
	Example string
}

// Link is a labelled link, e.g. an error page's way on.
type Link struct {
	Label string
	URL   string
}

// Error is an error page: it keeps the layout and always offers a way on.
type Error struct {
	Status  int
	Heading string
	Message string
	// Accepted lists the accepted forms, for malformed input.
	Accepted []KindHelp
	Links    []Link
	// RetryURL, when set, offers a retry (Simkl down or slow).
	RetryURL string
}
