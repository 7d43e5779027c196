package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/a-h/templ"

	"simklink/simkl"
	"simklink/views"
)

// The one error path. Handlers turn whatever went wrong into an error and
// call rs.fail; fail picks the status and the page, logs what needs logging,
// and never shows err.Error() to the visitor.

// pageError is an error a handler has already put into words for the
// visitor (a bad link, for example).
type pageError struct {
	status int
	page   views.Error
}

func (e *pageError) Error() string { return fmt.Sprintf("%d %s", e.status, e.page.Heading) }

func acceptedKinds() []views.KindHelp {
	kinds := simkl.Kinds()
	out := make([]views.KindHelp, 0, len(kinds)+1)
	for _, k := range kinds {
		out = append(out, views.KindHelp{Kind: string(k), Example: k.Example()})
	}
	return out
}

// fail answers err with an error page, or for htmx with the page's message
// as a fragment (htmx swaps only 2xx answers, so it gets 200 and is told to
// put the message inside whatever it was about to replace).
func (rs *responder) fail(w http.ResponseWriter, r *http.Request, err error) {
	rs.failWith(w, r, err, "")
}

// failWith is fail with a flash the page had already taken from the
// session, so that it is not lost.
func (rs *responder) failWith(w http.ResponseWriter, r *http.Request, err error, flash string) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the visitor left; nobody will read an answer
	}
	status, page := rs.describe(r, err)
	if status >= 500 {
		level := slog.LevelError
		if simkl.IsTemporary(err) {
			level = slog.LevelWarn // Simkl busy or away, or the client's share used up: no fault of ours
		}
		rs.logger.Log(r.Context(), level, "request failed", "request_id", requestID(r.Context()), "method", logMethod(r.Method),
			"route", r.Pattern, "status", status, "err", err)
	}
	h := w.Header()
	switch {
	case status == http.StatusNotFound || status == http.StatusBadRequest:
		// Bad and unknown links are the same for every signed-out visitor
		// and change rarely; setCaching keeps personal visits private.
		setCaching(w, r, cacheBadLink)
	default:
		setCaching(w, r, "")
	}
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		h.Set("Retry-After", "5")
	}
	if isHTMX(r) {
		h.Set("HX-Reswap", "innerHTML")
		rs.renderError(w, r, http.StatusOK, views.ErrorFragment(page))
		return
	}
	p := rs.page(r, page.Heading)
	p.NoIndex = true
	p.Flash = flash
	rs.renderError(w, r, status, views.ErrorPage(p, page))
}

// statusClientClosed is what metrics record for a visitor who left before
// the answer (nginx's 499).
const statusClientClosed = 499

// renderError renders an error page. It never goes back into fail: a page
// that cannot render falls back to plain text, and a visitor who has left
// does not stop the page from rendering (the answer is then discarded).
func (rs *responder) renderError(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	buf := rs.pools.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer rs.pools.bufs.Put(buf)
	if err := c.Render(context.WithoutCancel(r.Context()), buf); err != nil {
		rs.logger.Error("error page failed to render", "request_id", requestID(r.Context()), "err", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	rs.writeBody(w, r, status, buf.Bytes())
}

// describe maps an error to a status and what the page says.
func (rs *responder) describe(r *http.Request, err error) (int, views.Error) {
	var pe *pageError
	var inv *simkl.InvalidIDError
	home := views.Link{Label: "Go to the home page", URL: "/"}
	switch {
	case errors.As(err, &pe):
		page := pe.page // a copy: pageErrors such as errCrossOrigin are shared
		if len(page.Links) == 0 {
			page.Links = []views.Link{home}
		}
		page.Status = pe.status
		return pe.status, page
	case errors.As(err, &inv):
		status := http.StatusBadRequest
		heading := "That link is not valid"
		msg := fmt.Sprintf("%q is not a valid %s ID: %s.", inv.ID, inv.Kind, inv.Reason)
		if !simkl.Kind(inv.Kind).Valid() && inv.Kind != string(simkl.KindTitle) {
			status = http.StatusNotFound
			heading = "Unknown kind of link"
			msg = fmt.Sprintf("simklink does not know IDs of the kind %q.", inv.Kind)
		}
		return status, views.Error{Status: status, Heading: heading, Message: msg, Accepted: acceptedKinds(), Links: []views.Link{home}}
	case errors.Is(err, simkl.ErrNotFound):
		return http.StatusNotFound, views.Error{Status: http.StatusNotFound, Heading: "Simkl doesn't know this title",
			Message: "Simkl has no title with that ID. The link may have a typo, or the title may not be on Simkl yet.",
			Links:   []views.Link{{Label: "Search on Simkl", URL: rs.links.SearchPageURL(searchQuery(r))}, home}}
	case errors.Is(err, simkl.ErrAppBlocked):
		return http.StatusServiceUnavailable, views.Error{Status: http.StatusServiceUnavailable, Heading: "Simkl has paused simklink",
			Message:  "Simkl is refusing simklink's requests for a while, and this title isn't saved here yet. simklink will try again in a few minutes; titles opened before still work.",
			RetryURL: retryURL(r), Links: []views.Link{home}}
	case errors.Is(err, simkl.ErrDailyBudget):
		return http.StatusServiceUnavailable, views.Error{Status: http.StatusServiceUnavailable, Heading: "simklink has used today's Simkl lookups",
			Message:  "simklink keeps the rest of today's requests to Simkl for people who are signed in. Titles opened before still work; sign in with Simkl to open new ones, or try again tomorrow.",
			RetryURL: retryURL(r), Links: []views.Link{home}}
	case errors.Is(err, simkl.ErrBusy), errors.Is(err, simkl.ErrRateLimited):
		return http.StatusServiceUnavailable, views.Error{Status: http.StatusServiceUnavailable, Heading: "Simkl is busy",
			Message:  "Too many people are opening links right now. Please try again in a few seconds.",
			RetryURL: retryURL(r), Links: []views.Link{home}}
	case errors.Is(err, simkl.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, views.Error{Status: http.StatusServiceUnavailable, Heading: "Simkl can't be reached",
			Message:  "Simkl is down or slow right now, and this title isn't saved here yet. Please try again in a moment.",
			RetryURL: retryURL(r), Links: []views.Link{home}}
	case errors.Is(err, simkl.ErrUserTokenRequired):
		// A real page, not a failure: the ID is fine, and Simkl opens it for
		// signed-in visitors.
		return http.StatusOK, views.Error{Status: http.StatusOK, Heading: "Sign in with Simkl to open this title",
			Message: fmt.Sprintf("Simkl opens the %s ID %q only for visitors signed in with Simkl. Sign in, and simklink will look it up with your account.", r.PathValue("kind"), searchQuery(r)),
			Links:   []views.Link{{Label: "Sign in with Simkl", URL: loginURL(requestPath(r), "/")}, {Label: "Look for it on Simkl", URL: rs.links.SearchPageURL(searchQuery(r))}, home}}
	case errors.Is(err, simkl.ErrTokenRevoked):
		// A lookup that needed the visitor's token, which Simkl refused: the
		// session has been ended.
		return http.StatusOK, views.Error{Status: http.StatusOK, Heading: "Sign in with Simkl again",
			Message: "Simkl no longer accepts your sign-in, so simklink could not open this title for you. Sign in again to go on.",
			Links:   []views.Link{{Label: "Sign in with Simkl", URL: loginURL(requestPath(r), "/")}, home}}
	case errors.Is(err, simkl.ErrInsufficientScope):
		return http.StatusForbidden, views.Error{Status: http.StatusForbidden, Heading: "simklink may only read your Simkl library",
			Message: "You allowed simklink to read your Simkl library but not to change it, so nothing changed.",
			Links:   []views.Link{{Label: "Allow simklink to make changes", URL: loginURL(requestPath(r), "/")}, home}}
	case errors.Is(err, simkl.ErrBadClientID):
		return http.StatusServiceUnavailable, views.Error{Status: http.StatusServiceUnavailable, Heading: "Simkl refused this app",
			Message: "Simkl is not accepting requests from simklink right now. Please try again later.", Links: []views.Link{home}}
	}
	return http.StatusInternalServerError, views.Error{Status: http.StatusInternalServerError, Heading: "Something went wrong",
		Message: "simklink hit an unexpected error. It has been logged. Please try again.", RetryURL: retryURL(r), Links: []views.Link{home}}
}

// serverError is the 500 path for failures inside simklink itself.
func (rs *responder) serverError(w http.ResponseWriter, r *http.Request, err error) {
	rs.fail(w, r, fmt.Errorf("internal: %w", err))
}

// notFound answers a path no route matches.
func (rs *responder) notFound(w http.ResponseWriter, r *http.Request) {
	rs.fail(w, r, &pageError{status: http.StatusNotFound, page: views.Error{
		Heading:  "Page not found",
		Message:  "There is no page at this address. Title links look like /t/imdb/tt1375666.",
		Accepted: acceptedKinds(),
	}})
}

// retryURL is the request's own path and query, for a "try again" link.
// Only GET pages get one; it is our own path, so it is safe to link.
func retryURL(r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return ""
	}
	return r.URL.RequestURI()
}

// searchQuery guesses a search term from a title link: the ID or title.
func searchQuery(r *http.Request) string {
	if t := r.PathValue("title"); t != "" {
		return t
	}
	return r.PathValue("id")
}

var errCrossOrigin = &pageError{status: http.StatusForbidden, page: views.Error{
	Heading: "Request refused",
	Message: "This form was sent from another site, so simklink refused it to protect your Simkl account. Open the page on simklink and try again.",
}}
