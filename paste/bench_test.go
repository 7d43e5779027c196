package paste

import "testing"

func BenchmarkParse(b *testing.B) {
	inputs := []string{"https://www.imdb.com/title/tt1375666/?ref_=nv_sr_srsg_0", "mal:21", "21", "One Piece (1999)",
		"https://anidb.net/perl-bin/animedb.pl?show=anime&aid=69", "https://example.com/x"}
	for b.Loop() {
		for _, in := range inputs {
			Parse(in, base)
		}
	}
}
