package paste

import (
	"net/url"
	"regexp"
	"strings"

	"simklink/simkl"
)

// site reads the links of one website. read gets the path split into its
// non-empty segments and the query, and returns a Result (ID, Title or
// Unsupported); ok=false means "not a title page of this site".
type site struct {
	name    string
	domains []string // the host or any subdomain of it matches
	example string
	read    func(seg []string, q url.Values) (Result, bool)
}

var (
	reIMDb     = regexp.MustCompile(`^(?i)tt[0-9]{7,10}$`)
	reLeadNum  = regexp.MustCompile(`^([0-9]{1,12})(?:[-,_].*)?$`)
	reHuluUUID = regexp.MustCompile(`([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	reLocale   = regexp.MustCompile(`^[a-z]{2}(?:-[a-zA-Z]{2,4})?$`)
)

// sites is every site Parse reads, in the order the accepted-links page
// lists them.
var sites = []site{
	{name: "IMDb", domains: []string{"imdb.com"}, example: "https://www.imdb.com/title/tt1375666/",
		read: func(seg []string, _ url.Values) (Result, bool) {
			// /title/tt…/, /de/title/tt…/, /title/tt…/episodes, m.imdb.com
			for i := 0; i+1 < len(seg); i++ {
				if seg[i] == "title" && reIMDb.MatchString(seg[i+1]) {
					return ref(simkl.KindIMDB, seg[i+1], ""), true
				}
			}
			return Result{}, false
		}},
	{name: "TMDB", domains: []string{"themoviedb.org"}, example: "https://www.themoviedb.org/movie/27205-inception",
		read: func(seg []string, _ url.Values) (Result, bool) {
			seg = dropLocale(seg)
			if len(seg) < 2 {
				return Result{}, false
			}
			typ := map[string]simkl.MediaType{"movie": simkl.Movie, "tv": simkl.Show}[seg[0]]
			if typ == "" {
				return Result{}, false
			}
			return leadNumber(simkl.KindTMDB, seg[1], typ)
		}},
	{name: "TheTVDB", domains: []string{"thetvdb.com"}, example: "https://thetvdb.com/series/the-walking-dead",
		read: func(seg []string, q url.Values) (Result, bool) {
			if id := q.Get("id"); id != "" && (q.Get("tab") == "" || q.Get("tab") == "series") {
				return ref(simkl.KindTVDB, id, ""), true
			}
			seg = dropLocale(seg)
			// /series/slug, /series/slug/seasons/…, /dereferrer/series/153021
			for i := 0; i+1 < len(seg); i++ {
				if seg[i] == "series" {
					return ref(simkl.KindTVDB, seg[i+1], ""), true
				}
			}
			return Result{}, false
		}},
	{name: "MyAnimeList", domains: []string{"myanimelist.net"}, example: "https://myanimelist.net/anime/21/One_Piece",
		read: func(seg []string, q url.Values) (Result, bool) {
			if len(seg) == 1 && seg[0] == "anime.php" && q.Get("id") != "" {
				return ref(simkl.KindMAL, q.Get("id"), ""), true
			}
			return afterSegment(seg, "anime", simkl.KindMAL)
		}},
	{name: "AniList", domains: []string{"anilist.co"}, example: "https://anilist.co/anime/21/ONE-PIECE/",
		read: func(seg []string, _ url.Values) (Result, bool) { return afterSegment(seg, "anime", simkl.KindAniList) }},
	{name: "AniDB", domains: []string{"anidb.net"}, example: "https://anidb.net/anime/69",
		read: func(seg []string, q url.Values) (Result, bool) {
			// The old form: /perl-bin/animedb.pl?show=anime&aid=69.
			if aid := q.Get("aid"); aid != "" && (q.Get("show") == "" || q.Get("show") == "anime") {
				return ref(simkl.KindAniDB, aid, ""), true
			}
			if len(seg) >= 1 && len(seg[0]) > 1 && seg[0][0] == 'a' && digitsOnly.MatchString(seg[0][1:]) {
				return ref(simkl.KindAniDB, seg[0][1:], ""), true // anidb.net/a69
			}
			return afterSegment(seg, "anime", simkl.KindAniDB)
		}},
	{name: "Kitsu", domains: []string{"kitsu.app", "kitsu.io"}, example: "https://kitsu.app/anime/12",
		read: func(seg []string, _ url.Values) (Result, bool) {
			if len(seg) < 2 || seg[0] != "anime" {
				return Result{}, false
			}
			if digitsOnly.MatchString(seg[1]) {
				return ref(simkl.KindKitsu, seg[1], ""), true
			}
			// Kitsu's slug links carry no ID Simkl knows: search the title.
			return slugTitle(seg[1])
		}},
	{name: "Anime-Planet", domains: []string{"anime-planet.com"}, example: "https://www.anime-planet.com/anime/one-piece",
		read: func(seg []string, _ url.Values) (Result, bool) {
			if len(seg) < 2 || seg[0] != "anime" || seg[1] == "all" || seg[1] == "top-anime" {
				return Result{}, false
			}
			return ref(simkl.KindAnimePlanet, seg[1], ""), true
		}},
	{name: "LiveChart", domains: []string{"livechart.me"}, example: "https://www.livechart.me/anime/321",
		read: func(seg []string, _ url.Values) (Result, bool) {
			return afterSegment(seg, "anime", simkl.KindLiveChart)
		}},
	{name: "aniSearch", domains: []string{"anisearch.com", "anisearch.de", "anisearch.fr", "anisearch.it", "anisearch.es", "anisearch.jp"},
		example: "https://www.anisearch.com/anime/2227,one-piece",
		read: func(seg []string, _ url.Values) (Result, bool) {
			return afterSegment(seg, "anime", simkl.KindAniSearch)
		}},
	{name: "Letterboxd", domains: []string{"letterboxd.com"}, example: "https://letterboxd.com/film/the-truman-show/",
		read: func(seg []string, _ url.Values) (Result, bool) {
			// /film/slug/ and a member's /name/film/slug/.
			for i := 0; i+1 < len(seg) && i < 2; i++ {
				if seg[i] == "film" {
					return ref(simkl.KindLetterboxd, seg[i+1], simkl.Movie), true
				}
			}
			return Result{}, false
		}},
	{name: "Trakt", domains: []string{"trakt.tv"}, example: "https://trakt.tv/movies/john-wick-chapter-4-2023",
		read: func(seg []string, _ url.Values) (Result, bool) {
			if len(seg) < 2 {
				return Result{}, false
			}
			typ := map[string]simkl.MediaType{"movies": simkl.Movie, "shows": simkl.Show}[seg[0]]
			if typ == "" {
				return Result{}, false
			}
			return ref(simkl.KindTraktSlug, seg[1], typ), true
		}},
	{name: "Simkl", domains: []string{"simkl.com"}, example: "https://simkl.com/tv/2090/the-walking-dead",
		read: func(seg []string, _ url.Values) (Result, bool) {
			if len(seg) < 2 {
				return Result{}, false
			}
			typ := map[string]simkl.MediaType{"movies": simkl.Movie, "tv": simkl.Show, "anime": simkl.Anime}[seg[0]]
			if typ == "" {
				return Result{}, false
			}
			return leadNumber(simkl.KindSimkl, seg[1], typ)
		}},
	{name: "Netflix", domains: []string{"netflix.com"}, example: "https://www.netflix.com/title/80057281",
		read: func(seg []string, q url.Values) (Result, bool) {
			if id := q.Get("jbv"); id != "" {
				return ref(simkl.KindNetflix, id, ""), true // /browse?jbv=…
			}
			return afterSegment(dropLocale(seg), "title", simkl.KindNetflix)
		}},
	{name: "Crunchyroll", domains: []string{"crunchyroll.com"}, example: "https://www.crunchyroll.com/series/GRMG8ZQZR/one-piece",
		read: func(seg []string, _ url.Values) (Result, bool) {
			seg = dropLocale(seg)
			if len(seg) < 2 || seg[0] != "series" {
				return Result{}, false
			}
			return ref(simkl.KindCrunchyroll, seg[1], ""), true
		}},
	{name: "Hulu", domains: []string{"hulu.com"}, example: "https://www.hulu.com/series/only-murders-in-the-building-6d3d5f5c-1a5e-4d4a-9a9a-0b2b5b5b5b5b",
		read: func(seg []string, _ url.Values) (Result, bool) {
			if len(seg) < 2 || (seg[0] != "series" && seg[0] != "movie") {
				return Result{}, false
			}
			m := reHuluUUID.FindStringSubmatch(strings.ToLower(seg[1]))
			if m == nil {
				return Result{}, false
			}
			return ref(simkl.KindHulu, m[1], ""), true
		}},
}

// fromURL reads a link.
func fromURL(u *url.URL, base *url.URL) Result {
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if base != nil && strings.EqualFold(u.Host, base.Host) {
		return fromOwnURL(u)
	}
	seg := segments(u.EscapedPath())
	q := u.Query()
	for _, s := range sites {
		if !matchHost(host, s.domains) {
			continue
		}
		if r, ok := s.read(seg, q); ok {
			r.Site, r.Host = s.name, host
			return r
		}
		return Result{What: Unsupported, Site: s.name, Host: host}
	}
	return Result{What: Unsupported, Host: host}
}

// fromOwnURL reads a simklink link: a title page, or an embed, button or
// card of one.
func fromOwnURL(u *url.URL) Result {
	seg := segments(u.EscapedPath())
	if len(seg) > 0 && seg[0] == "embed" {
		seg = seg[1:]
	}
	if len(seg) == 3 && (seg[0] == "button" || seg[0] == "og") {
		seg = []string{"t", seg[1], strings.TrimSuffix(strings.TrimSuffix(seg[2], ".svg"), ".png")}
	}
	r := Result{What: Unsupported, Site: "simklink", Host: u.Host}
	if len(seg) != 3 || seg[0] != "t" {
		return r
	}
	q := u.Query()
	if seg[1] == string(simkl.KindTitle) {
		tr, err := simkl.TitleRef(seg[2], q.Get("year"))
		if err != nil {
			return Result{What: Invalid, Err: err}
		}
		r = Result{What: ID, Ref: tr}
	} else {
		r = ref(simkl.Kind(seg[1]), seg[2], "")
	}
	if r.What != ID {
		return r
	}
	if t := q.Get("type"); t != "" {
		if withType, err := r.Ref.WithType(t); err == nil {
			r.Ref = withType
		}
	}
	keep := url.Values{}
	for _, k := range []string{"season", "episode"} {
		if v := q.Get(k); v != "" && digitsOnly.MatchString(v) {
			keep.Set(k, v)
		}
	}
	r.Query = keep.Encode()
	r.Site, r.Host = "simklink", u.Host
	return r
}

// segments splits an escaped path into its unescaped, non-empty segments.
func segments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s == "" {
			continue
		}
		if v, err := url.PathUnescape(s); err == nil {
			s = v
		}
		out = append(out, s)
	}
	return out
}

func matchHost(host string, domains []string) bool {
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// dropLocale drops a leading locale segment ("de", "en-GB", "pt-br").
func dropLocale(seg []string) []string {
	if len(seg) > 1 && reLocale.MatchString(seg[0]) && seg[0] != "tv" {
		return seg[1:]
	}
	return seg
}

// afterSegment reads /{name}/{number}[-slug|,slug] anywhere in the path.
func afterSegment(seg []string, name string, k simkl.Kind) (Result, bool) {
	for i := 0; i+1 < len(seg); i++ {
		if seg[i] == name {
			return leadNumber(k, seg[i+1], "")
		}
	}
	return Result{}, false
}

// leadNumber reads "27205-inception" or "2227,one-piece" as 27205.
func leadNumber(k simkl.Kind, s string, typ simkl.MediaType) (Result, bool) {
	m := reLeadNum.FindStringSubmatch(s)
	if m == nil {
		return Result{}, false
	}
	return ref(k, m[1], typ), true
}

// slugTitle turns "one-piece" into a title search for "one piece".
func slugTitle(slug string) (Result, bool) {
	r := title(strings.NewReplacer("-", " ", "_", " ").Replace(slug))
	return r, r.What == Title
}
