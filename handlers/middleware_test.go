package handlers

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPanicBecomesA500PageAndALogLine(t *testing.T) {
	var logs bytes.Buffer
	rs := &responder{logger: slog.New(slog.NewTextHandler(&logs, nil)), pools: newPools()}
	h := observe(rs, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/t/imdb/tt1375666", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	if !strings.Contains(body, "Something went wrong") || strings.Contains(body, "boom") || strings.Contains(body, "goroutine") {
		t.Fatalf("500 page leaks or is missing: %s", body)
	}
	id := rec.Header().Get("X-Request-Id")
	if id == "" || !strings.Contains(logs.String(), "request_id="+id) || !strings.Contains(logs.String(), "panic=boom") {
		t.Fatalf("panic not logged with the request ID %q:\n%s", id, logs.String())
	}
}
