package cards

import (
	"image"
	"testing"
)

func BenchmarkQRSVG(b *testing.B) {
	for b.Loop() {
		if _, err := QRSVG("https://simklink.example.com/t/simkl/191853", "QR code for Inception (2010)"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkButton(b *testing.B) {
	for b.Loop() {
		Button(Light, "Harry Potter and the Deathly Hallows: Part 2 (2011)")
	}
}

func BenchmarkCard(b *testing.B) {
	poster := image.NewRGBA(image.Rect(0, 0, 340, 500))
	var size int
	for b.Loop() {
		png, err := Card(CardInfo{Title: "Harry Potter and the Deathly Hallows: Part 2", Year: 2011, Kind: "Movie", Site: "simklink.example.com", Poster: poster})
		if err != nil {
			b.Fatal(err)
		}
		size = len(png)
	}
	b.ReportMetric(float64(size), "png-bytes")
}
