package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"simklink/auth"
	"simklink/paste"
	"simklink/simkl"
	"simklink/titles"
	"simklink/tracker"
	"simklink/views"
)

// Lists: one link for many titles, /l/{kind:id,kind:id,…} (up to 50). The
// titles resolve through the shared title cache under the client's fair
// share; a signed-in visitor's badges come from ONE POST /sync/watched
// for the whole list, and "Add all" is ONE POST /sync/add-to-list.

// ListTracker is what lists need from the tracker.
type ListTracker interface {
	Summaries(ctx context.Context, token string, titles []simkl.Title) ([]simkl.WatchState, error)
	AddAll(ctx context.Context, token string, titles []simkl.Title, to string) (map[int]bool, error)
}

// listResolveWorkers bounds how many of a list's titles are looked up at
// once.
const listResolveWorkers = 6

// listEntry is one item of a list as given, and what it resolved to.
type listEntry struct {
	label string
	ref   simkl.Ref
	title *simkl.Title
	err   error
}

// parseList reads "imdb:tt1375666,tvdb:153021,mal:21" (also the legacy
// ?t= value). Duplicates are dropped; more than MaxListTitles is an error.
func parseList(raw string) ([]listEntry, error) {
	var out []listEntry
	seen := map[string]bool{}
	for _, item := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		if len(out) == tracker.MaxListTitles {
			return nil, &pageError{status: http.StatusBadRequest, page: views.Error{Heading: "That list is too long",
				Message: fmt.Sprintf("A list holds at most %d titles.", tracker.MaxListTitles)}}
		}
		e := listEntry{label: item}
		kind, id, ok := strings.Cut(item, ":")
		if !ok {
			e.err = &simkl.InvalidIDError{Kind: "", ID: item, Reason: "not kind:id"}
		} else if e.ref, e.err = simkl.ParseRef(kind, id); e.err == nil {
			if seen[e.ref.Key()] {
				continue
			}
			seen[e.ref.Key()] = true
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, &pageError{status: http.StatusNotFound, page: views.Error{Heading: "That list is empty",
			Message: "List links look like /l/imdb:tt1375666,tvdb:153021,mal:21."}}
	}
	return out, nil
}

// listPath is the canonical path of a list's valid entries.
func listPath(entries []listEntry) string {
	var parts []string
	for _, e := range entries {
		if !e.ref.IsZero() {
			parts = append(parts, string(e.ref.Kind)+":"+e.ref.ID)
		}
	}
	return "/l/" + strings.Join(parts, ",")
}

// resolveList looks every valid entry up, a few at a time, with the
// signed-in visitor's token for what Simkl only resolves for a user.
func resolveList(r *http.Request, ts Titles, misses *missLimiter, entries []listEntry, token string) {
	ctx, allow := r.Context(), misses.allowFor(r, token != "")
	sem := make(chan struct{}, listResolveWorkers)
	var wg sync.WaitGroup
	for i := range entries {
		if entries[i].err != nil {
			continue
		}
		wg.Add(1)
		go func(e *listEntry) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var res titles.Resolved
			if res, e.err = ts.ResolveAs(ctx, e.ref, token, allow); e.err == nil {
				e.title = &res.Title
			}
		}(&entries[i])
	}
	wg.Wait()
}

// known returns the titles that resolved, each once (two IDs of one title
// count once).
func known(entries []listEntry) []simkl.Title {
	var out []simkl.Title
	seen := map[int]bool{}
	for _, e := range entries {
		if e.title != nil && !seen[e.title.IDs.Simkl] {
			seen[e.title.IDs.Simkl] = true
			out = append(out, *e.title)
		}
	}
	return out
}

// handleListQuery sends the query form, /l?t=…, to the path form.
func handleListQuery(rs *responder) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entries, err := parseList(r.URL.Query().Get("t"))
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		setCacheFixed(w, "public, max-age=86400")
		http.Redirect(w, r, listPath(entries), http.StatusMovedPermanently)
	})
}

// handleList serves /l/{items}. lt is nil when the tracker cannot list.
func handleList(rs *responder, m *models, ts Titles, misses *missLimiter, lt ListTracker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entries, err := parseList(r.PathValue("items"))
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		viewer := visitOf(r).Viewer
		resolveList(r, ts, misses, entries, viewer.AccessToken())
		path := listPath(entries)
		l := views.List{Path: path, MakeURL: "/l/new?add=" + strings.TrimPrefix(path, "/l/")}
		if n, err := strconv.Atoi(r.URL.Query().Get("added")); err == nil && n > 0 && n <= tracker.MaxListTitles {
			l.Added = n
		}
		partial := false
		for _, e := range entries {
			it := views.ListItem{Label: e.label}
			switch {
			case e.title != nil:
				c := m.titleCard(*e.title)
				it.Found = &views.Found{Name: c.Name, Year: c.Year, KindLabel: c.KindLabel, URL: c.Path}
				if t := e.title; t.Poster != "" {
					it.Found.Poster = &views.Image{Src: m.links.PosterURL(t.Poster, simkl.PosterC), Width: simkl.PosterC.Width, Height: simkl.PosterC.Height}
				}
			case errors.Is(e.err, simkl.ErrInvalidID):
				it.Problem = "Not a valid ID"
			case errors.Is(e.err, simkl.ErrNotFound) && viewer == nil && (e.ref.Kind == simkl.KindLetterboxd || e.ref.Kind == simkl.KindTraktSlug):
				it.Problem = "Sign in to look this one up"
			case errors.Is(e.err, simkl.ErrNotFound):
				it.Problem = "Simkl doesn't know this ID"
			default:
				it.Problem = "Couldn't be loaded just now"
				partial = true
			}
			l.Items = append(l.Items, it)
		}

		p := rs.page(r, fmt.Sprintf("A list of %d titles", len(l.Items)))
		p.Flash = visitOf(r).takeFlash(w, r)
		p.Canonical = m.absURL(path)
		p.LinkTools = true
		titlesKnown := known(entries)
		p.Description, p.OG = m.listUnfurl(titlesKnown, p.Canonical)
		if viewer != nil {
			p.User = &views.User{Name: viewer.Name}
			listBadges(r, rs.logger, lt, viewer, entries, &l)
			l.AddAll = len(titlesKnown) > 0
		} else {
			l.SignInURL = loginURL(path, "/")
		}
		switch {
		case l.Added > 0:
			setCaching(w, r, "") // "Added N titles" is this visitor's news
		case partial:
			setCaching(w, r, cachePartial)
		default:
			setCaching(w, r, cachePage)
		}
		rs.render(w, r, http.StatusOK, views.ListPage(p, l))
	})
}

// listBadges asks Simkl, in one POST /sync/watched with counters only,
// what the viewer has of every title on the list.
func listBadges(r *http.Request, logger *slog.Logger, lt ListTracker, v *auth.Viewer, entries []listEntry, l *views.List) {
	ts := known(entries)
	if lt == nil || len(ts) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), badgeTimeout)
	defer cancel()
	states, err := lt.Summaries(ctx, v.Token.Access, ts)
	if err != nil {
		logger.Warn("list badges", "request_id", requestID(r.Context()), "err", err)
		l.TrackerUnavailable = true
		return
	}
	byID := map[int]simkl.WatchState{}
	for i, t := range ts {
		byID[t.IDs.Simkl] = states[i]
	}
	for i, e := range entries {
		if e.title == nil {
			continue
		}
		st := byID[e.title.IDs.Simkl]
		if st.Result == simkl.ResultNotFound || st.List == "" {
			l.Items[i].Badge = "Not in your tracker"
			continue
		}
		l.Items[i].Badge, l.Items[i].InTracker = views.ListLabel(st.List), true
	}
}

// listUnfurl is the list's description and og: tags: its first titles'
// names, and the first title's card as the image.
func (m *models) listUnfurl(ts []simkl.Title, canonical string) (string, *views.OpenGraph) {
	var names []string
	for i, t := range ts {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(ts)-5))
			break
		}
		names = append(names, t.Title)
	}
	desc := "A list of titles on Simkl: " + strings.Join(names, ", ") + "."
	og := &views.OpenGraph{Title: fmt.Sprintf("%d titles to watch", len(ts)), Description: desc, URL: canonical, Type: "website"}
	if len(ts) > 0 {
		c := m.titleCard(ts[0])
		og.Image = m.absURL("/og" + strings.TrimPrefix(c.Path, "/t") + ".png")
		og.ImageWidth, og.ImageHeight = 1200, 630
		og.ImageAlt = views.PageTitle(c) + ": " + c.KindLabel
	}
	return desc, og
}

// handleListAddAll files every known title of the list under Plan to
// watch with ONE POST /sync/add-to-list, then shows the list again.
func handleListAddAll(rs *responder, ts Titles, misses *missLimiter, lt ListTracker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := readForm(r); err != nil {
			rs.fail(w, r, err)
			return
		}
		entries, err := parseList(r.PathValue("items"))
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		path := listPath(entries)
		v := visitOf(r).Viewer
		if v == nil {
			setCaching(w, r, "")
			http.Redirect(w, r, loginURL(path, "/"), http.StatusSeeOther)
			return
		}
		setCaching(w, r, "")
		if lt == nil {
			rs.serverError(w, r, errors.New("the tracker cannot add lists"))
			return
		}
		resolveList(r, ts, misses, entries, v.AccessToken())
		found := known(entries)
		if len(found) == 0 {
			rs.fail(w, r, &pageError{status: http.StatusNotFound, page: views.Error{Heading: "Nothing to add",
				Message: "Simkl knows none of the titles on this list."}})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
		defer cancel()
		added, err := lt.AddAll(ctx, v.Token.Access, found, simkl.ListPlanToWatch)
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		http.Redirect(w, r, path+"?added="+strconv.Itoa(len(added)), http.StatusSeeOther)
	})
}

// handleMakeList turns pasted links and IDs (?paste=, one per line or
// comma-separated) into a list link.
func handleMakeList(rs *responder, md *models) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		text := q.Get("paste")
		ml := views.MakeList{Text: text}
		if add := q.Get("add"); add != "" && text == "" {
			// From a title's Share section or a list: start the form with it.
			ml.Text = strings.ReplaceAll(truncate(add, 4000), ",", "\n") + "\n"
			p := rs.page(r, "Make a list")
			p.NoIndex = true
			publicPage(w, r, &p)
			rs.render(w, r, http.StatusOK, views.MakeListPage(p, ml))
			return
		}
		var refs []string
		seen := map[string]bool{}
		for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			res := paste.Parse(line, md.base)
			if res.What != paste.ID || res.Ref.Kind == simkl.KindTitle {
				ml.Problems = append(ml.Problems, truncate(line, 120))
				continue
			}
			k := string(res.Ref.Kind) + ":" + res.Ref.ID
			if !seen[k] {
				seen[k] = true
				refs = append(refs, k)
			}
		}
		if len(refs) > tracker.MaxListTitles {
			ml.Problems = append(ml.Problems, fmt.Sprintf("A list holds at most %d titles; the rest were left out.", tracker.MaxListTitles))
			refs = refs[:tracker.MaxListTitles]
		}
		if len(refs) > 0 {
			ml.ListURL, ml.Count = "/l/"+strings.Join(refs, ","), len(refs)
			if len(ml.Problems) == 0 {
				setCacheFixed(w, "public, max-age=3600")
				http.Redirect(w, r, ml.ListURL, http.StatusSeeOther)
				return
			}
		}
		p := rs.page(r, "Make a list")
		p.NoIndex = true
		publicPage(w, r, &p)
		rs.render(w, r, http.StatusOK, views.MakeListPage(p, ml))
	})
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
