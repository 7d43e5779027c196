package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"simklink/auth"
	"simklink/simkl"
	"simklink/tracker"
	"simklink/views"
)

// The one-tap actions. Each is a plain POST form that answers 303 back to
// the title page without JavaScript; with htmx it answers the region to swap
// (the badge, or a season grid with the badge out of band). Cross-origin
// POSTs never get here (CrossOriginProtection). Signed-out visitors are sent
// through sign-in and come back with the action offered for confirmation,
// never performed through a GET.

// actionTimeout bounds how long an action request waits for Simkl,
// including its turn under the 1 POST/s budget.
const actionTimeout = tracker.WaitForWrite

// actionFailed tells the visitor why an action did not happen. Nothing was
// changed, so the state shown stays the previous one.
func actionFailed(err error) string {
	switch {
	case errors.Is(err, tracker.ErrPending):
		return "Simkl hasn't confirmed the change yet; it is still being sent. Reload in a moment to see it."
	case errors.Is(err, tracker.ErrNotApplied):
		return "Simkl couldn't match this title, so nothing changed."
	case errors.Is(err, simkl.ErrInsufficientScope):
		return "You allowed simklink to read your Simkl library but not to change it, so nothing changed."
	case errors.Is(err, simkl.ErrBusy), errors.Is(err, simkl.ErrRateLimited):
		return "Simkl is busy; nothing changed. Please try again in a moment."
	case simkl.IsTemporary(err):
		return "Couldn't reach Simkl, so nothing changed. Please try again."
	}
	return "Simkl refused the change, so nothing changed."
}

// readForm parses a POST's form once. A body over maxFormBytes answers
// 413 and one that does not parse 400: a form that was cut short must not
// be read as a form with fields missing.
func readForm(r *http.Request) (url.Values, error) {
	err := r.ParseForm()
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, &pageError{status: http.StatusRequestEntityTooLarge, page: views.Error{Heading: "That form is too large",
			Message: "simklink's forms carry a few short fields. Open the title's page and try again."}}
	case err != nil:
		return nil, &pageError{status: http.StatusBadRequest, page: views.Error{Heading: "That form could not be read",
			Message: "Open the title's page and try again."}}
	}
	return r.PostForm, nil
}

func handleSetList(tk *tracking) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, err := readForm(r)
		if err != nil {
			tk.rs.fail(w, r, err)
			return
		}
		status := form.Get("status")
		ref, err := simkl.ParseRef(r.PathValue("kind"), r.PathValue("id"))
		if err != nil {
			tk.rs.fail(w, r, err)
			return
		}
		// A signed-out visitor comes back to the page with the action
		// ready to confirm.
		next := "/t/" + string(ref.Kind) + "/" + ref.ID + "?" + url.Values{"action": {"list"}, "status": {status}}.Encode()
		v, t, ok := tk.title(w, r, next)
		if !ok {
			return
		}
		setCaching(w, r, "")
		if !validStatus(t.Type, status) {
			tk.rs.fail(w, r, &pageError{status: http.StatusBadRequest, page: views.Error{Heading: "That list doesn't exist",
				Message: "Choose one of the lists shown on the title's page."}})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
		defer cancel()
		var out tracker.Outcome
		err = tk.withToken(w, r, v, func(token string) (err error) {
			out, err = tk.tracker.SetList(ctx, token, t, status)
			return err
		})
		tk.finishAction(w, r, v, t, out, err, listNotice(t, out))
	})
}

// listNotice says what a list change or a removal did, from the outcome of
// the write that decided the state (which may be a newer tap's).
func listNotice(t simkl.Title, out tracker.Outcome) func(*views.Badge) {
	return func(b *views.Badge) {
		switch {
		case out.Removed:
			b.Notice = "Removed from your tracker."
		case out.Rewritten():
			b.Notice = fmt.Sprintf("Simkl filed it under %s rather than %s.", views.ListLabel(out.Applied), views.ListLabel(out.Asked))
			if t.Type == simkl.Movie && out.Asked == simkl.ListWatching {
				b.Notice += " Movies can't be Watching."
			}
		case out.Applied != "":
			b.Notice = "Added to " + views.ListLabel(out.Applied) + "."
		}
	}
}

// target reads the form's season=&episode= (episode 0 or absent: the whole
// season) and the grid block it was sent from.
func target(form url.Values, t simkl.Title) (tracker.Target, int, error) {
	if t.Type == simkl.Movie {
		return tracker.Target{}, 0, nil
	}
	season, err1 := strconv.Atoi(form.Get("season"))
	episode, err2 := strconv.Atoi(defaultTo(form.Get("episode"), "0"))
	block, err3 := strconv.Atoi(defaultTo(form.Get("block"), "0"))
	if err1 != nil || err2 != nil || err3 != nil || season < 0 || season > 999 || episode < 0 || episode > 99999 || block < 0 || block > maxBlock {
		return tracker.Target{}, 0, &pageError{status: http.StatusBadRequest, page: views.Error{Heading: "That episode is not valid",
			Message: "Choose an episode from the title's page."}}
	}
	return tracker.Target{Season: season, Episode: episode}, block, nil
}

func defaultTo(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// handleMark marks an episode, a season or a movie watched, or with
// watched false unmarks it.
func handleMark(tk *tracking, watched bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, err := readForm(r)
		if err != nil {
			tk.rs.fail(w, r, err)
			return
		}
		v, t, ok := tk.title(w, r, "")
		if !ok {
			return
		}
		setCaching(w, r, "")
		tg, block, err := target(form, t)
		if err == nil && !watched && t.Type == simkl.Movie {
			err = &pageError{status: http.StatusBadRequest, page: views.Error{Heading: "Nothing to unmark",
				Message: "To take a movie out of your tracker, use Remove."}}
		}
		if err != nil {
			tk.rs.fail(w, r, err)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
		defer cancel()
		var out tracker.Outcome
		err = tk.withToken(w, r, v, func(token string) (err error) {
			if watched {
				out, err = tk.tracker.MarkWatched(ctx, token, t, tg)
			} else {
				out, err = tk.tracker.Unmark(ctx, token, t, tg)
			}
			return err
		})
		if t.Type == simkl.Movie {
			tk.finishAction(w, r, v, t, out, err, func(b *views.Badge) { b.Notice = "Marked watched." })
			return
		}
		if form.Get("from") == "badge" && tg.Episode > 0 {
			// The badge's primary action: answer with the badge, which then
			// offers the next episode.
			tk.finishEpisodeAction(w, r, v, t, tg, watched, form.Get("page") == "episode", out, err)
			return
		}
		tk.finishGridAction(w, r, v, t, tg, block, out, err)
	})
}

func handleRemove(tk *tracking) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, err := readForm(r)
		if err != nil {
			tk.rs.fail(w, r, err)
			return
		}
		v, t, ok := tk.title(w, r, "")
		if !ok {
			return
		}
		setCaching(w, r, "")
		if form.Get("confirm") != "yes" {
			// Ask first; nothing changes without the confirmation.
			b, ended := tk.currentBadge(w, r, v, t)
			if ended {
				sessionEnded(w, r, canonicalPath(t))
				return
			}
			b.ConfirmRemove = !b.Unavailable
			tk.renderBadge(w, r, v, t, b, http.StatusOK)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
		defer cancel()
		var out tracker.Outcome
		err = tk.withToken(w, r, v, func(token string) (err error) {
			out, err = tk.tracker.Remove(ctx, token, t)
			return err
		})
		tk.finishAction(w, r, v, t, out, err, listNotice(t, out))
	})
}

// revoked sends the visitor to the page that says the session ended, when
// Simkl refused the token of an action even after renewing it (withToken
// has ended the session).
func revoked(w http.ResponseWriter, r *http.Request, err error, path string) bool {
	if !errors.Is(err, simkl.ErrTokenRevoked) {
		return false
	}
	sessionEnded(w, r, path)
	return true
}

// finishAction answers a badge action: 303 to the page without
// JavaScript, the badge with htmx. On failure the badge shows the error
// and the previous state.
func (tk *tracking) finishAction(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title, out tracker.Outcome, err error, notice func(*views.Badge)) {
	path := canonicalPath(t)
	if revoked(w, r, err, path) {
		return
	}
	if err == nil && !isHTMX(r) {
		http.Redirect(w, r, path, http.StatusSeeOther)
		return
	}
	var b views.Badge
	status := http.StatusOK
	if err != nil {
		tk.rs.logger.Warn("action failed", "request_id", requestID(r.Context()), "route", r.Pattern, "simkl", t.IDs.Simkl, "err", err)
		b, _ = tk.currentBadge(w, r, v, t)
		b.Error = actionFailed(err)
		b.WriteAccessURL = writeAccessURL(err, path)
		if !isHTMX(r) {
			status = failedStatus(err)
		}
	} else {
		b = tk.m.badgeModel(t, out.State, nil, path, tk.rs.loc(r))
		notice(&b)
	}
	tk.renderBadge(w, r, v, t, b, status)
}

// finishGridAction answers an episode or season action: the grid, with the
// badge swapped out of band so its counts follow.
func (tk *tracking) finishGridAction(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title, tg tracker.Target, block int, out tracker.Outcome, err error) {
	path := canonicalPath(t)
	if revoked(w, r, err, path) {
		return
	}
	if err == nil && !isHTMX(r) {
		// Back to the grid the form was on (the page has it collapsed).
		back := path + "/season/" + strconv.Itoa(tg.Season)
		if block > 0 {
			back += "?block=" + strconv.Itoa(block)
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	st := out.State
	status := http.StatusOK
	msg := ""
	if err != nil {
		tk.rs.logger.Warn("action failed", "request_id", requestID(r.Context()), "route", r.Pattern, "simkl", t.IDs.Simkl, "err", err)
		msg = actionFailed(err)
		prev, perr := tk.state(w, r, v, t)
		if perr != nil {
			g := views.EpisodeGrid{Path: path, Season: tg.Season, Block: block, Label: views.SeasonLabel(tg.Season, false), Error: msg, WriteAccessURL: writeAccessURL(err, path)}
			tk.renderGrid(w, r, v, t, g, failedStatus(err))
			return
		}
		st = prev
		if !isHTMX(r) {
			status = failedStatus(err)
		}
	}
	g, found := gridModel(st, path, tg.Season, block, tk.rs.loc(r), tk.m.now())
	if !found {
		g = views.EpisodeGrid{Path: path, Season: tg.Season, Label: views.SeasonLabel(tg.Season, false)}
	}
	g.Error = msg
	if err != nil {
		g.WriteAccessURL = writeAccessURL(err, path)
	}
	b := tk.m.badgeModel(t, st, nil, path, tk.rs.loc(r))
	tk.renderGrid(w, r, v, t, g, status, views.BadgeOOB(b))
}

// writeAccessURL is, for a write Simkl refused because the visitor granted
// read access only, the sign-in that asks for write access again and comes
// back to the title; "" otherwise.
func writeAccessURL(err error, path string) string {
	if !errors.Is(err, simkl.ErrInsufficientScope) {
		return ""
	}
	return loginURL(path, path)
}

// finishEpisodeAction answers an episode action taken from the badge: 303
// back to the page the form was on (the episode's page or the title's)
// without JavaScript, the badge with htmx.
func (tk *tracking) finishEpisodeAction(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title, tg tracker.Target, watched, onEpisode bool, out tracker.Outcome, err error) {
	path := canonicalPath(t)
	if revoked(w, r, err, path) {
		return
	}
	if err == nil && !isHTMX(r) {
		back := path
		if onEpisode {
			back += episodeQuery{season: tg.Season, episode: tg.Episode, set: true}.query()
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	var ep *views.EpisodeLink
	if onEpisode {
		ep = &views.EpisodeLink{Season: tg.Season, Number: tg.Episode, Known: true}
		if t.Type == simkl.Anime {
			ep.Season = 0
		}
	}
	var b views.Badge
	status := http.StatusOK
	if err != nil {
		tk.rs.logger.Warn("action failed", "request_id", requestID(r.Context()), "route", r.Pattern, "simkl", t.IDs.Simkl, "err", err)
		st, serr := tk.state(w, r, v, t)
		if serr != nil {
			b = views.Badge{Path: path, IsMovie: t.Type == simkl.Movie, Unavailable: true}
		} else {
			b = tk.m.badgeModel(t, st, ep, path, tk.rs.loc(r))
		}
		b.Error = actionFailed(err)
		b.WriteAccessURL = writeAccessURL(err, path)
		if !isHTMX(r) {
			status = failedStatus(err)
		}
	} else {
		b = tk.m.badgeModel(t, out.State, ep, path, tk.rs.loc(r))
		verb := "watched"
		if !watched {
			verb = "unwatched"
		}
		label := views.EpisodeLabel(tg.Season, tg.Episode)
		if t.Type == simkl.Anime {
			label = "Episode " + strconv.Itoa(tg.Episode)
		}
		b.Notice = "Marked " + label + " " + verb + "."
	}
	tk.renderBadge(w, r, v, t, b, status)
}

func failedStatus(err error) int {
	switch {
	case errors.Is(err, simkl.ErrInsufficientScope):
		return http.StatusForbidden
	case errors.Is(err, tracker.ErrPending):
		return http.StatusAccepted
	case errors.Is(err, tracker.ErrNotApplied):
		return http.StatusUnprocessableEntity
	case simkl.IsTemporary(err):
		return http.StatusServiceUnavailable
	}
	return http.StatusBadGateway
}
