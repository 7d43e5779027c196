package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"simklink/cards"
	"simklink/simkl"
	"simklink/views"
)

// titleQueryKeys are the query keys a signed-out title page reads; a
// request with any other key is rendered but not kept in the page cache.
var titleQueryKeys = []string{"season", "episode", "type", "year"}

// episodeQuery is the optional ?season=N&episode=M of a title link.
type episodeQuery struct {
	season, episode int
	set             bool
}

// query is the episode part of a canonical URL: "?season=4&episode=3",
// "?episode=500" (anime), or "" for the whole title.
func (q episodeQuery) query() string {
	switch {
	case !q.set:
		return ""
	case q.season < 0:
		return fmt.Sprintf("?episode=%d", q.episode)
	}
	return fmt.Sprintf("?season=%d&episode=%d", q.season, q.episode)
}

// parseEpisodeQuery validates ?season= and ?episode=. A show's season
// defaults to 1; anime are numbered straight through, so season is optional.
func parseEpisodeQuery(q url.Values) (episodeQuery, error) {
	es, ss := q.Get("episode"), q.Get("season")
	if es == "" && ss == "" {
		return episodeQuery{}, nil
	}
	bad := &pageError{status: http.StatusBadRequest, page: views.Error{
		Heading: "That episode link is not valid",
		Message: "Episode links end in ?season=N&episode=M, with a season from 0 (specials) to 999 and an episode from 1 to 99999, for example /t/tvdb/153021?season=4&episode=3.",
	}}
	ep, err := strconv.Atoi(es)
	if err != nil || ep < 1 || ep > 99999 {
		return episodeQuery{}, bad
	}
	season := -1 // unset
	if ss != "" {
		season, err = strconv.Atoi(ss)
		if err != nil || season < 0 || season > 999 {
			return episodeQuery{}, bad
		}
	}
	return episodeQuery{season: season, episode: ep, set: true}, nil
}

// refFromRequest builds the Ref from /t/{kind}/{id} or /t/title/{title},
// validating everything before any upstream call.
func refFromRequest(r *http.Request) (simkl.Ref, error) {
	q := r.URL.Query()
	var ref simkl.Ref
	var err error
	if title := r.PathValue("title"); r.PathValue("kind") == "" && title != "" {
		ref, err = simkl.TitleRef(title, q.Get("year"))
	} else {
		ref, err = simkl.ParseRef(r.PathValue("kind"), r.PathValue("id"))
	}
	if err != nil {
		return simkl.Ref{}, err
	}
	if t := q.Get("type"); t != "" {
		return ref.WithType(t)
	}
	return ref, nil
}

// handleTitle serves /t/{kind}/{id} and /t/title/{title}: the landing page
// for one title, or one episode of it. Signed-out pages are kept in pages;
// signed-in pages get the tracker's regions (tk).
func handleTitle(rs *responder, m *models, ts Titles, misses *missLimiter, pages *pageCache, tk *tracking) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ref, err := refFromRequest(r)
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		epq, err := parseEpisodeQuery(r.URL.Query())
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		vis := visitOf(r)
		viewer := vis.Viewer
		flash := vis.takeFlash(w, r)
		// A visitor with no session, no notice and no cookie to change
		// gets the same page as everyone else: serve it from the page cache.
		anonymous := !vis.personal()
		key, shareable := pageKey(r, titleQueryKeys...)
		// Dates and numbers follow the visitor's language: one cached page
		// per matched locale (a handful), never per raw header.
		loc := rs.loc(r)
		key += "\x00" + loc.Tag()
		if anonymous && shareable {
			if cp, ok := pages.get(key); ok {
				cp.write(w, r)
				return
			}
		}

		// A signed-in visitor's lookups may use the daily budget's reserve
		// (SIMKL_DAILY_BUDGET).
		res, err := ts.ResolveAs(r.Context(), ref, viewer.AccessToken(), misses.allowFor(r, viewer != nil))
		if errors.Is(err, simkl.ErrTokenRevoked) && viewer != nil {
			// Simkl refused the token the lookup needed: the session is
			// over. Say so, and show the page as a signed-out visitor sees it.
			vis.end(w, r)
			viewer, flash = nil, vis.takeFlash(w, r)
			res, err = ts.ResolveAs(r.Context(), ref, "", misses.allowFor(r, false))
		}
		if errors.Is(err, simkl.ErrNotFound) && viewer == nil && (ref.Kind == simkl.KindLetterboxd || ref.Kind == simkl.KindTraktSlug) {
			err = m.unknownSyncID(r, ref)
		}
		if err != nil {
			rs.failWith(w, r, err, flash)
			return
		}
		t := res.Title
		if t.Type == simkl.Movie {
			epq = episodeQuery{} // a movie has no episodes: it is the movie's page
		}
		card := m.titleCard(t)
		card.Loc = loc
		card.Stale = res.Stale
		if epq.set {
			eps, err := ts.Episodes(r.Context(), t, misses.allowFor(r, viewer != nil))
			if err != nil {
				rs.logger.Warn("episode list unavailable", "request_id", requestID(r.Context()), "simkl", t.IDs.Simkl, "err", err)
			}
			card.Episode = m.episodeLink(t, epq, eps, err == nil)
		}
		// A page missing data that Simkl could not give right now is not
		// kept: the next visitor should get the whole page.
		partial := res.Stale || (card.Episode != nil && card.Episode.Unavailable)

		canonical := m.absURL(card.Path) + epq.query()
		p := rs.page(r, views.PageTitle(card))
		// Sign-in returns here, or to the canonical page when this URL is
		// too long to keep through sign-in.
		p.LoginURL = loginURL(requestPath(r), card.Path+epq.query())
		p.Flash = flash
		p.Description = description(t)
		p.Canonical = canonical
		p.OG = m.openGraph(t, card, canonical)
		p.OEmbed = m.oembedURL(canonical)
		card.Share = m.sharePanel(t, card, canonical)
		p.JSONLD = jsonLD(t, card, canonical)

		addVary(w.Header(), "Accept-Language")
		var badge, more templ.Component
		if viewer != nil {
			var ended bool
			badge, more, ended = tk.regions(w, r, viewer, t, card.Episode, card.Path)
			if ended {
				// Said on this page, so taken from the session now rather
				// than shown again on the next.
				viewer, badge, more, p.Flash = nil, nil, nil, vis.takeFlash(w, r)
			}
		}
		if viewer != nil {
			p.User = &views.User{Name: viewer.Name}
		}
		switch {
		case vis.personal():
			// Personal, or it changes the visitor's cookies: setCaching
			// keeps every shared cache away.
			setCaching(w, r, "")
		case partial:
			setCaching(w, r, cachePartial)
		default:
			setCaching(w, r, cacheTitle)
			if anonymous && shareable {
				rs.renderShared(w, r, pages, key, views.TitlePage(p, card, badge, more), cacheTitle)
				return
			}
		}
		rs.render(w, r, http.StatusOK, views.TitlePage(p, card, badge, more))
	})
}

// unknownSyncID is the page for a Letterboxd or Trakt slug that Simkl's
// public lookup does not know (/search/id does not take these kinds).
// Signed in, simklink asks POST /sync/watched instead, which knows them.
func (m *models) unknownSyncID(r *http.Request, ref simkl.Ref) error {
	return &pageError{status: http.StatusNotFound, page: views.Error{
		Heading: "Simkl doesn't know this ID yet",
		Message: fmt.Sprintf("Simkl's public lookup doesn't find the %s ID %q. Signed in with Simkl, simklink can ask your Simkl account instead, which knows the titles you track.", ref.Kind, ref.ID),
		Links: []views.Link{{Label: "Sign in with Simkl", URL: loginURL(requestPath(r), "/")}, {Label: "Search on Simkl", URL: m.links.SearchPageURL(searchQuery(r))},
			{Label: "Go to the home page", URL: "/"}},
	}}
}

// titleCard turns a Simkl title into the signed-out view model.
func (m *models) titleCard(t simkl.Title) views.Title {
	c := views.Title{
		Path:          "/t/simkl/" + strconv.Itoa(t.IDs.Simkl),
		IsMovie:       t.Type == simkl.Movie,
		KindLabel:     views.KindLabel(string(t.Type), t.AnimeType),
		Name:          t.Title,
		Year:          t.Year,
		Overview:      strings.TrimSpace(t.Overview),
		Genres:        t.Genres,
		Runtime:       t.Runtime,
		TotalEpisodes: t.TotalEpisodes,
		Status:        t.Status,
		StatusLabel:   views.StatusLabel(t.Status),
		SimklURL:      m.links.TitlePageURL(t.Type, t.IDs.Simkl, t.IDs.Slug),
	}
	if t.Type == simkl.Movie {
		c.TotalEpisodes = 0
		c.Released = dateOnly(t.Released)
		// Recorded movie records have no status: tell released from
		// upcoming by the release date.
		if c.Status == "" && !c.Released.IsZero() {
			c.Status = "released"
			if c.Released.After(m.now()) {
				c.Status = "upcoming"
			}
			c.StatusLabel = views.StatusLabel(c.Status)
		}
	} else {
		c.Released = dateOnly(t.FirstAired)
	}
	decideHelpers(&c, t, m.now())
	if t.Poster != "" {
		sizes := simkl.PosterSrcset()
		set := make([]string, 0, len(sizes))
		for _, sz := range sizes {
			set = append(set, m.links.PosterURL(t.Poster, sz)+" "+strconv.Itoa(sz.Width)+"w")
		}
		c.Poster = &views.Image{
			Src:    m.links.PosterURL(t.Poster, simkl.PosterM),
			Srcset: strings.Join(set, ", "),
			// A thumbnail beside the title on phones (5.5rem), a column
			// of up to 300 px from 40rem.
			Sizes: "(min-width: 40rem) 300px, 88px",
			Alt:   "Poster of " + t.Title,
		}
	}
	return c
}

// episodeLink finds the episode in the title's episode list (listed is
// false when the list could not be fetched: the page still shows the
// title and the episode numbers).
func (m *models) episodeLink(t simkl.Title, q episodeQuery, eps []simkl.Episode, listed bool) *views.EpisodeLink {
	link := &views.EpisodeLink{Season: q.season, Number: q.episode, Special: q.season == 0}
	if t.Type == simkl.Anime && q.season < 0 {
		link.Season = 0
	} else if q.season < 0 {
		link.Season = 1
	}
	if !listed {
		link.Unavailable = true
		return link
	}
	for i, e := range eps {
		// A special is season 0 (?season=0): never the regular episode of
		// the same number, which anime specials share.
		if e.Number != q.episode || e.Special != link.Special {
			continue
		}
		if t.Type == simkl.Anime && q.season <= 1 || e.Season == link.Season {
			link.Title, link.Aired, link.Known = episodeTitle(e), e.Date, true
			if t.Type == simkl.Anime {
				link.Season = 0
			}
			link.Overview = breaks(e.Description)
			if e.Img != "" {
				link.Still = &views.Image{Src: m.links.EpisodeImageURL(e.Img, simkl.EpisodeW), Alt: "Still from " + views.EpisodeLabel(link.Season, e.Number)}
			}
			link.Prev = episodeNav(t, eps, i, -1)
			link.Next = episodeNav(t, eps, i, +1)
			break
		}
	}
	return link
}

// episodeTitle is an episode's title, or "" when it only repeats the
// number ("Episode 5").
func episodeTitle(e simkl.Episode) string {
	if strings.EqualFold(e.Title, fmt.Sprintf("Episode %d", e.Number)) {
		return ""
	}
	return e.Title
}

// breaks turns the <br> tags of an episode description into newlines, as
// the client does for overviews.
func breaks(s string) string {
	for _, br := range []string{"<br />", "<br/>", "<br>", "<BR>"} {
		s = strings.ReplaceAll(s, br, "\n")
	}
	return strings.TrimSpace(s)
}

// episodeNav links the regular episode next to eps[i] in direction dir,
// from the list the page already fetched; nil at either end. Specials
// without numbers are skipped.
func episodeNav(t simkl.Title, eps []simkl.Episode, i, dir int) *views.EpisodeNav {
	for j := i + dir; j >= 0 && j < len(eps); j += dir {
		e := eps[j]
		if e.Number <= 0 || e.Type == "special" {
			continue
		}
		n := &views.EpisodeNav{Season: e.Season, Number: e.Number, Title: episodeTitle(e)}
		q := episodeQuery{season: e.Season, episode: e.Number, set: true}
		if t.Type == simkl.Anime {
			n.Season, q.season = 0, -1
		}
		n.URL = canonicalPath(t) + q.query()
		return n
	}
	return nil
}

// description is the meta and og: description: the overview, cut at a
// word boundary.
func description(t simkl.Title) string {
	d := strings.Join(strings.Fields(t.Overview), " ")
	if d == "" {
		return fmt.Sprintf("%s on Simkl: see whether it's in your tracker.", t.Title)
	}
	const max = 200
	if len([]rune(d)) <= max {
		return d
	}
	cut := string([]rune(d)[:max])
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

func (m *models) openGraph(t simkl.Title, c views.Title, canonical string) *views.OpenGraph {
	og := &views.OpenGraph{Title: views.PageTitle(c), Description: description(t), URL: canonical, Type: "video.tv_show"}
	if t.Type == simkl.Movie {
		og.Type = "video.movie"
	}
	// Our own 1200×630 card (poster, title, year, kind) suits
	// summary_large_image unfurls better than any of Simkl's images.
	og.Image = m.absURL("/og" + strings.TrimPrefix(c.Path, "/t") + ".png")
	og.ImageWidth, og.ImageHeight = cards.CardWidth, cards.CardHeight
	og.ImageAlt = views.PageTitle(c) + ": " + c.KindLabel
	return og
}

// jsonLD is the schema.org description of the title.
func jsonLD(t simkl.Title, c views.Title, canonical string) any {
	typ := "TVSeries"
	if t.Type == simkl.Movie {
		typ = "Movie"
	}
	m := map[string]any{
		"@context": "https://schema.org",
		"@type":    typ,
		"name":     t.Title,
		"url":      canonical,
		"sameAs":   c.SimklURL,
	}
	if d := strings.TrimSpace(t.Overview); d != "" {
		m["description"] = d
	}
	if c.Poster != nil {
		m["image"] = c.Poster.Src
	}
	if len(t.Genres) > 0 {
		m["genre"] = t.Genres
	}
	if t.Type == simkl.Movie {
		if t.Released != "" {
			m["datePublished"] = t.Released
		}
		if t.Runtime > 0 {
			m["duration"] = fmt.Sprintf("PT%dM", t.Runtime)
		}
	} else {
		if t.FirstAired != "" && len(t.FirstAired) >= 10 {
			m["startDate"] = t.FirstAired[:10]
		}
		if t.TotalEpisodes > 0 {
			m["numberOfEpisodes"] = t.TotalEpisodes
		}
	}
	return m
}

// dateOnly reads the date part of Simkl's released ("2011-07-15") and
// first_aired ("2011-04-18T01:00:00Z") values; zero when there is none.
// first_aired is in UTC, and a US show's first evening is the next day
// there, so the date is taken in the zone the show airs in when it has
// one (see decideHelpers).
func dateOnly(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t
		}
	}
	return time.Time{}
}

// decideHelpers fills in what helps a visitor decide, from the summary the
// page already has: no other call to Simkl.
func decideHelpers(c *views.Title, t simkl.Title, now time.Time) {
	for _, r := range []struct {
		source string
		r      *simkl.Rating
	}{{"Simkl", t.Ratings.Simkl}, {"IMDb", t.Ratings.IMDb}, {"MAL", t.Ratings.MAL}} {
		if r.r != nil {
			c.Ratings = append(c.Ratings, views.Rating{Source: r.source, Value: r.r.Rating, Votes: r.r.Votes, Rank: r.r.Rank})
		}
	}
	c.Certification = strings.TrimSpace(t.Certification)
	c.Network = strings.TrimSpace(t.Network)
	if t.Type != simkl.Movie && t.Airs != nil {
		if _, _, _, zone, ok := t.Airs.Slot(); ok && !c.Released.IsZero() && c.Released.Location() == time.UTC && len(t.FirstAired) > 10 {
			c.Released = c.Released.In(zone)
		}
		// The weekly slot says when new episodes come: only while the show
		// airs (or is about to). Signed-out pages run no script, so the
		// time is the show's own, with its zone named; on signed-in pages
		// static/localtime.js shows it in the browser's zone.
		if t.Status == "airing" || t.Status == "tba" {
			if next, ok := t.Airs.NextAiring(now); ok {
				c.Airing = &views.Airing{Next: next, Zone: zoneName(t.Airs.Timezone)}
			}
		}
	}
	c.Released = time.Date(c.Released.Year(), c.Released.Month(), c.Released.Day(), 0, 0, 0, 0, time.UTC)
	if c.Released.Year() <= 1 {
		c.Released = time.Time{}
	}
	if len(t.Trailers) > 0 {
		tr := t.Trailers[0]
		c.Trailer = &views.Trailer{Name: tr.Name, URL: "https://www.youtube.com/watch?v=" + tr.YouTube}
	}
	if t.Type == simkl.Anime {
		c.EnTitle, c.AltTitles = otherTitles(t)
	}
}

// otherTitles are an anime's English title, when it differs from the
// title, and its official other titles (at most three), each once.
func otherTitles(t simkl.Title) (en string, alt []string) {
	seen := map[string]bool{strings.ToLower(t.Title): true}
	if e := strings.TrimSpace(t.EnTitle); e != "" && !seen[strings.ToLower(e)] {
		en = e
		seen[strings.ToLower(e)] = true
	}
	for _, a := range t.AltTitles {
		if a.Type != "official" || seen[strings.ToLower(a.Name)] {
			continue
		}
		seen[strings.ToLower(a.Name)] = true
		alt = append(alt, a.Name)
		if len(alt) == 3 {
			break
		}
	}
	return en, alt
}

// zoneName names an IANA zone as people say it: "America/New_York" is
// "New York time".
func zoneName(tz string) string {
	city := tz[strings.LastIndexByte(tz, '/')+1:]
	if city == "" || city == "UTC" {
		return "UTC"
	}
	return strings.ReplaceAll(city, "_", " ") + " time"
}
