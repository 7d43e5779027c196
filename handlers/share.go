package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"simklink/cards"
	"simklink/paste"
	"simklink/simkl"
	"simklink/titles"
	"simklink/views"
)

// The link makers' tools around a title: the Share section, the framed
// copy-and-share buttons, the "Add to Simkl" button image, the embed card
// and oEmbed. None of them reads the session or sets a cookie, so every
// answer is the same for every visitor and may be cached anywhere.

// Embed card size, the oEmbed default.
const (
	embedWidth  = 480
	embedHeight = 180
)

// sharePanel builds the Share section for a title page.
func (m *models) sharePanel(t simkl.Title, c views.Title, canonical string) *views.Share {
	label := views.PageTitle(c)
	path := c.Path // /t/simkl/{id}
	id := strings.TrimPrefix(path, "/t/simkl/")
	button := m.absURL("/button/simkl/" + id + ".svg")
	alt := "Add " + label + " to Simkl"
	sh := &views.Share{
		URL:      canonical,
		Title:    label,
		ToolsURL: path + "/share",
		Markdown: fmt.Sprintf("[%s on Simkl](%s)", markdownText(label), canonical),
		HTML: fmt.Sprintf(`<a href="%s"><img src="%s" alt="%s" height="44"></a>`,
			html.EscapeString(canonical), html.EscapeString(button), html.EscapeString(alt)),
		BBCode: fmt.Sprintf("[url=%s]%s on Simkl[/url]", canonical, bbcodeText(label)),
		Embed:  m.embedSnippet(path, label, embedWidth, embedHeight),
		Buttons: []views.Link{
			{Label: "light", URL: button},
			{Label: "dark", URL: button + "?style=dark"},
			{Label: "compact", URL: button + "?style=compact"},
		},
		ListURL: "/l/new?add=simkl:" + id,
		CSS:     m.linksCSS,
	}
	qrKey := canonical + "\x00" + label
	if svg, ok := m.qrs.Get(qrKey); ok {
		sh.QRSVG = svg
	} else if svg, err := cards.QRSVG(canonical, "QR code for "+label); err == nil {
		sh.QRSVG = svg
		m.qrs.Add(qrKey, svg)
	} else {
		m.logger.Warn("qr code", "simkl", t.IDs.Simkl, "err", err)
	}
	return sh
}

// embedSnippet is the iframe HTML for a title's embed card.
func (m *models) embedSnippet(path, label string, w, h int) string {
	return fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" loading="lazy" style="border:0;max-width:100%%"></iframe>`,
		html.EscapeString(m.absURL("/embed"+path)), w, h, html.EscapeString(label+" on simklink"))
}

var (
	markdownEscaper = strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`, "`", "\\`")
	bbcodeEscaper   = strings.NewReplacer("[", "(", "]", ")")
)

func markdownText(s string) string { return markdownEscaper.Replace(s) }
func bbcodeText(s string) string   { return bbcodeEscaper.Replace(s) }

// resolveID resolves /…/{kind}/{id} for the tools below: the ID may end
// in ext (".svg", ".png"), and is validated before anything else.
func resolveID(r *http.Request, ts Titles, misses *missLimiter, ext string) (titles.Resolved, error) {
	id := r.PathValue("id")
	if ext != "" {
		var ok bool
		if id, ok = strings.CutSuffix(id, ext); !ok {
			return titles.Resolved{}, &pageError{status: http.StatusNotFound, page: views.Error{
				Heading: "Page not found", Message: "Image links end in " + ext + "."}}
		}
	}
	ref, err := simkl.ParseRef(r.PathValue("kind"), id)
	if err != nil {
		return titles.Resolved{}, err
	}
	if t := r.URL.Query().Get("type"); t != "" {
		if ref, err = ref.WithType(t); err != nil {
			return titles.Resolved{}, err
		}
	}
	return ts.Resolve(r.Context(), ref, misses.allowFor(r, false))
}

// handleShareTools serves the framed Copy and Share buttons, loaded when a
// visitor presses "Copy or share…". It may be framed by our own pages only.
func handleShareTools(rs *responder, m *models, ts Titles, misses *missLimiter, script string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := resolveID(r, ts, misses, "")
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		c := m.titleCard(res.Title)
		frameable(w, "'self'")
		setCacheFixed(w, "public, max-age=3600")
		rs.render(w, r, http.StatusOK, views.ShareToolsPage(views.ShareTools{
			URL: m.absURL(c.Path), Title: views.PageTitle(c), Script: script, CSS: rs.assets.CSS, LinksCSS: rs.assets.LinksCSS}))
	})
}

// handleButton serves /button/{kind}/{id}.svg?style=light|dark|compact:
// the "Add to Simkl" image for blogs. A cached title costs no Simkl call.
// When Simkl cannot be asked, a plain button without the title is served
// briefly rather than a broken image.
func handleButton(rs *responder, m *models, ts Titles, misses *missLimiter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		style, ok := cards.ParseButtonStyle(r.URL.Query().Get("style"))
		if !ok {
			rs.fail(w, r, &pageError{status: http.StatusBadRequest, page: views.Error{
				Heading: "Unknown button style", Message: "The style is light, dark or compact."}})
			return
		}
		res, err := resolveID(r, ts, misses, ".svg")
		label, cache := "", "public, max-age=604800, stale-while-revalidate=86400, immutable"
		switch {
		case err == nil:
			label = views.PageTitle(m.titleCard(res.Title))
			if res.Stale {
				cache = "public, max-age=300"
			}
		case simkl.IsTemporary(err):
			cache = "public, max-age=60"
		default:
			rs.fail(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "image/svg+xml")
		setCacheFixed(w, cache)
		// An SVG opened on its own is a document: it may run nothing.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *")
		h.Del("X-Frame-Options")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		_, _ = w.Write(cards.Button(style, label))
	})
}

// handleEmbed serves /embed/t/{kind}/{id}: the small card other sites put
// in an iframe. It is the only route any site may frame.
func handleEmbed(rs *responder, m *models, ts Titles, misses *missLimiter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := resolveID(r, ts, misses, "")
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		c := m.titleCard(res.Title)
		e := views.Embed{CSS: rs.assets.CSS, LinksCSS: rs.assets.LinksCSS, Name: c.Name, Year: c.Year, KindLabel: c.KindLabel, URL: m.absURL(c.Path)}
		if t := res.Title; t.Poster != "" {
			e.Poster = &views.Image{Src: m.links.PosterURL(t.Poster, simkl.PosterC), Width: simkl.PosterC.Width, Height: simkl.PosterC.Height}
		}
		frameable(w, "*")
		if res.Stale {
			setCacheFixed(w, "public, max-age=30")
		} else {
			setCacheFixed(w, "public, max-age=3600, stale-while-revalidate=86400")
		}
		rs.render(w, r, http.StatusOK, views.EmbedPage(e))
	})
}

// frameable lets ancestors ("*" or "'self'") frame this answer: the CSP's
// frame-ancestors is replaced and X-Frame-Options dropped (or set to
// SAMEORIGIN). Every other answer keeps frame-ancestors 'none'.
func frameable(w http.ResponseWriter, ancestors string) {
	h := w.Header()
	h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"), "frame-ancestors 'none'", "frame-ancestors "+ancestors, 1))
	if ancestors == "'self'" {
		h.Set("X-Frame-Options", "SAMEORIGIN")
	} else {
		h.Del("X-Frame-Options")
	}
}

// oembedAnswer is the oEmbed 1.0 "rich" response (https://oembed.com/).
type oembedAnswer struct {
	Version         string `json:"version"`
	Type            string `json:"type"`
	Title           string `json:"title"`
	ProviderName    string `json:"provider_name"`
	ProviderURL     string `json:"provider_url"`
	CacheAge        int    `json:"cache_age"`
	HTML            string `json:"html"`
	Width           int    `json:"width"`
	Height          int    `json:"height"`
	ThumbnailURL    string `json:"thumbnail_url,omitempty"`
	ThumbnailWidth  int    `json:"thumbnail_width,omitempty"`
	ThumbnailHeight int    `json:"thumbnail_height,omitempty"`
}

// handleOEmbed serves GET /oembed?url=…&format=json&maxwidth=&maxheight=.
// As the spec says: a url that is not one of our title pages is 404, a
// format other than json is 501.
func handleOEmbed(rs *responder, m *models, ts Titles, misses *missLimiter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if f := q.Get("format"); f != "" && f != "json" {
			http.Error(w, "only format=json is supported", http.StatusNotImplemented)
			return
		}
		res := paste.Parse(q.Get("url"), m.base)
		if res.What != paste.ID || res.Site != "simklink" {
			http.Error(w, "url is not a simklink title page", http.StatusNotFound)
			return
		}
		found, err := ts.Resolve(r.Context(), res.Ref, misses.allowFor(r, false))
		if err != nil {
			status := http.StatusServiceUnavailable
			if errors.Is(err, simkl.ErrNotFound) {
				status = http.StatusNotFound
			}
			http.Error(w, http.StatusText(status), status)
			return
		}
		width, height := embedWidth, embedHeight
		if mw, err := strconv.Atoi(q.Get("maxwidth")); err == nil && mw > 0 {
			width = min(width, mw)
		}
		if mh, err := strconv.Atoi(q.Get("maxheight")); err == nil && mh > 0 {
			height = min(height, mh)
		}
		c := m.titleCard(found.Title)
		label := views.PageTitle(c)
		a := oembedAnswer{Version: "1.0", Type: "rich", Title: label, ProviderName: "simklink",
			ProviderURL: m.absURL("/"), CacheAge: 86400,
			HTML: m.embedSnippet(c.Path, label, width, height), Width: width, Height: height}
		// The thumbnail is given only when it fits the consumer's bounds.
		if mw, mh := q.Get("maxwidth"), q.Get("maxheight"); (mw == "" || atoiOr(mw) >= cards.CardWidth) && (mh == "" || atoiOr(mh) >= cards.CardHeight) {
			a.ThumbnailURL = m.absURL("/og" + strings.TrimPrefix(c.Path, "/t") + ".png")
			a.ThumbnailWidth, a.ThumbnailHeight = cards.CardWidth, cards.CardHeight
		}
		b, err := json.Marshal(a)
		if err != nil {
			rs.serverError(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		setCacheFixed(w, "public, max-age=86400")
		h.Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write(b)
	})
}

func atoiOr(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// oembedURL is a title page's oEmbed discovery URL.
func (m *models) oembedURL(canonical string) string {
	return m.absURL("/oembed?" + url.Values{"url": {canonical}, "format": {"json"}}.Encode())
}
