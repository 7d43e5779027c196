package simkltest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestNewUsersDoNotChangeTheDemoLibrary: users share the demo library until
// they change it, and a change never leaks into another user's library.
func TestNewUsersDoNotChangeTheDemoLibrary(t *testing.T) {
	s := New(Options{})
	a, b := s.MintToken("ann"), s.MintToken("ben")
	_ = b
	srv := httptest.NewServer(s)
	defer srv.Close()
	body := `{"shows":[{"ids":{"simkl":2090},"seasons":[{"number":1}]}]}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/sync/history/remove?client_id=simklink-demo", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	ea, _ := s.Entry("ann", WalkingDeadID)
	eb, _ := s.Entry("ben", WalkingDeadID)
	ed, _ := s.Entry(DemoUser, WalkingDeadID)
	if _, ok := ea.Watched[[2]int{1, 1}]; ok {
		t.Fatal("ann's change did not apply")
	}
	if _, ok := eb.Watched[[2]int{1, 1}]; !ok {
		t.Fatal("ann's change leaked into ben's library")
	}
	if _, ok := ed.Watched[[2]int{1, 1}]; !ok {
		t.Fatal("ann's change leaked into the demo library")
	}
}
