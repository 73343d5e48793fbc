package file

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strconv"
	"testing"
)

// glib's lenient decoding, as qemu-ga 7.2 wrote it to a file.
func TestDecodeBase64(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		invalid bool
	}{
		{in: "", want: ""},
		{in: "QUJD", want: "ABC"},
		{in: "SGVsbG8gV29ybGQhCgA=", want: hello14},
		{in: "QQ==", want: "A"},
		{in: "QUI=", want: "AB"},
		{in: "QR==", want: "A"},                  // non-zero trailing bits ignored
		{in: "QU\nJD\n", want: "ABC"},            // newlines skipped
		{in: "QQ=\n=", want: "A"},                // even inside the padding
		{in: "\n\n", want: ""},                   // nothing but newlines
		{in: "QUI", want: ""},                    // incomplete group dropped
		{in: "QUJDQQ", want: "ABC"},              // ... also after full groups
		{in: "QUJDQQ=", want: "ABC"},             // ... even with padding
		{in: "QUJD=", want: "ABC"},               // a lone trailing '='
		{in: "QU=D", want: "A\x03"},              // '=' is a zero digit; the middle byte is dropped
		{in: "QQ==QUJD", want: "AABC"},           // data after padding
		{in: "Q===", want: "@"},                  // three '='
		{in: "====", want: "\x00"},               // all padding
		{in: "Q=JD", want: "@\x02C"},             // '=' inside a group
		{in: "QUJD====QUJD", want: "ABC\x00ABC"}, // a group of padding between data
		{in: "QU JD", invalid: true},
		{in: "QUJD\r\n", invalid: true},
		{in: "QUJD\t", invalid: true},
		{in: "QUJD\x00", invalid: true},
		{in: "QUJ-", invalid: true},
		{in: "QUJ_", invalid: true},
		{in: "QUJ\u00e9", invalid: true},
		{in: "QUJD.", invalid: true},
	}
	for _, tt := range tests {
		got, err := decodeBase64([]byte(tt.in))
		if tt.invalid {
			if err == nil || err.Error() != "Base64 data contains invalid characters" {
				t.Errorf("decodeBase64(%q) = %q, %v; want the invalid characters error", tt.in, got, err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("decodeBase64(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// The encoding/base64 fast path never disagrees with glib's decoder.
func FuzzDecodeBase64(f *testing.F) {
	for _, s := range []string{"", "QUJD", "QQ==", "QU=D", "QQ==QUJD", "QUJD=", "Q===", "QUI", "QU\nJD", "QQ=\n=", "QUJD\r", "QR==", "A\nB\nC\nD\n==", "AAAA\n\n===="} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := decodeBase64(in)
		if !validBase64(in) {
			if err == nil {
				t.Fatalf("decodeBase64(%q) accepted invalid input", in)
			}
			return
		}
		if want := glibDecode(nil, in); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("decodeBase64(%q) = %q, %v; glib gives %q", in, got, err, want)
		}
	})
}

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
