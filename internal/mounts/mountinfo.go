package mounts

import (
	"io"
	"strings"
)

// ParseMountinfo reads a /proc/self/mountinfo table. stat resolves the source
// of btrfs entries, whose major number is 0.
//
// Lines are picked apart the way qemu-ga's sscanf() formats do, so odd lines
// are accepted or skipped exactly as there:
//
//	"%*u %*u %u:%u %*s %n%*s%n%c"   then, from the first " - " after the mount point,
//	" - %n%*s%n %n%*s%n%c"
func ParseMountinfo(r io.Reader, stat StatFunc) []Mount {
	var l list
	readLines(r, func(line string) {
		m, ok := parseMountinfoLine(line)
		if !ok {
			return
		}
		if m.Major == 0 {
			if m.Type != "btrfs" {
				return
			}
			d, err := stat(m.Source)
			if err != nil || !d.Block {
				return
			}
			m.Major, m.Minor = d.Major, d.Minor
		}
		l.add(m)
	})
	return l
}

func parseMountinfoLine(line string) (Mount, bool) {
	s := scanner{s: line}
	var m Mount
	if _, ok := s.uint(); !ok { // mount ID
		return m, false
	}
	if _, ok := s.uint(); !ok { // parent ID
		return m, false
	}
	major, ok := s.uint()
	if !ok || !s.literal(':') {
		return m, false
	}
	minor, ok := s.uint()
	if !ok {
		return m, false
	}
	s.space()
	if !s.token() { // root of the mount
		return m, false
	}
	s.space()
	dirStart := s.i
	if !s.token() {
		return m, false
	}
	dirEnd := s.i
	if !s.char() {
		return m, false
	}
	dash := strings.Index(line[dirEnd:], " - ")
	if dash < 0 {
		return m, false
	}
	t := scanner{s: line[dirEnd+dash:]}
	t.space()
	if !t.literal('-') {
		return m, false
	}
	t.space()
	typeStart := t.i
	if !t.token() {
		return m, false
	}
	typeEnd := t.i
	t.space()
	srcStart := t.i
	if !t.token() {
		return m, false
	}
	srcEnd := t.i
	if !t.char() {
		return m, false
	}
	m.Major, m.Minor = major, minor
	m.Dir = decodeOctal(line[dirStart:dirEnd])
	m.Type = t.s[typeStart:typeEnd]
	m.Source = decodeOctal(t.s[srcStart:srcEnd])
	return m, true
}

// decodeOctal undoes the kernel's escaping as qemu-ga's decode_mntname()
// does: "\\" and any three-digit octal escape \[0-3][0-7][0-7]. The C string
// ends at a decoded NUL, so the name does too.
func decodeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c != '\\':
			b.WriteByte(c)
		case i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case i+3 < len(s) && s[i+1] >= '0' && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]):
			b.WriteByte((s[i+1]-'0')*64 + (s[i+2]-'0')*8 + (s[i+3] - '0'))
			i += 3
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	if n := strings.IndexByte(out, 0); n >= 0 {
		out = out[:n]
	}
	return out
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
