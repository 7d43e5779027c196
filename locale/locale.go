// Package locale formats numbers, dates, times of day and relative times
// for the visitor's language, chosen from Accept-Language.
//
// Language matching, number formatting and plural rules come from
// golang.org/x/text. Dates, times and weekday names come from
// github.com/go-playground/locales, which is generated from the Unicode
// CLDR (x/text has no date formatting). Neither library carries CLDR's
// relative-time phrases ("3 days ago"), so those are a small message
// catalog in relative.go, whose plural forms x/text picks.
package locale

import (
	"time"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/de"
	"github.com/go-playground/locales/en_GB"
	"github.com/go-playground/locales/en_US"
	"github.com/go-playground/locales/es"
	"github.com/go-playground/locales/fr"
	"github.com/go-playground/locales/ja"
	"github.com/go-playground/locales/pt"
	"github.com/go-playground/locales/pt_PT"
	"github.com/go-playground/locales/ru"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// supported are the formats offered, the first being the default.
// American English is the default because the UI's words are English.
var supported = []struct {
	tag  language.Tag
	cldr func() locales.Translator
}{
	{language.AmericanEnglish, en_US.New},
	{language.BritishEnglish, en_GB.New},
	{language.German, de.New},
	{language.French, fr.New},
	{language.Spanish, es.New},
	{language.BrazilianPortuguese, pt.New},
	{language.EuropeanPortuguese, pt_PT.New},
	{language.Russian, ru.New},
	{language.Japanese, ja.New},
}

// Set is every supported locale, built once: a Locale is then a pointer
// into it and costs nothing per request.
type Set struct {
	matcher language.Matcher
	all     []*Locale
}

// NewSet builds the supported locales.
func NewSet() *Set {
	tags := make([]language.Tag, len(supported))
	s := &Set{all: make([]*Locale, len(supported))}
	for i, sp := range supported {
		tags[i] = sp.tag
		s.all[i] = &Locale{tag: sp.tag, cldr: sp.cldr(), printer: message.NewPrinter(sp.tag, message.Catalog(relativeCatalog))}
	}
	s.matcher = language.NewMatcher(tags)
	return s
}

// Default is the locale used without a usable Accept-Language.
func (s *Set) Default() *Locale { return s.all[0] }

// Match picks the locale for an Accept-Language header. Anything it
// cannot read, or a language not offered, gets the default.
func (s *Set) Match(acceptLanguage string) *Locale {
	if acceptLanguage == "" {
		return s.Default()
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return s.Default()
	}
	_, i, conf := s.matcher.Match(tags...)
	if conf == language.No {
		return s.Default()
	}
	return s.all[i]
}

// Locale formats values for one language. The zero value is not usable;
// get one from a Set.
type Locale struct {
	tag     language.Tag
	cldr    locales.Translator
	printer *message.Printer
}

// Tag is the locale's BCP 47 tag, e.g. "en-US" or "de": for lang
// attributes and cache keys.
func (l *Locale) Tag() string { return l.tag.String() }

// Lang is the language alone ("en", "de"), for lang attributes on
// formatted values inside English text.
func (l *Locale) Lang() string {
	b, _ := l.tag.Base()
	return b.String()
}

// Number writes n with the language's grouping: 2,610,000 / 2.610.000 /
// 2 610 000.
func (l *Locale) Number(n int) string { return l.printer.Sprint(number.Decimal(n)) }

// Decimal writes f with exactly one fractional digit: 8.1 / 8,1.
func (l *Locale) Decimal(f float64) string {
	return l.printer.Sprint(number.Decimal(f, number.Scale(1)))
}

// Date is a medium date: Mar 8, 2026 / 8 Mar 2026 / 08.03.2026 / 2026/03/08.
func (l *Locale) Date(t time.Time) string { return l.cldr.FmtDateMedium(t) }

// LongDate spells the month: March 8, 2026 / 8. März 2026 / 2026年3月8日.
func (l *Locale) LongDate(t time.Time) string { return l.cldr.FmtDateLong(t) }

// Time is a time of day: 9:05 pm / 21:05.
func (l *Locale) Time(t time.Time) string { return l.cldr.FmtTimeShort(t) }

// Weekday is the day's full name: Sunday / Sonntag / 日曜日.
func (l *Locale) Weekday(d time.Weekday) string { return l.cldr.WeekdayWide(d) }

// ShortWeekday is the day's abbreviation: Sun / So. / 日.
func (l *Locale) ShortWeekday(d time.Weekday) string { return l.cldr.WeekdayAbbreviated(d) }
