package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// This test runs the real qemu-ga (Debian's package qemu-guest-agent) with
// the same command lines and config files as Parse, and checks that what
// qgad prints (following the contract of Parse's results, documented in
// README.md) is what qemu-ga prints: -D output byte for byte, the
// unknown-option texts, the config error texts, the exit codes. Only cases
// that make qemu-ga exit before serving a channel are run.

// qemuGA finds the reference binary; CI installs qemu-guest-agent.
func qemuGA(t *testing.T) (path string, major, minor int) {
	t.Helper()
	path = "/usr/sbin/qemu-ga"
	if _, err := os.Stat(path); err != nil {
		if path, err = exec.LookPath("qemu-ga"); err != nil {
			t.Fatal("qemu-ga not found: install the qemu-guest-agent package")
		}
	}
	out, err := exec.Command(path, "-V").Output()
	if err != nil {
		t.Fatalf("%s -V: %v", path, err)
	}
	if _, err := fmt.Sscanf(string(out), "QEMU Guest Agent %d.%d", &major, &minor); err != nil {
		t.Fatalf("%s -V printed %q", path, out)
	}
	return path, major, minor
}

type result struct {
	stdout, stderr string
	code           int
}

func runQemuGA(t *testing.T, bin string, args []string, env []string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running qemu-ga: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("qemu-ga %q did not exit: it is serving a channel", args)
	}
	return result{stdout.String(), stderr.String(), code}
}

// glibCritical matches a g_critical() line as glib's default handler writes
// it in qemu-ga (no prgname, C locale).
func glibCritical(msg string) *regexp.Regexp {
	return regexp.MustCompile(`^\n\*\* \(process:\d+\): CRITICAL \*\*: \d\d:\d\d:\d\d\.\d\d\d: ` + regexp.QuoteMeta(cLocale(msg)) + "\n$")
}

// cLocale is how glib's default log handler shows a message in the C
// locale: control characters as \uXXXX, invalid bytes as \xNN, anything
// else outside ASCII as '?'.
func cLocale(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		r, size := utf8.DecodeRuneInString(msg[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, msg[i])
		case r == '\r' && strings.HasPrefix(msg[i+1:], "\n"), r == '\t', r == '\n':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\u%04x`, r)
		case r >= 0x80:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

type compareCase struct {
	name  string
	args  []string
	conf  string // QGA_CONF contents ("" = no such file); "@file" = a testdata file
	env   []string
	since [2]int // first qemu-ga version with the behavior compared (zero = any)
}

func compareCases(dir string) []compareCase {
	return []compareCase{
		{name: "defaults", args: []string{"-D"}},
		{name: "unknown method", args: []string{"-m", "x", "-D"}},
		{name: "unix-listen without path", args: []string{"-m", "unix-listen", "-D"}},
		{name: "empty method", args: []string{"-m", "", "-D"}},
		{name: "isa-serial", args: []string{"-m", "isa-serial", "-D"}},
		{name: "unix-listen", args: []string{"--method=unix-listen", "--path", "/s", "-D"}},
		{name: "vsock-listen", args: []string{"-mvsock-listen", "-p3:1234", "-D"}},
		{name: "prefix --verb", args: []string{"--verb", "-D"}},
		{name: "prefixes --daemon --state", args: []string{"--daemon", "--state", "/x", "--pid=/p", "--log", "/l", "-D"}},
		{name: "cluster", args: []string{"-vd", "-D", "-mvirtio-serial", "-p/p", "-rD"}},
		{name: "-F", args: []string{"-F", "-D"}},
		{name: "-F attached", args: []string{"-F/x", "-D"}},
		{name: "-F separate", args: []string{"-F", "/x", "-D"}},
		{name: "--fsfreeze-hook=", args: []string{"--fsfreeze-hook=/x", "-D"}},
		{name: "--fsfreeze-hook separate", args: []string{"--fsfreeze-hook", "/x", "-D"}},
		{name: "--fsfreeze-hook empty", args: []string{"--fsfreeze-hook=", "-D"}},
		{name: "block lists", args: []string{"-b", "a,b", "-b", "c", "-D"}},
		{name: "block list with empty names", args: []string{"-b", "a,,b,", "-D"}},
		{name: "empty block list", args: []string{"-b", "", "-D"}},
		{name: "-b HELP", args: []string{"-b", "HELP", "-D"}},
		{name: "allow lists", args: []string{"-a", "a,b", "--allow-rpcs=c", "-D"}, since: [2]int{8, 1}},
		{name: "empty strings", args: []string{"-p", "", "-l", "", "-f", "", "-t", "", "-D"}},
		{name: "escaped values", args: []string{"-p", " \ta\tb\\c\nd\re ", "-l", "\t", "-D"}},
		{name: "non-ASCII values", args: []string{"-p", "é\xff", "-D"}},
		{name: "operands", args: []string{"foo", "-D", "bar"}},
		{name: "-- ends options", args: []string{"-D", "--", "-h"}},
		{name: "POSIXLY_CORRECT", args: []string{"-D", "foo", "-h"}, env: []string{"POSIXLY_CORRECT=1"}},
		{name: "-s ignored", args: []string{"-s", "x", "-D"}},
		{name: "unrecognized", args: []string{"--bogus"}},
		{name: "unrecognized with value", args: []string{"--bogus=1", "-D"}},
		{name: "invalid short", args: []string{"-x"}},
		{name: "invalid in cluster", args: []string{"-vxd"}},
		{name: "colon", args: []string{"-:"}},
		{name: "missing argument", args: []string{"-m"}},
		{name: "missing -s argument", args: []string{"-D", "-s"}},
		{name: "missing long argument", args: []string{"--method"}},
		{name: "argument not allowed", args: []string{"--verbose=1"}},
		{name: "ambiguous", args: []string{"--d"}},
		{name: "ambiguous with value", args: []string{"--d=x"}},
		{name: "ambiguous empty name", args: []string{"--=x"}, since: [2]int{9, 1}},
		{name: "--a", args: []string{"--a", "x", "-D"}, since: [2]int{8, 1}},
		{name: "help", args: []string{"-h"}},
		{name: "help before bad option", args: []string{"-h", "--bogus"}, since: [2]int{9, 1}},
		{name: "version", args: []string{"-V", "-h"}},
		{name: "version after -D", args: []string{"-D", "--vers"}},
		{name: "-b help", args: []string{"-b", "help", "-D"}},
		{name: "-b ?", args: []string{"-b?"}},
		{name: "--block-rpcs=help", args: []string{"-D", "--block-rpcs=help"}},
		{name: "-a help", args: []string{"-a", "help"}, since: [2]int{8, 1}},
		{name: "-c missing", args: []string{"-c", filepath.Join(dir, "none"), "-D"}, since: [2]int{9, 1}},
		{name: "-c beats QGA_CONF", args: []string{"-D", "--config", "@testdata/doc-sample.conf"}, conf: "[general]\ndaemon=1\n", since: [2]int{9, 1}},
		{name: "QGA_CONF directory", args: []string{"-D"}, env: []string{"QGA_CONF=" + dir}},
		{name: "QGA_CONF below a file", args: []string{"-D"}, env: []string{"QGA_CONF=/dev/null/x"}},
		{name: "upstream test config", args: []string{"-D"}, conf: "@testdata/test-qga-config"},
		{name: "documentation sample", args: []string{"-D"}, conf: "@testdata/doc-sample.conf"},
		{name: "full config's [general]", args: []string{"-D", "-b", "x"}, conf: "@testdata/full.conf"},
		{name: "config and command line", args: []string{"-D", "-b", "x", "-m", "isa-serial", "-F"},
			conf: "[general]\nmethod=unix-listen\npath=/s\nlogfile=/l\npidfile=/p\nfsfreeze-hook=/h\nstatedir=/t\nverbose=true\nretry-path=true\nblock-rpcs=a,b\n"},
		{name: "bad boolean", args: []string{"-D"}, conf: "[general]\ndaemon=yes\n"},
		{name: "boolean syntax", args: []string{"-D"}, conf: "[general]\ndaemon = true\t\nverbose=1\nretry-path=0 \nblock-rpcs=guest-ping;guest-get-time\n"},
		{name: "boolean case", args: []string{"-D"}, conf: "[general]\ndaemon=TRUE\n"},
		{name: "boolean escaped", args: []string{"-D"}, conf: "[general]\nretry-path=\\s1\n"},
		{name: "verbose=false keeps -v", args: []string{"-D", "-v"}, conf: "[general]\nverbose=false\n"},
		{name: "verbose bad", args: []string{"-D"}, conf: "[general]\nverbose=xx\n"},
		{name: "first error wins", args: []string{"-D"}, conf: "[general]\nretry-path=x\npath=a\\x\ndaemon=y\n"},
		{name: "key before group", args: []string{"-D"}, conf: "daemon=1\n"},
		{name: "not a key-value pair", args: []string{"-D"}, conf: "[general]\n\tfoo\n"},
		{name: "unterminated group", args: []string{"-D"}, conf: "[general\n"},
		{name: "text after group", args: []string{"-D"}, conf: "[gen]eral]\n"},
		{name: "empty group name", args: []string{"-D"}, conf: "[]\n"},
		{name: "control character in group name", args: []string{"-D"}, conf: "[a\x01]\n"},
		{name: "empty key", args: []string{"-D"}, conf: "[general]\n=x\n"},
		{name: "bad key name", args: []string{"-D"}, conf: "[general]\nmethod [de]=x\n"},
		{name: "translations ignored", args: []string{"-D"}, conf: "[general]\nkey[en]=x\nmethod[de]=x\n"},
		{name: "line not UTF-8", args: []string{"-D"}, conf: "\xff\n"},
		{name: "value not UTF-8", args: []string{"-D"}, conf: "[general]\npath=a\xffb\xfe\xfdc\n"},
		{name: "NUL in a value", args: []string{"-D"}, conf: "[general]\npath=ab\x00cd\n"},
		{name: "leading spaces and trailing spaces", args: []string{"-D"}, conf: "# c\n\n[general]\n  method = isa-serial  \n  path = \\s a \n"},
		{name: "escapes", args: []string{"-D"}, conf: "[general]\npath=a\\sb\\tc\\nd\\\\e\\rf\n"},
		{name: "bad escape", args: []string{"-D"}, conf: "[general]\npath=a\\x\n"},
		{name: "escape at end", args: []string{"-D"}, conf: "[general]\nlogfile=a\\\n"},
		{name: "duplicate groups and keys", args: []string{"-D"}, conf: "[general]\ndaemon=1\npath=/a\n[x]\n[general]\ndaemon=0\ndaemon=1\n"},
		{name: "group names are exact", args: []string{"-D"}, conf: "[ general]\ndaemon=1\n[General]\ndaemon=1\n"},
		{name: "continuation bytes after ]", args: []string{"-D"}, conf: "[general]\x80 \npath=/p\n"},
		{name: "empty file", args: []string{"-D"}, conf: "\n"},
		{name: "CRLF", args: []string{"-D"}, conf: "[general]\r\nmethod=isa-serial\r\npath=/dev/ttyS1\r"},
		{name: "unsupported encoding", args: []string{"-D"}, conf: "[general]\nEncoding=latin1\n"},
		{name: "Encoding UTF-8", args: []string{"-D"}, conf: "[general]\nEncoding=utf-8\n"},
		{name: "documentation's daemonize key", args: []string{"-D"}, conf: "[general]\ndaemonize=1\n"},
		{name: "blacklist key removed", args: []string{"-D"}, conf: "[general]\nblacklist=a\n", since: [2]int{9, 1}},
		{name: "allow-rpcs key", args: []string{"-D", "-a", "z"}, conf: "[general]\nallow-rpcs=x,y\n", since: [2]int{8, 1}},
		{name: "qgad sections ignored by qemu-ga", args: []string{"-D"}, conf: "[qgad]\nsysroot=/r\n[family:exec]\nk=v\n[general]\nverbose=1\n"},
		{name: "bad option and bad config", args: []string{"--bogus", "-D"}, conf: "[general]\ndaemon=2\n"},
	}
}

func TestDumpMatchesQemuGA(t *testing.T) {
	bin, major, minor := qemuGA(t)
	before := func(v [2]int) bool { return major < v[0] || (major == v[0] && minor < v[1]) }
	twoPass := !before([2]int{9, 1}) // -c brought the first getopt pass
	hasAllow := !before([2]int{8, 1})
	compared := 0
	for _, tc := range compareCases(t.TempDir()) {
		if before(tc.since) {
			t.Logf("%s: not compared, qemu-ga %d.%d predates the behavior (%d.%d)", tc.name, major, minor, tc.since[0], tc.since[1])
			continue
		}
		compared++
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string(nil), tc.args...)
			for i, a := range args {
				if p, ok := strings.CutPrefix(a, "@"); ok {
					args[i] = abs(t, p)
				}
			}
			env := map[string]string{"QGA_CONF": noConf(t)}
			switch {
			case strings.HasPrefix(tc.conf, "@"):
				env["QGA_CONF"] = abs(t, tc.conf[1:])
			case tc.conf != "":
				env["QGA_CONF"] = writeConf(t, tc.conf)
			}
			for _, kv := range tc.env {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
			var environ []string
			for k, v := range env {
				environ = append(environ, k+"="+v)
			}
			got := runQemuGA(t, bin, args, environ)

			cfg, err := Parse(append([]string{bin}, args...), func(k string) string { return env[k] })
			want := expected(t, cfg, err, twoPass, hasAllow)
			if got.code != want.code {
				t.Errorf("qemu-ga exit %d, want %d", got.code, want.code)
			}
			if !matches(got.stdout, want.stdout) {
				t.Errorf("qemu-ga stdout\n%q\nwant\n%q", got.stdout, want.stdout)
			}
			if !matches(got.stderr, want.stderr) {
				t.Errorf("qemu-ga stderr\n%q\nwant\n%q", got.stderr, want.stderr)
			}
		})
	}
	if compared < 80 {
		t.Errorf("only %d cases compared", compared)
	}
}

// matches compares text with want, a literal or "re:<regexp>".
func matches(text, want string) bool {
	if re, ok := strings.CutPrefix(want, "re:"); ok {
		return regexp.MustCompile(re).MatchString(text)
	}
	return text == want
}

// expected is what qemu-ga prints for our Parse result: the contract the
// caller of Parse follows.
func expected(t *testing.T, cfg *Config, err error, twoPass, hasAllow bool) result {
	t.Helper()
	var ee *ExitError
	if errors.As(err, &ee) {
		diag := ee.Diag
		if !twoPass {
			diag = ee.pass2Diag
		}
		if ee.Stdout {
			return result{stdout: ee.Msg + "\n", stderr: diag, code: ee.Code}
		}
		if !twoPass {
			diag = "" // before 9.1 the config was loaded before getopt ran
		}
		return result{stderr: "re:" + regexp.QuoteMeta(diag) + glibCritical(ee.Msg).String()[1:], code: ee.Code}
	}
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	diag := cfg.Diag
	if !twoPass {
		diag = ""
	}
	switch cfg.Action {
	case Help:
		// The texts differ (versions, qgad's options): TestUsageMatchesQemuGA
		// compares the option descriptions.
		return result{stdout: `re:^Usage: \S+ \[-m <method> -p <path>\] \[<options>\]\nQEMU Guest Agent `, stderr: diag}
	case Version:
		return result{stdout: `re:^QEMU Guest Agent \d+\.\d+\S*\n$`, stderr: diag}
	case ListCommands:
		return result{stdout: `re:^(guest-[a-z-]+\n)+$`, stderr: diag}
	case DumpConf:
		if !cfg.HasPath() {
			return result{stderr: "re:" + glibCritical("must specify a path for this channel").String()[1:], code: 1}
		}
		var b bytes.Buffer
		cfg.Dump(&b)
		out := b.String()
		// qemu-ga writes [general] only.
		if i := strings.Index(out, "\n\n["); i >= 0 {
			out = out[:i+1]
		}
		if !hasAllow {
			if !strings.HasSuffix(out, "\nallow-rpcs=\n") {
				t.Fatalf("dump %q: allow-rpcs set for a qemu-ga without it", out)
			}
			out = strings.TrimSuffix(out, "allow-rpcs=\n")
		}
		return result{stdout: out}
	}
	t.Fatalf("Parse says the agent would run: the case is unsafe for this test")
	return result{}
}

// TestUsageMatchesQemuGA checks that qemu-ga's option descriptions appear,
// unchanged and in order, in qgad's -h text. Before 9.1 the -b text was
// different and -c and -a did not exist.
func TestUsageMatchesQemuGA(t *testing.T) {
	bin, major, minor := qemuGA(t)
	out, err := exec.Command(bin, "--help").Output()
	if err != nil {
		t.Fatalf("%s --help: %v", bin, err)
	}
	// The option block lies between the first two empty lines.
	blocks := strings.Split(string(out), "\n\n")
	if len(blocks) < 3 {
		t.Fatalf("unexpected help text %q", out)
	}
	theirs := strings.Split(blocks[1], "\n")
	var b bytes.Buffer
	Usage(&b, bin)
	ours := b.String()
	old := major < 9 || (major == 9 && minor < 1)
	pos := 0
	for _, line := range theirs {
		if old && (strings.HasPrefix(line, "  -b, --block-rpcs") || strings.Contains(line, `use "help" to list`)) {
			continue
		}
		i := strings.Index(ours[pos:], line+"\n")
		if i < 0 {
			t.Errorf("qemu-ga's help line %q is missing or out of order", line)
			continue
		}
		pos += i + len(line) + 1
	}
}

// TestActivatedDumpMatchesQemuGA runs qemu-ga -D under systemd socket
// activation (systemd-socket-activate, package systemd) and checks
// UseActivatedSocket's effect on Dump against it.
func TestActivatedDumpMatchesQemuGA(t *testing.T) {
	bin, major, minor := qemuGA(t)
	activate, err := exec.LookPath("systemd-socket-activate")
	if err != nil {
		t.Fatal("systemd-socket-activate not found: install the systemd package")
	}
	args := []string{"-m", "isa-serial", "-p", "/dev/ttyS1", "-D"}
	conf := noConf(t)
	sock := filepath.Join(t.TempDir(), "s")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, activate, append([]string{"-l", sock, bin}, args...)...)
	cmd.Env = []string{"QGA_CONF=" + conf}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// qemu-ga is started on the first connection.
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("socket never accepted a connection: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("qemu-ga under systemd-socket-activate: %v", err)
	}

	cfg, err := Parse(append([]string{bin}, args...), func(k string) string { return map[string]string{"QGA_CONF": conf}[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.UseActivatedSocket("unix-listen")
	var b bytes.Buffer
	cfg.Dump(&b)
	want := b.String()
	if major < 8 || (major == 8 && minor < 1) {
		want = strings.TrimSuffix(want, "allow-rpcs=\n")
	}
	if stdout.String() != want {
		t.Errorf("qemu-ga -D under activation\n%q\nqgad\n%q", stdout.String(), want)
	}
}
