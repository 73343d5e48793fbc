package statefile

import (
	"bytes"
	"fmt"
)

// KeyFile is a parsed glib key file (GKeyFile loaded with no flags): the
// raw values of every group, duplicate groups merged, the last of duplicate
// keys winning, as glib does.
type KeyFile struct {
	groups map[string]map[string]string
}

// Value returns the raw (not unescaped) value of key in group.
func (k *KeyFile) Value(group, key string) (string, bool) {
	v, ok := k.groups[group][key]
	return v, ok
}

// ParseKeyFile parses data as g_key_file_load_from_data does and rejects the
// same files with glib's error texts.
func ParseKeyFile(data []byte) (*KeyFile, error) {
	kf := &KeyFile{groups: map[string]map[string]string{}}
	var current map[string]string
	for len(data) > 0 {
		line := data
		data = nil
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, data = line[:i], line[i+1:]
			// glib drops a '\r' before '\n' (only there).
			line = bytes.TrimSuffix(line, []byte{'\r'})
		}
		// glib handles lines as C strings: a NUL ends them.
		if i := bytes.IndexByte(line, 0); i >= 0 {
			line = line[:i]
		}
		l := bytes.TrimLeft(line, asciiSpace)
		switch {
		case len(l) == 0 || l[0] == '#':
			// comment or blank line
		case isGroupLine(l):
			name := l[1:bytes.LastIndexByte(l, ']')]
			if !isGroupName(name) {
				return nil, fmt.Errorf("Invalid group name: %s", name)
			}
			g, ok := kf.groups[string(name)]
			if !ok {
				g = map[string]string{}
				kf.groups[string(name)] = g
			}
			current = g
		case bytes.IndexByte(l, '=') > 0:
			if current == nil {
				return nil, fmt.Errorf("Key file does not start with a group")
			}
			eq := bytes.IndexByte(l, '=')
			key := bytes.TrimRight(l[:eq], asciiSpace)
			if !isKeyName(key) {
				return nil, fmt.Errorf("Invalid key name: %s", key)
			}
			current[string(key)] = string(bytes.TrimLeft(l[eq+1:], asciiSpace))
		default:
			return nil, fmt.Errorf("Key file contains line \u201c%s\u201d which is not a key-value pair, group, or comment", bytes.ToValidUTF8(line, []byte("\uFFFD")))
		}
	}
	return kf, nil
}

// asciiSpace is g_ascii_isspace's set.
const asciiSpace = " \t\n\v\f\r"

// isGroupLine: "[" name "]" followed only by blanks.
func isGroupLine(l []byte) bool {
	if l[0] != '[' {
		return false
	}
	end := bytes.IndexByte(l, ']')
	if end < 0 {
		return false
	}
	return len(bytes.TrimLeft(l[end+1:], " \t")) == 0
}

// isGroupName: non-empty, no brackets, no control characters.
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

// isKeyName: non-empty, no '=', brackets only around a trailing locale
// ("key[de_DE]"), no leading or trailing space.
func isKeyName(key []byte) bool {
	if len(key) == 0 || key[0] == ' ' {
		return false
	}
	i := bytes.IndexAny(key, "[]")
	if i < 0 {
		return key[len(key)-1] != ' '
	}
	if i == 0 || key[i-1] == ' ' || key[i] != '[' || key[len(key)-1] != ']' {
		return false
	}
	for _, c := range key[i+1 : len(key)-1] {
		alnum := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
		if !alnum && c != '-' && c != '_' && c != '.' && c != '@' {
			return false
		}
	}
	return true
}
