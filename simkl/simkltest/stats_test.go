package simkltest

import (
	"net/http"
	"testing"
)

func TestStatsShape(t *testing.T) {
	h := newHarness(t, Options{})
	for range 3 {
		wantStatus(t, h.get("/search/id?simkl=2090"), http.StatusOK)
	}
	wantStatus(t, h.post("/sync/watched", h.token, `[{"ids":{"simkl":2090}}]`), http.StatusOK)
	// Neither web pages, images nor the controls are counted.
	h.send(request{path: "/web/", noClientID: true})
	h.send(request{path: "/img/posters/16/16913426086fc13_c.jpg", noClientID: true})
	h.send(request{path: "/_faults", noClientID: true})
	h.send(request{path: "/_stats", noClientID: true})

	r := h.send(request{path: "/_stats", noClientID: true})
	wantStatus(t, r, http.StatusOK)
	if got, want := string(r.body), `{"calls":{"GET /search/id":3,"POST /sync/watched":1},"total":4,"violations":0,"blocked":0}`; got != want {
		t.Errorf("/_stats = %s\nwant      %s", got, want)
	}

	calls := h.sk.Calls()
	if len(calls) != 4 {
		t.Fatalf("%d calls recorded, want 4", len(calls))
	}
	last := calls[3]
	if last.Method != "POST" || last.Pattern != "POST /sync/watched" || last.Path != "/sync/watched" || last.Token != h.token ||
		last.User != DemoUser || last.Status != 200 || !last.Time.Equal(testStart.Add(4*h.step)) || last.Query.Get("client_id") != "simklink-demo" {
		t.Errorf("last call = %+v", last)
	}
	if calls[0].User != "" || calls[0].Token != "" || calls[0].Pattern != "GET /search/id" {
		t.Errorf("first call = %+v", calls[0])
	}

	// Failed calls count too, unmatched paths under "(unmatched)".
	h.send(request{path: "/search/id?simkl=2090", noClientID: true})
	h.get("/nope")
	st := h.sk.Stats()
	if st.Calls["GET /search/id"] != 4 || st.Calls["(unmatched)"] != 1 || st.Total != 6 {
		t.Errorf("stats = %+v", st)
	}

	r = h.send(request{method: http.MethodPost, path: "/_stats/reset", noClientID: true})
	wantStatus(t, r, http.StatusNoContent)
	r = h.send(request{path: "/_stats", noClientID: true})
	if string(r.body) != `{"calls":{},"total":0,"violations":0,"blocked":0}` {
		t.Errorf("after reset: %s", r.body)
	}
	if len(h.sk.Calls()) != 0 {
		t.Error("reset kept the call log")
	}
}
