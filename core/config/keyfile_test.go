package config

import (
	"reflect"
	"testing"
)

// The expectations below were checked against glib 2.74's GKeyFile
// (g_key_file_load_from_file, g_key_file_get_string/get_boolean); the
// [general] ones are also checked through qemu-ga in dump_compare_test.go.
func TestKeyFile(t *testing.T) {
	type lookup struct {
		group, key string
		boolean    bool
	}
	tests := []struct {
		name    string
		data    string
		err     string
		lookups map[lookup]string // value, "ERR:<msg>", "ABSENT", or "true"/"false" for booleans
	}{
		{name: "empty file", data: "", lookups: map[lookup]string{{"general", "path", false}: "ABSENT"}},
		{name: "comments and blank lines", data: "# c\n\n  # indented\n[general]\n#path=x\n",
			lookups: map[lookup]string{{"general", "path", false}: "ABSENT"}},
		{name: "whitespace around =", data: "[general]\n  path \t=\t a b  \n",
			lookups: map[lookup]string{{"general", "path", false}: "a b  "}},
		{name: "escapes", data: "[general]\npath=\\sa\\tb\\nc\\rd\\\\e\t\n",
			lookups: map[lookup]string{{"general", "path", false}: " a\tb\nc\rd\\e\t"}},
		{name: "escaped leading spaces", data: "[general]\npath=\\s a \n",
			lookups: map[lookup]string{{"general", "path", false}: "  a "}},
		{name: "list separator escape is invalid in a string", data: "[general]\npath=a\\;b\n",
			lookups: map[lookup]string{{"general", "path", false}: "ERR:Key file contains key “path” which has a value that cannot be interpreted."}},
		{name: "booleans", data: "[general]\na=true\nb=0\nc=1 \t\nd=false\ne=True\nf=\\strue\n",
			lookups: map[lookup]string{
				{"general", "a", true}: "true", {"general", "b", true}: "false", {"general", "c", true}: "true", {"general", "d", true}: "false",
				{"general", "e", true}: "ERR:Key file contains key “e” which has a value that cannot be interpreted.",
				{"general", "f", true}: "ERR:Key file contains key “f” which has a value that cannot be interpreted.",
			}},
		{name: "CRLF", data: "[general]\r\npath=x\r\nlast=y\r",
			lookups: map[lookup]string{{"general", "path", false}: "x", {"general", "last", false}: "y\r"}},
		{name: "last duplicate wins, groups merge", data: "[general]\npath=1\n[other]\npath=2\n[general]\npath=3\n",
			lookups: map[lookup]string{{"general", "path", false}: "3", {"other", "path", false}: "2"}},
		{name: "group names are exact", data: "[ general]\npath=1\n[general]  \t\nmethod=m\n",
			lookups: map[lookup]string{{"general", "path", false}: "ABSENT", {" general", "path", false}: "1", {"general", "method", false}: "m"}},
		{name: "continuation bytes after ] are skipped", data: "[general]\x80\x80\npath=p\n",
			lookups: map[lookup]string{{"general", "path", false}: "p"}},
		{name: "translations are separate keys", data: "[general]\npath[de]=x\npath[sr@latin]=y\n",
			lookups: map[lookup]string{{"general", "path", false}: "ABSENT"}},
		{name: "NUL ends a value", data: "[general]\npath=ab\x00cd\n",
			lookups: map[lookup]string{{"general", "path", false}: "ab"}},
		{name: "value not UTF-8", data: "[general]\npath=\xe2\x82\n",
			lookups: map[lookup]string{{"general", "path", false}: "ERR:Key file contains key “path” with value “\uFFFD\uFFFD” which is not UTF-8"}},
		{name: "Encoding UTF-8 is fine", data: "[general]\nEncoding=utf-8\n"},
		{name: "Encoding checked in the first group only", data: "[a]\n[b]\nEncoding=latin1\n"},
		{name: "Encoding in the first group", data: "[a]\n[b]\n[a]\nEncoding=latin1\n", err: "Key file contains unsupported encoding “latin1”"},
		{name: "key before group", data: "# c\nk=v\n", err: "Key file does not start with a group"},
		{name: "line without =", data: "[g]\n\tjunk\xff\n", err: "Key file contains line “\tjunk\uFFFD” which is not a key-value pair, group, or comment"},
		{name: "NUL in a bad line", data: "[g]\nab\x00=cd\n", err: "Key file contains line “ab\uFFFD=cd” which is not a key-value pair, group, or comment"},
		{name: "empty key", data: "[g]\n =v\n", err: "Key file contains line “ =v” which is not a key-value pair, group, or comment"},
		{name: "text after group", data: "[g] x\n", err: "Key file contains line “[g] x” which is not a key-value pair, group, or comment"},
		{name: "control character in group", data: "[a\x01]\n", err: "Invalid group name: a\x01"},
		{name: "nested bracket in group", data: "[a[b]\n", err: "Invalid group name: a[b"},
		{name: "space before locale", data: "[g]\nk [de]=v\n", err: "Invalid key name: k [de]"},
		{name: "bad locale", data: "[g]\nk[d e]=v\n", err: "Invalid key name: k[d e]"},
		{name: "bracket in key", data: "[g]\nk]=v\n", err: "Invalid key name: k]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kf, err := parseKeyFile([]byte(tc.data))
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			got := map[lookup]string{}
			for l := range tc.lookups {
				switch {
				case !kf.hasKey(l.group, l.key):
					got[l] = "ABSENT"
				case l.boolean:
					v, err := kf.getBoolean(l.group, l.key)
					if err != nil {
						got[l] = "ERR:" + err.Error()
					} else if v {
						got[l] = "true"
					} else {
						got[l] = "false"
					}
				default:
					v, err := kf.getString(l.group, l.key)
					if err != nil {
						got[l] = "ERR:" + err.Error()
					} else {
						got[l] = v
					}
				}
			}
			if len(tc.lookups) > 0 && !reflect.DeepEqual(got, tc.lookups) {
				t.Errorf("lookups\n got %v\nwant %v", got, tc.lookups)
			}
		})
	}
}

func TestEscapeValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"  a b ", `\s\sa b `},
		{"\t a\tb", `\t\sa` + "\tb"},
		{"\n x", `\n\sx`},
		{"\\ x", `\\ x`},
		{"a\r\nb", `a\r\nb`},
		{"guest-ping;guest-get-time", "guest-ping;guest-get-time"},
	}
	for _, tc := range tests {
		if got := escapeValue(tc.in); got != tc.want {
			t.Errorf("escapeValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
