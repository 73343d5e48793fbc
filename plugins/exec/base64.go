package exec

import (
	"strings"

	"github.com/qgad/qgad/qapi"
)

// base64Alphabet is what qemu's qbase64_decode accepts before handing the
// text to glib: the standard alphabet, padding and newlines.
const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n"

// decodeBase64 decodes input-data exactly as qemu-ga does: an alphabet
// check, then glib's lenient decoder (see decodeGlib).
func decodeBase64(s string) ([]byte, error) {
	// qemu works on a C string: an embedded NUL ends it.
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(base64Alphabet, s[i]) < 0 {
			return nil, qapi.Errorf("Base64 data contains invalid characters")
		}
	}
	return decodeGlib(s), nil
}

// decodeGlib is g_base64_decode: characters outside the alphabet are
// skipped, '=' counts as a zero digit, every complete group of four digits
// yields three bytes minus one per '=' among its last two characters, and a
// trailing incomplete group is dropped. There are no padding or length
// checks: "QQ" decodes to nothing, and "QQ==QUJD" to "AABC" (one byte from
// the first group, three from the second).
func decodeGlib(s string) []byte {
	out := make([]byte, 0, len(s)/4*3)
	var v uint32
	n := 0
	var last0, last1 byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		r, ok := base64Rank(c)
		if !ok {
			continue
		}
		last1, last0 = last0, c
		v = v<<6 | uint32(r)
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
	return out
}

func base64Rank(c byte) (byte, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A', true
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26, true
	case c >= '0' && c <= '9':
		return c - '0' + 52, true
	case c == '+':
		return 62, true
	case c == '/':
		return 63, true
	case c == '=':
		return 0, true
	}
	return 0, false
}
