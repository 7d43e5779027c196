package handlers

import (
	"context"
	"log/slog"
	"net/http"
)

// handleReadyz reports whether what the replicas share (Redis) answers:
// 200 "ok" when it does or when there is none, 503 when it does not.
// Pages keep working without it (each replica falls back to its own share
// of Simkl's budget and its own caches), so a load balancer should check
// /healthz, and /readyz is for monitoring: taking every replica out of
// rotation because Redis is away would turn a degraded service into none.
func handleReadyz(ready func(context.Context) error, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		setCacheFixed(w, "no-store")
		if ready == nil {
			_, _ = w.Write([]byte("ok\n"))
			return
		}
		if err := ready(r.Context()); err != nil {
			logger.Warn("readyz: redis unreachable", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("redis: unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\nredis: ok\n"))
	})
}
