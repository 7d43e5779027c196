package simkltest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Many clients at once, as in the demo's load test: every call is
// answered and recorded. Run with -race.
func TestConcurrentClients(t *testing.T) {
	h := newHarness(t, Options{})
	const clients, each = 50, 8
	tokens := make([]string, clients)
	for i := range tokens {
		tokens[i] = h.sk.MintToken(fmt.Sprintf("user%d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				var req *http.Request
				switch j % 4 {
				case 0:
					req, _ = http.NewRequest(http.MethodGet, h.srv.URL+"/tv/2090?client_id=simklink-demo", nil)
				case 1:
					req, _ = http.NewRequest(http.MethodPost, h.srv.URL+"/sync/watched?extended=episodes&client_id=simklink-demo",
						strings.NewReader(`[{"ids":{"simkl":2090}},{"mal":21}]`))
				case 2:
					req, _ = http.NewRequest(http.MethodPost, h.srv.URL+"/sync/history?client_id=simklink-demo",
						strings.NewReader(`{"shows":[{"ids":{"simkl":17465},"seasons":[{"number":3}]}]}`))
				default:
					req, _ = http.NewRequest(http.MethodGet, h.srv.URL+"/img/posters/16/16913426086fc13_m.jpg", nil)
				}
				req.Header.Set("Authorization", "Bearer "+tokens[i])
				req.Header.Set("Content-Type", "application/json")
				h.clock.Advance(1) // the clock moves, a little
				res, err := h.client.Do(req)
				if err != nil {
					errs <- err
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode >= 500 {
					errs <- fmt.Errorf("%s: %d", req.URL.Path, res.StatusCode)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := h.sk.Stats()
	if want := clients * each * 3 / 4; st.Total != want || len(h.sk.Calls()) != want {
		t.Errorf("recorded %d calls (%d in the log), want %d", st.Total, len(h.sk.Calls()), want)
	}
}
