package config

import (
	"strings"
	"testing"
)

// FuzzParseKeyFile checks that no input crashes the key file reader or the
// config loader, and that every string value it yields survives a round trip
// through the -D writer's escaping (what glib's writer and reader guarantee,
// except for a value starting with \v or \f, which glib's writer leaves
// unescaped and its reader then strips).
func FuzzParseKeyFile(f *testing.F) {
	f.Add([]byte("[general]\ndaemon=false\nblock-rpcs=guest-ping;guest-get-time\n"))
	f.Add([]byte("[general]\npath=\\sa\\tb\\nc\\\\\n[qgad]\ncall-timeout=90\n[family:x]\nK=v\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kf, err := parseKeyFile(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error text")
			}
			return
		}
		var s settings
		_ = applyKeyFile(kf, &s)
		for _, group := range kf.order {
			for _, key := range kf.keys(group) {
				v, err := kf.getString(group, key)
				if err != nil {
					continue
				}
				if strings.ContainsRune(v, 0) {
					t.Fatalf("value %q of %s/%s contains NUL", v, group, key)
				}
				if strings.HasPrefix(v, "\v") || strings.HasPrefix(v, "\f") {
					continue
				}
				again, err := parseKeyFile([]byte("[g]\nk=" + escapeValue(v) + "\n"))
				if err != nil {
					t.Fatalf("escaped %q does not parse: %v", v, err)
				}
				back, err := again.getString("g", "k")
				if err != nil || back != v {
					t.Fatalf("round trip of %q gave %q, %v", v, back, err)
				}
			}
		}
	})
}
