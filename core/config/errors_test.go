package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseErrors(t *testing.T) {
	unknown := func(diag string) *ExitError {
		return &ExitError{Code: 1, Stdout: true, Diag: diag + diag, pass2Diag: diag,
			Msg: "Unknown option, try 'qgad --help' for more information."}
	}
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, []byte("[general]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	loadErr := func(path, msg string) *ExitError {
		return &ExitError{Code: 1, Msg: "error loading configuration from path: " + path + ", " + msg}
	}
	tests := []struct {
		name string
		argv []string
		conf string // QGA_CONF contents ("" = no file)
		env  map[string]string
		want *ExitError // conf paths written as "CONF"
	}{
		{name: "unrecognized", argv: []string{"qgad", "--bogus"}, want: unknown("qgad: unrecognized option '--bogus'\n")},
		{name: "unrecognized with value", argv: []string{"qgad", "--bogus=1"}, want: unknown("qgad: unrecognized option '--bogus=1'\n")},
		{name: "invalid short", argv: []string{"qgad", "-x"}, want: unknown("qgad: invalid option -- 'x'\n")},
		{name: "invalid short in a cluster", argv: []string{"qgad", "-vxd"}, want: unknown("qgad: invalid option -- 'x'\n")},
		{name: "colon is not an option", argv: []string{"qgad", "-:"}, want: unknown("qgad: invalid option -- ':'\n")},
		{name: "missing short argument", argv: []string{"qgad", "-m"}, want: unknown("qgad: option requires an argument -- 'm'\n")},
		{name: "missing -s argument", argv: []string{"qgad", "-s"}, want: unknown("qgad: option requires an argument -- 's'\n")},
		{name: "missing long argument", argv: []string{"qgad", "--meth"}, want: unknown("qgad: option '--method' requires an argument\n")},
		{name: "argument not allowed", argv: []string{"qgad", "--verb=1"}, want: unknown("qgad: option '--verbose' doesn't allow an argument\n")},
		{name: "ambiguous", argv: []string{"qgad", "--d=x"}, want: unknown("qgad: option '--d=x' is ambiguous; possibilities: '--dump-conf' '--daemonize'\n")},
		{name: "empty long name matches everything", argv: []string{"qgad", "--=x"},
			want: unknown("qgad: option '--=x' is ambiguous; possibilities: '--help' '--version' '--config' '--dump-conf' '--logfile' '--pidfile' '--fsfreeze-hook' '--verbose' '--method' '--path' '--daemonize' '--block-rpcs' '--allow-rpcs' '--statedir' '--retry-path'\n")},
		{name: "ambiguous among qgad options", argv: []string{"qgad", "--plugin"},
			want: unknown("qgad: option '--plugin' is ambiguous; possibilities: '--plugin-dir' '--plugin-idle-stop' '--plugin-memory-limit'\n")},
		{name: "qgad option missing argument", argv: []string{"qgad", "--sysroot"}, want: unknown("qgad: option '--sysroot' requires an argument\n")},
		{name: "first pass prints every diagnostic, second stops at the first", argv: []string{"qgad", "-x", "-y"},
			want: &ExitError{Code: 1, Stdout: true, Msg: "Unknown option, try 'qgad --help' for more information.",
				Diag:      "qgad: invalid option -- 'x'\nqgad: invalid option -- 'y'\nqgad: invalid option -- 'x'\n",
				pass2Diag: "qgad: invalid option -- 'x'\n"}},
		{name: "POSIXLY_CORRECT leaves later options alone", argv: []string{"qgad", "-x", "op", "-y"}, env: map[string]string{"POSIXLY_CORRECT": "y"},
			want: unknown("qgad: invalid option -- 'x'\n")},
		{name: "-c file missing", argv: []string{"qgad", "-c", filepath.Join(dir, "none")},
			want: loadErr(filepath.Join(dir, "none"), "No such file or directory")},
		{name: "-c empty", argv: []string{"qgad", "-c", ""}, want: loadErr("", "No such file or directory")},
		{name: "--c is --config", argv: []string{"qgad", "--c", filepath.Join(dir, "none")},
			want: loadErr(filepath.Join(dir, "none"), "No such file or directory")},
		{name: "config error before the bad option's second report", argv: []string{"qgad", "--bogus", "-c", filepath.Join(dir, "none")},
			want: &ExitError{Code: 1, Msg: "error loading configuration from path: " + filepath.Join(dir, "none") + ", No such file or directory",
				Diag: "qgad: unrecognized option '--bogus'\n"}},
		{name: "QGA_CONF is a directory", argv: []string{"qgad"}, env: map[string]string{"QGA_CONF": dir}, want: loadErr(dir, "Not a regular file")},
		{name: "QGA_CONF below a file", argv: []string{"qgad"}, env: map[string]string{"QGA_CONF": regular + "/x"}, want: loadErr(regular+"/x", "Not a directory")},
		{name: "bad boolean", argv: []string{"qgad"}, conf: "[general]\ndaemon=yes\n",
			want: loadErr("CONF", "Key file contains key “daemon” which has a value that cannot be interpreted.")},
		{name: "boolean is case sensitive", argv: []string{"qgad"}, conf: "[general]\nretry-path=TRUE\n",
			want: loadErr("CONF", "Key file contains key “retry-path” which has a value that cannot be interpreted.")},
		{name: "verbose must be a boolean too", argv: []string{"qgad"}, conf: "[general]\nverbose=xx\n",
			want: loadErr("CONF", "Key file contains key “verbose” which has a value that cannot be interpreted.")},
		{name: "first error in qemu-ga's key order", argv: []string{"qgad"}, conf: "[general]\nretry-path=x\npath=a\\x\ndaemon=y\n",
			want: loadErr("CONF", "Key file contains key “daemon” which has a value that cannot be interpreted.")},
		{name: "bad escape", argv: []string{"qgad"}, conf: "[general]\npath=a\\x\n",
			want: loadErr("CONF", "Key file contains key “path” which has a value that cannot be interpreted.")},
		{name: "escape at end of line", argv: []string{"qgad"}, conf: "[general]\nblock-rpcs=a\\\n",
			want: loadErr("CONF", "Key file contains key “block-rpcs” which has a value that cannot be interpreted.")},
		{name: "not UTF-8", argv: []string{"qgad"}, conf: "[general]\npath=a\xffb\xfe\xfdc\n",
			want: loadErr("CONF", "Key file contains key “path” with value “a\uFFFDb\uFFFD\uFFFDc” which is not UTF-8")},
		{name: "key before a group", argv: []string{"qgad"}, conf: "daemon=1\n", want: loadErr("CONF", "Key file does not start with a group")},
		{name: "not a key-value pair", argv: []string{"qgad"}, conf: "[general]\n  foo\n",
			want: loadErr("CONF", "Key file contains line “  foo” which is not a key-value pair, group, or comment")},
		{name: "unterminated group", argv: []string{"qgad"}, conf: "[general\n",
			want: loadErr("CONF", "Key file contains line “[general” which is not a key-value pair, group, or comment")},
		{name: "empty group name", argv: []string{"qgad"}, conf: "[]\n", want: loadErr("CONF", "Invalid group name: ")},
		{name: "bad key name", argv: []string{"qgad"}, conf: "[general]\npath [de]=x\n", want: loadErr("CONF", "Invalid key name: path [de]")},
		{name: "unsupported encoding", argv: []string{"qgad"}, conf: "[general]\nEncoding=latin1\n",
			want: loadErr("CONF", "Key file contains unsupported encoding “latin1”")},
		{name: "bad qgad duration", argv: []string{"qgad"}, conf: "[qgad]\ncall-timeout=soon\n",
			want: loadErr("CONF", "Key file contains key “call-timeout” which has a value that cannot be interpreted.")},
		{name: "negative qgad duration", argv: []string{"qgad"}, conf: "[qgad]\nplugin-idle-stop=-1s\n",
			want: loadErr("CONF", "Key file contains key “plugin-idle-stop” which has a value that cannot be interpreted.")},
		{name: "bad memory limit", argv: []string{"qgad"}, conf: "[qgad]\nplugin-memory-limit=64M\n",
			want: loadErr("CONF", "Key file contains key “plugin-memory-limit” which has a value that cannot be interpreted.")},
		{name: "bad family call-timeout", argv: []string{"qgad"}, conf: "[family:exec]\nCall-Timeout=forever\n",
			want: loadErr("CONF", "Key file contains key “Call-Timeout” which has a value that cannot be interpreted.")},
		{name: "bad family value", argv: []string{"qgad"}, conf: "[family:exec]\nx=\\q\n",
			want: loadErr("CONF", "Key file contains key “x” which has a value that cannot be interpreted.")},
		{name: "bad --call-timeout", argv: []string{"qgad", "--call-timeout=soon"},
			want: &ExitError{Code: 1, Msg: "invalid argument 'soon' for option '--call-timeout': not a duration"}},
		{name: "bad --fsfreeze-hook-timeout", argv: []string{"qgad", "--fsfreeze-hook-t", "-5s"},
			want: &ExitError{Code: 1, Msg: "invalid argument '-5s' for option '--fsfreeze-hook-timeout': not a duration"}},
		{name: "bad --plugin-memory-limit", argv: []string{"qgad", "--plugin-memory-limit", "lots"},
			want: &ExitError{Code: 1, Msg: "invalid argument 'lots' for option '--plugin-memory-limit': not a memory limit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"QGA_CONF": noConf(t)}
			if tc.conf != "" {
				env["QGA_CONF"] = writeConf(t, tc.conf)
			}
			for k, v := range tc.env {
				env[k] = v
			}
			want := *tc.want
			if tc.conf != "" {
				want.Msg = "error loading configuration from path: " + env["QGA_CONF"] + want.Msg[len("error loading configuration from path: CONF"):]
			}
			cfg, err := parse(tc.argv, testSystem(env))
			var got *ExitError
			if !errors.As(err, &got) {
				t.Fatalf("got config %+v, error %v; want %+v", cfg, err, want)
			}
			if *got != want {
				t.Errorf("\n got %#v\nwant %#v", *got, want)
			}
		})
	}
}
