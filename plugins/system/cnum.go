package system

import (
	"math"
	"strconv"
	"strings"
)

// qemu-ga reads numbers out of /proc and sysfs with the C library (sscanf,
// strtol, strtoul, atoi, strtod); these helpers reproduce glibc's rules for
// the inputs those files can hold, so odd contents give the same results.

// isCSpace is C's isspace in the "C" locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func trimCSpace(s string) string {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	return s[i:]
}

// cString cuts s at its first NUL byte, where a C string ends.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

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

// scanInt parses what strtol/strtoul accept at the start of s (base 10 or
// 16): leading spaces, a sign, "0x" for base 16, digits. It returns the
// magnitude (saturated at 2^64-1 with overflow set), the sign, the rest of s,
// and ok=false when there are no digits (s is then returned unchanged).
func scanInt(s string, base int) (mag uint64, neg, overflow bool, rest string, ok bool) {
	p := trimCSpace(s)
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

// strtol is glibc's strtol: saturates at the int64 range.
func strtol(s string, base int) (v int64, rest string, ok bool) {
	mag, neg, overflow, rest, ok := scanInt(s, base)
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

// strtoul is glibc's strtoul: a minus sign negates modulo 2^64, overflow
// gives 2^64-1.
func strtoul(s string, base int) (v uint64, rest string, ok bool) {
	mag, neg, overflow, rest, ok := scanInt(s, base)
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

// atoi is glibc's atoi: (int) strtol(s, NULL, 10), truncated to 32 bits.
func atoi(s string) int64 {
	v, _, _ := strtol(s, 10)
	return int64(int32(v))
}

// strtod parses the longest prefix of s that C's strtod accepts: decimal and
// hexadecimal floating-point numbers, "inf", "infinity" and "nan".
func strtod(s string) (v float64, rest string, ok bool) {
	p := trimCSpace(s)
	i := 0
	if i < len(p) && (p[i] == '+' || p[i] == '-') {
		i++
	}
	lower := strings.ToLower(p[i:])
	for _, word := range []string{"infinity", "inf", "nan"} {
		if strings.HasPrefix(lower, word) {
			n := i + len(word)
			if word == "nan" && n < len(p) && p[n] == '(' {
				// nan(n-char-sequence)
				if j := strings.IndexByte(p[n:], ')'); j > 0 && isNanChars(p[n+1:n+j]) {
					n += j + 1
				}
			}
			f := math.Inf(1)
			if word == "nan" {
				f = math.NaN()
			}
			if i > 0 && p[0] == '-' {
				f = math.Copysign(f, -1)
			}
			return f, p[n:], true
		}
	}
	if i+1 < len(p) && p[i] == '0' && (p[i+1] == 'x' || p[i+1] == 'X') {
		if f, n, ok := hexFloat(p, i); ok {
			return f, p[n:], true
		}
	}
	digits := 0
	for i < len(p) && p[i] >= '0' && p[i] <= '9' {
		i++
		digits++
	}
	if i < len(p) && p[i] == '.' {
		i++
		for i < len(p) && p[i] >= '0' && p[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, s, false
	}
	if i < len(p) && (p[i] == 'e' || p[i] == 'E') {
		j := i + 1
		if j < len(p) && (p[j] == '+' || p[j] == '-') {
			j++
		}
		if j < len(p) && p[j] >= '0' && p[j] <= '9' {
			for j < len(p) && p[j] >= '0' && p[j] <= '9' {
				j++
			}
			i = j
		}
	}
	f, err := strconv.ParseFloat(p[:i], 64)
	if err != nil && !isRangeErr(err) {
		return 0, s, false
	}
	return f, p[i:], true
}

// hexFloat parses a C hexadecimal float ("0x1.8p3", "0x1A") starting at the
// "0x" at p[i:]; Go requires the exponent, C does not.
func hexFloat(p string, i int) (float64, int, bool) {
	j := i + 2
	mant := 0
	for j < len(p) && digitVal(p[j]) < 16 {
		j++
		mant++
	}
	if j < len(p) && p[j] == '.' {
		j++
		for j < len(p) && digitVal(p[j]) < 16 {
			j++
			mant++
		}
	}
	if mant == 0 {
		return 0, 0, false
	}
	num := p[:j]
	if j < len(p) && (p[j] == 'p' || p[j] == 'P') {
		k := j + 1
		if k < len(p) && (p[k] == '+' || p[k] == '-') {
			k++
		}
		if k < len(p) && p[k] >= '0' && p[k] <= '9' {
			for k < len(p) && p[k] >= '0' && p[k] <= '9' {
				k++
			}
			num, j = p[:k], k
		}
	}
	if !strings.ContainsAny(num[i+2:], "pP") {
		num += "p0"
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil && !isRangeErr(err) {
		return 0, 0, false
	}
	return f, j, true
}

func isNanChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || digitVal(c) < 36) {
			return false
		}
	}
	return true
}

// isRangeErr reports strconv's out-of-range error, for which ParseFloat
// still returns ±Inf or 0 like C's strtod.
func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
