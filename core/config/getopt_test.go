package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// events renders a getopt pass compactly: "v", "m=x", "F", "F=", "?".
func events(g *getopt) []string {
	var out []string
	for {
		ev, ok := g.next()
		if !ok {
			return out
		}
		s := string(ev.val)
		if ev.val >= 0x1000 {
			s = optionName(ev.val)
		}
		if ev.hasArg {
			s += "=" + ev.arg
		}
		out = append(out, s)
	}
}

func TestGetopt(t *testing.T) {
	tests := []struct {
		argv     []string
		posixly  bool
		want     []string
		permuted []string // argv after the pass ("" = unchanged)
	}{
		{argv: []string{"p", "-vd"}, want: []string{"v", "d"}},
		{argv: []string{"p", "-vmx", "-p", "y"}, want: []string{"v", "m=x", "p=y"}},
		{argv: []string{"p", "-F", "x", "-Fy"}, want: []string{"F", "F=y"}, permuted: []string{"p", "-F", "-Fy", "x"}},
		{argv: []string{"p", "--fsfreeze-hook", "--fsfreeze-hook=", "--fsfreeze-hook=z"}, want: []string{"F", "F=", "F=z"}},
		{argv: []string{"p", "a", "-v", "b", "-m", "c", "d"}, want: []string{"v", "m=c"},
			permuted: []string{"p", "-v", "-m", "c", "a", "b", "d"}},
		{argv: []string{"p", "a", "--", "-v"}, want: nil, permuted: []string{"p", "--", "a", "-v"}},
		{argv: []string{"p", "-v", "--", "-d"}, want: []string{"v"}},
		{argv: []string{"p", "a", "-v"}, posixly: true, want: nil},
		{argv: []string{"p", "-v", "a", "-d"}, posixly: true, want: []string{"v"}},
		{argv: []string{"p", "--method", "-v"}, want: []string{"m=-v"}},
		{argv: []string{"p", "-m", "--", "-v"}, want: []string{"m=--", "v"}},
		{argv: []string{"p", "--daemon", "--dump", "--verb"}, want: []string{"d", "D", "v"}},
		{argv: []string{"p", "--sysroot", "/r", "--sys=/s", "--disable-family=x"}, want: []string{"--sysroot=/r", "--sysroot=/s", "--disable-family=x"}},
		{argv: []string{"p", "-x", "--nope", "-v"}, want: []string{"?", "?", "v"}},
		{argv: []string{"p", "-"}, want: nil},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.argv[1:], " "), func(t *testing.T) {
			argv := append([]string(nil), tc.argv...)
			g := newGetopt(argv, shortOpts, qemuGALongOpts(), qgadLongOpts(), tc.posixly)
			if got := events(g); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("events %q, want %q", got, tc.want)
			}
			wantArgv := tc.permuted
			if wantArgv == nil {
				wantArgv = tc.argv
			}
			if !reflect.DeepEqual(argv, wantArgv) {
				t.Errorf("argv after the pass %q, want %q", argv, wantArgv)
			}
			// The second pass, over the permuted argv, sees the same options.
			g.reset()
			if got := events(g); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("second pass %q, want %q", got, tc.want)
			}
		})
	}
}

func TestGetoptDiagnostics(t *testing.T) {
	g := newGetopt([]string{"/usr/bin/qgad", "-q", "--verbose=1", "--x=1", "--d", "--pi"}, shortOpts, qemuGALongOpts(), qgadLongOpts(), false)
	var diags []string
	for {
		ev, ok := g.next()
		if !ok {
			break
		}
		if ev.val != '?' {
			t.Errorf("event %q is not an error", ev.val)
		}
		diags = append(diags, ev.diag)
	}
	want := []string{
		"/usr/bin/qgad: invalid option -- 'q'\n",
		"/usr/bin/qgad: option '--verbose' doesn't allow an argument\n",
		"/usr/bin/qgad: unrecognized option '--x=1'\n",
		// qgad's --disable-family is not a candidate: qemu-ga's table matched.
		"/usr/bin/qgad: option '--d' is ambiguous; possibilities: '--dump-conf' '--daemonize'\n",
		"/usr/bin/qgad: option '--pidfile' requires an argument\n",
	}
	if !reflect.DeepEqual(diags, want) {
		t.Errorf("diagnostics\n%s\nwant\n%s", fmt.Sprint(diags), fmt.Sprint(want))
	}
}
