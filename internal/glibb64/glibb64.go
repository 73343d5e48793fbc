// Package glibb64 decodes base64 exactly as qemu-ga does (qemu's
// qbase64_decode): every character must be in the base64 alphabet, '=' or
// '\n', and the data is then decoded by glib's lenient decoder, which never
// fails. guest-file-write, guest-exec's input-data and
// guest-set-user-password's password all go through it.
package glibb64

import (
	"bytes"
	"encoding/base64"

	"github.com/qgad/qgad/qapi"
)

// ErrInvalid is qemu-ga's text for a character outside the alphabet.
var ErrInvalid = qapi.Errorf("Base64 data contains invalid characters")

// Decode decodes s as qemu-ga does.
//
// Well-formed input (padding only at the end, newlines anywhere) decodes the
// same with encoding/base64, which is much faster; anything it refuses
// takes the exact path.
func Decode(s []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	// encoding/base64 also skips '\r', which qemu-ga refuses.
	if bytes.IndexByte(s, '\r') < 0 {
		if n, err := base64.StdEncoding.Decode(out, s); err == nil {
			return out[:n], nil
		}
	}
	if !Valid(s) {
		return nil, ErrInvalid
	}
	return AppendGlib(out[:0], s), nil
}

// Valid is qemu's qbase64_decode check: alphabet, '=' and '\n' only.
func Valid(s []byte) bool {
	for _, c := range s {
		if rank(c) < 0 && c != '=' && c != '\n' {
			return false
		}
	}
	return true
}

// rank is the value of a base64 digit, or -1.
func rank(c byte) int {
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

// AppendGlib is g_base64_decode, appending to dst: characters outside the
// alphabet are skipped, '=' counts as a zero digit, and each group of four
// digits yields three bytes minus one for each of its last two digits that
// is '='. A trailing incomplete group is dropped; nothing is an error.
func AppendGlib(dst, s []byte) []byte {
	var v uint32
	var digits int
	var last0, last1 byte // the last two digits seen, across groups
	for _, c := range s {
		r := rank(c)
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
