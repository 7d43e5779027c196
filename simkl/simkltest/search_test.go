package simkltest

import (
	"net/http"
	"slices"
	"testing"
)

func TestTextSearch(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		path     string
		wantIDs  []int
		wantType string
	}{
		{"/search/movie?q=inception", []int{InceptionID}, "movies"},
		{"/search/movie?q=JOHN+wick", []int{JohnWick4ID}, "movies"},
		{"/search/tv?q=one+piece", []int{OnePieceNetflixID}, "tv"},
		{"/search/anime?q=one+piece", []int{OnePieceID}, "anime"},
		// English titles match too.
		{"/search/anime?q=attack+on+titan", []int{AttackOnTitanID}, "anime"},
		{"/search/tv?q=inception", nil, ""},
		{"/search/movie?q=zzzz", nil, ""},
	}
	for _, tt := range tests {
		r := h.get(tt.path)
		wantStatus(t, r, http.StatusOK)
		v := r.json(t).([]any)
		var ids []int
		for i := range v {
			ids = append(ids, int(path(v, i, "ids", "simkl_id").(float64)))
			if got := path(v, i, "endpoint_type"); got != tt.wantType {
				t.Errorf("%s: endpoint_type %v, want %s", tt.path, got, tt.wantType)
			}
			if got := keys(path(v, i)); !slices.Equal(got, []string{"endpoint_type", "ids", "poster", "title", "year"}) {
				t.Errorf("%s: keys %v", tt.path, got)
			}
			if got := keys(path(v, i, "ids")); got[0] != "simkl_id" {
				t.Errorf("%s: ids keys %v", tt.path, got)
			}
		}
		if !slices.Equal(ids, tt.wantIDs) {
			t.Errorf("%s: ids %v, want %v", tt.path, ids, tt.wantIDs)
		}
		if r.header.Get("X-Pagination-Item-Count") != itoa(len(tt.wantIDs)) || r.header.Get("X-Pagination-Page") != "1" {
			t.Errorf("%s: pagination headers %v", tt.path, r.header)
		}
	}
}

func TestTextSearchRefuses(t *testing.T) {
	h := newHarness(t, Options{})
	wantStatus(t, h.get("/search/movie"), http.StatusBadRequest)
	wantStatus(t, h.get("/search/movie?q=+!+"), http.StatusBadRequest)
	wantStatus(t, h.get("/search/movies?q=inception"), http.StatusNotFound)
	wantStatus(t, h.get("/search/movie?q=inception&limit=x"), http.StatusBadRequest)
	r := h.get("/search/movie?q=in&limit=500")
	wantStatus(t, r, http.StatusOK)
	if got := r.header.Get("X-Pagination-Limit"); got != "50" {
		t.Errorf("limit capped to %s, want 50", got)
	}
}
