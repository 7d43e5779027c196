package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestAirTimeInBrowserZone: signed out, an airing show's slot is in its own
// zone, named (the page runs no script); signed in, the page's one small
// script shows it in the browser's zone.
func TestAirTimeInBrowserZone(t *testing.T) {
	browser(t)
	a := app(t)
	tb := newTab(t, phone)
	tb.do("be in Berlin", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Berlin"})
		return err
	}))
	const onePiece = "/t/mal/21"
	tb.do("open One Piece signed out", chromedp.Navigate(a.url(onePiece)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="airs"]`)))
	if got := tb.text(`[data-testid="airs"]`); !strings.HasPrefix(got, "Sunday 11:15 pm") || !strings.HasSuffix(got, "(Tokyo time)") {
		t.Errorf("signed out: airs %q, want the show's own time and zone", got)
	}
	if n := tb.count(`script[src]`); n != 0 {
		t.Errorf("a signed-out page loads %d scripts", n)
	}

	for _, c := range a.signIn(t, newUser("e2e-zone")) {
		if _, err := chromedp.Call(tb.ctx, network.SetCookie, network.SetCookieParams{
			Name: c.Name, Value: c.Value, URL: a.url("/"), HTTPOnly: new(true), SameSite: network.CookieSameSiteLax,
		}); err != nil {
			t.Fatal(err)
		}
	}
	tb.do("open One Piece signed in", chromedp.Navigate(a.url(onePiece)), chromedp.WaitVisible(chromedp.CSS(`#badge`)))
	dt := tb.attr(`[data-testid="airs"] time`, "datetime")
	at, err := time.Parse("2006-01-02T15:04Z07:00", dt)
	if err != nil {
		t.Fatalf("airs datetime %q: %v", dt, err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	local := at.In(berlin)
	want := local.Weekday().String() + " " + local.Format("3:04")
	got := tb.text(`[data-testid="airs"]`)
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "(your time)") {
		t.Errorf("signed in, in Berlin: airs %q, want %q… (your time)", got, want)
	}
	tb.checkCLS("signed-in One Piece with the local air time")
	tb.checkClean("One Piece")
}
