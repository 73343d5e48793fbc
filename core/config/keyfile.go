package config

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is a reader for glib key files (GKeyFile, as loaded by
// g_key_file_load_from_file with no flags) that accepts and rejects the same
// files with the same error texts, and yields the same raw values. Values
// are decoded on lookup (getString, getBoolean), again as glib does.

// keyFileError is a GKeyFileError; its text is glib's message.
type keyFileError struct{ msg string }

func (e *keyFileError) Error() string { return e.msg }

type kfGroup struct {
	name   string
	values map[string]string // raw values; the last of duplicate keys wins
}

type keyFile struct {
	groups map[string]*kfGroup // duplicate groups are merged
	order  []string
}

// parseKeyFile parses a whole key file.
func parseKeyFile(data []byte) (*keyFile, error) {
	p := kfParser{kf: &keyFile{groups: map[string]*kfGroup{}}}
	for len(data) > 0 {
		line := data
		rest := []byte(nil)
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, rest = data[:i], data[i+1:]
			// glib drops one '\r' before '\n'; a last line without '\n'
			// keeps it.
			line = bytes.TrimSuffix(line, []byte("\r"))
		}
		data = rest
		if err := p.parseLine(line); err != nil {
			return nil, err
		}
	}
	return p.kf, nil
}

type kfParser struct {
	kf      *keyFile
	current *kfGroup
	start   *kfGroup // the first group: its "Encoding" key is checked
}

// cstr is what C string functions see of a line: up to the first NUL.
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// continuation tells a UTF-8 continuation byte, which g_utf8_find_next_char
// steps over.
func continuation(c byte) bool { return c&0xc0 == 0x80 }

func (p *kfParser) parseLine(line []byte) error {
	start := 0
	for start < len(line) && asciiSpace(line[start]) {
		start++
	}
	trimmed := line[start:]
	c := cstr(trimmed)
	switch {
	case len(c) == 0 || c[0] == '#':
		return nil // comment or blank
	case lineIsGroup(c):
		return p.parseGroup(trimmed)
	case lineIsKeyValue(c):
		return p.parseKeyValue(trimmed)
	}
	return &keyFileError{"Key file contains line “" + makeValid(line) + "” which is not a key-value pair, group, or comment"}
}

func lineIsGroup(c []byte) bool {
	if c[0] != '[' {
		return false
	}
	i := bytes.IndexByte(c[1:], ']')
	if i < 0 {
		return false
	}
	// After ']' glib accepts spaces and tabs, stepping with
	// g_utf8_find_next_char, which also skips continuation bytes.
	p := 1 + i + 1
	for p < len(c) && continuation(c[p]) {
		p++
	}
	for p < len(c) && (c[p] == ' ' || c[p] == '\t') {
		p++
		for p < len(c) && continuation(c[p]) {
			p++
		}
	}
	return p == len(c)
}

func lineIsKeyValue(c []byte) bool {
	i := bytes.IndexByte(c, '=')
	return i > 0
}

func (p *kfParser) parseGroup(line []byte) error {
	end := bytes.LastIndexByte(line, ']')
	name := cstr(line[1:end])
	if !isGroupName(name) {
		return &keyFileError{"Invalid group name: " + string(name)}
	}
	g := p.kf.groups[string(name)]
	if g == nil {
		g = &kfGroup{name: string(name), values: map[string]string{}}
		p.kf.groups[g.name] = g
		p.kf.order = append(p.kf.order, g.name)
	}
	if p.start == nil {
		p.start = g
	}
	p.current = g
	return nil
}

func isGroupName(name []byte) bool {
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c == '[' || c == ']' || c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

func (p *kfParser) parseKeyValue(line []byte) error {
	if p.current == nil {
		return &keyFileError{"Key file does not start with a group"}
	}
	c := cstr(line)
	eq := bytes.IndexByte(c, '=')
	keyEnd := eq
	for keyEnd > 0 && asciiSpace(c[keyEnd-1]) {
		keyEnd--
	}
	key := c[:keyEnd]
	if !isKeyName(key) {
		return &keyFileError{"Invalid key name: " + string(key)}
	}
	vstart := eq + 1
	for vstart < len(c) && asciiSpace(c[vstart]) {
		vstart++
	}
	if p.current == p.start && string(key) == "Encoding" {
		// The text uses the value up to the line's end, NULs included.
		if v := line[vstart:]; len(v) != 5 || !asciiEqualFold(string(v), "UTF-8") {
			return &keyFileError{"Key file contains unsupported encoding “" + makeValid(line[vstart:]) + "”"}
		}
	}
	p.current.values[string(key)] = string(c[vstart:])
	return nil
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// isKeyName is g_key_file_is_key_name: a name without '=', '[' or ']', not
// starting or ending with a space, optionally followed by "[locale]".
func isKeyName(key []byte) bool {
	q := 0
	for q < len(key) && key[q] != '=' && key[q] != '[' && key[q] != ']' {
		q++
	}
	if q == 0 || key[0] == ' ' || key[q-1] == ' ' {
		return false
	}
	if q < len(key) && key[q] == '[' {
		q++
		for q < len(key) {
			r, size := utf8.DecodeRune(key[q:])
			ok := r == '-' || r == '_' || r == '.' || r == '@' ||
				(!(r == utf8.RuneError && size == 1) && (unicode.IsLetter(r) || unicode.IsNumber(r)))
			if !ok {
				break
			}
			q += size
		}
		if q >= len(key) || key[q] != ']' {
			return false
		}
		q++
	}
	return q == len(key)
}

// makeValid is g_utf8_make_valid: every byte that does not start a valid
// UTF-8 sequence (NUL included) becomes U+FFFD.
func makeValid(b []byte) string {
	var s strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == 0 || (r == utf8.RuneError && size == 1) {
			s.WriteString("\uFFFD")
			b = b[1:]
			continue
		}
		s.Write(b[:size])
		b = b[size:]
	}
	return s.String()
}

// raw returns a key's undecoded value.
func (k *keyFile) raw(group, key string) (string, bool) {
	g := k.groups[group]
	if g == nil {
		return "", false
	}
	v, ok := g.values[key]
	return v, ok
}

func (k *keyFile) hasKey(group, key string) bool {
	_, ok := k.raw(group, key)
	return ok
}

// keys lists a group's keys (unordered).
func (k *keyFile) keys(group string) []string {
	g := k.groups[group]
	if g == nil {
		return nil
	}
	out := make([]string, 0, len(g.values))
	for key := range g.values {
		out = append(out, key)
	}
	return out
}

func invalidValue(key string) error {
	return &keyFileError{"Key file contains key “" + key + "” which has a value that cannot be interpreted."}
}

// getString is g_key_file_get_string for a key known to exist.
func (k *keyFile) getString(group, key string) (string, error) {
	v, _ := k.raw(group, key)
	if !utf8.ValidString(v) {
		return "", &keyFileError{"Key file contains key “" + key + "” with value “" + makeValid([]byte(v)) + "” which is not UTF-8"}
	}
	s, ok := unescapeValue(v)
	if !ok {
		return "", invalidValue(key)
	}
	return s, nil
}

// getBoolean is g_key_file_get_boolean for a key known to exist: "true",
// "false", "1" or "0", trailing whitespace ignored, no escapes.
func (k *keyFile) getBoolean(group, key string) (bool, error) {
	v, _ := k.raw(group, key)
	switch strings.TrimRight(v, " \t\n\v\f\r") {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, invalidValue(key)
}

// unescapeValue decodes glib's string escapes \s \n \t \r \\; any other
// escape, or a backslash at the end, makes the value invalid.
func unescapeValue(v string) (string, bool) {
	if !strings.Contains(v, `\`) {
		return v, true
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			b.WriteByte(v[i])
			continue
		}
		i++
		if i == len(v) {
			return "", false
		}
		switch v[i] {
		case 's':
			b.WriteByte(' ')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\\':
			b.WriteByte('\\')
		default:
			return "", false
		}
	}
	return b.String(), true
}

// escapeValue is what g_key_file_set_string stores: leading spaces and tabs
// as \s and \t, newlines, carriage returns and backslashes always escaped.
func escapeValue(s string) string {
	var b strings.Builder
	leading := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ':
			if leading {
				b.WriteString(`\s`)
			} else {
				b.WriteByte(c)
			}
		case '\t':
			if leading {
				b.WriteString(`\t`)
			} else {
				b.WriteByte(c)
			}
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\\':
			b.WriteString(`\\`)
			leading = false
		default:
			b.WriteByte(c)
			leading = false
		}
	}
	return b.String()
}
