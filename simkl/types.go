package simkl

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
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
// responses and "simkl_id" in others (DOCS: read ids.simkl ?? ids.simkl_id).
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
	Certification string     `json:"certification"`
	Network       string     `json:"network"`
	Country       string     `json:"country"`
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
		Poster: unescapePath(w.Poster), Fanart: unescapePath(w.Fanart),
		Status: w.Status, AnimeType: strings.ToLower(w.AnimeType), Overview: w.Overview,
		Genres: w.Genres, Runtime: int(w.Runtime), TotalEpisodes: total,
		Released: string(w.Released), FirstAired: string(w.FirstAired),
		Certification: w.Certification, Network: w.Network, Country: w.Country,
	}
	return nil
}

// unescapePath undoes the "\/" escaping that older responses use in image
// paths (JSON decoding already handles it; this also trims stray slashes).
func unescapePath(p string) string { return strings.Trim(strings.ReplaceAll(p, `\/`, "/"), "/ ") }

// Episode is one entry of /tv/episodes/{id} or /anime/episodes/{id}.
type Episode struct {
	Title       string
	Description string
	Season      int // 0 for anime (no seasons) and for TV specials without numbers
	Number      int
	Type        string // "episode" or "special"
	Img         string
	Date        time.Time // zero when unknown
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
	*e = Episode{Title: w.Title, Season: int(w.Season), Number: int(w.Episode), Type: w.Type,
		Img: unescapePath(w.Img), Date: parseTime(string(w.Date)), Aired: w.Aired, SimklID: w.IDs.Simkl}
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
