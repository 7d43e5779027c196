package handlers

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
)

// pageCache keeps signed-out title pages rendered and gzipped. A signed-out
// page is the same for every visitor of the same URL, and the link a chat
// shares is opened by everyone in the chat: rendering and compressing it
// once a minute instead of on every visit is what lets a title page be
// served nearly as cheaply as a static file. Entries live one minute, well
// inside the title cache's day, so nothing here outlives its data for long;
// stale (Simkl down) and personal pages are never stored.
//
// The cache is bounded in bytes, not entries: its keys come from visitors,
// so only requests whose query is short and made of keys the page reads
// are cached (see pageKey), and every entry counts its key and bodies.
// Every entry lives the same ttl, so insertion order is also expiry order:
// the oldest entry is the first to expire and the first to be evicted.
type pageCache struct {
	mu      sync.Mutex
	now     func() time.Time
	ttl     time.Duration
	max     int // bytes
	size    int
	entries map[string]*list.Element // of *cachedPage
	order   *list.List               // oldest first
}

type cachedPage struct {
	key     string
	body    []byte
	gz      []byte // nil when too small to be worth compressing
	cache   string // Cache-Control
	expires time.Time
}

// entryOverhead approximates what an entry costs beyond its key and
// bodies (the list element, map slot and struct).
const entryOverhead = 256

func (p *cachedPage) cost() int {
	return len(p.key) + len(p.body) + len(p.gz) + len(p.cache) + entryOverhead
}

func newPageCache(maxBytes int, ttl time.Duration, now func() time.Time) *pageCache {
	return &pageCache{now: now, ttl: ttl, max: maxBytes, entries: map[string]*list.Element{}, order: list.New()}
}

// Bounds on what a cached page's request may carry.
const (
	maxCachedQuery = 128 // bytes of raw query
	maxCachedKey   = 1024
)

// pageKey is the cache key for r: the path plus the query keys the page
// reads, re-encoded in a fixed order, so that two spellings of one page
// are one entry. ok is false for a request the cache must not keep: one
// with a query key the page does not read (the page would differ, or the
// key is someone's way of filling the cache), a repeated key, or a long
// query or path.
func pageKey(r *http.Request, allowed ...string) (key string, ok bool) {
	if len(r.URL.RawQuery) > maxCachedQuery {
		return "", false
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return "", false
	}
	for k, vs := range q {
		if len(vs) != 1 || !slices.Contains(allowed, k) {
			return "", false
		}
	}
	key = r.URL.Path
	if len(q) > 0 {
		key += "?" + q.Encode()
	}
	return key, len(key) <= maxCachedKey
}

func (c *pageCache) get(key string) (*cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropExpired()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	return e.Value.(*cachedPage), true
}

// put compresses and stores body under key, and returns the entry to send.
// A page bigger than the whole cache is returned without being stored.
func (c *pageCache) put(key string, body []byte, cacheControl string) *cachedPage {
	p := &cachedPage{key: key, body: bytes.Clone(body), cache: cacheControl}
	if len(body) >= minGzip {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		p.gz = bytes.Clone(buf.Bytes())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p.expires = c.now().Add(c.ttl)
	if e, ok := c.entries[key]; ok {
		c.remove(e)
	}
	if p.cost() > c.max {
		return p
	}
	c.entries[key] = c.order.PushBack(p)
	c.size += p.cost()
	c.dropExpired()
	for c.size > c.max {
		c.remove(c.order.Front())
	}
	return p
}

// dropExpired removes expired entries from the front of the list. c.mu is
// held.
func (c *pageCache) dropExpired() {
	now := c.now()
	for e := c.order.Front(); e != nil && !now.Before(e.Value.(*cachedPage).expires); e = c.order.Front() {
		c.remove(e)
	}
}

func (c *pageCache) remove(e *list.Element) {
	p := c.order.Remove(e).(*cachedPage)
	delete(c.entries, p.key)
	c.size -= p.cost()
}

// stats reports the entries and bytes held, for tests.
func (c *pageCache) stats() (entries, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.size
}

// write sends a cached page with the headers the handler would have set.
func (p *cachedPage) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", p.cache)
	h.Add("Vary", "Cookie")
	h.Add("Vary", "Accept-Encoding")
	h.Add("Vary", "Accept-Language")
	body := p.body
	if p.gz != nil && acceptsGzip(r) {
		body = p.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
