package mounts

import "math"

// scanner mimics the glibc sscanf() conversions qemu-ga's parser uses.
type scanner struct {
	s string
	i int
}

// isSpace is C's isspace() in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// space is a blank in a format: skips any amount of white space.
func (s *scanner) space() {
	for s.i < len(s.s) && isSpace(s.s[s.i]) {
		s.i++
	}
}

// literal matches one ordinary format character.
func (s *scanner) literal(c byte) bool {
	if s.i < len(s.s) && s.s[s.i] == c {
		s.i++
		return true
	}
	return false
}

// uint is %u: white space, an optional sign, decimal digits. As strtoul,
// an overflow saturates and a minus sign negates; the result is then
// truncated to unsigned int.
func (s *scanner) uint() (uint32, bool) {
	s.space()
	neg := false
	if s.i < len(s.s) && (s.s[s.i] == '+' || s.s[s.i] == '-') {
		neg = s.s[s.i] == '-'
		s.i++
	}
	start := s.i
	var v uint64
	for s.i < len(s.s) && s.s[s.i] >= '0' && s.s[s.i] <= '9' {
		d := uint64(s.s[s.i] - '0')
		if v > (math.MaxUint64-d)/10 {
			v = math.MaxUint64
		} else if v != math.MaxUint64 {
			v = v*10 + d
		}
		s.i++
	}
	if s.i == start {
		return 0, false
	}
	if neg && v != math.MaxUint64 {
		v = -v
	}
	return uint32(v), true
}

// token is %*s: white space, then at least one non-space character.
func (s *scanner) token() bool {
	s.space()
	start := s.i
	for s.i < len(s.s) && !isSpace(s.s[s.i]) {
		s.i++
	}
	return s.i > start
}

// char is %c: any one character.
func (s *scanner) char() bool {
	if s.i < len(s.s) {
		s.i++
		return true
	}
	return false
}
