package mounts

import (
	"io"
	"strings"
)

// ParseMounts reads a /proc/self/mounts table (getmntent(3) format), the
// fallback when mountinfo cannot be opened. As qemu-ga, it skips sources not
// starting with "/", smbfs and cifs, and directory sources (bind mounts), and
// takes major:minor from stat() of the source (0:0 when that fails or it is
// not a block device).
func ParseMounts(r io.Reader, stat StatFunc) []Mount {
	var l list
	readLines(r, func(line string) {
		m, ok := parseMntent(line)
		if !ok {
			return
		}
		if !strings.HasPrefix(m.Source, "/") || m.Type == "smbfs" || m.Type == "cifs" {
			return
		}
		d, err := stat(m.Source)
		if err == nil && d.Dir {
			return
		}
		if err == nil && d.Block {
			m.Major, m.Minor = d.Major, d.Minor
		}
		l.add(m)
	})
	return l
}

// parseMntent splits a line as glibc's getmntent_r() does: trailing blanks
// dropped, blank and '#' lines skipped, fields separated by runs of spaces
// and tabs, missing fields empty.
func parseMntent(line string) (Mount, bool) {
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimRight(line, " \t")
	head := strings.TrimLeft(line, " \t")
	if head == "" || head[0] == '#' {
		return Mount{}, false
	}
	var f [3]string
	for i := range f {
		tok, rest := head, ""
		if j := strings.IndexAny(head, " \t"); j >= 0 {
			tok, rest = head[:j], head[j+1:]
		}
		f[i] = decodeName(tok)
		head = strings.TrimLeft(rest, " \t")
	}
	return Mount{Source: f[0], Dir: f[1], Type: f[2]}, true
}

// decodeName is glibc's decode_name(): only \040, \011, \012, \134 and \\.
func decodeName(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\\`, `\`, `\134`, `\`)
	return r.Replace(s)
}
