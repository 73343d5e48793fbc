package file

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/qgad/qgad/qapi"
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
		// streamed: encoded chunk by chunk while written
		{streamFrom, streamFrom, 0}, {streamFrom + 1, streamFrom + 1, 0}, {streamFrom + 2, streamFrom + 2, 0},
		{3*streamChunk + 5, 3*streamChunk + 5, 0}, {streamFrom, streamFrom, 4 * streamChunk},
	} {
		rb := newReadBuf(tc.capacity, nil)
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
			got := resultString(t, r.result(tc.n, eof))
			want := `{"count": ` + strconv.Itoa(tc.n) + `, "buf-b64": "` + base64.StdEncoding.EncodeToString(data) + `", "eof": ` + map[bool]string{false: "false", true: "true"}[eof] + `}`
			if got != want {
				t.Fatalf("%+v eof=%v:\n got %q\nwant %q", tc, eof, got, want)
			}
		}
	}
}

// resultString is a read result as the core receives it, streamed or not.
func resultString(t *testing.T, v any) string {
	t.Helper()
	switch v := v.(type) {
	case qapi.RawJSON:
		return string(v)
	case *streamedRead:
		var b bytes.Buffer
		n, err := v.WriteTo(&b)
		if err != nil || n != int64(v.Len()) || b.Len() != v.Len() {
			t.Fatalf("WriteTo wrote %d bytes (%d kept), err %v; Len says %d", n, b.Len(), err, v.Len())
		}
		return b.String()
	}
	t.Fatalf("result of type %T", v)
	return ""
}

// A streamed read gives its buffer back once sent; the next big read uses
// it, and nothing of the first read shows through.
func TestStreamedReadReusesBuffer(t *testing.T) {
	var pool sync.Pool
	var first *byte
	for i, n := range []int{2 << 20, streamFrom + 1, streamFrom} {
		data := bytes.Repeat([]byte{byte('a' + i)}, n)
		rb := newReadBuf(n, &pool)
		if i == 0 {
			first = &rb.b[0]
		} else if &rb.b[0] != first {
			t.Logf("read %d got a new buffer (the pool may drop one at a GC)", i)
		}
		copy(rb.b[rb.raw:], data)
		got := resultString(t, rb.result(n, true))
		want := `{"count": ` + strconv.Itoa(n) + `, "buf-b64": "` + base64.StdEncoding.EncodeToString(data) + `", "eof": true}`
		if got != want {
			t.Fatalf("read %d of %d bytes: wrong result", i, n)
		}
	}
}
