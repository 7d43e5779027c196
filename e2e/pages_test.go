package e2e

import (
	"bytes"
	"net/http"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// checkedPage is one page the validator and axe check.
type checkedPage struct {
	name     string
	path     string
	status   int  // the status the page must answer with
	signedIn bool // fetched with a signed-in visitor's cookies
}

// checkedPages are the pages whose markup and accessibility are checked:
// every page kind, the error pages, a signed-in title page with its badge
// and a fragment opened as a page. The season grid's URL is read from the
// signed-in title page, so it is filled in by pagesToCheck.
var checkedPages = []checkedPage{
	{name: "home", path: "/", status: http.StatusOK},
	{name: "movie", path: "/t/imdb/tt1375666", status: http.StatusOK},
	{name: "show", path: "/t/tvdb/153021", status: http.StatusOK},
	{name: "anime", path: "/t/mal/21", status: http.StatusOK},
	{name: "episode", path: "/t/tvdb/153021?season=4&episode=3", status: http.StatusOK},
	{name: "show-with-trailer", path: "/t/simkl/17465", status: http.StatusOK},
	{name: "anime-with-other-titles", path: "/t/mal/16498", status: http.StatusOK},
	{name: "movie-basics-only", path: "/t/simkl/2480917", status: http.StatusOK},
	{name: "unknown-id", path: "/t/imdb/tt0000001", status: http.StatusNotFound},
	{name: "malformed-id", path: "/t/imdb/not-an-id", status: http.StatusBadRequest},
	{name: "which-kind", path: "/go?q=1984", status: http.StatusOK},
	{name: "search-results", path: "/go?q=one+piece", status: http.StatusOK},
	{name: "unsupported-link", path: "/go?q=https%3A%2F%2Fexample.com%2Fx", status: http.StatusUnprocessableEntity},
	{name: "embed", path: "/embed/t/mal/21", status: http.StatusOK},
	{name: "share-tools", path: "/t/simkl/191853/share", status: http.StatusOK},
	{name: "list", path: "/l/imdb:tt1375666,tvdb:153021,mal:21,imdb:tt0000001", status: http.StatusOK},
	{name: "make-list", path: "/l/new?add=mal:21", status: http.StatusOK},
	{name: "signed-in-show", path: "/t/tvdb/153021", status: http.StatusOK, signedIn: true},
	{name: "signed-in-movie", path: "/t/imdb/tt1375666", status: http.StatusOK, signedIn: true},
	{name: "signed-in-list", path: "/l/imdb:tt1375666,tvdb:153021,mal:21,imdb:tt0000001", status: http.StatusOK, signedIn: true},
	{name: "signed-in-episode", path: "/t/tvdb/153021?season=4&episode=9", status: http.StatusOK, signedIn: true},
}

// A signed-in visitor shared by the page checks: a fresh copy of the demo
// library, never changed by these tests.
var (
	checkerOnce    sync.Once
	checkerCookies []*http.Cookie
	gridPath       string
)

// pagesToCheck signs the checker in (once) and returns the pages to
// check, with the season-grid fragment page added.
func pagesToCheck(t *testing.T, a *appProcess) ([]checkedPage, []*http.Cookie) {
	t.Helper()
	checkerOnce.Do(func() {
		cookies := a.signIn(t, newUser("e2e-check"))
		status, body := a.get(t, walkingDead, cookies)
		if status != http.StatusOK {
			t.Fatalf("signed-in %s answered %d", walkingDead, status)
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		path, ok := doc.Find(`details[data-testid="season-row"][data-season="4"]`).Attr("data-hx-get")
		if !ok {
			t.Fatalf("the signed-in %s has no season 4 row with a grid URL", walkingDead)
		}
		checkerCookies, gridPath = cookies, path
	})
	if gridPath == "" {
		t.Fatal("signing the checker in failed in another test")
	}
	pages := append([]checkedPage(nil), checkedPages...)
	pages = append(pages, checkedPage{name: "season-grid-page", path: gridPath, status: http.StatusOK, signedIn: true})
	return pages, checkerCookies
}
