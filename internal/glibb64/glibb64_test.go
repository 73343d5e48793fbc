package glibb64

import (
	"bytes"
	"encoding/base64"
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
		{in: "SGVsbG8gV29ybGQhCgA=", want: "Hello World!\n\x00"},
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
		{in: "c2VjcmV0MQ", want: "secret"},
		{in: "QQ=A", want: "A\x00"},
		{in: "Q", want: ""},
		{in: "=", want: ""},
		{in: "Q=Q=", want: "@\x04"},
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
		got, err := Decode([]byte(tt.in))
		if tt.invalid {
			if err == nil || err.Error() != "Base64 data contains invalid characters" {
				t.Errorf("Decode(%q) = %q, %v; want the invalid characters error", tt.in, got, err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("Decode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// The encoding/base64 fast path never disagrees with glib's decoder.
func FuzzDecodeBase64(f *testing.F) {
	for _, s := range []string{"", "QUJD", "QQ==", "QU=D", "QQ==QUJD", "QUJD=", "Q===", "QUI", "QU\nJD", "QQ=\n=", "QUJD\r", "QR==", "A\nB\nC\nD\n==", "AAAA\n\n===="} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := Decode(in)
		if !Valid(in) {
			if err == nil {
				t.Fatalf("Decode(%q) accepted invalid input", in)
			}
			return
		}
		if want := AppendGlib(nil, in); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Decode(%q) = %q, %v; glib gives %q", in, got, err, want)
		}
	})
}

// On canonical input glib agrees with the standard decoder.
func TestDecodeCanonical(t *testing.T) {
	for n := range 70 {
		data := bytes.Repeat([]byte{0xa5, 0x00, 0xff, 0x5a, 0x13}, 14)[:n]
		enc := base64.StdEncoding.EncodeToString(data)
		if got, err := Decode([]byte(enc)); err != nil || !bytes.Equal(got, data) {
			t.Errorf("Decode(%q) = %x, %v; want %x", enc, got, err, data)
		}
		if got := AppendGlib(nil, []byte(enc)); !bytes.Equal(got, data) {
			t.Errorf("AppendGlib(%q) = %x; want %x", enc, got, data)
		}
	}
}
