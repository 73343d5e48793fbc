package users

import "strings"

// base64Valid is the alphabet qemu's qbase64_decode accepts before handing
// the text to glib: the standard characters, padding and newlines.
const base64Valid = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n"

// decodeBase64 decodes like qbase64_decode + g_base64_decode: characters
// outside base64Valid are an error, but decoding itself is lenient: '\n' is
// skipped, '=' counts as a zero digit that only suppresses output bytes at
// the end of a 4-digit group, and an incomplete final group is dropped.
func decodeBase64(s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(base64Valid, s[i]) < 0 {
			return nil, false
		}
	}
	out := make([]byte, 0, len(s)/4*3)
	var v uint32
	var n int
	var last0, last1 byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' {
			continue
		}
		last1, last0 = last0, c
		v = v<<6 | base64Rank(c)
		n++
		if n == 4 {
			out = append(out, byte(v>>16))
			if last1 != '=' {
				out = append(out, byte(v>>8))
			}
			if last0 != '=' {
				out = append(out, byte(v))
			}
			n = 0
		}
	}
	return out, true
}

// base64Rank is glib's mime_base64_rank for the accepted characters.
func base64Rank(c byte) uint32 {
	switch {
	case c >= 'A' && c <= 'Z':
		return uint32(c - 'A')
	case c >= 'a' && c <= 'z':
		return uint32(c-'a') + 26
	case c >= '0' && c <= '9':
		return uint32(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return 0 // '='
}
