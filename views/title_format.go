package views

import (
	"strconv"

	"github.com/a-h/templ"
	"time"

	"simklink/locale"
)

// defaultLoc formats values when a model carries no locale. It is built
// once and never changed.
var defaultLoc = locale.NewSet().Default()

func locOr(l *locale.Locale) *locale.Locale {
	if l == nil {
		return defaultLoc
	}
	return l
}

// The UI's words are English; what follows formats numbers and dates for
// the visitor's language. Labels live here so that a translation can be
// added in one place.

func votesLabel(l *locale.Locale, n int) string {
	if n == 1 {
		return "1 vote"
	}
	return locOr(l).Number(n) + " votes"
}

func ratingValue(l *locale.Locale, r Rating) string { return locOr(l).Decimal(r.Value) }

func rankLabel(l *locale.Locale, r Rating) string { return "#" + locOr(l).Number(r.Rank) }

// releasedLabel names Title.Released: a movie's release, a show's first
// episode, either still to come.
func releasedLabel(t Title) string {
	switch {
	case t.IsMovie && t.Status == "upcoming":
		return "Release date"
	case t.IsMovie:
		return "Released"
	case t.Status == "tba":
		return "Premieres"
	}
	return "First aired"
}

func dateText(l *locale.Locale, t time.Time) string { return locOr(l).Date(t) }

func isoDate(t time.Time) string { return t.Format("2006-01-02") }

// airingText is the weekly slot: "Sunday 9:00 pm".
func airingText(l *locale.Locale, a *Airing) string {
	lc := locOr(l)
	return lc.Weekday(a.Next.Weekday()) + " " + lc.Time(a.Next)
}

// trailerLabel is the trailer link's text. Trailer names are often
// shouted ("GAME OF THRONES - SEASON 1- TRAILER") or null, so the link
// says what it does and the name, when there is one, is its title.
func trailerLabel() string { return "Watch the trailer on YouTube" }

// langAttrs gives formatted values inside the English page their own
// lang, so that "8. März 2026" is read out in German; none for English.
func langAttrs(l *locale.Locale) templ.Attributes {
	if lang := locOr(l).Lang(); lang != "en" {
		return templ.Attributes{"lang": lang}
	}
	return nil
}

func numberText(l *locale.Locale, n int) string { return locOr(l).Number(n) }

func episodeNavLabel(e *EpisodeNav) string {
	code := "Episode " + strconv.Itoa(e.Number)
	if e.Season > 0 {
		code = "S" + strconv.Itoa(e.Season) + " E" + strconv.Itoa(e.Number)
	}
	if e.Title != "" {
		return code + " · " + e.Title
	}
	return code
}
