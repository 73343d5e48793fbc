package users

import (
	"encoding/base64"
	"testing"
)

// The expected values of TestDecodeBase64 were checked against glib's own
// g_base64_decode (libglib 2.74).
func TestDecodeBase64(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{in: "", want: "", ok: true},
		{in: "c2VjcmV0", want: "secret", ok: true},
		{in: "c2VjcmV0MQ==", want: "secret1", ok: true},
		{in: "c2VjcmV0MTI=", want: "secret12", ok: true},
		// glib's leniency: newlines anywhere, missing padding drops the
		// incomplete group, '=' is a zero digit mid-text.
		{in: "c2Vj\ncmV0\n", want: "secret", ok: true},
		{in: "c2VjcmV0MQ", want: "secret", ok: true},
		{in: "QQ=A", want: "A\x00", ok: true},
		{in: "====", want: "\x00", ok: true},
		{in: "Q", want: "", ok: true},
		{in: "Q=Q=", want: "@\x04", ok: true},
		{in: "c2VjcmV0 ", ok: false},
		{in: "c2Vj-cmV0", ok: false},
		{in: "c2VjcmV0\r\n", ok: false},
		{in: "YWJj_w", ok: false},
	}
	for _, tc := range tests {
		got, ok := decodeBase64(tc.in)
		if ok != tc.ok || (ok && string(got) != tc.want) {
			t.Errorf("decodeBase64(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestDecodeBase64Canonical: on canonical input it agrees with the standard
// decoder.
func TestDecodeBase64Canonical(t *testing.T) {
	for n := range 64 {
		raw := make([]byte, n)
		for i := range raw {
			raw[i] = byte(i*37 + n)
		}
		enc := base64.StdEncoding.EncodeToString(raw)
		got, ok := decodeBase64(enc)
		if !ok || string(got) != string(raw) {
			t.Errorf("decodeBase64(%q) = %x, %v; want %x", enc, got, ok, raw)
		}
	}
}
