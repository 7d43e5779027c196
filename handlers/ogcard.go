package handlers

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // posters are JPEG
	_ "image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"simklink/cards"
	"simklink/simkl"
	"simklink/views"
)

// Bounds on a poster fetched for an unfurl card.
const (
	maxPosterBytes  = 2 << 20
	maxPosterPixels = 4000 * 4000
	posterTimeout   = 3 * time.Second
)

// cardCache keeps drawn unfurl cards by title and poster, and draws each
// one once however many crawlers ask at the same moment.
type cardCache struct {
	pngs   *lru.Cache[string, []byte]
	flight singleflight.Group
	client *http.Client
}

func newCardCache(size int, client *http.Client) *cardCache {
	if client == nil {
		client = &http.Client{Timeout: posterTimeout}
	}
	pngs, _ := lru.New[string, []byte](size)
	return &cardCache{pngs: pngs, client: client}
}

// handleOGCard serves /og/{kind}/{id}.png, the 1200×630 unfurl card. The
// poster comes from Simkl's image host (never the API), bounded in size
// and time; without one (or when it cannot be fetched) the card is drawn
// without it.
func handleOGCard(rs *responder, m *models, ts Titles, misses *missLimiter, cc *cardCache) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := resolveID(r, ts, misses, ".png")
		if err != nil {
			rs.fail(w, r, err)
			return
		}
		t := res.Title
		key := strconv.Itoa(t.IDs.Simkl) + "/" + t.Poster + "/" + t.Title
		png, ok := cc.pngs.Get(key)
		cache := "public, max-age=604800, stale-while-revalidate=86400"
		if !ok {
			v, err, _ := cc.flight.Do(key, func() (any, error) {
				return cc.draw(context.WithoutCancel(r.Context()), m, t, key)
			})
			if err != nil {
				rs.serverError(w, r, err)
				return
			}
			dc := v.(drawnCard)
			png = dc.png
			if !dc.complete {
				cache = "public, max-age=300" // try the poster again later
			}
		}
		h := w.Header()
		h.Set("Content-Type", "image/png")
		h.Set("Content-Length", strconv.Itoa(len(png)))
		setCacheFixed(w, cache)
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		_, _ = w.Write(png)
	})
}

type drawnCard struct {
	png      []byte
	complete bool // false when a poster exists but could not be fetched
}

// draw draws t's card, naming our host on it, and keeps it when it is
// complete.
func (c *cardCache) draw(ctx context.Context, m *models, t simkl.Title, key string) (drawnCard, error) {
	info := cards.CardInfo{Title: t.Title, Year: t.Year, Kind: views.KindLabel(string(t.Type), t.AnimeType), Site: m.base.Host}
	complete := true
	if t.Poster != "" {
		img, err := c.poster(ctx, m.absolute(m.links.PosterURL(t.Poster, simkl.PosterM)))
		if err != nil {
			m.logger.Warn("poster for unfurl card", "simkl", t.IDs.Simkl, "err", err)
			complete = false
		}
		info.Poster = img
	}
	png, err := cards.Card(info)
	if err != nil {
		return drawnCard{}, err
	}
	if complete {
		c.pngs.Add(key, png)
	}
	return drawnCard{png: png, complete: complete}, nil
}

// poster fetches and decodes one poster image, refusing anything large.
func (c *cardCache) poster(ctx context.Context, u string) (image.Image, error) {
	ctx, cancel := context.WithTimeout(ctx, posterTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "simklink")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("poster: %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/jpeg") && !strings.HasPrefix(ct, "image/png") {
		return nil, fmt.Errorf("poster: content type %q", ct)
	}
	if resp.ContentLength > maxPosterBytes {
		return nil, errors.New("poster: too large")
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxPosterBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxPosterBytes {
		return nil, errors.New("poster: too large")
	}
	cfg, _, err := image.DecodeConfig(strings.NewReader(string(b)))
	if err != nil {
		return nil, err
	}
	if cfg.Width*cfg.Height > maxPosterPixels {
		return nil, errors.New("poster: too many pixels")
	}
	img, _, err := image.Decode(strings.NewReader(string(b)))
	return img, err
}
