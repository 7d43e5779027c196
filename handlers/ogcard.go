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
// without it. While Simkl cannot be asked about a title not cached yet,
// a card without the title is served for a minute: a chat app unfurls a
// link once, and no image at all would be its only memory of it.
func handleOGCard(rs *responder, m *models, ts Titles, misses *missLimiter, cc *cardCache) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := resolveID(r, ts, misses, ".png")
		if err != nil && simkl.IsTemporary(err) {
			png, gerr := cc.generic(m)
			if gerr != nil {
				rs.serverError(w, r, gerr)
				return
			}
			writePNG(w, png, "public, max-age=60")
			return
		}
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
		writePNG(w, png, cache)
	})
}

// writePNG answers with a card image that any site may show.
func writePNG(w http.ResponseWriter, png []byte, cache string) {
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(png)))
	setCacheFixed(w, cache)
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	_, _ = w.Write(png)
}

// genericCardKey keeps the card without a title among the drawn cards.
const genericCardKey = "\x00generic"

// generic is the card for a title Simkl cannot be asked about right now:
// no title, only the site; drawn once.
func (c *cardCache) generic(m *models) ([]byte, error) {
	if png, ok := c.pngs.Get(genericCardKey); ok {
		return png, nil
	}
	v, err, _ := c.flight.Do(genericCardKey, func() (any, error) {
		png, err := cards.Card(cards.CardInfo{Title: "A title on Simkl", Site: m.base.Host})
		if err == nil {
			c.pngs.Add(genericCardKey, png)
		}
		return png, err
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
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
