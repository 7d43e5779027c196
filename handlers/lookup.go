package handlers

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"simklink/paste"
	"simklink/simkl"
	"simklink/views"
)

// handleGo answers the one box, GET /go?q=…: a link or ID goes straight to
// its title page (303), a bare number asks which kind it is, a title shows
// Simkl's text search, and a link simklink cannot read gets a page listing
// what it can. The old form, ?kind=&id=, still works. Nothing here answers
// 5xx: when Simkl cannot search, the results page says so.
func handleGo(rs *responder, m *models, ts Titles, misses *missLimiter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		input := q.Get("q")
		if !q.Has("q") && (q.Has("kind") || q.Has("id")) {
			// The old form, ?kind=&id=. An id that is a whole link or
			// kind:id (?id=https://www.imdb.com/title/tt1375666/) is read
			// like the box's input.
			ref, err := simkl.ParseRef(strings.TrimSpace(q.Get("kind")), strings.TrimSpace(q.Get("id")))
			if err == nil {
				redirectTo(w, r, ref, "")
				return
			}
			if res := paste.Parse(q.Get("id"), m.base); res.What != paste.ID {
				rs.fail(w, r, err)
				return
			}
			input = q.Get("id")
		}
		res := paste.Parse(input, m.base)
		if q.Get("as") == "title" && res.What == paste.Number {
			res = paste.Result{What: paste.Title, Title: res.Number}
		}
		lookup := views.Lookup{Query: strings.TrimSpace(input)}
		switch res.What {
		case paste.Empty:
			http.Redirect(w, r, "/", http.StatusSeeOther)
		case paste.ID:
			redirectTo(w, r, res.Ref, res.Query)
		case paste.Invalid:
			if errors.Is(res.Err, paste.ErrTooLong) {
				rs.fail(w, r, &pageError{status: http.StatusBadRequest, page: views.Error{
					Heading: "That is too long to be a link", Message: "Paste one link, one ID or one title.",
					Accepted: acceptedKinds()}})
				return
			}
			rs.fail(w, r, res.Err)
		case paste.Number:
			whichKind(w, r, rs, lookup, res)
		case paste.Title:
			searchResults(w, r, rs, m, ts, misses, lookup, res.Title, res.Year)
		default:
			unsupported(w, r, rs, lookup, res)
		}
	})
}

// redirectTo sends the visitor to ref's title page.
func redirectTo(w http.ResponseWriter, r *http.Request, ref simkl.Ref, query string) {
	target := titlePath(ref)
	if query != "" {
		target += "?" + query
	}
	// The answer depends on the URL alone.
	setCacheFixed(w, "public, max-age=3600")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// titlePath is ref's title page path: /t/imdb/tt1375666, or
// /t/title/Inception?year=2010, with a type hint where one was given.
func titlePath(ref simkl.Ref) string {
	q := url.Values{}
	if ref.Type != "" {
		q.Set("type", string(ref.Type))
	}
	p := "/t/" + string(ref.Kind) + "/" + url.PathEscape(ref.ID)
	if ref.Kind == simkl.KindTitle && ref.Year != 0 {
		q.Set("year", strconv.Itoa(ref.Year))
	}
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// publicPage sets the cache headers of a page that is the same for every
// signed-out visitor, and fills in the signed-in header otherwise.
func publicPage(w http.ResponseWriter, r *http.Request, p *views.Page) {
	p.LinkTools = true
	p.Flash = visitOf(r).takeFlash(w, r)
	if viewer := visitOf(r).Viewer; viewer != nil {
		p.User = &views.User{Name: viewer.Name}
	}
	setCaching(w, r, cachePage)
}

func whichKind(w http.ResponseWriter, r *http.Request, rs *responder, lookup views.Lookup, res paste.Result) {
	k := views.WhichKind{Lookup: lookup, Number: res.Number}
	for _, kind := range res.Kinds {
		path := "/t/" + string(kind) + "/" + res.Number
		name := paste.KindName(kind)
		if kind == simkl.KindTMDB {
			// TMDB numbers movies and TV shows separately.
			k.Choices = append(k.Choices,
				views.Choice{Label: "TMDB movie " + res.Number, URL: path + "?type=movie"},
				views.Choice{Label: "TMDB TV show " + res.Number, URL: path + "?type=show"})
			continue
		}
		k.Choices = append(k.Choices, views.Choice{Label: name + " ID " + res.Number, URL: path})
	}
	if res.Title != "" {
		k.TitleURL = "/go?" + url.Values{"q": {res.Number}, "as": {"title"}}.Encode()
	}
	p := rs.page(r, "Which "+res.Number+"?")
	p.NoIndex = true
	publicPage(w, r, &p)
	rs.render(w, r, http.StatusOK, views.WhichKindPage(p, k))
}

// searchResults shows Simkl's text search for title. A year puts the
// titles of that year first.
func searchResults(w http.ResponseWriter, r *http.Request, rs *responder, m *models, ts Titles, misses *missLimiter, lookup views.Lookup, title string, year int) {
	res := views.Results{Lookup: lookup, Title: title, Year: year}
	found, err := ts.Search(r.Context(), title, misses.allowFor(r, visitOf(r).Viewer != nil))
	p := rs.page(r, "Titles matching "+title)
	p.NoIndex = true
	publicPage(w, r, &p)
	if err != nil {
		rs.logger.Warn("text search failed", "request_id", requestID(r.Context()), "err", err)
		res.Unavailable = true
		setCacheFixed(w, "no-store")
		rs.render(w, r, http.StatusOK, views.ResultsPage(p, res))
		return
	}
	res.Partial = found.Partial
	if found.Partial {
		setCacheFixed(w, "no-store")
	}
	list := slices.Clone(found.Titles)
	if year != 0 {
		slices.SortStableFunc(list, func(a, b simkl.Title) int {
			return cmp.Compare(abs(a.Year-year), abs(b.Year-year))
		})
	}
	for _, t := range list {
		f := views.Found{Name: t.Title, Year: t.Year, KindLabel: views.KindLabel(string(t.Type), t.AnimeType), URL: "/t/simkl/" + strconv.Itoa(t.IDs.Simkl)}
		if t.Poster != "" {
			f.Poster = &views.Image{Src: m.links.PosterURL(t.Poster, simkl.PosterC), Width: simkl.PosterC.Width, Height: simkl.PosterC.Height}
		}
		res.Found = append(res.Found, f)
	}
	rs.render(w, r, http.StatusOK, views.ResultsPage(p, res))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// unsupported answers a link simklink cannot read with what it can.
func unsupported(w http.ResponseWriter, r *http.Request, rs *responder, lookup views.Lookup, res paste.Result) {
	u := views.Unsupported{Lookup: lookup, Site: res.Site, Host: res.Host, Kinds: acceptedKinds()}
	for _, site := range paste.Sites() {
		u.Sites = append(u.Sites, views.Site{Name: site.Name, Example: site.Example})
	}
	p := rs.page(r, "Links simklink can read")
	p.NoIndex = true
	publicPage(w, r, &p)
	rs.render(w, r, http.StatusUnprocessableEntity, views.UnsupportedPage(p, u))
}

// bookmarklet is the home page's "Open in simklink" bookmark: it sends the
// page being viewed to the one box.
func (m *models) bookmarklet() string {
	base := strings.ReplaceAll(m.absURL("/go?q="), "'", "%27")
	return "javascript:void(location.href='" + base + "'+encodeURIComponent(location.href))"
}
