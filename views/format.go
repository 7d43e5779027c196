package views

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// siteName is the product name, in the header and every <title>.
const siteName = "simklink"

// htmxConfig keeps htmx within our Content-Security-Policy (no unsafe-inline,
// no unsafe-eval): it must not inject its indicator styles (app.css has them),
// evaluate strings, or run scripts it swaps in.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}`

// simklHome is the attribution link the Simkl API terms ask for.
const simklHome = "https://simkl.com"

func documentTitle(p Page) string {
	if p.Title == "" {
		return siteName
	}
	return p.Title + " · " + siteName
}

func loginURL(p Page) string {
	if p.LoginURL == "" {
		return "/login"
	}
	return p.LoginURL
}

// twitterCard is summary_large_image when there is an image to show.
func twitterCard(og *OpenGraph) string {
	if og == nil || og.Image == "" {
		return "summary"
	}
	return "summary_large_image"
}

func ogType(og *OpenGraph) string {
	if og.Type == "" {
		return "website"
	}
	return og.Type
}

// runtimeLabel formats minutes as "2 h 28 min", "45 min" or "2 h".
func runtimeLabel(minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

func episodesLabel(n int) string {
	if n == 1 {
		return "1 episode"
	}
	return thousands(n) + " episodes"
}

// thousands writes n with thousands separators: 1,150.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// episodeName is what follows the code: the episode's title, or a note that
// Simkl does not list it.
func episodeName(e *EpisodeLink) string {
	switch {
	case e.Unavailable:
		return "episode details could not be loaded from Simkl just now"
	case !e.Known:
		return "not listed by Simkl"
	}
	return e.Title
}

func posterAlt(t Title) string {
	if t.Poster != nil && t.Poster.Alt != "" {
		return t.Poster.Alt
	}
	return "Poster of " + t.Name
}

func errorHeading(e Error) string {
	if e.Heading != "" {
		return e.Heading
	}
	if s := http.StatusText(e.Status); s != "" {
		return s
	}
	return "Something went wrong"
}

func kindPath(k KindHelp) string {
	return "/t/" + k.Kind + "/" + k.Example
}
