package handlers

import (
	"net/http/httptest"
	"sync"
	"testing"
)

// TestDescribeLeavesSharedErrorsAlone: describe fills in a copy of a
// pageError's page, never the shared value (errCrossOrigin answers every
// refused POST at once; run with -race).
func TestDescribeLeavesSharedErrorsAlone(t *testing.T) {
	rs := &responder{}
	r := httptest.NewRequest("POST", "/logout", nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, page := rs.describe(r, errCrossOrigin)
			if status != 403 || page.Status != 403 || len(page.Links) != 1 {
				t.Errorf("describe = %d, %+v", status, page)
			}
		}()
	}
	wg.Wait()
	if errCrossOrigin.page.Status != 0 || errCrossOrigin.page.Links != nil {
		t.Fatalf("describe wrote into the shared error: %+v", errCrossOrigin.page)
	}
}
