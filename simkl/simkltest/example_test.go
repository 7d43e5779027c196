package simkltest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"simklink/simkl/simkltest"
)

func ExampleNewServer() {
	srv := simkltest.NewServer(simkltest.Options{})
	defer srv.Close()

	// Catalog calls need the client_id.
	res, err := http.Get(srv.APIBase() + "/search/id?imdb=tt1520211&client_id=simklink-demo")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, string(body))

	// Library calls need a token; MintToken skips the OAuth dance.
	token := srv.Simkl.MintToken(simkltest.DemoUser)
	req, _ := http.NewRequest(http.MethodPost, srv.APIBase()+"/sync/watched?client_id=simklink-demo",
		strings.NewReader(`[{"ids":{"simkl":2090}},{"hulu":764084}]`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	e, _ := srv.Simkl.Entry(simkltest.DemoUser, simkltest.WalkingDeadID)
	fmt.Println(res.StatusCode, e.Status, len(e.Watched))
	fmt.Println(srv.Simkl.Stats().Calls)
	// Output:
	// 200 [{"type":"tv","title":"The Walking Dead","poster":"16\/16913426086fc13","year":2010,"ids":{"simkl":2090,"slug":"the-walking-dead"}}]
	// 200 watching 43
	// map[GET /search/id:1 POST /sync/watched:1]
}
