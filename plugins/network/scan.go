package network

import "math"

// scanner reads a string the way glibc's sscanf() conversions do, so that
// /proc lines are accepted or skipped exactly as qemu-ga's formats accept
// them: conversions skip leading white space, numbers take an optional sign
// (hex an optional 0x) and stop at the first non-digit, and overflow
// saturates like strtoul()/strtoll().
type scanner struct {
	s string
	i int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func (sc *scanner) skipSpace() {
	for sc.i < len(sc.s) && isSpace(sc.s[sc.i]) {
		sc.i++
	}
}

func hexDigit(c byte) (uint64, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10, true
	}
	return 0, false
}

// number converts one integer. Unsigned conversions return strtoul()'s
// value (negated in two's complement after '-', ULONG_MAX on overflow);
// signed ones strtoll()'s (LLONG_MAX/LLONG_MIN on overflow).
func (sc *scanner) number(base uint64, signed bool) (uint64, bool) {
	sc.skipSpace()
	j := sc.i
	neg := false
	if j < len(sc.s) && (sc.s[j] == '+' || sc.s[j] == '-') {
		neg = sc.s[j] == '-'
		j++
	}
	if base == 16 && j+2 < len(sc.s) && sc.s[j] == '0' && (sc.s[j+1] == 'x' || sc.s[j+1] == 'X') {
		if _, ok := hexDigit(sc.s[j+2]); ok {
			j += 2
		}
	}
	start := j
	var v uint64
	overflow := false
	for j < len(sc.s) {
		d, ok := hexDigit(sc.s[j])
		if !ok || d >= base {
			break
		}
		if v > (math.MaxUint64-d)/base {
			overflow = true
		}
		v = v*base + d
		j++
	}
	if j == start {
		return 0, false
	}
	sc.i = j
	switch {
	case signed && !neg && (overflow || v > math.MaxInt64):
		return math.MaxInt64, true
	case signed && neg && (overflow || v > 1<<63):
		return 1 << 63, true // LLONG_MIN
	case overflow:
		return math.MaxUint64, true
	case neg:
		return -v, true
	}
	return v, true
}

// udec is %u/%lu, sdec %d/%lld, hex %x.
func (sc *scanner) udec() (uint64, bool) { return sc.number(10, false) }
func (sc *scanner) sdec() (uint64, bool) { return sc.number(10, true) }
func (sc *scanner) hex() (uint64, bool)  { return sc.number(16, false) }

// word is %s (width 0) or %<width>s: non-white-space characters.
func (sc *scanner) word(width int) (string, bool) {
	sc.skipSpace()
	j := sc.i
	for j < len(sc.s) && !isSpace(sc.s[j]) && (width == 0 || j-sc.i < width) {
		j++
	}
	if j == sc.i {
		return "", false
	}
	w := sc.s[sc.i:j]
	sc.i = j
	return w, true
}
