package simkl

import (
	"net/url"
	"strconv"
	"strings"
)

// ImageSize is one of Simkl's image size suffixes (simkl.docs.apiary.io, "Images").
// Height is 0 where it varies from image to image.
type ImageSize struct {
	Suffix        string
	Width, Height int
}

// Poster sizes, smallest first.
var (
	PosterS  = ImageSize{"_s", 40, 57}
	PosterCM = ImageSize{"_cm", 84, 124}
	PosterC  = ImageSize{"_c", 170, 250}
	PosterCA = ImageSize{"_ca", 190, 279}
	PosterM  = ImageSize{"_m", 340, 0} // "340x*": real heights vary

	PosterW = ImageSize{"_w", 600, 338} // landscape crop
)

// Fanart sizes.
var (
	FanartS48    = ImageSize{"_s48", 48, 27}
	FanartW      = ImageSize{"_w", 600, 338}
	FanartMobile = ImageSize{"_mobile", 960, 540}
	FanartMedium = ImageSize{"_medium", 1920, 1080}
)

// Episode still sizes.
var (
	EpisodeM = ImageSize{"_m", 112, 63}
	EpisodeC = ImageSize{"_c", 210, 118}
	EpisodeW = ImageSize{"_w", 600, 338}
)

// PosterSrcset lists the portrait poster sizes for a srcset, smallest first.
func PosterSrcset() []ImageSize { return []ImageSize{PosterC, PosterCA, PosterM} }

func (c *Client) image(kind, path string, size ImageSize) string {
	path = ImagePath(path)
	if path == "" {
		return ""
	}
	// jpg, not webp: every browser and every link unfurler reads it.
	return c.cfg.ImageBase + "/" + kind + "/" + path + size.Suffix + ".jpg"
}

// PosterURL builds a poster image URL; "" when the title has no poster.
func (c *Client) PosterURL(path string, size ImageSize) string { return c.image("posters", path, size) }

// FanartURL builds a fanart image URL; "" when there is none.
func (c *Client) FanartURL(path string, size ImageSize) string { return c.image("fanart", path, size) }

// EpisodeImageURL builds an episode still URL; "" when there is none.
func (c *Client) EpisodeImageURL(path string, size ImageSize) string {
	return c.image("episodes", path, size)
}

// TitlePageURL is the title's page on simkl.com, which Simkl's API rules
// require apps to link back to: /movies|tv|anime/{id}/{slug}. The slug is
// only a hint (not unique), so it is left out when unknown.
func (c *Client) TitlePageURL(t MediaType, simklID int, slug string) string {
	section := "tv"
	switch t {
	case Movie:
		section = "movies"
	case Anime:
		section = "anime"
	}
	u := c.cfg.WebBase + "/" + section + "/" + strconv.Itoa(simklID)
	// The slug comes from Simkl's answer: escaped, so that it stays one
	// path segment whatever it holds.
	if slug = strings.Trim(slug, "/ "); slug != "" {
		u += "/" + url.PathEscape(slug)
	}
	return u
}

// SearchPageURL is simkl.com's search page for a query, for "not found"
// pages.
func (c *Client) SearchPageURL(q string) string {
	return c.cfg.WebBase + "/search/?q=" + url.QueryEscape(q)
}

// WebBase returns the configured simkl.com base URL.
func (c *Client) WebBase() string { return c.cfg.WebBase }
