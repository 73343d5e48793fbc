package fs

// scanner reads a string the way glibc's sscanf() conversions do, so that
// lines and sysfs paths are accepted or rejected exactly as qemu-ga's formats
// accept them: numbers skip leading white space, take an optional sign (and
// for hex an optional 0x), stop at the first character that is not a digit,
// and saturate on overflow like strtoul(); literals must match exactly.
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

// literal matches one ordinary format character.
func (sc *scanner) literal(c byte) bool {
	if sc.i < len(sc.s) && sc.s[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

func digitValue(c byte, base uint64) (uint64, bool) {
	var d uint64
	switch {
	case c >= '0' && c <= '9':
		d = uint64(c - '0')
	case c >= 'a' && c <= 'f':
		d = uint64(c-'a') + 10
	case c >= 'A' && c <= 'F':
		d = uint64(c-'A') + 10
	default:
		return 0, false
	}
	return d, d < base
}

// number is %lu (base 10) or %lx (base 16): the value as strtoul() returns
// it, negated in two's complement after a '-'.
func (sc *scanner) number(base uint64) (uint64, bool) {
	sc.skipSpace()
	j := sc.i
	neg := false
	if j < len(sc.s) && (sc.s[j] == '+' || sc.s[j] == '-') {
		neg = sc.s[j] == '-'
		j++
	}
	if base == 16 && j+2 < len(sc.s) && sc.s[j] == '0' && (sc.s[j+1] == 'x' || sc.s[j+1] == 'X') {
		if _, ok := digitValue(sc.s[j+2], 16); ok {
			j += 2
		}
	}
	start := j
	var v uint64
	overflow := false
	for j < len(sc.s) {
		d, ok := digitValue(sc.s[j], base)
		if !ok {
			break
		}
		if v > (^uint64(0)-d)/base {
			overflow = true
		}
		v = v*base + d
		j++
	}
	if j == start {
		return 0, false
	}
	sc.i = j
	if overflow {
		return ^uint64(0), true
	}
	if neg {
		v = -v
	}
	return v, true
}

func (sc *scanner) dec() (uint64, bool) { return sc.number(10) }
func (sc *scanner) hex() (uint64, bool) { return sc.number(16) }

// word is %s: a run of non-white-space characters after white space.
func (sc *scanner) word() (string, bool) {
	sc.skipSpace()
	j := sc.i
	for j < len(sc.s) && !isSpace(sc.s[j]) {
		j++
	}
	if j == sc.i {
		return "", false
	}
	w := sc.s[sc.i:j]
	sc.i = j
	return w, true
}
