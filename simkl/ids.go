package simkl

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind names an ID namespace that Simkl can resolve, as it appears in
// simklink's URLs (/t/{kind}/{id}) and in Simkl's query parameters.
type Kind string

// The ID kinds Simkl resolves. KindTitle is the title + year fallback.
const (
	KindSimkl       Kind = "simkl"
	KindIMDB        Kind = "imdb"
	KindTMDB        Kind = "tmdb"
	KindTVDB        Kind = "tvdb"
	KindMAL         Kind = "mal"
	KindAniDB       Kind = "anidb"
	KindAniList     Kind = "anilist"
	KindKitsu       Kind = "kitsu"
	KindAniSearch   Kind = "anisearch"
	KindAnimePlanet Kind = "animeplanet"
	KindLiveChart   Kind = "livechart"
	KindLetterboxd  Kind = "letterboxd"
	KindNetflix     Kind = "netflix"
	KindHulu        Kind = "hulu"
	KindCrunchyroll Kind = "crunchyroll"
	KindTraktSlug   Kind = "traktslug"
	KindTitle       Kind = "title"
)

// MediaType is Simkl's coarse type of a title, normalised: Simkl says "tv" in
// search results and "show" in summaries; simklink always says "show".
type MediaType string

const (
	Movie MediaType = "movie"
	Show  MediaType = "show"
	Anime MediaType = "anime"
)

// ParseMediaType reads Simkl's type spellings ("movie", "movies", "tv",
// "show", "shows", "anime"); it returns "" for anything else.
func ParseMediaType(s string) MediaType {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "movie", "movies":
		return Movie
	case "tv", "show", "shows":
		return Show
	case "anime":
		return Anime
	}
	return ""
}

type idRule struct {
	pattern *regexp.Regexp
	example string
	lower   bool // compare case-insensitively (the ID is lower-cased first)
}

var (
	reDigits = regexp.MustCompile(`^[1-9][0-9]{0,9}$`)
	reSlug   = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
)

// idRules holds one validator per kind. It is read-only after package
// initialisation.
var idRules = map[Kind]idRule{
	KindSimkl:       {reDigits, "2090", false},
	KindIMDB:        {regexp.MustCompile(`^tt[0-9]{7,10}$`), "tt1375666", true},
	KindTMDB:        {reDigits, "27205", false},
	KindTVDB:        {regexp.MustCompile(`^(?:[1-9][0-9]{0,9}|[a-z0-9]+(?:-[a-z0-9]+)*)$`), "153021 or the-walking-dead", true},
	KindMAL:         {reDigits, "21", false},
	KindAniDB:       {reDigits, "69", false},
	KindAniList:     {reDigits, "21", false},
	KindKitsu:       {reDigits, "12", false},
	KindAniSearch:   {reDigits, "2227", false},
	KindAnimePlanet: {reSlug, "one-piece", true},
	KindLiveChart:   {reDigits, "321", false},
	KindLetterboxd:  {reSlug, "the-truman-show", true},
	KindNetflix:     {regexp.MustCompile(`^[1-9][0-9]{0,11}$`), "70210890", false},
	KindHulu:        {regexp.MustCompile(`^(?:[1-9][0-9]{0,11}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`), "764084", true},
	KindCrunchyroll: {regexp.MustCompile(`^[A-Za-z0-9]{1,20}$`), "GRDQPM1ZY", false},
	KindTraktSlug:   {reSlug, "john-wick-chapter-4-2023", true},
}

const maxSlugLen = 150

// Kinds lists every ID kind that /t/{kind}/{id} accepts, in a stable order.
func Kinds() []Kind {
	return []Kind{KindIMDB, KindTMDB, KindTVDB, KindSimkl, KindMAL, KindAniList, KindAniDB, KindKitsu,
		KindAniSearch, KindAnimePlanet, KindLiveChart, KindLetterboxd, KindTraktSlug, KindNetflix, KindHulu, KindCrunchyroll}
}

// Example returns a valid example ID for kind, for error messages.
func (k Kind) Example() string { return idRules[k].example }

// Valid reports whether k is a known ID kind (not counting KindTitle).
func (k Kind) Valid() bool { _, ok := idRules[k]; return ok }

// Ref identifies one title (or, with Season and Episode, one episode of it)
// the way a visitor's link does: an external ID of some kind, or a title and
// year. A Ref is only built by ParseRef or TitleRef, so it is always valid.
type Ref struct {
	Kind Kind
	// ID is the normalised ID; for KindTitle it is the title.
	ID string
	// Year narrows a title lookup; 0 means unknown.
	Year int
	// Type is an optional hint. TMDB IDs are not unique across movies and
	// shows, so Simkl needs it to resolve them.
	Type MediaType
}

// ParseRef validates id as an ID of the given kind and returns the Ref. It
// never touches the network: invalid input is rejected here, with an
// *InvalidIDError that says what the accepted form is.
func ParseRef(kind, id string) (Ref, error) {
	k := Kind(strings.ToLower(kind))
	rule, ok := idRules[k]
	if !ok {
		return Ref{}, &InvalidIDError{Kind: kind, ID: id, Reason: "unknown ID kind"}
	}
	v := strings.TrimSpace(id)
	if rule.lower {
		v = strings.ToLower(v)
	}
	if len(v) > maxSlugLen || !rule.pattern.MatchString(v) {
		return Ref{}, &InvalidIDError{Kind: string(k), ID: id, Reason: "malformed", Example: rule.example}
	}
	return Ref{Kind: k, ID: v}, nil
}

// WithType returns r with a type hint. It accepts "", "movie", "show", "tv"
// and "anime"; anything else is an *InvalidIDError.
func (r Ref) WithType(t string) (Ref, error) {
	if t == "" {
		return r, nil
	}
	mt := ParseMediaType(t)
	if mt == "" || strings.HasSuffix(strings.ToLower(t), "s") {
		return Ref{}, &InvalidIDError{Kind: string(r.Kind), ID: r.ID, Reason: "type must be movie, show or anime"}
	}
	r.Type = mt
	return r, nil
}

const (
	maxTitleLen = 200
	minYear     = 1870
	maxYear     = 2100
)

// TitleRef builds the title + year fallback. year may be "" (unknown).
func TitleRef(title, year string) (Ref, error) {
	t := strings.Join(strings.Fields(title), " ")
	if t == "" || utf8.RuneCountInString(t) > maxTitleLen || !utf8.ValidString(t) ||
		strings.ContainsFunc(t, unicode.IsControl) {
		return Ref{}, &InvalidIDError{Kind: string(KindTitle), ID: title, Reason: "a title is 1 to 200 printable characters", Example: "Inception"}
	}
	r := Ref{Kind: KindTitle, ID: t}
	if year != "" {
		y, err := strconv.Atoi(year)
		if err != nil || y < minYear || y > maxYear {
			return Ref{}, &InvalidIDError{Kind: string(KindTitle), ID: title, Reason: "year must be a number from 1870 to 2100", Example: "2010"}
		}
		r.Year = y
	}
	return r, nil
}

// String returns the Ref in simklink's URL form, e.g. "imdb/tt1375666".
func (r Ref) String() string { return string(r.Kind) + "/" + r.ID }

// Key is a stable cache key for the Ref, including its year and type hint.
func (r Ref) Key() string {
	k := r.String()
	if r.Year != 0 {
		k += "@" + strconv.Itoa(r.Year)
	}
	if r.Type != "" {
		k += ":" + string(r.Type)
	}
	return k
}

// IsZero reports whether r is the zero Ref.
func (r Ref) IsZero() bool { return r.Kind == "" }
