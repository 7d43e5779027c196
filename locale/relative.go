package locale

import (
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// unit is a relative-time unit.
type unit string

const (
	minute unit = "minute"
	hour   unit = "hour"
	day    unit = "day"
	week   unit = "week"
	month  unit = "month"
	year   unit = "year"
)

// phrases are CLDR's relative-time patterns ("{0} days ago", "in {0}
// days"), by language, unit and plural category, past then future. A new
// language is one more entry here and one in supported. Each case holds
// %d; x/text chooses the case by the language's CLDR plural rules.
var phrases = map[language.Tag]struct {
	now  string
	past map[unit][]string // selector, message, selector, message, ...
	fut  map[unit][]string
}{
	language.English: {
		now: "just now",
		past: map[unit][]string{
			minute: {"one", "%d minute ago", "other", "%d minutes ago"},
			hour:   {"one", "%d hour ago", "other", "%d hours ago"},
			day:    {"one", "%d day ago", "other", "%d days ago"},
			week:   {"one", "%d week ago", "other", "%d weeks ago"},
			month:  {"one", "%d month ago", "other", "%d months ago"},
			year:   {"one", "%d year ago", "other", "%d years ago"},
		},
		fut: map[unit][]string{
			minute: {"one", "in %d minute", "other", "in %d minutes"},
			hour:   {"one", "in %d hour", "other", "in %d hours"},
			day:    {"one", "in %d day", "other", "in %d days"},
			week:   {"one", "in %d week", "other", "in %d weeks"},
			month:  {"one", "in %d month", "other", "in %d months"},
			year:   {"one", "in %d year", "other", "in %d years"},
		},
	},
	language.German: {
		now: "gerade eben",
		past: map[unit][]string{
			minute: {"one", "vor %d Minute", "other", "vor %d Minuten"},
			hour:   {"one", "vor %d Stunde", "other", "vor %d Stunden"},
			day:    {"one", "vor %d Tag", "other", "vor %d Tagen"},
			week:   {"one", "vor %d Woche", "other", "vor %d Wochen"},
			month:  {"one", "vor %d Monat", "other", "vor %d Monaten"},
			year:   {"one", "vor %d Jahr", "other", "vor %d Jahren"},
		},
		fut: map[unit][]string{
			minute: {"one", "in %d Minute", "other", "in %d Minuten"},
			hour:   {"one", "in %d Stunde", "other", "in %d Stunden"},
			day:    {"one", "in %d Tag", "other", "in %d Tagen"},
			week:   {"one", "in %d Woche", "other", "in %d Wochen"},
			month:  {"one", "in %d Monat", "other", "in %d Monaten"},
			year:   {"one", "in %d Jahr", "other", "in %d Jahren"},
		},
	},
	language.French: {
		now: "à l’instant",
		past: map[unit][]string{
			minute: {"one", "il y a %d minute", "other", "il y a %d minutes"},
			hour:   {"one", "il y a %d heure", "other", "il y a %d heures"},
			day:    {"one", "il y a %d jour", "other", "il y a %d jours"},
			week:   {"one", "il y a %d semaine", "other", "il y a %d semaines"},
			month:  {"other", "il y a %d mois"},
			year:   {"one", "il y a %d an", "other", "il y a %d ans"},
		},
		fut: map[unit][]string{
			minute: {"one", "dans %d minute", "other", "dans %d minutes"},
			hour:   {"one", "dans %d heure", "other", "dans %d heures"},
			day:    {"one", "dans %d jour", "other", "dans %d jours"},
			week:   {"one", "dans %d semaine", "other", "dans %d semaines"},
			month:  {"other", "dans %d mois"},
			year:   {"one", "dans %d an", "other", "dans %d ans"},
		},
	},
	language.Spanish: {
		now: "ahora",
		past: map[unit][]string{
			minute: {"one", "hace %d minuto", "other", "hace %d minutos"},
			hour:   {"one", "hace %d hora", "other", "hace %d horas"},
			day:    {"one", "hace %d día", "other", "hace %d días"},
			week:   {"one", "hace %d semana", "other", "hace %d semanas"},
			month:  {"one", "hace %d mes", "other", "hace %d meses"},
			year:   {"one", "hace %d año", "other", "hace %d años"},
		},
		fut: map[unit][]string{
			minute: {"one", "dentro de %d minuto", "other", "dentro de %d minutos"},
			hour:   {"one", "dentro de %d hora", "other", "dentro de %d horas"},
			day:    {"one", "dentro de %d día", "other", "dentro de %d días"},
			week:   {"one", "dentro de %d semana", "other", "dentro de %d semanas"},
			month:  {"one", "dentro de %d mes", "other", "dentro de %d meses"},
			year:   {"one", "dentro de %d año", "other", "dentro de %d años"},
		},
	},
	language.Portuguese: {
		now: "agora",
		past: map[unit][]string{
			minute: {"one", "há %d minuto", "other", "há %d minutos"},
			hour:   {"one", "há %d hora", "other", "há %d horas"},
			day:    {"one", "há %d dia", "other", "há %d dias"},
			week:   {"one", "há %d semana", "other", "há %d semanas"},
			month:  {"one", "há %d mês", "other", "há %d meses"},
			year:   {"one", "há %d ano", "other", "há %d anos"},
		},
		fut: map[unit][]string{
			minute: {"one", "em %d minuto", "other", "em %d minutos"},
			hour:   {"one", "em %d hora", "other", "em %d horas"},
			day:    {"one", "em %d dia", "other", "em %d dias"},
			week:   {"one", "em %d semana", "other", "em %d semanas"},
			month:  {"one", "em %d mês", "other", "em %d meses"},
			year:   {"one", "em %d ano", "other", "em %d anos"},
		},
	},
	language.Russian: {
		now: "сейчас",
		past: map[unit][]string{
			minute: {"one", "%d минуту назад", "few", "%d минуты назад", "many", "%d минут назад", "other", "%d минуты назад"},
			hour:   {"one", "%d час назад", "few", "%d часа назад", "many", "%d часов назад", "other", "%d часа назад"},
			day:    {"one", "%d день назад", "few", "%d дня назад", "many", "%d дней назад", "other", "%d дня назад"},
			week:   {"one", "%d неделю назад", "few", "%d недели назад", "many", "%d недель назад", "other", "%d недели назад"},
			month:  {"one", "%d месяц назад", "few", "%d месяца назад", "many", "%d месяцев назад", "other", "%d месяца назад"},
			year:   {"one", "%d год назад", "few", "%d года назад", "many", "%d лет назад", "other", "%d года назад"},
		},
		fut: map[unit][]string{
			minute: {"one", "через %d минуту", "few", "через %d минуты", "many", "через %d минут", "other", "через %d минуты"},
			hour:   {"one", "через %d час", "few", "через %d часа", "many", "через %d часов", "other", "через %d часа"},
			day:    {"one", "через %d день", "few", "через %d дня", "many", "через %d дней", "other", "через %d дня"},
			week:   {"one", "через %d неделю", "few", "через %d недели", "many", "через %d недель", "other", "через %d недели"},
			month:  {"one", "через %d месяц", "few", "через %d месяца", "many", "через %d месяцев", "other", "через %d месяца"},
			year:   {"one", "через %d год", "few", "через %d года", "many", "через %d лет", "other", "через %d года"},
		},
	},
	language.Japanese: {
		now: "今",
		past: map[unit][]string{
			minute: {"other", "%d 分前"}, hour: {"other", "%d 時間前"}, day: {"other", "%d 日前"},
			week: {"other", "%d 週間前"}, month: {"other", "%d か月前"}, year: {"other", "%d 年前"},
		},
		fut: map[unit][]string{
			minute: {"other", "%d 分後"}, hour: {"other", "%d 時間後"}, day: {"other", "%d 日後"},
			week: {"other", "%d 週間後"}, month: {"other", "%d か月後"}, year: {"other", "%d 年後"},
		},
	},
}

// relativeCatalog holds phrases as x/text messages keyed "past.day",
// "future.day" and "now"; regional variants (en-GB, pt-PT) fall back to
// their language's entry.
var relativeCatalog = func() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for tag, p := range phrases {
		must(b.SetString(tag, "now", p.now))
		for dir, units := range map[string]map[unit][]string{"past.": p.past, "future.": p.fut} {
			for u, cases := range units {
				args := make([]any, len(cases))
				for i, c := range cases {
					args[i] = c
				}
				must(b.Set(tag, dir+string(u), plural.Selectf(1, "%d", args...)))
			}
		}
	}
	return b
}()

func must(err error) {
	if err != nil {
		panic("locale: " + err.Error())
	}
}

// Relative says how far t is from now in the largest whole unit that
// fits: "3 days ago", "in 2 weeks", "vor 3 Tagen", "через 5 дней".
func (l *Locale) Relative(t, now time.Time) string {
	d := t.Sub(now)
	key := "future."
	if d < 0 {
		key, d = "past.", -d
	}
	const dayLen = 24 * time.Hour
	var n int
	var u unit
	switch {
	case d < time.Minute:
		return l.printer.Sprintf("now")
	case d < time.Hour:
		n, u = int(d/time.Minute), minute
	case d < dayLen:
		n, u = int(d/time.Hour), hour
	case d < 14*dayLen:
		n, u = int(d/dayLen), day
	case d < 60*dayLen:
		n, u = int(d/(7*dayLen)), week
	case d < 365*dayLen:
		n, u = int(d/(30*dayLen)), month
	default:
		n, u = int(d/(365*dayLen)), year
	}
	return l.printer.Sprintf(message.Key(key+string(u), ""), n)
}
