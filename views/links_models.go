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

// Share is a title page's Share section: everything is built by the
// handler from the canonical URL, so the component only prints.
type Share struct {
	URL      string // the canonical short link, absolute
	Title    string // "Inception (2010)"
	ToolsURL string // the copy-and-share frame's page, loaded when pressed
	// Snippets to paste, each shown in a read-only field.
	Markdown, HTML, BBCode, Embed string
	// QRSVG is an SVG document drawn by simklink (cards.QRSVG) from the
	// URL alone; it holds no input but the escaped label.
	QRSVG string
	// Buttons are the three button styles' image URLs.
	Buttons []Link
	ListURL string // "make a list" starting with this title
	// CSS is the stylesheet of the panel, linked where the panel starts so
	// that it does not hold up the top of the page.
	CSS string
}

// ShareTools is the small framed page with the Copy and Share buttons.
type ShareTools struct {
	URL      string
	Title    string
	Script   string // /static/share.<hash>.js
	CSS      string
	LinksCSS string
}

// Embed is the iframe card other sites embed (/embed/t/{kind}/{id}).
type Embed struct {
	CSS       string
	LinksCSS  string
	Name      string
	Year      int
	KindLabel string
	Poster    *Image
	URL       string // the title page, opened in a new top-level tab
}

// List is a page of many titles (/l/{kind:id,…}).
type List struct {
	Items []ListItem
	// Path is the list's own path, for its forms.
	Path string
	// SignInURL is set for a signed-out visitor.
	SignInURL string
	// AddAll offers "Add all to Plan to watch" (signed in, some titles known).
	AddAll bool
	// Added > 0 after "Add all": how many Simkl filed.
	Added int
	// TrackerUnavailable: Simkl could not say what is in the tracker.
	TrackerUnavailable bool
	MakeURL            string
}

// ListItem is one title of a list, or what went wrong with it.
type ListItem struct {
	Found   *Found // nil when the title could not be shown
	Label   string // the ID as given, for a title that could not be shown
	Problem string
	// Badge is the signed-in visitor's status for it ("Watching", "Not in
	// your tracker"); "" signed out.
	Badge     string
	InTracker bool
}

// MakeList is the form that turns pasted links and IDs into a list.
type MakeList struct {
	Text     string
	Problems []string
	// ListURL is the list made from the lines that could be read.
	ListURL string
	Count   int
}
