package cscan

import (
	"math"
	"strconv"
	"strings"
)

// Strtod parses the longest prefix of s that C's strtod accepts: decimal and
// hexadecimal floating-point numbers, "inf", "infinity" and "nan".
func Strtod(s string) (v float64, rest string, ok bool) {
	p := TrimLeftSpace(s)
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
