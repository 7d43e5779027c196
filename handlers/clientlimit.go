package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"simklink/simkl"
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
	// shared, when set, keeps the shares across replicas instead.
	shared FairShare
	// budget, when set, is Simkl's daily call budget: signed-out
	// visitors' misses stop when only its reserve is left.
	budget DailyBudget
}

// DailyBudget is Simkl's daily call budget (simkl.Client.CheckReserve).
// When only its reserve is left, lookups for signed-out visitors stop and
// signed-in visitors go on: the reserve is policy about who asks, which
// only the handlers know, so it is applied in their gate.
type DailyBudget interface {
	CheckReserve() error
}

// errShareUsed answers a miss over its client's share.
var errShareUsed = fmt.Errorf("%w: this client's share of lookups is used up", simkl.ErrBusy)

// FairShare is each client's share of the lookups that go to Simkl when it
// is kept outside this process (redisstore.FairShare: across replicas).
type FairShare interface {
	// Allow reports whether client may send one more lookup now, and
	// takes it.
	Allow(ctx context.Context, client string) bool
}

// Each client's default share of lookups that go to Simkl.
const (
	DefaultMissesPerSecond = 1
	DefaultMissBurst       = 20
)

func newMissLimiter(perSecond float64, burst int, header string) *missLimiter {
	if perSecond <= 0 {
		perSecond = DefaultMissesPerSecond
	}
	if burst <= 0 {
		burst = DefaultMissBurst
	}
	clients, _ := lru.New[string, *rate.Limiter](10000)
	return &missLimiter{limit: rate.Limit(perSecond), burst: burst, header: http.CanonicalHeaderKey(header), clients: clients}
}

// allowFor returns the gate of r's client: whether one more of its cache
// misses may go to Simkl now. A signed-out visitor's miss also needs room
// outside the daily budget's reserve.
func (m *missLimiter) allowFor(r *http.Request, signedIn bool) titles.Gate {
	ip := m.clientIP(r)
	return func() error {
		if !signedIn && m.budget != nil {
			if err := m.budget.CheckReserve(); err != nil {
				return err
			}
		}
		if !m.take(r.Context(), ip) {
			return errShareUsed
		}
		return nil
	}
}

// take takes one of ip's misses, if its share has one left.
func (m *missLimiter) take(ctx context.Context, ip string) bool {
	if m.shared != nil {
		return m.shared.Allow(ctx, ip)
	}
	lim, ok := m.clients.Get(ip)
	if !ok {
		lim = rate.NewLimiter(m.limit, m.burst)
		if prev, found, _ := m.clients.PeekOrAdd(ip, lim); found {
			lim = prev
		}
	}
	return lim.Allow()
}

// clientIP names the client for its share: the address from the configured
// header when the app runs behind a proxy that sets it, else the peer
// address. For X-Forwarded-For that is the last entry of the last line,
// the one our proxy appended: everything before it, including earlier
// lines, is the client's to forge. IPv6 clients are grouped by /64, the
// block one subscriber usually holds, so that a client cannot take a fresh
// share with each of its addresses.
func (m *missLimiter) clientIP(r *http.Request) string {
	if m.header != "" {
		if lines := r.Header.Values(m.header); len(lines) > 0 {
			v := lines[len(lines)-1]
			if i := strings.LastIndexByte(v, ','); i >= 0 {
				v = v[i+1:]
			}
			if ip, err := netip.ParseAddr(strings.TrimSpace(v)); err == nil {
				return clientKey(ip)
			}
		}
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return clientKey(ap.Addr())
	}
	return r.RemoteAddr
}

// clientKey is ip, or its /64 for IPv6.
func clientKey(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
