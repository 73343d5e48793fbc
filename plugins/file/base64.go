package file

import (
	"bytes"
	"encoding/base64"

	"github.com/qgad/qgad/qapi"
)

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// encodedLen is the length of the padded standard base64 of n bytes.
func encodedLen(n int) int { return (n + 2) / 3 * 4 }

// encodeInPlace writes the padded standard base64 of b[src:src+n] to b at
// dst and returns the end of what it wrote. The regions may overlap as long
// as src-dst >= (n+2)/3: each group's 4 output bytes then never reach
// source bytes not yet read. That lets a read land directly in the buffer
// that becomes the JSON result.
func encodeInPlace(b []byte, dst, src, n int) int {
	full := n - n%3
	s, d := src, dst
	for end := src + full; s < end; s, d = s+3, d+4 {
		in := b[s : s+3 : s+3]
		v := uint(in[0])<<16 | uint(in[1])<<8 | uint(in[2])
		out := b[d : d+4 : d+4]
		out[0] = b64Alphabet[v>>18&0x3f]
		out[1] = b64Alphabet[v>>12&0x3f]
		out[2] = b64Alphabet[v>>6&0x3f]
		out[3] = b64Alphabet[v&0x3f]
	}
	switch n - full {
	case 1:
		v := uint(b[s]) << 16
		out := b[d : d+4 : d+4]
		out[0] = b64Alphabet[v>>18&0x3f]
		out[1] = b64Alphabet[v>>12&0x3f]
		out[2], out[3] = '=', '='
		d += 4
	case 2:
		v := uint(b[s])<<16 | uint(b[s+1])<<8
		out := b[d : d+4 : d+4]
		out[0] = b64Alphabet[v>>18&0x3f]
		out[1] = b64Alphabet[v>>12&0x3f]
		out[2] = b64Alphabet[v>>6&0x3f]
		out[3] = '='
		d += 4
	}
	return d
}

// decodeBase64 decodes guest-file-write's buf-b64 as qemu-ga does: every
// character must be in the base64 alphabet, '=' or '\n', and the data is then
// decoded by glib's lenient decoder.
//
// Well-formed input (padding only at the end, newlines anywhere) decodes the
// same with encoding/base64, which is much faster; anything it refuses
// takes the exact path.
func decodeBase64(s []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	// encoding/base64 also skips '\r', which qemu-ga refuses.
	if bytes.IndexByte(s, '\r') < 0 {
		if n, err := base64.StdEncoding.Decode(out, s); err == nil {
			return out[:n], nil
		}
	}
	if !validBase64(s) {
		return nil, qapi.Errorf("Base64 data contains invalid characters")
	}
	return glibDecode(out[:0], s), nil
}

// validBase64 is qemu's qbase64_decode check: alphabet, '=' and '\n' only.
func validBase64(s []byte) bool {
	for _, c := range s {
		if b64Rank(c) < 0 && c != '=' && c != '\n' {
			return false
		}
	}
	return true
}

// b64Rank is the value of a base64 digit, or -1.
func b64Rank(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}

// glibDecode is g_base64_decode, appending to dst: characters outside the
// alphabet are skipped, '=' counts as a zero digit, and each group of four
// digits yields three bytes minus one for each of its last two digits that
// is '='. A trailing incomplete group is dropped; nothing is an error.
func glibDecode(dst, s []byte) []byte {
	var v uint32
	var digits int
	var last0, last1 byte // the last two digits seen, across groups
	for _, c := range s {
		r := b64Rank(c)
		if r < 0 {
			if c != '=' {
				continue
			}
			r = 0
		}
		last1, last0 = last0, c
		v = v<<6 | uint32(r)
		digits++
		if digits == 4 {
			dst = append(dst, byte(v>>16))
			if last1 != '=' {
				dst = append(dst, byte(v>>8))
			}
			if last0 != '=' {
				dst = append(dst, byte(v))
			}
			digits = 0
		}
	}
	return dst
}
