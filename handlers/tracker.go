package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"simklink/auth"
	"simklink/simkl"
	"simklink/tracker"
	"simklink/views"
)

// Tracker is the signed-in visitor's watch state and actions (package
// tracker).
type Tracker interface {
	State(ctx context.Context, token string, t simkl.Title) (simkl.WatchState, error)
	SetList(ctx context.Context, token string, t simkl.Title, to string) (tracker.Outcome, error)
	MarkWatched(ctx context.Context, token string, t simkl.Title, tg tracker.Target) (tracker.Outcome, error)
	Unmark(ctx context.Context, token string, t simkl.Title, tg tracker.Target) (tracker.Outcome, error)
	Remove(ctx context.Context, token string, t simkl.Title) (tracker.Outcome, error)
}

// tracking is what the signed-in regions and the one-tap actions share:
// the title of a fragment or action URL, resolved with the visitor's
// token; the visitor's tracker state, renewed once when Simkl refuses the
// token; and how the badge and the season grids are answered.
type tracking struct {
	rs      *responder
	m       *models
	titles  Titles
	misses  *missLimiter
	tracker Tracker
	auth    Auth // renews a refused token; nil without sign-in
}

// badgeTimeout bounds how long a page waits for the visitor's tracker
// state before it renders the badge as "couldn't reach Simkl" with a retry.
const badgeTimeout = 2500 * time.Millisecond

// state fetches the viewer's state for t, renewing the token once if
// Simkl refuses it (withToken). A grant that is gone ends the session: the
// visitor is then shown signed out, with a notice.
func (tk *tracking) state(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title) (simkl.WatchState, error) {
	if tk.tracker == nil {
		return simkl.WatchState{}, errors.New("no tracker configured")
	}
	ctx, cancel := context.WithTimeout(r.Context(), badgeTimeout)
	defer cancel()
	var st simkl.WatchState
	err := tk.withToken(w, r, v, func(token string) (err error) {
		st, err = tk.tracker.State(ctx, token, t)
		return err
	})
	return st, err
}

// withToken runs call with the viewer's token. When Simkl refuses the
// token (AUTH V2: another request, tab or copy of the cookie refreshed it,
// which ends the old one at once), it renews the session and runs call
// once more; Simkl applied nothing it refused, so a write may be retried
// too. A grant that is gone ends the session, and the error still matches
// simkl.ErrTokenRevoked.
func (tk *tracking) withToken(w http.ResponseWriter, r *http.Request, v *auth.Viewer, call func(token string) error) error {
	err := call(v.Token.Access)
	if !errors.Is(err, simkl.ErrTokenRevoked) || tk.auth == nil {
		return err
	}
	vis := visitOf(r)
	nv, rerr := tk.auth.Renew(w, r, &vis.session)
	if rerr == nil {
		*v = *nv
		vis.renewed(v)
		err = call(v.Token.Access)
	}
	switch {
	case !errors.Is(err, simkl.ErrTokenRevoked):
	case errors.Is(rerr, auth.ErrSessionEnded):
		vis.ended()
	default:
		vis.end(w, r)
	}
	return err
}

// regions builds the signed-in regions of a title page: the badge and,
// for shows and anime, the season list (more). ended reports that the
// session was ended because Simkl refused the token.
func (tk *tracking) regions(w http.ResponseWriter, r *http.Request, v *auth.Viewer, t simkl.Title, ep *views.EpisodeLink, path string) (badge, more templ.Component, ended bool) {
	st, err := tk.state(w, r, v, t)
	if errors.Is(err, simkl.ErrTokenRevoked) {
		return nil, nil, true
	}
	if err != nil {
		tk.rs.logger.Warn("tracker state unavailable", "request_id", requestID(r.Context()), "simkl", t.IDs.Simkl, "err", err)
		return views.TrackerBadge(views.Badge{Path: path, IsMovie: t.Type == simkl.Movie, Unavailable: true}), nil, false
	}
	b := tk.m.badgeModel(t, st, ep, path, tk.rs.loc(r))
	q := r.URL.Query()
	if q.Get("action") == "list" && validStatus(t.Type, q.Get("status")) && b.Status != q.Get("status") {
		b.Confirm = &views.Confirm{Status: q.Get("status"), Label: "Add to " + views.ListLabel(q.Get("status"))}
	}
	if q.Get("confirm") == "remove" {
		b.ConfirmRemove = true
	}
	if q.Get("action") == "list" && b.Confirm != nil {
		b.Primary = nil // the confirmation is the action
	}
	if t.Type != simkl.Movie && len(st.Seasons) > 0 {
		more = views.SeasonsList(seasonsModel(st, path))
	}
	return views.TrackerBadge(b), more, false
}

// title resolves the title of a fragment or action URL and the
// signed-in viewer. It writes the answer itself and returns ok=false when
// the request cannot go on: a bad link, or no session (htmx gets
// HX-Redirect to sign in, a plain request a 303).
func (tk *tracking) title(w http.ResponseWriter, r *http.Request, next string) (*auth.Viewer, simkl.Title, bool) {
	ref, err := simkl.ParseRef(r.PathValue("kind"), r.PathValue("id"))
	if err != nil {
		tk.rs.fail(w, r, err)
		return nil, simkl.Title{}, false
	}
	v := visitOf(r).Viewer
	if v == nil {
		if next == "" {
			next = "/t/" + string(ref.Kind) + "/" + ref.ID
		}
		target := loginURL(next, "/")
		setCaching(w, r, "")
		if isHTMX(r) {
			w.Header().Set("HX-Redirect", target)
			w.WriteHeader(http.StatusUnauthorized)
			return nil, simkl.Title{}, false
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil, simkl.Title{}, false
	}
	// Signed in: lookups may use the daily budget's reserve.
	res, err := tk.titles.ResolveAs(r.Context(), ref, v.Token.Access, tk.misses.allowFor(r, true))
	if errors.Is(err, simkl.ErrTokenRevoked) {
		visitOf(r).end(w, r) // describe says to sign in again
	}
	if err != nil {
		tk.rs.fail(w, r, err)
		return nil, simkl.Title{}, false
	}
	return v, res.Title, true
}

// sessionEnded answers a fragment or action request whose token Simkl
// refused: the session is already ended; send the visitor to sign in.
func sessionEnded(w http.ResponseWriter, r *http.Request, path string) {
	// The title page says the connection ended and offers sign-in.
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", path)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

func canonicalPath(t simkl.Title) string { return "/t/simkl/" + strconv.Itoa(t.IDs.Simkl) }
