package file

import (
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// encodeInPlace agrees with encoding/base64 for every gap from the tightest
// allowed to one where the 6-byte fast path runs to the end, and for
// lengths that end on each path.
func TestEncodeInPlaceGaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 2, 3, 5, 6, 7, 8, 11, 12, 13, 47, 48, 49, 1000, 4096, 65537} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		want := base64.StdEncoding.EncodeToString(data)
		tight := (n + 2) / 3
		for _, tc := range []struct {
			name      string
			gap, tail int
		}{
			{"tightest", tight, 0},
			{"tight+1", tight + 1, 0},
			{"tight+2", tight + 2, 0},
			{"read buffer", tight + 12, len(readTailMore)},
			{"wide", tight + 64, 0},
			{"wide with tail room", tight + 64, 8},
		} {
			dst := 3 // output does not start at the buffer's start in read results
			src := dst + tc.gap
			// No room past what the source and the output need, but tail.
			b := make([]byte, max(src+n, dst+encodedLen(n))+tc.tail)
			copy(b[src:], data)
			end := encodeInPlace(b, dst, src, n)
			if got := string(b[dst:end]); got != want {
				t.Fatalf("n=%d %s: encodeInPlace = %q, want %q", n, tc.name, got, want)
			}
		}
	}
}

func BenchmarkEncodeInPlace4MiB(b *testing.B) {
	const n = 4 << 20
	rb := newReadBuf(n, nil)
	b.SetBytes(n)
	for b.Loop() {
		encodeInPlace(rb.b, readHeadMax, rb.raw, n)
	}
}
