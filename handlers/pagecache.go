package handlers

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// pageCache keeps signed-out title pages rendered and gzipped. A signed-out
// page is the same for every visitor of the same URL, and the link a chat
// shares is opened by everyone in the chat: rendering and compressing it
// once a minute instead of on every visit is what lets a title page be
// served nearly as cheaply as a static file. Entries live one minute, well
// inside the title cache's day, so nothing here outlives its data for long;
// stale (Simkl down) and personal pages are never stored.
type pageCache struct {
	lru *lru.Cache[string, *cachedPage]
	ttl time.Duration
}

type cachedPage struct {
	body    []byte
	gz      []byte // nil when too small to be worth compressing
	cache   string // Cache-Control
	expires time.Time
}

func newPageCache(size int, ttl time.Duration) *pageCache {
	c, _ := lru.New[string, *cachedPage](size)
	return &pageCache{lru: c, ttl: ttl}
}

// key is the request's path and query as sent: the page links to sign-in
// with this exact path, so two spellings are two pages.
func (c *pageCache) key(r *http.Request) string { return r.URL.RequestURI() }

func (c *pageCache) get(r *http.Request) (*cachedPage, bool) {
	p, ok := c.lru.Get(c.key(r))
	if !ok || time.Now().After(p.expires) {
		return nil, false
	}
	return p, true
}

func (c *pageCache) put(r *http.Request, body []byte, cacheControl string) *cachedPage {
	p := &cachedPage{body: bytes.Clone(body), cache: cacheControl, expires: time.Now().Add(c.ttl)}
	if len(body) >= minGzip {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		p.gz = buf.Bytes()
	}
	c.lru.Add(c.key(r), p)
	return p
}

// write sends a cached page with the headers the handler would have set.
func (p *cachedPage) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", p.cache)
	h.Add("Vary", "Cookie")
	h.Add("Vary", "Accept-Encoding")
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
