package simkl

import (
	"encoding/binary"
	"errors"
)

// GobEncode lets a WatchState travel through encoding/gob (the tracker
// shares users' states between replicas that way) with its unexported
// last-watched time: 13 bytes, number, flags and Unix seconds.
func (e EpisodeProgress) GobEncode() ([]byte, error) {
	b := make([]byte, 13)
	binary.LittleEndian.PutUint32(b, uint32(e.Number))
	if e.Watched {
		b[4] |= 1
	}
	if e.Aired {
		b[4] |= 2
	}
	binary.LittleEndian.PutUint64(b[5:], uint64(e.lastWatched))
	return b, nil
}

// GobDecode is GobEncode's inverse.
func (e *EpisodeProgress) GobDecode(b []byte) error {
	if len(b) != 13 {
		return errors.New("simkl: EpisodeProgress: bad encoding")
	}
	e.Number = int32(binary.LittleEndian.Uint32(b))
	e.Watched, e.Aired = b[4]&1 != 0, b[4]&2 != 0
	e.lastWatched = int64(binary.LittleEndian.Uint64(b[5:]))
	return nil
}
