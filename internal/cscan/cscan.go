// Package cscan reads numbers and words out of text the way glibc's sscanf,
// strtol, strtoul, atoi and strtod do, so that /proc, sysfs and path
// contents are accepted, rejected or saturated exactly as qemu-ga's C code
// treats them.
//
// Integers skip leading white space (C's isspace in the "C" locale), take an
// optional sign and, in base 16, an optional "0x" when a hex digit follows,
// and stop at the first character that is not a digit of the base. Unsigned
// conversions return strtoul's value: negated modulo 2^64 after '-', and
// 2^64-1 on overflow. Signed conversions return strtol's: saturated at the
// int64 range.
package cscan

import (
	"math"
	"strings"
)

// IsSpace is C's isspace in the "C" locale.
func IsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// TrimLeftSpace drops the leading white space (IsSpace) of s.
func TrimLeftSpace(s string) string {
	i := 0
	for i < len(s) && IsSpace(s[i]) {
		i++
	}
	return s[i:]
}

// CString cuts s at its first NUL byte, where a C string ends.
func CString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// digitVal is the value of c as a digit in bases up to 36 ('a'/'A' is 10,
// 'z'/'Z' 35), or 99 when c is no digit in any base.
func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// Digit is the value of c as a digit in base, and whether it is one.
func Digit(c byte, base int) (uint64, bool) {
	d := digitVal(c)
	if d >= base {
		return 0, false
	}
	return uint64(d), true
}

// parseInt parses what strtol/strtoul accept at the start of s: leading
// white space, a sign, "0x" for base 16, digits. It returns the magnitude
// (saturated at 2^64-1 with overflow set), the sign, the rest of s, and
// ok=false when there are no digits (s is then returned unchanged).
func parseInt(s string, base int) (mag uint64, neg, overflow bool, rest string, ok bool) {
	p := TrimLeftSpace(s)
	if p != "" && (p[0] == '+' || p[0] == '-') {
		neg = p[0] == '-'
		p = p[1:]
	}
	if base == 16 && len(p) >= 3 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digitVal(p[2]) < 16 {
		p = p[2:]
	}
	i := 0
	for ; i < len(p) && digitVal(p[i]) < base; i++ {
		d := uint64(digitVal(p[i]))
		if mag > (math.MaxUint64-d)/uint64(base) {
			overflow = true
			mag = math.MaxUint64
		} else if !overflow {
			mag = mag*uint64(base) + d
		}
	}
	if i == 0 {
		return 0, false, false, s, false
	}
	return mag, neg, overflow, p[i:], true
}

// Strtol is glibc's strtol (base 2 to 36, without base 0's prefix
// detection): saturates at the int64 range. rest is s after the number; with
// no digits ok is false and rest is s.
func Strtol(s string, base int) (v int64, rest string, ok bool) {
	mag, neg, overflow, rest, ok := parseInt(s, base)
	if !ok {
		return 0, s, false
	}
	switch {
	case neg && (overflow || mag > 1<<63):
		return math.MinInt64, rest, true
	case neg:
		return int64(-mag), rest, true
	case overflow || mag > math.MaxInt64:
		return math.MaxInt64, rest, true
	}
	return int64(mag), rest, true
}

// Strtoul is glibc's strtoul: a minus sign negates modulo 2^64, overflow
// gives 2^64-1. rest and ok are as for Strtol.
func Strtoul(s string, base int) (v uint64, rest string, ok bool) {
	mag, neg, overflow, rest, ok := parseInt(s, base)
	switch {
	case !ok:
		return 0, s, false
	case overflow:
		return math.MaxUint64, rest, true
	case neg:
		return -mag, rest, true
	}
	return mag, rest, true
}

// Atoi is glibc's atoi: (int) strtol(s, NULL, 10), truncated to 32 bits.
func Atoi(s string) int64 {
	v, _, _ := Strtol(s, 10)
	return int64(int32(v))
}

// Scanner reads a string conversion by conversion, like one sscanf call:
// conversions skip leading white space, literals must match exactly.
type Scanner struct {
	s string
	i int
}

// New scans s from its start.
func New(s string) Scanner { return Scanner{s: s} }

// At scans s from byte offset i.
func At(s string, i int) Scanner { return Scanner{s: s, i: i} }

// Pos is the offset in the scanned string of the next unread byte.
func (sc *Scanner) Pos() int { return sc.i }

// Rest is the unread part of the scanned string.
func (sc *Scanner) Rest() string { return sc.s[sc.i:] }

// SkipSpace moves past white space, as a space in a format does.
func (sc *Scanner) SkipSpace() {
	for sc.i < len(sc.s) && IsSpace(sc.s[sc.i]) {
		sc.i++
	}
}

// Literal matches one ordinary format character.
func (sc *Scanner) Literal(c byte) bool {
	if sc.i < len(sc.s) && sc.s[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

// Number converts one integer in base: unsigned as Strtoul, signed as
// Strtol (returned in two's complement). Leading white space is skipped
// even when the conversion fails; the digits are consumed only when it
// succeeds.
func (sc *Scanner) Number(base int, signed bool) (uint64, bool) {
	sc.SkipSpace()
	var v uint64
	var rest string
	var ok bool
	if signed {
		var x int64
		x, rest, ok = Strtol(sc.s[sc.i:], base)
		v = uint64(x)
	} else {
		v, rest, ok = Strtoul(sc.s[sc.i:], base)
	}
	if !ok {
		return 0, false
	}
	sc.i = len(sc.s) - len(rest)
	return v, true
}

// Udec is %u/%lu, Sdec %d/%lld, Hex %x/%lx.
func (sc *Scanner) Udec() (uint64, bool) { return sc.Number(10, false) }
func (sc *Scanner) Sdec() (uint64, bool) { return sc.Number(10, true) }
func (sc *Scanner) Hex() (uint64, bool)  { return sc.Number(16, false) }

// Word is %s (width 0) or %<width>s: a run of non-white-space characters
// after white space. It fails on an empty run.
func (sc *Scanner) Word(width int) (string, bool) {
	sc.SkipSpace()
	j := sc.i
	for j < len(sc.s) && !IsSpace(sc.s[j]) && (width == 0 || j-sc.i < width) {
		j++
	}
	if j == sc.i {
		return "", false
	}
	w := sc.s[sc.i:j]
	sc.i = j
	return w, true
}
