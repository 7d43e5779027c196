// Package paste reads what a person pastes or types into simklink's one box:
// a link from a site whose IDs Simkl knows, a bare ID or kind:id, or a title
// with an optional year. It is pure: it never touches the network, and every
// ID it returns has passed simkl's validators, so an invalid paste costs no
// call to Simkl.
package paste

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"simklink/simkl"
)

// MaxLen bounds what Parse reads; longer input is refused.
const MaxLen = 2000

// What says what the input turned out to be.
type What uint8

const (
	// Empty: nothing was typed.
	Empty What = iota
	// ID: Result.Ref names one title (Result.Query may add an episode).
	ID
	// Number: a bare number, which is an ID in many namespaces; Result.Number
	// holds it and Result.Kinds the kinds it is valid for.
	Number
	// Title: Result.Title (and Result.Year, 0 when not given) to search for.
	Title
	// Unsupported: a link from a site, or a page of a site, whose IDs
	// simklink cannot read. Result.Site names the site when it is one we know.
	Unsupported
	// Invalid: an ID that fails its kind's validator; Result.Err says why.
	Invalid
)

// Result is what Parse read.
type Result struct {
	What What
	Ref  simkl.Ref
	// Query is an episode query kept from a simklink link ("season=4&episode=3").
	Query string
	// Number and Kinds describe an ambiguous bare number.
	Number string
	Kinds  []simkl.Kind
	// Title and Year are the text search.
	Title string
	Year  int
	// Site is the name of the site a link came from ("IMDb"); Host its host.
	Site string
	Host string
	Err  error
}

// ErrTooLong is Result.Err for input longer than MaxLen.
var ErrTooLong = errors.New("paste: input too long")

// Site describes one site whose links Parse reads, for the page that lists
// what is accepted.
type Site struct {
	Name    string
	Example string
}

// Sites lists the sites Parse reads, with an example link each.
func Sites() []Site {
	out := make([]Site, 0, len(sites))
	for _, s := range sites {
		out = append(out, Site{Name: s.name, Example: s.example})
	}
	return out
}

// Parse reads one pasted or typed input. base is simklink's own public URL,
// so that links to simklink itself are read too; it may be nil.
func Parse(input string, base *url.URL) Result {
	if len(input) > MaxLen {
		return Result{What: Invalid, Err: ErrTooLong}
	}
	s := strings.TrimSpace(strings.ToValidUTF8(input, ""))
	// A link pasted from a chat may come wrapped in <> or quotes.
	s = strings.Trim(s, "<>\"'` ")
	if s == "" {
		return Result{What: Empty}
	}
	if u, ok := asURL(s); ok {
		return fromURL(u, base)
	}
	if r, ok := kindColonID(s); ok {
		return r
	}
	if imdbBare.MatchString(s) {
		return ref(simkl.KindIMDB, s, "")
	}
	if digitsOnly.MatchString(s) {
		return number(s)
	}
	return title(s)
}

var (
	imdbBare   = regexp.MustCompile(`^(?i)tt[0-9]{7,10}$`)
	digitsOnly = regexp.MustCompile(`^[0-9]{1,12}$`)
	// kindID is "imdb:tt1375666", "mal 21" or "tvdb/153021".
	kindID = regexp.MustCompile(`^([A-Za-z-]{3,12})\s*[:/]\s*(\S+)$`)
	// yearAtEnd is "Inception (2010)", "Inception 2010" or "Inception, 2010".
	yearAtEnd = regexp.MustCompile(`^(.+?)[\s,]+\(?((?:18|19|20|21)[0-9]{2})\)?$`)
)

// asURL recognises a link, with or without its scheme ("imdb.com/title/…").
func asURL(s string) (*url.URL, bool) {
	if strings.ContainsAny(s, " \t\n") {
		return nil, false
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		// A bare host: something with a dot before the first slash.
		host, _, _ := strings.Cut(s, "/")
		if !strings.Contains(host, ".") || strings.Contains(host, ":") && !strings.Contains(s, "/") {
			return nil, false
		}
		if strings.HasPrefix(lower, "//") {
			s = "https:" + s
		} else {
			s = "https://" + s
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, false
	}
	return u, true
}

// aliases are other spellings of kinds people type.
var aliases = map[string]simkl.Kind{
	"myanimelist":  simkl.KindMAL,
	"anime-planet": simkl.KindAnimePlanet,
	"ap":           simkl.KindAnimePlanet,
	"trakt":        simkl.KindTraktSlug,
	"thetvdb":      simkl.KindTVDB,
	"themoviedb":   simkl.KindTMDB,
	"al":           simkl.KindAniList,
	"cr":           simkl.KindCrunchyroll,
}

func kindColonID(s string) (Result, bool) {
	m := kindID.FindStringSubmatch(s)
	if m == nil {
		return Result{}, false
	}
	k := simkl.Kind(strings.ToLower(m[1]))
	if a, ok := aliases[string(k)]; ok {
		k = a
	}
	if !k.Valid() {
		return Result{}, false // "Naruto: Shippuden" is a title
	}
	return ref(k, m[2], ""), true
}

// ref validates id as a kind's ID.
func ref(k simkl.Kind, id string, typ simkl.MediaType) Result {
	r, err := simkl.ParseRef(string(k), id)
	if err != nil {
		return Result{What: Invalid, Err: err}
	}
	r.Type = typ
	return Result{What: ID, Ref: r}
}

// numberKinds are the kinds whose IDs are plain numbers, in the order the
// which-kind page offers them.
var numberKinds = []simkl.Kind{simkl.KindTMDB, simkl.KindTVDB, simkl.KindMAL, simkl.KindAniList,
	simkl.KindSimkl, simkl.KindAniDB, simkl.KindKitsu, simkl.KindLiveChart, simkl.KindAniSearch, simkl.KindNetflix}

func number(s string) Result {
	r := Result{What: Number, Number: strings.TrimLeft(s, "0")}
	for _, k := range numberKinds {
		if _, err := simkl.ParseRef(string(k), r.Number); err == nil {
			r.Kinds = append(r.Kinds, k)
		}
	}
	if len(r.Kinds) == 0 {
		return title(s) // "0": not an ID anywhere, so a title
	}
	if y, err := strconv.Atoi(s); err == nil && y >= 1870 && y <= 2100 && len(s) == 4 {
		r.Title = s // "1984" may be a title too
	}
	return r
}

func title(s string) Result {
	s = strings.Join(strings.Fields(s), " ")
	r := Result{What: Title, Title: s}
	if m := yearAtEnd.FindStringSubmatch(s); m != nil {
		if _, err := simkl.TitleRef(m[1], m[2]); err == nil {
			y, _ := strconv.Atoi(m[2])
			r.Title, r.Year = strings.TrimRight(m[1], " ,"), y
		}
	}
	if _, err := simkl.TitleRef(r.Title, ""); err != nil {
		return Result{What: Invalid, Err: err}
	}
	if utf8.RuneCountInString(r.Title) > 200 {
		return Result{What: Invalid, Err: ErrTooLong}
	}
	return r
}

// kindNames are the sites' own names for each ID kind.
var kindNames = map[simkl.Kind]string{
	simkl.KindSimkl: "Simkl", simkl.KindIMDB: "IMDb", simkl.KindTMDB: "TMDB", simkl.KindTVDB: "TheTVDB",
	simkl.KindMAL: "MyAnimeList", simkl.KindAniDB: "AniDB", simkl.KindAniList: "AniList", simkl.KindKitsu: "Kitsu",
	simkl.KindAniSearch: "aniSearch", simkl.KindAnimePlanet: "Anime-Planet", simkl.KindLiveChart: "LiveChart",
	simkl.KindLetterboxd: "Letterboxd", simkl.KindNetflix: "Netflix", simkl.KindHulu: "Hulu",
	simkl.KindCrunchyroll: "Crunchyroll", simkl.KindTraktSlug: "Trakt",
}

// KindName is the name people know an ID kind by ("MyAnimeList" for mal).
func KindName(k simkl.Kind) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return string(k)
}
