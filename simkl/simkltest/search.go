package simkltest

import (
	"net/http"
	"strconv"
	"strings"
)

// textItem is one GET /search/{movie|tv|anime} result, in the shape simkl.docs.apiary.io
// documents: the Simkl ID is spelled simkl_id here (not simkl), and
// endpoint_type is plural for movies ("movies") but not for "tv" or "anime".
type textItem struct {
	Title        string  `json:"title"`
	Year         int     `json:"year"`
	Poster       string  `json:"poster"`
	EndpointType string  `json:"endpoint_type"`
	IDs          textIDs `json:"ids"`
}

type textIDs struct {
	SimklID int    `json:"simkl_id"`
	Slug    string `json:"slug"`
	TMDB    string `json:"tmdb,omitempty"`
}

const (
	searchDefaultLimit = 10
	searchMaxLimit     = 50
	searchMaxPages     = 20
)

// GET /search/{type}?q=&page=&limit=: the catalogue's titles of that type
// whose title or English title contains every word of q, paginated with
// the X-Pagination-* headers. q is required (400 empty_field); an unknown
// type is an unrouted path (404). limit is capped at 50 and page at 20.
func (s *Simkl) textSearch(w http.ResponseWriter, r *http.Request, _ *user) {
	var want kind
	endpointType := r.PathValue("type")
	switch endpointType {
	case "movie":
		want, endpointType = kindMovie, "movies"
	case "tv":
		want = kindShow
	case "anime":
		want = kindAnime
	default:
		writeError(w, http.StatusNotFound, "url_failed", "No such API endpoint")
		return
	}
	q := r.URL.Query()
	words := strings.Fields(normTitle(q.Get("q")))
	if len(words) == 0 {
		writeError(w, http.StatusBadRequest, "empty_field", "q is required")
		return
	}
	page, limit := 1, searchDefaultLimit
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "wrong_parameter", "page must be a positive number")
			return
		}
		page = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "wrong_parameter", "limit must be a positive number")
			return
		}
		limit = min(n, searchMaxLimit)
	}
	var found []*title
	for _, t := range s.cat.titles {
		if t.kind == want && (containsWords(normTitle(t.name), words) || t.enTitle != "" && containsWords(normTitle(t.enTitle), words)) {
			found = append(found, t)
		}
	}
	pages := min((len(found)+limit-1)/limit, searchMaxPages)
	h := w.Header()
	h.Set("X-Pagination-Page", strconv.Itoa(page))
	h.Set("X-Pagination-Limit", strconv.Itoa(limit))
	h.Set("X-Pagination-Page-Count", strconv.Itoa(pages))
	h.Set("X-Pagination-Item-Count", strconv.Itoa(len(found)))
	items := []textItem{}
	if page <= pages {
		for _, t := range found[(page-1)*limit : min(page*limit, len(found))] {
			items = append(items, textItem{Title: t.name, Year: t.year, Poster: t.poster, EndpointType: endpointType,
				IDs: textIDs{SimklID: t.id, Slug: t.slug, TMDB: t.ids["tmdb"]}})
		}
	}
	writeJSON(w, http.StatusOK, items)
}

func containsWords(title string, words []string) bool {
	have := strings.Fields(title)
	for _, w := range words {
		found := false
		for _, h := range have {
			if strings.HasPrefix(h, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
