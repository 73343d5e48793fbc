package system

import (
	"fmt"
	"strings"
)

// glib accepts two kinds of TZ values before it looks for a zoneinfo file:
// a constant offset ("UTC", "Z", "+05:30", "-03", even a bare "5") and a
// POSIX rule string ("EST5", "CET-1CEST,M3.5.0,M10.5.0/3"). These parsers
// follow glib 2.74's parse_constant_offset, set_tz_name and
// rules_from_identifier, so the same values are accepted and rejected.

// parseConstantOffset is glib's parse_constant_offset. With rfc8536 false it
// reads a TZ value (sign as in ISO 8601: east positive); with rfc8536 true it
// reads the offsets inside a rule string, where hours may reach 167.
func parseConstantOffset(s string, rfc8536 bool) (int, bool) {
	if !rfc8536 && s == "UTC" {
		return 0, true
	}
	if s == "" {
		return 0, false
	}
	if s[0] >= '0' && s[0] <= '9' {
		return parseTime(s, rfc8536)
	}
	switch s[0] {
	case 'Z':
		return 0, !rfc8536 && len(s) == 1
	case '+':
		return parseTime(s[1:], rfc8536)
	case '-':
		off, ok := parseTime(s[1:], rfc8536)
		return -off, ok
	}
	return 0, false
}

// parseTime is glib's parse_time: h, hh (hhh with rfc8536), then optional
// minutes and seconds, the colons optional unless rfc8536.
func parseTime(s string, rfc8536 bool) (int, bool) {
	i := 0
	digit := func() (int, bool) {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			return int(s[i-1] - '0'), true
		}
		return 0, false
	}
	d, ok := digit()
	if !ok {
		return 0, false
	}
	off := 3600 * d
	if i == len(s) {
		return off, true
	}
	if s[i] != ':' {
		d, ok := digit()
		if !ok {
			return 0, false
		}
		off = off*10 + 3600*d
		if rfc8536 {
			if d, ok := digit(); ok {
				off = off*10 + 3600*d
			}
			if off > 167*3600 {
				return 0, false
			}
		} else if off > 24*3600 {
			return 0, false
		}
		if i == len(s) {
			return off, true
		}
	}
	// minutes, then seconds: [:]m(0-5)m(0-9)
	for _, unit := range []int{60, 1} {
		if i < len(s) && s[i] == ':' {
			i++
		} else if rfc8536 {
			return 0, false
		}
		if i >= len(s) || s[i] < '0' || s[i] > '5' {
			return 0, false
		}
		off += 10 * unit * int(s[i]-'0')
		i++
		d, ok := digit()
		if !ok {
			return 0, false
		}
		off += unit * d
		if i == len(s) {
			return off, true
		}
	}
	return 0, false
}

// tzRule is a parsed POSIX TZ rule string. Offsets are seconds east of UTC.
type tzRule struct {
	stdName string
	stdOff  int
	dst     bool
	dstName string
	dstOff  int
	start   string // date rule (Mm.w.d, Jn or n) and its time in seconds
	startT  int
	end     string
	endT    int
}

// tzNameSize is glib's NAME_SIZE: longer names are cut to 32 bytes.
const tzNameSize = 33

// parseTZRule is glib's rules_from_identifier: "std offset" or
// "std offset dst [offset],start[/time],end[/time]" (on Unix a DST name
// without both dates is rejected).
func parseTZRule(s string) (tzRule, bool) {
	var r tzRule
	var ok bool
	pos := s
	if r.stdName, pos, ok = tzName(pos); !ok {
		return r, false
	}
	var off string
	off, pos = spanOffset(pos)
	std, ok := parseConstantOffset(off, true)
	if !ok {
		return r, false
	}
	r.stdOff = -std // POSIX offsets count west
	if pos == "" {
		return r, true
	}
	if r.dstName, pos, ok = tzName(pos); !ok {
		return r, false
	}
	off, pos = spanOffset(pos)
	dst, _ := parseConstantOffset(off, true)
	if dst == 0 { // glib: none given (or 0) means one hour ahead of standard
		dst = std - 3600
	}
	r.dstOff = -dst
	if pos == "" || pos[0] != ',' {
		return r, false
	}
	startSpec, rest, found := strings.Cut(pos[1:], ",")
	if !found {
		return r, false
	}
	endSpec, _, _ := strings.Cut(rest, ",") // glib ignores what follows
	if r.start, r.startT, ok = parseTZBoundary(startSpec); !ok {
		return r, false
	}
	if r.end, r.endT, ok = parseTZBoundary(endSpec); !ok {
		return r, false
	}
	r.dst = true
	return r, true
}

// tzName is glib's set_tz_name: three or more letters, or <…> holding three
// or more letters, digits, '+' or '-'.
func tzName(s string) (name, rest string, ok bool) {
	if strings.HasPrefix(s, "<") {
		i := 1
		for i < len(s) && (isASCIIAlnum(s[i]) || s[i] == '-' || s[i] == '+') {
			i++
		}
		if i >= len(s) || s[i] != '>' || i-1 < 3 {
			return "", s, false
		}
		return truncName(s[1:i]), s[i+1:], true
	}
	i := 0
	for i < len(s) && isASCIIAlpha(s[i]) {
		i++
	}
	if i < 3 {
		return "", s, false
	}
	return truncName(s[:i]), s[i:], true
}

func truncName(n string) string {
	if len(n) > tzNameSize-1 {
		return n[:tzNameSize-1]
	}
	return n
}

func isASCIIAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isASCIIAlnum(c byte) bool { return isASCIIAlpha(c) || c >= '0' && c <= '9' }

// spanOffset is glib's parse_offset scan: the run of "+-:0123456789".
func spanOffset(s string) (off, rest string) {
	i := 0
	for i < len(s) && strings.IndexByte("+-:0123456789", s[i]) >= 0 {
		i++
	}
	return s[:i], s[i:]
}

// parseTZBoundary is glib's parse_tz_boundary: Mm.w.d, Jn (1-365) or n
// (0-365), optionally followed by /time (default 02:00).
func parseTZBoundary(s string) (date string, secs int, ok bool) {
	i := 0
	num := func() (int, bool) {
		j := i
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			n = n*10 + int(s[i]-'0')
			if n > 1<<20 {
				return 0, false
			}
			i++
		}
		return n, i > j
	}
	switch {
	case strings.HasPrefix(s, "M"):
		i = 1
		m, ok := num()
		if !ok || m < 1 || m > 12 || i >= len(s) || s[i] != '.' {
			return "", 0, false
		}
		i++
		w, ok := num()
		if !ok || w < 1 || w > 5 || i >= len(s) || s[i] != '.' {
			return "", 0, false
		}
		i++
		d, ok := num()
		if !ok || d > 6 {
			return "", 0, false
		}
		date = fmt.Sprintf("M%d.%d.%d", m, w, d)
	case strings.HasPrefix(s, "J"):
		i = 1
		n, ok := num()
		if !ok || n < 1 || n > 365 {
			return "", 0, false
		}
		date = fmt.Sprintf("J%d", n)
	default:
		n, ok := num()
		if !ok || n > 365 {
			return "", 0, false
		}
		date = fmt.Sprintf("%d", n)
	}
	if i < len(s) && s[i] == '/' {
		secs, ok := parseConstantOffset(s[i+1:], true)
		return date, secs, ok
	}
	return date, 2 * 3600, i == len(s)
}

// posix renders the rule in the syntax Go's time package evaluates (the
// footer of a TZif file), with quoted names and explicit offsets and times.
func (r tzRule) posix() string {
	return fmt.Sprintf("<%s>%s<%s>%s,%s/%s,%s/%s",
		r.stdName, hms(-r.stdOff), r.dstName, hms(-r.dstOff),
		r.start, hms(r.startT), r.end, hms(r.endT))
}

// hms formats seconds as [-]h:mm:ss.
func hms(secs int) string {
	sign := ""
	if secs < 0 {
		sign, secs = "-", -secs
	}
	return fmt.Sprintf("%s%d:%02d:%02d", sign, secs/3600, secs/60%60, secs%60)
}
