// Package handlers is simklink's HTTP surface: NewServer builds the whole
// handler from its dependencies, routes.go lists every route, and each
// feature has its own file of handler constructors.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"simklink/locale"
	"simklink/simkl"
	"simklink/titles"
	"simklink/views"
)

// Titles resolves links to titles (a cache in front of Simkl).
type Titles interface {
	Resolve(ctx context.Context, r simkl.Ref, allow titles.Gate) (titles.Resolved, error)
	// ResolveAs resolves with a signed-in visitor's token what an anonymous
	// lookup cannot ("" token: Resolve).
	ResolveAs(ctx context.Context, r simkl.Ref, token string, allow titles.Gate) (titles.Resolved, error)
	Episodes(ctx context.Context, t simkl.Title, allow titles.Gate) ([]simkl.Episode, error)
	// Search is Simkl's text search over movies, shows and anime, cached.
	Search(ctx context.Context, q string, allow titles.Gate) (titles.Found, error)
}

// Links builds URLs to Simkl's images and pages.
type Links interface {
	PosterURL(path string, size simkl.ImageSize) string
	FanartURL(path string, size simkl.ImageSize) string
	EpisodeImageURL(path string, size simkl.ImageSize) string
	TitlePageURL(t simkl.MediaType, simklID int, slug string) string
	SearchPageURL(q string) string
}

// Assets gives the fingerprinted URLs of the static files and serves them.
type Assets interface {
	Path(name string) string
	Handler() http.Handler
}

// Config is what the handlers need to know about the deployment.
type Config struct {
	// BaseURL is the public URL of the app: canonical and og: URLs, and the
	// OAuth redirect URI, are built from it, never from the Host header.
	BaseURL *url.URL
	// Demo shows the demo banner.
	Demo bool
	// DemoFaults serves the stand-in's fault switch (/_simkl/_faults) and
	// stats reset (/_simkl/_stats/reset); without it they do not exist.
	DemoFaults bool
	// ImageOrigin and WebOrigin are Simkl's image and web origins
	// ("https://simkl.in"), allowed by the Content-Security-Policy.
	ImageOrigin string
	WebOrigin   string
	// ClientIPHeader names a header, set by a trusted proxy, that carries
	// the client's IP (X-Forwarded-For, X-Real-IP, CF-Connecting-IP); "" =
	// the connection's peer address. Used to share Simkl lookups fairly.
	ClientIPHeader string
	// MissesPerSecond and MissBurst are each client's share of lookups
	// that go to Simkl (cache misses): 1/s with a burst of 20 by default.
	MissesPerSecond float64
	MissBurst       int
}

// Deps are NewServer's dependencies.
type Deps struct {
	Logger  *slog.Logger
	Config  Config
	Titles  Titles
	Links   Links
	Assets  Assets
	Auth    Auth         // sign-in and sessions; see auth.go
	Tracker Tracker      // the signed-in user's watch state and actions; see badge.go
	Metrics *Metrics     // requests are counted here; main serves them on METRICS_ADDR
	StandIn http.Handler // demo mode: the Simkl stand-in, mounted at /_simkl/
	// Images fetches posters from Simkl's image host for unfurl cards;
	// nil: a client with a 3 s timeout.
	Images *http.Client
	// Budget, when set, is Simkl's daily call budget; its reserve is kept
	// for signed-in visitors.
	Budget DailyBudget
	// FairShare, when set, keeps each client's share of Simkl lookups
	// across replicas; nil keeps it in this process.
	FairShare FairShare
	// Ready, when set, says whether what the app shares with other
	// replicas (Redis) answers; GET /readyz reports it.
	Ready func(ctx context.Context) error
	// Now is the clock of the page cache and of "3 days ago"; default
	// time.Now. Tests pass the clock the rest of the app runs on.
	Now func() time.Time
}

// NewServer returns simklink's whole HTTP handler: it builds what the
// handlers share from d, and routes.go hands each handler what it uses.
func NewServer(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	rs := &responder{logger: d.Logger, demo: d.Config.Demo, links: d.Links, locales: locale.NewSet(), pools: newPools(),
		assets: views.Assets{
			CSS:      d.Assets.Path("app.css"),
			HTMX:     d.Assets.Path("htmx.min.js"),
			Favicon:  d.Assets.Path("favicon.svg"),
			LinksCSS: d.Assets.Path("links.css"),
			AppJS:    d.Assets.Path("localtime.js"),
		}}
	m := newModels(d.Links, d.Config.BaseURL, d.Now, rs.assets.LinksCSS, d.Logger)
	misses := newMissLimiter(d.Config.MissesPerSecond, d.Config.MissBurst, d.Config.ClientIPHeader)
	misses.shared, misses.budget = d.FairShare, d.Budget
	tk := &tracking{rs: rs, m: m, titles: d.Titles, misses: misses, tracker: d.Tracker, auth: d.Auth}
	lists, _ := d.Tracker.(ListTracker)
	return routes(d, rs, m, misses, tk, lists,
		newPageCache(pageCacheBytes, time.Minute, d.Now),
		newCardCache(256, d.Images))
}

// pageCacheBytes bounds the shared page cache: about a thousand title
// pages, each kept plain and gzipped.
const pageCacheBytes = 32 << 20
