package config

import (
	"errors"
	"reflect"
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

// FuzzParseArgs checks that no command line crashes Parse, that every
// result is a config or an ExitError, and that parsing is repeatable (the
// two getopt passes must not depend on anything but argv).
func FuzzParseArgs(f *testing.F) {
	f.Add("-vd\x00-mx\x00--d\x00-F/x\x00--\x00-h")
	f.Add("a\x00-b\x00help\x00--sys=/r\x00--=x\x00-:")
	f.Fuzz(func(t *testing.T, args string) {
		argv := append([]string{"qgad"}, strings.Split(args, "\x00")...)
		sys := testSystem(map[string]string{"QGA_CONF": "/nonexistent/qgad-fuzz.conf"})
		cfg1, err1 := parse(argv, sys)
		cfg2, err2 := parse(argv, sys)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("not repeatable: %v / %v", err1, err2)
		}
		if err1 != nil {
			var ee *ExitError
			if !errors.As(err1, &ee) || ee.Code != 1 || *ee != *err2.(*ExitError) {
				t.Fatalf("error %#v / %#v", err1, err2)
			}
			return
		}
		if !reflect.DeepEqual(cfg1, cfg2) {
			t.Fatalf("not repeatable: %+v / %+v", cfg1, cfg2)
		}
		var b strings.Builder
		cfg1.Dump(&b)
		if !strings.HasPrefix(b.String(), "[general]\ndaemon=") {
			t.Fatalf("dump %q", b.String())
		}
	})
}
