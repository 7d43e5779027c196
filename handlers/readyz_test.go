package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestReadyzReportsRedis(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ready  func(context.Context) error
		status int
		body   string
	}{
		{"no Redis configured", nil, 200, "ok\n"},
		{"Redis answers", func(context.Context) error { return nil }, 200, "ok\nredis: ok\n"},
		{"Redis away", func(context.Context) error { return errors.New("dial tcp 127.0.0.1:6379: connection refused") }, 503, "redis: unreachable\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			handleReadyz(tc.ready, slog.New(slog.DiscardHandler)).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if rec.Code != tc.status || rec.Body.String() != tc.body || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%d %q", rec.Code, rec.Body.String())
			}
		})
	}
}
