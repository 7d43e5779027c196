package simkl

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"
	"time"
)

func TestWatchStateGobRoundTrip(t *testing.T) {
	ep := EpisodeProgress{Number: 1071, Watched: true, Aired: true}
	ep.SetLastWatchedAt(time.Date(2025, 3, 1, 20, 0, 0, 0, time.UTC))
	in := WatchState{Result: ResultInLibrary, SimklID: 38636, List: ListWatching, LastWatchedAt: time.Date(2025, 3, 1, 20, 0, 0, 0, time.UTC),
		Counters: &EpisodeCounts{Total: 2, Aired: 2, Watched: 1},
		Seasons:  []SeasonProgress{{Number: 1, EpisodeCounts: EpisodeCounts{Total: 2, Watched: 1}, Episodes: []EpisodeProgress{ep, {Number: 1072, Aired: true}}}}}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(in); err != nil {
		t.Fatal(err)
	}
	var out WatchState
	if err := gob.NewDecoder(&b).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
	if got := out.Seasons[0].Episodes[0].LastWatchedAt(); !got.Equal(ep.LastWatchedAt()) {
		t.Errorf("last watched %v", got)
	}
}
