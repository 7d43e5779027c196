package simkl

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// SearchID resolves r through GET /search/id. It returns ErrNotFound when
// Simkl does not know the ID (Simkl answers 200 with [] or null for that, and
// null when a title + year is ambiguous), and ErrUserTokenRequired when
// Simkl wants a signed-in user for lookups (see SearchIDAs).
func (c *Client) SearchID(ctx context.Context, r Ref) ([]Title, error) {
	return c.SearchIDAs(ctx, r, "")
}

// SearchIDAs is SearchID made with a user's token, for when Simkl answers
// anonymous lookups with 401 user_token_required (reported for AUTH V2).
// The call counts against that user's rate limits, not the app's.
func (c *Client) SearchIDAs(ctx context.Context, r Ref, token string) ([]Title, error) {
	if r.IsZero() {
		return nil, &InvalidIDError{Reason: "empty reference"}
	}
	q := url.Values{}
	if r.Kind == KindTitle {
		q.Set("title", r.ID)
		if r.Year != 0 {
			q.Set("year", strconv.Itoa(r.Year))
		}
	} else {
		q.Set(string(r.Kind), r.ID)
	}
	if r.Type != "" {
		q.Set("type", string(r.Type))
	}
	raw, err := c.do(ctx, call{method: http.MethodGet, path: "/search/id", pattern: "/search/id", query: q, token: token}, nil)
	if err != nil {
		return nil, err
	}
	titles, err := decodeTitles(raw)
	if err != nil {
		return nil, &decodeError{endpoint: "GET /search/id", err: err}
	}
	if len(titles) == 0 {
		return nil, ErrNotFound
	}
	return titles, nil
}

// decodeTitles accepts null, [], {}, an array of titles or a single title.
func decodeTitles(raw []byte) ([]Title, error) {
	if isEmptyJSON(raw) {
		return nil, nil
	}
	var many []Title
	if err := json.Unmarshal(raw, &many); err == nil {
		out := many[:0]
		for _, t := range many {
			if t.IDs.Simkl != 0 {
				out = append(out, t)
			}
		}
		return out, nil
	}
	var one Title
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, err
	}
	if one.IDs.Simkl == 0 {
		return nil, nil
	}
	return []Title{one}, nil
}

func summaryPath(t MediaType) (string, error) {
	switch t {
	case Movie:
		return "/movies/", nil
	case Show:
		return "/tv/", nil
	case Anime:
		return "/anime/", nil
	}
	return "", fmt.Errorf("simkl: unknown media type %q", t)
}

// Summary fetches the full record of a title by its Simkl ID from
// GET /movies/{id}, /tv/{id} or /anime/{id}. api.simkl.org says these return the
// full record by default; extended=full is sent anyway because the older
// simkl.docs.apiary.io shows a short record without it, and api.simkl.org say it is harmless.
func (c *Client) Summary(ctx context.Context, t MediaType, simklID int) (*Title, error) {
	p, err := summaryPath(t)
	if err != nil {
		return nil, err
	}
	if simklID <= 0 {
		return nil, &InvalidIDError{Kind: string(KindSimkl), ID: strconv.Itoa(simklID), Reason: "not a Simkl ID"}
	}
	q := url.Values{"extended": {"full"}}
	raw, err := c.do(ctx, call{method: http.MethodGet, path: p + strconv.Itoa(simklID), pattern: p + "{id}", query: q}, nil)
	if err != nil {
		return nil, err
	}
	titles, err := decodeTitles(raw)
	if err != nil {
		return nil, &decodeError{endpoint: "GET " + p + "{id}", err: err}
	}
	if len(titles) == 0 {
		return nil, ErrNotFound
	}
	ti := titles[0]
	if ti.Type == "" {
		ti.Type = t
	}
	return &ti, nil
}

// Episodes lists a show's or an anime's episodes from GET /tv/episodes/{id}
// or /anime/episodes/{id}. Anime episodes carry no season.
func (c *Client) Episodes(ctx context.Context, t MediaType, simklID int) ([]Episode, error) {
	var p string
	switch t {
	case Show:
		p = "/tv/episodes/"
	case Anime:
		p = "/anime/episodes/"
	default:
		return nil, fmt.Errorf("simkl: %q has no episodes", t)
	}
	raw, err := c.do(ctx, call{method: http.MethodGet, path: p + strconv.Itoa(simklID), pattern: p + "{id}"}, nil)
	if err != nil {
		return nil, err
	}
	if isEmptyJSON(raw) {
		return nil, nil
	}
	var eps []Episode
	if err := json.Unmarshal(raw, &eps); err != nil {
		return nil, &decodeError{endpoint: "GET " + p + "{id}", err: err}
	}
	return eps, nil
}

// UserSettings fetches the signed-in user's name and account from
// POST /users/settings (a POST "for historical reasons", with {} as body).
func (c *Client) UserSettings(ctx context.Context, token string) (*User, error) {
	var w struct {
		User struct {
			Name   string `json:"name"`
			Avatar string `json:"avatar"`
		} `json:"user"`
		Account struct {
			ID       flexInt `json:"id"`
			Timezone string  `json:"timezone"`
			Type     string  `json:"type"`
		} `json:"account"`
	}
	if _, err := c.do(ctx, call{method: http.MethodPost, path: "/users/settings", pattern: "/users/settings", token: token, body: struct{}{}}, &w); err != nil {
		return nil, err
	}
	return &User{Name: w.User.Name, Avatar: c.avatarURL(w.User.Avatar), AccountID: int(w.Account.ID), Account: w.Account.Type, Timezone: w.Account.Timezone}, nil
}

// avatarURL makes Simkl's avatar an absolute http(s) URL, or "". Simkl
// sends it scheme-relative ("//simkl.in/avatars/40/871_101.jpg?1595673211");
// it takes the image host's scheme.
func (c *Client) avatarURL(a string) string {
	a = strings.TrimSpace(a)
	if strings.HasPrefix(a, "//") {
		scheme := "https"
		if u, err := url.Parse(c.cfg.ImageBase); err == nil && u.Scheme != "" {
			scheme = u.Scheme
		}
		a = scheme + ":" + a
	}
	u, err := url.Parse(a)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.String()
}

// MaxSearchLimit is the most results one text search page may ask for.
const MaxSearchLimit = 50

// Search runs Simkl's text search for one type, GET /search/movie, /search/tv
// or /search/anime with ?q=, and returns the first page of at most limit
// results. Results carry only the title, year, poster, type and IDs. An empty
// or overlong q is refused before any call.
func (c *Client) Search(ctx context.Context, t MediaType, q string, limit int) ([]Title, error) {
	var p string
	switch t {
	case Movie:
		p = "/search/movie"
	case Show:
		p = "/search/tv"
	case Anime:
		p = "/search/anime"
	default:
		return nil, fmt.Errorf("simkl: unknown media type %q", t)
	}
	if _, err := TitleRef(q, ""); err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), MaxSearchLimit)
	query := url.Values{"q": {q}, "page": {"1"}, "limit": {strconv.Itoa(limit)}}
	raw, err := c.do(ctx, call{method: http.MethodGet, path: p, pattern: p, query: query}, nil)
	if err != nil {
		return nil, err
	}
	found, err := decodeTitles(raw)
	if err != nil {
		return nil, &decodeError{endpoint: "GET " + p, err: err}
	}
	for i := range found {
		if found[i].Type == "" {
			found[i].Type = t
		}
	}
	return found, nil
}
