package locale

import (
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	s := NewSet()
	tests := []struct{ accept, want string }{
		{"", "en-US"},
		{"de-DE,de;q=0.9,en;q=0.8", "de"},
		{"de-AT", "de"},
		{"fr-CA,fr;q=0.9", "fr"},
		{"es-419", "es"},
		{"pt-BR", "pt-BR"},
		{"pt-PT,pt;q=0.9", "pt-PT"},
		{"ru", "ru"},
		{"ja-JP", "ja"},
		{"en-GB,en;q=0.9", "en-GB"},
		{"en-AU", "en-GB"}, // CLDR's parent of en-AU is en-001, nearer en-GB
		{"nl-NL,nl;q=0.9", "en-US"},
		{"nl, de;q=0.5", "de"},
		{"*", "en-US"},
		{"not a header;;;q=x", "en-US"},
	}
	for _, tc := range tests {
		if got := s.Match(tc.accept).Tag(); got != tc.want {
			t.Errorf("Match(%q) = %s, want %s", tc.accept, got, tc.want)
		}
	}
	if got := s.Match("de-CH").Lang(); got != "de" {
		t.Errorf("Lang = %q, want de", got)
	}
}

// One date, time and pair of numbers in every language the issue names.
func TestFormats(t *testing.T) {
	t.Parallel()
	s := NewSet()
	when := time.Date(2026, time.March, 8, 21, 5, 0, 0, time.UTC)
	tests := []struct {
		accept                       string
		number, decimal, date, clock string
		weekday                      string
	}{
		{"en-US", "2,610,000", "8.1", "Mar 8, 2026", "9:05 pm", "Sunday"},
		{"en-GB", "2,610,000", "8.1", "8 Mar 2026", "21:05", "Sunday"},
		{"de", "2.610.000", "8,1", "08.03.2026", "21:05", "Sonntag"},
		{"fr", "2\u00a0610\u00a0000", "8,1", "8 mars 2026", "21:05", "dimanche"},
		{"es", "2.610.000", "8,1", "8 mar. 2026", "21:05", "domingo"},
		{"pt-BR", "2.610.000", "8,1", "8 de mar. de 2026", "21:05", "domingo"},
		{"ru", "2\u00a0610\u00a0000", "8,1", "8 мар. 2026 г.", "21:05", "воскресенье"},
		{"ja", "2,610,000", "8.1", "2026/03/08", "21:05", "日曜日"},
	}
	for _, tc := range tests {
		l := s.Match(tc.accept)
		if got := l.Number(2610000); got != tc.number {
			t.Errorf("%s: Number = %q, want %q", tc.accept, got, tc.number)
		}
		if got := l.Decimal(8.1); got != tc.decimal {
			t.Errorf("%s: Decimal = %q, want %q", tc.accept, got, tc.decimal)
		}
		if got := l.Date(when); got != tc.date {
			t.Errorf("%s: Date = %q, want %q", tc.accept, got, tc.date)
		}
		if got := l.Time(when); got != tc.clock {
			t.Errorf("%s: Time = %q, want %q", tc.accept, got, tc.clock)
		}
		if got := l.Weekday(when.Weekday()); got != tc.weekday {
			t.Errorf("%s: Weekday = %q, want %q", tc.accept, got, tc.weekday)
		}
	}
	if got := s.Match("en").Decimal(9); got != "9.0" {
		t.Errorf("Decimal(9) = %q, want 9.0", got)
	}
}

func TestRelative(t *testing.T) {
	t.Parallel()
	s := NewSet()
	now := time.Date(2026, time.March, 8, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	in := func(d time.Duration) time.Time { return now.Add(d) }
	const day = 24 * time.Hour
	tests := []struct {
		accept string
		t      time.Time
		want   string
	}{
		{"en", ago(10 * time.Second), "just now"},
		{"en", ago(time.Minute), "1 minute ago"},
		{"en", ago(5 * time.Hour), "5 hours ago"},
		{"en", ago(day), "1 day ago"},
		{"en", ago(3 * day), "3 days ago"},
		{"en", ago(20 * day), "2 weeks ago"},
		{"en", ago(90 * day), "3 months ago"},
		{"en", ago(800 * day), "2 years ago"},
		{"en", in(3 * day), "in 3 days"},
		{"en-GB", in(time.Hour + time.Minute), "in 1 hour"},
		{"de", ago(day), "vor 1 Tag"},
		{"de", ago(3 * day), "vor 3 Tagen"},
		{"de", in(2 * 7 * day), "in 2 Wochen"},
		{"fr", ago(3 * day), "il y a 3 jours"},
		{"fr", ago(90 * day), "il y a 3 mois"},
		{"es", in(day), "dentro de 1 día"},
		{"pt-PT", ago(5 * day), "há 5 dias"},
		{"ru", ago(day), "1 день назад"},
		{"ru", ago(3 * day), "3 дня назад"},
		{"ru", ago(5 * day), "5 дней назад"},
		{"ru", ago(11 * day), "11 дней назад"},
		{"ru", in(2 * 365 * day), "через 2 года"},
		{"ja", ago(3 * day), "3 日前"},
		{"ja", in(5 * time.Minute), "5 分後"},
		{"ja", ago(time.Second), "今"},
	}
	for _, tc := range tests {
		if got := s.Match(tc.accept).Relative(tc.t, now); got != tc.want {
			t.Errorf("%s: Relative(%v) = %q, want %q", tc.accept, tc.t.Sub(now), got, tc.want)
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	l := NewSet().Match("de-DE,de;q=0.9")
	now := time.Now()
	for b.Loop() {
		_ = l.Number(2610000)
		_ = l.Date(now)
		_ = l.Relative(now.Add(-72*time.Hour), now)
	}
}
