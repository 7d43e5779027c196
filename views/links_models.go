package views

// The view models of the link makers' tools: the one box and what it
// answers, the share panel, embeds and lists.

// Site is a website whose links the box reads, with an example link.
type Site struct {
	Name    string
	Example string
}

// Lookup is the one box: what was typed, to show it again.
type Lookup struct {
	Query string
}

// Choice is one way to read an ambiguous input: "MyAnimeList ID 21".
type Choice struct {
	Label string
	Note  string
	URL   string
}

// WhichKind asks what a bare number is.
type WhichKind struct {
	Lookup  Lookup
	Number  string
	Choices []Choice
	// TitleURL, when set, searches for the number as a title ("1984").
	TitleURL string
}

// Found is one text-search result.
type Found struct {
	Name      string
	Year      int
	KindLabel string // Movie, TV show, Anime
	URL       string // our title page
	Poster    *Image // nil when Simkl has none
}

// Results is the text search's answer page.
type Results struct {
	Lookup Lookup
	Title  string
	Year   int
	Found  []Found
	// Partial: Simkl could not answer for some kinds of title just now.
	Partial bool
	// Unavailable: Simkl could not be asked at all just now.
	Unavailable bool
}

// Unsupported is the page for a link the box cannot read.
type Unsupported struct {
	Lookup Lookup
	// Site is the site's name when it is one we know ("IMDb": the page was
	// not a title); Host is the link's host.
	Site  string
	Host  string
	Sites []Site
	Kinds []KindHelp
}
