package simkltest

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// The web pages are tiny, valid HTML5 with no scripts, no inline styles
// and no external resources; their only stylesheet is /web/site.css.
// Links are relative, so the pages work wherever the stand-in is mounted.

type hiddenField struct{ Name, Value string }

type titleLink struct {
	Href, Title string
	Year        int
	Type        string
}

// page is the view model of every web page.
type page struct {
	Title string
	Root  string // relative path from the page to the mount root, e.g. "../../"

	Message  string
	ClientID string
	AppName  string
	// OfferWrite: the V2 consent page lets the user allow reading only, or
	// reading and writing.
	OfferWrite bool
	ReadOnly   bool // a V2 app asked for read access only
	User       string
	Error      string
	Hidden     []hiddenField
	Code       string

	Query   string
	Results []titleLink

	Item       *titleLink
	Overview   string
	Status     string
	Genres     string
	Poster     string
	PosterName string
}

const pageTemplates = `
{{define "top"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Simkl (stand-in)</title>
<link rel="stylesheet" href="{{.Root}}web/site.css">
</head>
<body>
<header><p><a href="{{.Root}}web/">Simkl (stand-in)</a> · <a href="{{.Root}}web/search">Search</a></p></header>
<main>
{{end}}
{{define "bottom"}}</main>
<footer><p>An offline stand-in for simkl.com, used by simklink's tests and demo mode.</p></footer>
</body>
</html>
{{end}}

{{define "home"}}{{template "top" .}}
<h1>Simkl (stand-in) home</h1>
<p>This is where Simkl sends you after you deny an app access, and where its links lead in demo mode.</p>
{{template "bottom" .}}{{end}}

{{define "not_found"}}{{template "top" .}}
<h1>Page not found</h1>
<p>There is nothing at this address.</p>
{{template "bottom" .}}{{end}}

{{define "search"}}{{template "top" .}}
<h1>Search</h1>
<form method="get" action="search" role="search">
<p><label for="q">Title</label>
<input id="q" name="q" type="search" value="{{.Query}}">
<button type="submit">Search</button></p>
</form>
{{if .Query}}{{if .Results}}<ul>
{{range .Results}}<li><a href="{{$.Root}}{{.Href}}">{{.Title}}</a> ({{.Year}}, {{.Type}})</li>
{{end}}</ul>{{else}}<p>No titles match “{{.Query}}”.</p>{{end}}{{end}}
{{template "bottom" .}}{{end}}

{{define "title"}}{{template "top" .}}
<h1>{{.Item.Title}} ({{.Item.Year}})</h1>
<p><img src="{{.Root}}{{.Poster}}" width="170" height="250" alt="Poster of {{.PosterName}}"></p>
<p>{{.Item.Type}} · {{.Status}} · {{.Genres}}</p>
<p>{{.Overview}}</p>
{{template "bottom" .}}{{end}}

{{define "consent"}}{{template "top" .}}
<h1>Allow {{.ClientID}} to use your Simkl account?</h1>
{{if .OfferWrite}}<p>The app <strong>{{.ClientID}}</strong>{{if .AppName}} ({{.AppName}}){{end}} asks to read your watch history and lists, and to add to them.</p>
{{else if .ReadOnly}}<p>The app <strong>{{.ClientID}}</strong>{{if .AppName}} ({{.AppName}}){{end}} will be able to read your watch history and lists.</p>
{{else}}<p>The app <strong>{{.ClientID}}</strong>{{if .AppName}} ({{.AppName}}){{end}} will be able to read your watch history and lists, and to add to them.</p>
{{end}}<form method="post" action="authorize">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}{{if .OfferWrite}}<fieldset>
<legend>What may the app do?</legend>
<p><input type="radio" id="access-write" name="access" value="write" checked> <label for="access-write" class="inline">Read and add to my watch history and lists</label></p>
<p><input type="radio" id="access-read" name="access" value="read"> <label for="access-read" class="inline">Only read my watch history and lists</label></p>
</fieldset>
{{end}}<p><label for="user">Simkl user name</label>
<input id="user" name="user" type="text" value="{{.User}}" required maxlength="32" pattern="[a-z0-9_\-]{1,32}" autocomplete="username" autocapitalize="none" spellcheck="false" aria-describedby="user-hint{{if .Error}} user-error{{end}}"{{if .Error}} aria-invalid="true"{{end}}></p>
<p id="user-hint">Lower-case letters, digits, “_” and “-”, up to 32 characters. A new name creates an account holding a copy of the demo library.</p>
{{if .Error}}<p id="user-error" role="alert">{{.Error}}</p>
{{end}}<p><button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button></p>
</form>
{{template "bottom" .}}{{end}}

{{define "authorize_error"}}{{template "top" .}}
<h1>This authorization request is not valid</h1>
<p role="alert">{{.Message}}</p>
<p>Nothing was sent back to the app. Ask its developer to fix the sign-in link.</p>
{{template "bottom" .}}{{end}}

{{define "code"}}{{template "top" .}}
<h1>Your authorization code</h1>
<p>Copy this code into the app. It works once, for 10 minutes.</p>
<p><output>{{.Code}}</output></p>
{{template "bottom" .}}{{end}}
`

const siteCSS = `body{font-family:system-ui,sans-serif;line-height:1.5;margin:0 auto;max-width:40rem;padding:1rem;color:#111;background:#fff}
input,button{font:inherit;padding:.5rem .75rem;max-width:100%}
button{margin:0 .5rem .5rem 0;min-height:44px;min-width:44px}
label{display:block;font-weight:600}
label.inline{display:inline;font-weight:400}
fieldset{border:1px solid #ccc;margin:0 0 1rem;padding:.5rem 1rem}
img{max-width:100%;height:auto}
[role=alert]{color:#a00000}
output{font-family:ui-monospace,monospace;font-size:1.25rem;word-break:break-all}
`

func parsePages() *template.Template {
	return template.Must(template.New("pages").Parse(pageTemplates))
}

// relRoot is the relative path from the request's page to the mount root.
func relRoot(r *http.Request) string {
	n := strings.Count(r.URL.Path, "/") - 1
	if n < 1 {
		return "./"
	}
	return strings.Repeat("../", n)
}

// render executes a page into a buffer, so a failed render is a clean 500.
func (s *Simkl) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Root = relRoot(r)
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, p); err != nil {
		s.log.Error("simkltest: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// GET /web/
func (s *Simkl) webHome(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home", page{Title: "Home"})
}

func (s *Simkl) webNotFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "not_found", page{Title: "Not found"})
}

// GET /web/site.css
func (s *Simkl) webCSS(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write([]byte(siteCSS))
}

// webPath is a title's page path relative to the mount root, as at
// simkl.com/{movies|tv|anime}/{id}/{slug}.
func webPath(t *title) string {
	section := map[kind]string{kindMovie: "movies", kindShow: "tv", kindAnime: "anime"}[t.kind]
	return "web/" + section + "/" + strconv.Itoa(t.id) + "/" + t.slug
}

// GET /web/search?q=
func (s *Simkl) webSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	p := page{Title: "Search", Query: q}
	if nq := normTitle(q); nq != "" {
		for _, t := range s.cat.titles {
			if strings.Contains(normTitle(t.name), nq) || t.enTitle != "" && strings.Contains(normTitle(t.enTitle), nq) {
				p.Results = append(p.Results, titleLink{Href: webPath(t), Title: t.name, Year: t.year, Type: t.kind.recordType()})
			}
		}
	}
	s.render(w, r, http.StatusOK, "search", p)
}

// GET /web/{movies|tv|anime}/{id}[/{slug}[/…]]: the slug is only a hint,
// as at Simkl, so any slug (or none) shows the page.
func (s *Simkl) webTitle(w http.ResponseWriter, r *http.Request) {
	section := strings.Split(strings.TrimPrefix(r.URL.Path, "/web/"), "/")[0]
	want := map[string]kind{"movies": kindMovie, "tv": kindShow, "anime": kindAnime}[section]
	ts := s.cat.lookup("simkl", r.PathValue("id"))
	if len(ts) != 1 || ts[0].kind != want {
		s.webNotFound(w, r)
		return
	}
	t := ts[0]
	s.render(w, r, http.StatusOK, "title", page{
		Title:      t.name,
		Item:       &titleLink{Title: t.name, Year: t.year, Type: t.kind.recordType()},
		Overview:   t.overview,
		Status:     t.statusAt(s.now()),
		Genres:     strings.Join(t.genres, ", "),
		Poster:     "img/posters/" + t.poster + "_c.jpg",
		PosterName: t.name,
	})
}
