package simkltest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// kind is what a catalog title is. Simkl spells it differently per endpoint,
// so each spelling has its own method.
type kind uint8

const (
	kindMovie kind = 1 << iota
	kindShow
	kindAnime

	kindAny = kindMovie | kindShow | kindAnime
)

// searchType is the spelling used by GET /search/id: movie, tv or anime.
func (k kind) searchType() string {
	switch k {
	case kindMovie:
		return "movie"
	case kindShow:
		return "tv"
	default:
		return "anime"
	}
}

// recordType is the top-level "type" of a summary record: movie, show or anime.
func (k kind) recordType() string {
	switch k {
	case kindMovie:
		return "movie"
	case kindShow:
		return "show"
	default:
		return "anime"
	}
}

// kindsForType maps a request's type hint to the kinds it may match.
// TMDB files anime as TV, so "show" and "tv" also cover anime.
func kindsForType(typ string) kind {
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "movie", "movies":
		return kindMovie
	case "show", "shows", "tv":
		return kindShow | kindAnime
	case "anime":
		return kindAnime
	default:
		return kindAny
	}
}

// season is one numbered season of a show. Anime have a single season 1
// holding every episode in absolute (AniDB style) order.
type season struct {
	number int
	count  int
	// date returns the air date of episode ep (1-based).
	date func(ep int) time.Time
}

// special is one season-0 episode. Recorded episode lists have many
// specials without a date or an image (null); a special without a date
// counts as aired, as those do.
type special struct {
	name    string
	date    time.Time // zero: null
	noImage bool      // img is null
}

type airs struct {
	Day      string `json:"day"`
	Time     string `json:"time"`
	Timezone string `json:"timezone"`
}

// trailer is one entry of a summary's trailers: a YouTube video ID, its
// name (null in some real answers) and its height.
type trailer struct {
	Name    *string `json:"name"`
	YouTube string  `json:"youtube"`
	Size    int     `json:"size"`
}

// altTitle is one entry of an anime's alt_titles. Real answers give lang
// as a number (Simkl's own language code: 7 for English, 22 Russian, 25
// Japanese in the captures), not an ISO code; type is official, synonym
// or short.
type altTitle struct {
	Name string `json:"name"`
	Lang int    `json:"lang"`
	Type string `json:"type"`
}

// title is one catalog row. Titles are built once per Simkl and never
// modified afterwards, so they are read without the lock.
type title struct {
	id        int
	kind      kind
	name      string
	enTitle   string // anime only
	year      int
	slug      string
	ids       map[string]string // external IDs by their Simkl key, as strings
	tvdbSlug  string
	poster    string
	fanart    string
	overview  string
	genres    []string
	runtime   int
	cert      string
	country   string
	network   string
	director  string
	airs      *airs
	trailers  []trailer  // nil: "trailers": null, as for most titles
	altTitles []altTitle // anime only
	noFanart  bool       // the record has no fanart key
	animeType string
	// status is "released" for movies and "ended" or "airing" for shows;
	// statusAt derives "upcoming" and "tba" from the clock.
	status   string
	released time.Time // movies
	rank     int
	rating   float64
	votes    int
	imdbRate float64
	imdbVote int

	seasons     []season
	specials    []special
	zone        *time.Location // offset episode dates are written in
	episodeBase int            // Simkl ID of the first episode; specials follow the last one
	episodeImg  map[[2]int]string
	episodeName map[[2]int]string
}

// totalEpisodes counts regular episodes (specials excluded, as in
// total_episodes).
func (t *title) totalEpisodes() int {
	n := 0
	for _, s := range t.seasons {
		n += s.count
	}
	return n
}

// season returns the season with the given number; 0 is the specials season.
func (t *title) season(n int) (season, bool) {
	if n == 0 && len(t.specials) > 0 {
		return season{number: 0, count: len(t.specials), date: func(ep int) time.Time { return t.specials[ep-1].date }}, true
	}
	for _, s := range t.seasons {
		if s.number == n {
			return s, true
		}
	}
	return season{}, false
}

// episodeDate reports when season/episode airs, and whether it exists.
func (t *title) episodeDate(sn, ep int) (time.Time, bool) {
	s, ok := t.season(sn)
	if !ok || ep < 1 || ep > s.count {
		return time.Time{}, false
	}
	return s.date(ep), true
}

// aired reports whether season/episode exists and has aired by now.
func (t *title) aired(sn, ep int, now time.Time) bool {
	d, ok := t.episodeDate(sn, ep)
	return ok && !d.After(now)
}

// episodeID is the Simkl ID of an episode: regular episodes are numbered
// from episodeBase in order, specials follow the last regular episode.
func (t *title) episodeID(sn, ep int) (int, bool) {
	if _, ok := t.episodeDate(sn, ep); !ok {
		return 0, false
	}
	if sn == 0 {
		return t.episodeBase + t.totalEpisodes() + ep - 1, true
	}
	n := 0
	for _, s := range t.seasons {
		if s.number == sn {
			return t.episodeBase + n + ep - 1, true
		}
		n += s.count
	}
	return 0, false
}

// episodeByID is the inverse of episodeID.
func (t *title) episodeByID(id int) (sn, ep int, ok bool) {
	if t.kind == kindMovie || id < t.episodeBase {
		return 0, 0, false
	}
	i := id - t.episodeBase
	for _, s := range t.seasons {
		if i < s.count {
			return s.number, i + 1, true
		}
		i -= s.count
	}
	if i < len(t.specials) {
		return 0, i + 1, true
	}
	return 0, 0, false
}

// episodeImage is the image path of an episode; "" for none.
func (t *title) episodeImage(sn, ep int) string {
	if sn == 0 && t.specials[ep-1].noImage {
		return ""
	}
	if p, ok := t.episodeImg[[2]int{sn, ep}]; ok {
		return p
	}
	id, _ := t.episodeID(sn, ep)
	return hexPath("episode", id)
}

// episodeTitle is the title of an episode, generated unless the catalog
// names it, so One Piece's 1,150 episodes cost no strings.
func (t *title) episodeTitle(sn, ep int) string {
	if n, ok := t.episodeName[[2]int{sn, ep}]; ok {
		return n
	}
	if sn == 0 {
		return t.specials[ep-1].name
	}
	return "Episode " + strconv.Itoa(ep)
}

// airedCount counts regular episodes that have aired by now.
func (t *title) airedCount(now time.Time) int {
	n := 0
	for _, s := range t.seasons {
		for ep := 1; ep <= s.count; ep++ {
			if !s.date(ep).After(now) {
				n++
			}
		}
	}
	return n
}

// statusAt is the catalog status at now: movies are "upcoming" until
// released, shows are "tba" until their first episode airs.
func (t *title) statusAt(now time.Time) string {
	if t.kind == kindMovie {
		if t.released.After(now) {
			return "upcoming"
		}
		return "released"
	}
	if t.airedCount(now) == 0 {
		return "tba"
	}
	if t.status == "ended" && t.airedCount(now) < t.totalEpisodes() {
		return "airing"
	}
	return t.status
}

// firstAired is the first regular episode's air time in UTC.
func (t *title) firstAired() time.Time {
	if len(t.seasons) == 0 {
		return time.Time{}
	}
	return t.seasons[0].date(1).UTC()
}

// catalog is the seeded, immutable set of titles and its lookup indexes.
type catalog struct {
	titles  []*title
	byID    map[int]*title
	index   map[string]map[string][]*title // ID key → lower-case value → titles
	byTitle map[string][]*title            // normalised title or en_title → titles
	images  map[string]bool                // "posters/74/7441…" → exists
}

// idKeys are the identifier keys Simkl resolves, in the order tried: the
// first that resolves wins, as documented for writes. ("slug" is
// response-only and never resolves.)
func idKeys() [16]string {
	return [...]string{
		"simkl", "imdb", "tmdb", "tvdb", "mal", "anidb", "anilist", "kitsu",
		"livechart", "anisearch", "animeplanet", "crunchyroll", "hulu", "netflix",
		"letterboxd", "traktslug",
	}
}

func isIDKey(k string) bool {
	for _, id := range idKeys() {
		if id == k {
			return true
		}
	}
	return false
}

func newCatalog(titles []*title) *catalog {
	c := &catalog{
		titles:  titles,
		byID:    make(map[int]*title, len(titles)),
		index:   make(map[string]map[string][]*title),
		byTitle: make(map[string][]*title),
		images:  make(map[string]bool),
	}
	add := func(key, val string, t *title) {
		if val == "" {
			return
		}
		m := c.index[key]
		if m == nil {
			m = make(map[string][]*title)
			c.index[key] = m
		}
		m[strings.ToLower(val)] = append(m[strings.ToLower(val)], t)
	}
	for _, t := range titles {
		if _, dup := c.byID[t.id]; dup {
			panic(fmt.Sprintf("simkltest: duplicate catalog id %d", t.id))
		}
		c.byID[t.id] = t
		for k, v := range t.ids {
			add(k, v, t)
		}
		add("tvdb", t.tvdbSlug, t)
		c.byTitle[normTitle(t.name)] = append(c.byTitle[normTitle(t.name)], t)
		if t.enTitle != "" && normTitle(t.enTitle) != normTitle(t.name) {
			c.byTitle[normTitle(t.enTitle)] = append(c.byTitle[normTitle(t.enTitle)], t)
		}
		c.images["posters/"+t.poster] = true
		if t.fanart != "" {
			c.images["fanart/"+t.fanart] = true
		}
		for _, s := range t.seasons {
			for ep := 1; ep <= s.count; ep++ {
				c.images["episodes/"+t.episodeImage(s.number, ep)] = true
			}
		}
		for i := range t.specials {
			if p := t.episodeImage(0, i+1); p != "" {
				c.images["episodes/"+p] = true
			}
		}
	}
	return c
}

var imdbRe = regexp.MustCompile(`(?i)tt\d+`)

// lookup returns the titles an external ID points at.
func (c *catalog) lookup(key, val string) []*title {
	val = strings.TrimSpace(val)
	if val == "" {
		return nil
	}
	switch key {
	case "simkl":
		id, err := strconv.Atoi(val)
		if err != nil {
			return nil
		}
		if t, ok := c.byID[id]; ok {
			return []*title{t}
		}
		return nil
	case "imdb":
		// An IMDb ID or a full IMDb URL.
		val = imdbRe.FindString(val)
	case "crunchyroll":
		// An ID or a URL whose path holds the ID.
		if ts := c.index[key][strings.ToLower(val)]; len(ts) > 0 {
			return ts
		}
		for _, seg := range strings.Split(val, "/") {
			if ts := c.index[key][strings.ToLower(seg)]; len(ts) > 0 {
				return ts
			}
		}
		return nil
	}
	return c.index[key][strings.ToLower(val)]
}

// ref is what a request says about one title: identifiers in priority
// order, a title and year, and which kinds it may be.
type ref struct {
	ids   [][2]string // {key, value}
	title string
	year  int
	// want restricts every match (movies[] holds movies only); 0 means any.
	want kind
	// hint is the item's type, which only narrows TMDB IDs (not unique
	// across types) and titles; 0 means any.
	hint kind
}

// resolve finds the one title a ref names. ambiguous is true when a title
// (and year) matched more than one title.
func (c *catalog) resolve(r ref) (t *title, ambiguous bool) {
	want := r.want
	if want == 0 {
		want = kindAny
	}
	narrow := want
	if r.hint != 0 && want&r.hint != 0 {
		narrow = want & r.hint
	}
	for _, key := range idKeys() {
		for _, kv := range r.ids {
			if kv[0] != key {
				continue
			}
			k := want
			if key == "tmdb" {
				k = narrow
			}
			if t := pick(c.lookup(key, kv[1]), k); t != nil {
				return t, false
			}
		}
	}
	if r.title == "" {
		return nil, false
	}
	var found []*title
	for _, t := range c.byTitle[normTitle(r.title)] {
		if t.kind&narrow != 0 && (r.year == 0 || t.year == r.year) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return nil, false
	case 1:
		return found[0], false
	default:
		return nil, true
	}
}

// pick chooses among titles sharing an external ID (TMDB IDs are not
// unique across types). Without a type hint a movie wins, as at Simkl,
// where type=show is needed to get the TV show.
func pick(ts []*title, want kind) *title {
	var first *title
	for _, t := range ts {
		if t.kind&want == 0 {
			continue
		}
		if t.kind == kindMovie {
			return t
		}
		if first == nil {
			first = t
		}
	}
	return first
}

// findEpisode finds the title and season/episode of an episode Simkl ID.
func (c *catalog) findEpisode(id int) (*title, int, int, bool) {
	for _, t := range c.titles {
		if sn, ep, ok := t.episodeByID(id); ok {
			return t, sn, ep, true
		}
	}
	return nil, 0, 0, false
}

// normTitle folds case and punctuation so "John Wick: Chapter 4" and
// "john wick chapter 4" match.
func normTitle(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
			continue
		}
		space = true
	}
	return b.String()
}

// slugify makes a URL slug from a title.
func slugify(s string) string {
	return strings.ReplaceAll(normTitle(s), " ", "-")
}

// hexPath makes a deterministic image path like "74/74415673dcdc9cdd".
func hexPath(parts ...any) string {
	sum := sha256.Sum256([]byte(fmt.Sprint(parts...)))
	h := hex.EncodeToString(sum[:8])
	return h[:2] + "/" + h
}
