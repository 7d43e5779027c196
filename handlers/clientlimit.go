package handlers

import (
	"context"
	"net"
	"net/http"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"simklink/titles"
)

// missLimiter gives each client a share of the lookups that have to go to
// Simkl. Simkl allows the whole app 10 GET/s; without shares, one client
// requesting many unknown or rare IDs would take them all, and every other
// visitor's uncached title would fail with "Simkl is busy". Cached titles
// are never limited. Limiters live in a bounded LRU keyed by client IP.
type missLimiter struct {
	limit   rate.Limit
	burst   int
	header  string // trusted header naming the client's IP; "" = the peer address
	clients *lru.Cache[string, *rate.Limiter]
}

func newMissLimiter(perSecond float64, burst int, header string) *missLimiter {
	if perSecond <= 0 {
		perSecond = 1
	}
	if burst <= 0 {
		burst = 20
	}
	clients, _ := lru.New[string, *rate.Limiter](10000)
	return &missLimiter{limit: rate.Limit(perSecond), burst: burst, header: http.CanonicalHeaderKey(header), clients: clients}
}

// gate returns ctx with the client's miss allowance attached (see
// titles.WithMissGate).
func (m *missLimiter) gate(r *http.Request) context.Context {
	ip := m.clientIP(r)
	return titles.WithMissGate(r.Context(), func() bool {
		lim, ok := m.clients.Get(ip)
		if !ok {
			lim = rate.NewLimiter(m.limit, m.burst)
			if prev, found, _ := m.clients.PeekOrAdd(ip, lim); found {
				lim = prev
			}
		}
		return lim.Allow()
	})
}

// clientIP is the client's address: from the configured header when the
// app runs behind a proxy that sets it (for X-Forwarded-For, the address
// the nearest proxy appended, the last one, since earlier ones are the
// client's to forge), else the peer address.
func (m *missLimiter) clientIP(r *http.Request) string {
	if m.header != "" {
		v := r.Header.Get(m.header)
		if i := strings.LastIndexByte(v, ','); i >= 0 {
			v = v[i+1:]
		}
		if ip := net.ParseIP(strings.TrimSpace(v)); ip != nil {
			return ip.String()
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
