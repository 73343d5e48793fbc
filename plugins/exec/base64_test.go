package exec

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestDecodeBase64(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		invalid bool
	}{
		{in: "", want: ""},
		{in: "SGVsbG8gV29ybGQhCgA=", want: "Hello World!\n\x00"},
		{in: "aGVsbG8=", want: "hello"},
		{in: "aGVsbG8", want: "hel"},        // incomplete group dropped
		{in: "aGVs\nbG8=\n", want: "hello"}, // newlines allowed
		{in: "QQ==QUJD", want: "AABC"},      // padding inside is fine
		{in: "Q===", want: "\x40"},          // one byte, the rest padding
		{in: "=", want: ""},                 // lone padding
		{in: "====", want: "\x00"},          // '=' is a zero digit
		{in: "QUJD\x00!!!", want: "ABC"},    // a C string ends at NUL
		{in: "QUJD ", invalid: true},        // space
		{in: "QUJD\r\n", invalid: true},     // CR
		{in: "QU-D", invalid: true},         // URL alphabet
		{in: "QUJ\u00e9", invalid: true},    // non-ASCII
		{in: "\tQUJD", invalid: true},       // tab
	}
	for _, tc := range tests {
		got, err := decodeBase64(tc.in)
		if tc.invalid {
			if err == nil || err.Error() != "Base64 data contains invalid characters" {
				t.Errorf("decodeBase64(%q) = %q, %v; want the invalid-characters error", tc.in, got, err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("decodeBase64(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// On canonical input glib agrees with the standard decoder.
func TestDecodeGlibCanonical(t *testing.T) {
	for n := range 70 {
		data := bytes.Repeat([]byte{0xa5, 0x00, 0xff, 0x5a, 0x13}, 14)[:n]
		enc := base64.StdEncoding.EncodeToString(data)
		if got := decodeGlib(enc); !bytes.Equal(got, data) {
			t.Fatalf("len %d: decodeGlib(%q) = %x, want %x", n, enc, got, data)
		}
	}
}
