package file

import (
	"encoding/base64"
	"math/rand/v2"
	"strconv"
	"testing"
)

// encodeInPlace agrees with encoding/base64 at the tightest overlap the
// read buffer allows, for every length remainder.
func TestEncodeInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 200; n++ {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		want := base64.StdEncoding.EncodeToString(data)
		gap := (n + 2) / 3
		b := make([]byte, gap+encodedLen(n)+3)
		copy(b[gap:], data)
		end := encodeInPlace(b, 0, gap, n)
		if got := string(b[:end]); got != want {
			t.Fatalf("n=%d: encodeInPlace = %q, want %q", n, got, want)
		}
	}
}

// readBuf frames any read as qemu-ga would, including after growing.
func TestReadBufResult(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ capacity, n, growTo int }{
		{0, 0, 0}, {1, 1, 0}, {2, 2, 0}, {3, 3, 0}, {10, 7, 0}, {4096, 4096, 0},
		{1, 1, 100}, {5, 5, 17}, {3, 3, 1 << 16},
	} {
		rb := newReadBuf(tc.capacity)
		data := make([]byte, tc.n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		copy(rb.b[rb.raw:], data)
		if tc.growTo > 0 {
			rb = rb.grow(tc.growTo, tc.n)
		}
		for _, eof := range []bool{false, true} {
			// result works in place: give each call its own copy
			r := readBuf{b: append([]byte(nil), rb.b...), raw: rb.raw, capacity: rb.capacity}
			got := string(r.result(tc.n, eof))
			want := `{"count": ` + strconv.Itoa(tc.n) + `, "buf-b64": "` + base64.StdEncoding.EncodeToString(data) + `", "eof": ` + map[bool]string{false: "false", true: "true"}[eof] + `}`
			if got != want {
				t.Fatalf("%+v eof=%v:\n got %q\nwant %q", tc, eof, got, want)
			}
		}
	}
}
