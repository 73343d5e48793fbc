package system

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qgad/qgad/internal/cscan"
)

// qemu-ga reads os-release with glib's key-file parser after prepending an
// "[os-release]" group line. parseOSRelease implements the part of
// g_key_file_load_from_data that decides whether the file is accepted and
// what raw value each key has; the checks and quirks below were confirmed
// against qemu-ga 7.2 with glib 2.74:
//
//   - the content ends at its first NUL byte and must then be valid UTF-8;
//   - lines end at '\n'; one '\r' before it is dropped (not at the very end
//     of the file);
//   - leading ' ', '\t', '\f', '\r' of a line are skipped ('\v' is not);
//     an empty line or one starting with '#' is a comment;
//   - "[name]" (spaces/tabs allowed after ']') starts a group, name non-empty
//     without '[', ']' or control characters; keys after it belong to that
//     group, a repeated group is continued;
//   - any other line needs a '=' that is not its first character; the key is
//     what precedes it minus trailing white space, and must be a valid glib
//     key name ("KEY" or "KEY[locale]");
//   - the value is the rest of the line after leading white space, trailing
//     white space kept; a repeated key takes the last value;
//   - "Encoding" in the first group must be exactly UTF-8 (any case);
//   - any other line makes the whole file invalid.
func parseOSRelease(data []byte) (map[string]string, error) {
	content := cscan.CString(string(data))
	if !utf8.ValidString(content) {
		return nil, errors.New("file is not utf-8 encoded")
	}
	const startGroup = "os-release"
	groups := map[string]map[string]string{startGroup: {}}
	current := startGroup
	lines := strings.Split(content, "\n")
	for i, line := range lines {
		if i < len(lines)-1 {
			line = strings.TrimSuffix(line, "\r")
		}
		start := strings.TrimLeft(line, " \t\f\r")
		switch {
		case start == "" || start[0] == '#':
			continue
		case isGroupLine(start):
			name := start[1:strings.LastIndexByte(start, ']')]
			if !isGroupName(name) {
				return nil, fmt.Errorf("invalid group name: %s", name)
			}
			if groups[name] == nil {
				groups[name] = map[string]string{}
			}
			current = name
		case strings.IndexByte(start, '=') > 0:
			eq := strings.IndexByte(start, '=')
			key := strings.TrimRight(start[:eq], " \t\f\r")
			if !isKeyName(key) {
				return nil, fmt.Errorf("invalid key name: %s", key)
			}
			value := strings.TrimLeft(start[eq+1:], " \t\f\r")
			if current == startGroup && key == "Encoding" && !isUTF8Name(value) {
				return nil, fmt.Errorf("key file contains unsupported encoding %q", value)
			}
			groups[current][key] = value
		default:
			return nil, fmt.Errorf("key file contains line %q which is not a key-value pair, group, or comment", line)
		}
	}
	return groups[startGroup], nil
}

// isUTF8Name is glib's value_len == 5 && g_ascii_strncasecmp(value, "UTF-8", 5) == 0.
func isUTF8Name(v string) bool {
	return len(v) == len("UTF-8") && strings.EqualFold(v, "UTF-8")
}

// isGroupLine is g_key_file_line_is_group: '[' … ']' then only spaces/tabs.
func isGroupLine(line string) bool {
	if line[0] != '[' {
		return false
	}
	end := strings.IndexByte(line, ']')
	return end > 0 && strings.TrimLeft(line[end+1:], " \t") == ""
}

// isGroupName is g_key_file_is_group_name.
func isGroupName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c == '[' || c == ']' || c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// isKeyName is g_key_file_is_key_name: a non-empty name without '=', '['
// and ']' that neither starts nor ends with a space, optionally followed by
// "[locale]" made of letters, digits, '-', '_', '.' and '@'.
func isKeyName(key string) bool {
	end := strings.IndexAny(key, "=[]")
	if end < 0 {
		end = len(key)
	}
	if end == 0 || key[0] == ' ' || key[end-1] == ' ' {
		return false
	}
	if end == len(key) {
		return true
	}
	if key[end] != '[' {
		return false
	}
	locale, ok := strings.CutSuffix(key[end+1:], "]")
	if !ok {
		return false
	}
	for _, r := range locale {
		if !(unicode.IsLetter(r) || unicode.IsNumber(r) || strings.ContainsRune("-_.@", r)) {
			return false
		}
	}
	return true
}

// osReleaseValue is qemu-ga's ga_osrelease_replace_special, run in place on
// the raw key-file value as the C code does:
//
//   - a value starting with '"' is copied up to the next unescaped '"',
//     dropping a backslash before any of $ ' " \ ` and keeping
//     any other backslash; without a closing quote the C code never writes
//     the terminator, so the tail of the original bytes stays behind the
//     shifted copy ("abc → abcc);
//   - any other value (a single-quoted one included, an upstream bug) is cut
//     at its first space and then at its first ';'.
func osReleaseValue(v string) string {
	if v == "" || v[0] != '"' {
		if i := strings.IndexByte(v, ' '); i >= 0 {
			v = v[:i]
		}
		if i := strings.IndexByte(v, ';'); i >= 0 {
			v = v[:i]
		}
		return v
	}
	buf := []byte(v)
	w := 0
	for r := 1; r < len(buf); {
		c := buf[r]
		if c == '\\' {
			if r+1 < len(buf) && strings.IndexByte("$'\"\\`", buf[r+1]) >= 0 {
				r++ // drop the backslash, copy the escaped character
			}
		} else if c == '"' {
			return string(buf[:w])
		}
		buf[w] = buf[r]
		w++
		r++
	}
	return string(buf)
}
