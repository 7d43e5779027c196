package simkl

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
	// Airs.Slot loads IANA zones by name; the distroless image has no
	// zoneinfo of its own, so the program carries it (about 450 KB).
	_ "time/tzdata"
)

// flexString decodes a JSON string or number as a string, and null as "".
// Simkl sends external IDs as strings in responses ("tmdb": "12445") but
// documents them as numbers in places.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexString(n.String())
	}
	return nil
}

// flexInt decodes a JSON number or numeric string as an int, and null, ""
// or anything non-numeric as 0.
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		// Objects, arrays and booleans are not numbers: leave 0 rather than fail
		// a whole response over one odd field.
		*f = 0
		return nil
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
	if err != nil {
		*f = 0
		return nil
	}
	*f = flexInt(n)
	return nil
}

// IDs holds a title's identifiers. Simkl spells its own ID "simkl" in most
// responses and "simkl_id" in others (api.simkl.org: read ids.simkl ?? ids.simkl_id).
type IDs struct {
	Simkl int
	Slug  string
	// External maps other kinds ("imdb", "tmdb", "mal", ...) to their IDs,
	// always as strings.
	External map[string]string
}

func (ids *IDs) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		// ids may be null or, in odd responses, an array: treat as empty.
		*ids = IDs{}
		return nil
	}
	out := IDs{}
	for k, v := range raw {
		var s flexString
		if err := s.UnmarshalJSON(v); err != nil || s == "" {
			continue
		}
		switch k {
		case "simkl", "simkl_id":
			if out.Simkl == 0 {
				n, _ := strconv.Atoi(string(s))
				out.Simkl = n
			}
		case "slug":
			out.Slug = string(s)
		default:
			if out.External == nil {
				out.External = make(map[string]string, len(raw))
			}
			out.External[k] = string(s)
		}
	}
	*ids = out
	return nil
}

// Title is a title as Simkl's /search/id and summary endpoints describe it.
// Summary-only fields are empty after a search.
type Title struct {
	Type          MediaType
	Title         string
	EnTitle       string
	Year          int
	IDs           IDs
	Poster        string // image path, e.g. "74/74415673dcdc9cdd"
	Fanart        string
	Status        string // ended, tba, airing; released, upcoming
	AnimeType     string // lower-case: tv, movie, special, ova, ona, music video
	Overview      string
	Genres        []string
	Runtime       int // minutes
	TotalEpisodes int
	Released      string // movies: YYYY-MM-DD
	FirstAired    string // shows: RFC 3339
	Certification string
	Network       string
	Country       string

	// Summary fields that help a visitor decide. Each may be missing:
	// real records often lack some.
	Rank      int
	Ratings   Ratings
	Airs      *Airs      // shows and anime; nil when Simkl gives none
	Trailers  []Trailer  // nil when "trailers" is null
	AltTitles []AltTitle // anime only
}

// Rating is one source's rating: 0-10, the number of votes, and for MAL
// the title's rank.
type Rating struct {
	Rating float64
	Votes  int
	Rank   int
}

// Ratings are the ratings a summary carries; nil when a source has none.
type Ratings struct {
	Simkl, IMDb, MAL *Rating
}

// Airs is when a show's new episodes air, as Simkl gives it: an English
// weekday ("Sunday"), a 12-hour time ("09:00 PM") and an IANA zone
// ("America/New_York"). See Slot for a parsed form.
type Airs struct {
	Day, Time, Timezone string
}

// Slot parses a: the weekday, the time of day and the zone new episodes
// air in. ok is false when any part is missing or unreadable (a zone that
// is not a known IANA name included).
func (a Airs) Slot() (day time.Weekday, hour, minute int, loc *time.Location, ok bool) {
	day, ok = parseWeekday(a.Day)
	if !ok || a.Timezone == "" {
		return 0, 0, 0, nil, false
	}
	var t time.Time
	var err error
	for _, layout := range []string{"03:04 PM", "3:04 PM", "15:04", "03:04PM", "3:04PM"} {
		if t, err = time.Parse(layout, strings.ToUpper(a.Time)); err == nil {
			break
		}
	}
	if err != nil {
		return 0, 0, 0, nil, false
	}
	loc, err = time.LoadLocation(a.Timezone)
	if err != nil {
		return 0, 0, 0, nil, false
	}
	return day, t.Hour(), t.Minute(), loc, true
}

// NextAiring is the next time at or after now that the slot comes round,
// in the show's zone; ok as for Slot.
func (a Airs) NextAiring(now time.Time) (time.Time, bool) {
	day, h, m, loc, ok := a.Slot()
	if !ok {
		return time.Time{}, false
	}
	local := now.In(loc)
	t := time.Date(local.Year(), local.Month(), local.Day(), h, m, 0, 0, loc)
	t = t.AddDate(0, 0, (int(day)-int(t.Weekday())+7)%7)
	if t.Before(now) {
		t = t.AddDate(0, 0, 7)
	}
	return t, true
}

func parseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < 3 {
		return 0, false
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.HasPrefix(strings.ToLower(d.String()), s) {
			return d, true
		}
	}
	return 0, false
}

// Trailer is a YouTube video of the title.
type Trailer struct {
	Name    string // may be empty: real records have "name": null
	YouTube string // video ID
	Size    int    // height, e.g. 1080
}

// AltTitle is another name of an anime. Lang is Simkl's own language code
// (a number such as 7 in real records, not an ISO code), kept as a string;
// Type is official, synonym or short.
type AltTitle struct {
	Name, Lang, Type string
}

type wireTitle struct {
	Type          string     `json:"type"`
	EndpointType  string     `json:"endpoint_type"`
	Title         string     `json:"title"`
	EnTitle       string     `json:"en_title"`
	Year          flexInt    `json:"year"`
	IDs           IDs        `json:"ids"`
	Poster        string     `json:"poster"`
	Fanart        string     `json:"fanart"`
	Status        string     `json:"status"`
	AnimeType     string     `json:"anime_type"`
	Overview      string     `json:"overview"`
	Genres        []string   `json:"genres"`
	Runtime       flexInt    `json:"runtime"`
	TotalEpisodes flexInt    `json:"total_episodes"`
	EpCount       flexInt    `json:"ep_count"`
	Released      flexString `json:"released"`
	FirstAired    flexString `json:"first_aired"`
	Certification flexString `json:"certification"`
	Network       flexString `json:"network"`
	Country       string     `json:"country"`

	Rank      flexInt         `json:"rank"`
	Ratings   json.RawMessage `json:"ratings"`
	Airs      json.RawMessage `json:"airs"`
	Trailers  json.RawMessage `json:"trailers"`
	AltTitles json.RawMessage `json:"alt_titles"`
}

func (t *Title) UnmarshalJSON(b []byte) error {
	var w wireTitle
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	typ := ParseMediaType(w.Type)
	if typ == "" {
		typ = ParseMediaType(w.EndpointType)
	}
	total := int(w.TotalEpisodes)
	if total == 0 {
		total = int(w.EpCount)
	}
	*t = Title{
		Type: typ, Title: w.Title, EnTitle: w.EnTitle, Year: int(w.Year), IDs: w.IDs,
		Poster: ImagePath(w.Poster), Fanart: ImagePath(w.Fanart),
		Status: w.Status, AnimeType: strings.ToLower(w.AnimeType), Overview: w.Overview,
		Genres: w.Genres, Runtime: int(w.Runtime), TotalEpisodes: total,
		Released: string(w.Released), FirstAired: string(w.FirstAired),
		Certification: string(w.Certification), Network: string(w.Network), Country: w.Country,
		Rank: int(w.Rank), Ratings: decodeRatings(w.Ratings), Airs: decodeAirs(w.Airs),
		Trailers: decodeTrailers(w.Trailers), AltTitles: decodeAltTitles(w.AltTitles),
	}
	t.Overview = breaksToNewlines(t.Overview)
	return nil
}

// The decide-helper fields are read leniently: a field of an unexpected
// shape is dropped rather than failing the whole summary, since the page
// is still useful without it.

func decodeRatings(raw json.RawMessage) Ratings {
	var w map[string]struct {
		Rating json.Number `json:"rating"`
		Votes  flexInt     `json:"votes"`
		Rank   flexInt     `json:"rank"`
	}
	if json.Unmarshal(raw, &w) != nil {
		return Ratings{}
	}
	get := func(k string) *Rating {
		v, ok := w[k]
		if !ok {
			return nil
		}
		r, err := v.Rating.Float64()
		if err != nil || r <= 0 {
			return nil
		}
		return &Rating{Rating: r, Votes: int(v.Votes), Rank: int(v.Rank)}
	}
	return Ratings{Simkl: get("simkl"), IMDb: get("imdb"), MAL: get("mal")}
}

func decodeAirs(raw json.RawMessage) *Airs {
	var w struct {
		Day      flexString `json:"day"`
		Time     flexString `json:"time"`
		Timezone flexString `json:"timezone"`
	}
	if json.Unmarshal(raw, &w) != nil || w.Day == "" && w.Time == "" {
		return nil
	}
	return &Airs{Day: strings.TrimSpace(string(w.Day)), Time: strings.TrimSpace(string(w.Time)), Timezone: strings.TrimSpace(string(w.Timezone))}
}

func decodeTrailers(raw json.RawMessage) []Trailer {
	var w []struct {
		Name    flexString `json:"name"`
		YouTube flexString `json:"youtube"`
		Size    flexInt    `json:"size"`
	}
	if json.Unmarshal(raw, &w) != nil {
		return nil
	}
	var out []Trailer
	for _, v := range w {
		if id := strings.TrimSpace(string(v.YouTube)); validYouTubeID(id) {
			out = append(out, Trailer{Name: strings.TrimSpace(string(v.Name)), YouTube: id, Size: int(v.Size)})
		}
	}
	return out
}

// validYouTubeID accepts YouTube's video IDs (letters, digits, - and _),
// so that one can be put in a URL path as is.
func validYouTubeID(id string) bool {
	if len(id) < 6 || len(id) > 20 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func decodeAltTitles(raw json.RawMessage) []AltTitle {
	var w []struct {
		Name flexString `json:"name"`
		Lang flexString `json:"lang"`
		Type flexString `json:"type"`
	}
	if json.Unmarshal(raw, &w) != nil {
		return nil
	}
	var out []AltTitle
	for _, v := range w {
		if n := strings.TrimSpace(string(v.Name)); n != "" {
			out = append(out, AltTitle{Name: n, Lang: string(v.Lang), Type: strings.ToLower(string(v.Type))})
		}
	}
	return out
}

// breakRe matches the <br> tags real overviews use for line breaks.
var breakRe = regexp.MustCompile(`(?i)<br\s*/?>`)

// breaksToNewlines turns an overview's <br> tags into newlines; any other
// markup stays text, to be escaped where it is shown.
func breaksToNewlines(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	return strings.TrimSpace(breakRe.ReplaceAllString(s, "\n"))
}

// imagePathRe is the shape of Simkl's image paths: two hex digits, "/",
// and a hex name ("74/74415673dcdc9cdd").
var imagePathRe = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{4,64}$`)

// ImagePath returns p when it has the shape of a Simkl image path, else
// "". Paths come from Simkl's answers, which simklink does not trust:
// anything else ("../", a full URL, a query) would be pasted into an image
// URL on our pages. A doubly escaped "\/" (older answers) is undone.
func ImagePath(p string) string {
	p = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(p, `\/`, "/")))
	if !imagePathRe.MatchString(p) {
		return ""
	}
	return p
}

// Episode is one entry of /tv/episodes/{id} or /anime/episodes/{id}.
// Simkl sends no season for anime episodes and none for specials; anime
// specials are numbered from 1 again, so their numbers collide with
// regular episodes', and TV specials have no number at all. Special tells
// them apart: a special is never the regular episode of the same number.
type Episode struct {
	Title       string
	Description string
	Season      int // 0 for anime (no seasons) and for specials
	Number      int // 0 for TV specials, which Simkl does not number
	Type        string
	Special     bool // Type "special": Simkl's season 0
	Img         string
	Date        time.Time // zero when unknown (null for many specials)
	Aired       bool
	SimklID     int
}

func (e *Episode) UnmarshalJSON(b []byte) error {
	var w struct {
		Title       string     `json:"title"`
		Description *string    `json:"description"`
		Season      flexInt    `json:"season"`
		Episode     flexInt    `json:"episode"`
		Type        string     `json:"type"`
		Img         string     `json:"img"`
		Date        flexString `json:"date"`
		Aired       bool       `json:"aired"`
		IDs         IDs        `json:"ids"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	special := strings.EqualFold(w.Type, "special")
	season := int(w.Season)
	if special {
		season = 0
	}
	*e = Episode{Title: w.Title, Season: season, Number: int(w.Episode), Type: w.Type, Special: special,
		Img: ImagePath(w.Img), Date: parseTime(string(w.Date)), Aired: w.Aired, SimklID: w.IDs.Simkl}
	if w.Description != nil {
		e.Description = *w.Description
	}
	return nil
}

// parseTime reads Simkl's timestamps, which come with Z, with an offset such
// as -05:00, or as a bare date. It returns the zero time for anything else.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// User is what /users/settings says about the signed-in user.
type User struct {
	Name      string
	Avatar    string
	AccountID int
	Account   string // free, pro, vip
	Timezone  string
}
