package exec

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The guest-exec cases of qemu's tests/unit/test-qga.c (spec 4.2, 22-25).
func TestQemuGuestExec(t *testing.T) {
	p := newPlugin(t, nil)
	s := run(t, p, `{"path": "echo", "arg": ["-n", "\" test_str \""], "capture-output": true}`)
	if s.Exitcode == nil || *s.Exitcode != 0 {
		t.Fatalf("exitcode = %v, want 0 (%s)", s.Exitcode, s.raw)
	}
	if got := s.out(t); string(got) != `" test_str "` || len(got) != 12 {
		t.Fatalf("out-data = %q, want %q", got, `" test_str "`)
	}
	// Appendix C: the exact bytes of this answer, member order included.
	if want := `{"exitcode": 0, "out-data": "IiB0ZXN0X3N0ciAi", "out-truncated": false, "exited": true}`; s.raw != want {
		t.Fatalf("wire form\n got %s\nwant %s", s.raw, want)
	}
}

const qemuSeparatedScript = "for i in $(seq 4); do if (( $i % 2 )); then echo stdout; else echo stderr 1>&2; fi; done;"

func TestQemuGuestExecSeparated(t *testing.T) {
	p := newPlugin(t, nil)
	s := run(t, p, map[string]any{"path": "bash", "arg": []string{"-c", qemuSeparatedScript}, "capture-output": "separated"})
	if s.Exitcode == nil || *s.Exitcode != 0 {
		t.Fatalf("exitcode = %v, want 0 (%s)", s.Exitcode, s.raw)
	}
	if got := string(s.out(t)); got != "stdout\nstdout\n" {
		t.Fatalf("out-data = %q", got)
	}
	if got := string(s.err(t)); got != "stderr\nstderr\n" {
		t.Fatalf("err-data = %q", got)
	}
}

func TestQemuGuestExecMerged(t *testing.T) {
	p := newPlugin(t, nil)
	s := run(t, p, map[string]any{"path": "bash", "arg": []string{"-c", qemuSeparatedScript}, "capture-output": "merged"})
	if s.Exitcode == nil || *s.Exitcode != 0 {
		t.Fatalf("exitcode = %v, want 0 (%s)", s.Exitcode, s.raw)
	}
	if got := string(s.out(t)); got != "stdout\nstderr\nstdout\nstderr\n" {
		t.Fatalf("out-data = %q", got)
	}
	if s.ErrData != nil || s.ErrTruncated != nil {
		t.Fatalf("merged mode must have no err-data/err-truncated: %s", s.raw)
	}
}

func TestQemuGuestExecInvalid(t *testing.T) {
	p := newPlugin(t, nil)
	_, qe := call(t, p, "guest-exec", `{"path": "/bin/invalid-cmd42"}`)
	if qe == nil || qe.Class != "GenericError" {
		t.Fatalf("guest-exec of a missing program: %v", qe)
	}
	if want := "Failed to execute child process \u201c/bin/invalid-cmd42\u201d (No such file or directory)"; qe.Desc != want {
		t.Fatalf("desc = %q, want %q", qe.Desc, want)
	}
	_, qe = call(t, p, "guest-exec-status", `{"pid": 0}`)
	if qe == nil || qe.Class != "GenericError" || qe.Desc != "PID 0 does not exist" {
		t.Fatalf("guest-exec-status of pid 0: %v", qe)
	}
	if p.Busy() {
		t.Fatal("a failed spawn left a record behind")
	}
}

// Every capture-output form: which members appear and what they hold.
func TestCaptureModes(t *testing.T) {
	const script = "echo out; echo err >&2"
	tests := []struct {
		name     string
		capture  any // nil: member absent
		out, err string
		noOut    bool
		noErr    bool
	}{
		{name: "absent", noOut: true, noErr: true},
		{name: "false", capture: false, noOut: true, noErr: true},
		{name: "none", capture: "none", noOut: true, noErr: true},
		{name: "true", capture: true, out: "out\n", err: "err\n"},
		{name: "separated", capture: "separated", out: "out\n", err: "err\n"},
		{name: "stdout", capture: "stdout", out: "out\n", noErr: true},
		{name: "stderr", capture: "stderr", err: "err\n", noOut: true},
		{name: "merged", capture: "merged", out: "out\nerr\n", noErr: true},
	}
	p := newPlugin(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := map[string]any{"path": "/bin/sh", "arg": []string{"-c", script}}
			if tc.capture != nil {
				args["capture-output"] = tc.capture
			}
			s := run(t, p, args)
			if s.Exitcode == nil || *s.Exitcode != 0 || s.Signal != nil {
				t.Fatalf("exit: %s", s.raw)
			}
			if tc.noOut != (s.OutData == nil) || tc.noOut != (s.OutTruncated == nil) {
				t.Fatalf("out-data/out-truncated presence wrong: %s", s.raw)
			}
			if tc.noErr != (s.ErrData == nil) || tc.noErr != (s.ErrTruncated == nil) {
				t.Fatalf("err-data/err-truncated presence wrong: %s", s.raw)
			}
			if got := string(s.out(t)); got != tc.out {
				t.Fatalf("out-data = %q, want %q", got, tc.out)
			}
			if got := string(s.err(t)); got != tc.err {
				t.Fatalf("err-data = %q, want %q", got, tc.err)
			}
			for _, f := range []*bool{s.OutTruncated, s.ErrTruncated} {
				if f != nil && *f {
					t.Fatalf("small output flagged truncated: %s", s.raw)
				}
			}
		})
	}
}

func TestCaptureOutputArgumentErrors(t *testing.T) {
	tests := []struct {
		args, desc string
	}{
		{`{"path": "true", "capture-output": "bogus"}`, "Parameter 'capture-output' does not accept value 'bogus'"},
		{`{"path": "true", "capture-output": 1}`, "Invalid parameter type for 'capture-output', expected: GuestExecCaptureOutput"},
		{`{"capture-output": true}`, "Parameter 'path' is missing"},
		{`{"path": "true", "arg": "x"}`, "Invalid parameter type for 'arg', expected: array"},
		{`{"path": "true", "input-data": "a b"}`, "Base64 data contains invalid characters"},
		{`{"path": "true", "input-data": "QUJD!"}`, "Base64 data contains invalid characters"},
	}
	p := newPlugin(t, nil)
	for _, tc := range tests {
		t.Run(tc.args, func(t *testing.T) {
			_, qe := call(t, p, "guest-exec", tc.args)
			if qe == nil || qe.Class != "GenericError" || qe.Desc != tc.desc {
				t.Fatalf("got %v, want GenericError %q", qe, tc.desc)
			}
		})
	}
}

// The alphabet is checked before anything is spawned.
func TestInvalidInputSpawnsNothing(t *testing.T) {
	p := newPlugin(t, nil)
	marker := filepath.Join(t.TempDir(), "ran")
	_, qe := call(t, p, "guest-exec", map[string]any{"path": "touch", "arg": []string{marker}, "input-data": "QUJD*"})
	if qe == nil || qe.Desc != "Base64 data contains invalid characters" {
		t.Fatalf("got %v", qe)
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Fatalf("the child ran despite invalid input-data (stat: %v)", err)
	}
}

func TestInputData(t *testing.T) {
	bin := []byte("binary\x00\xff\xfe data\n")
	tests := []struct {
		name, input, want string
	}{
		{"text", b64("hello world\n"), "hello world\n"},
		{"binary", b64(string(bin)), string(bin)},
		{"newlines allowed", "aGVs\nbG8=\n", "hello"},
		{"glib lenient: inner padding", "QQ==QUJD", "AABC"},
		{"glib lenient: incomplete group dropped", "QUJDRA", "ABC"},
		{"empty", "", ""},
	}
	p := newPlugin(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := run(t, p, map[string]any{"path": "cat", "input-data": tc.input, "capture-output": true})
			if s.Exitcode == nil || *s.Exitcode != 0 {
				t.Fatalf("exit: %s", s.raw)
			}
			if got := string(s.out(t)); got != tc.want {
				t.Fatalf("cat echoed %q, want %q", got, tc.want)
			}
		})
	}
}

// Without input-data stdin is /dev/null, so a reader sees EOF at once.
func TestStdinIsDevNull(t *testing.T) {
	p := newPlugin(t, nil)
	s := run(t, p, map[string]any{"path": "/bin/sh", "arg": []string{"-c", "readlink /proc/self/fd/0; cat"}, "capture-output": true})
	if got := string(s.out(t)); got != "/dev/null\n" {
		t.Fatalf("stdin = %q", got)
	}
}

// A child that never reads its stdin must not hang the feeding or the record.
func TestInputNotRead(t *testing.T) {
	p := newPlugin(t, nil)
	big := strings.Repeat("A", 1<<20) // far beyond a pipe buffer
	s := run(t, p, map[string]any{"path": "true", "input-data": big})
	if s.Exitcode == nil || *s.Exitcode != 0 {
		t.Fatalf("exit: %s", s.raw)
	}
}

func TestEnvironment(t *testing.T) {
	progDir := t.TempDir()
	prog := filepath.Join(progDir, "qgad-test-prog")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\necho found-in-env-path\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"env replaces the whole environment",
			map[string]any{"path": "/usr/bin/env", "env": []string{"FOO=bar", "X=1"}}, "FOO=bar\nX=1\n"},
		{"empty env means an empty environment",
			map[string]any{"path": "/usr/bin/env", "env": []string{}}, ""},
		{"PATH of env is searched",
			map[string]any{"path": "qgad-test-prog", "env": []string{"PATH=" + progDir}}, "found-in-env-path\n"},
		{"without PATH in env the plugin's PATH is searched",
			map[string]any{"path": "env", "env": []string{"ONLY=this"}}, "ONLY=this\n"},
		{"without env the plugin's environment is inherited",
			map[string]any{"path": "/bin/sh", "arg": []string{"-c", "echo $QGAD_EXEC_TEST_VAR"}}, "inherited\n"},
	}
	t.Setenv("QGAD_EXEC_TEST_VAR", "inherited")
	p := newPlugin(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.args["capture-output"] = true
			s := run(t, p, tc.args)
			if s.Exitcode == nil || *s.Exitcode != 0 {
				t.Fatalf("exit: %s", s.raw)
			}
			if got := string(s.out(t)); got != tc.want {
				t.Fatalf("output %q, want %q", got, tc.want)
			}
		})
	}
}

// env's PATH, when given, is the only one searched.
func TestEnvPathOnly(t *testing.T) {
	p := newPlugin(t, nil)
	_, qe := call(t, p, "guest-exec", map[string]any{"path": "sh", "env": []string{"PATH=" + t.TempDir()}})
	if qe == nil || qe.Desc != "Failed to execute child process \u201csh\u201d (No such file or directory)" {
		t.Fatalf("got %v", qe)
	}
}

func TestWorkingDirectoryIsPlugins(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	p := newPlugin(t, nil)
	s := run(t, p, map[string]any{"path": "/bin/sh", "arg": []string{"-c", "pwd -P"}, "capture-output": true})
	real, err := filepath.EvalSymlinks(wd)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(s.out(t))); got != real {
		t.Fatalf("cwd = %q, want %q", got, real)
	}
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name   string
		script string
		code   *int64
		signal *int64
	}{
		{"exit 0", "exit 0", intp(0), nil},
		{"exit 3", "exit 3", intp(3), nil},
		{"exit 255", "exit 255", intp(255), nil},
		{"SIGTERM", "kill -TERM $$", nil, intp(15)},
		{"SIGKILL", "kill -KILL $$", nil, intp(9)},
		{"SIGSEGV", "kill -SEGV $$", nil, intp(11)},
	}
	p := newPlugin(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := run(t, p, map[string]any{"path": "/bin/sh", "arg": []string{"-c", tc.script}})
			if !eqp(s.Exitcode, tc.code) || !eqp(s.Signal, tc.signal) {
				t.Fatalf("got %s, want exitcode %v signal %v", s.raw, deref(tc.code), deref(tc.signal))
			}
		})
	}
}

func eqp(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref(p *int64) any {
	if p == nil {
		return "absent"
	}
	return *p
}

// Output beyond 16 MiB per stream is read and discarded, with the flag set.
func TestLargeOutputTruncated(t *testing.T) {
	p := newPlugin(t, nil)
	s := run(t, p, map[string]any{"path": "/bin/sh", "arg": []string{"-c", "head -c 20M /dev/urandom; head -c 17M /dev/zero >&2"}, "capture-output": "separated"})
	if s.Exitcode == nil || *s.Exitcode != 0 {
		t.Fatalf("exit: exitcode %v signal %v", s.Exitcode, s.Signal)
	}
	if n := len(s.out(t)); n != 16<<20 {
		t.Fatalf("out-data holds %d bytes, want %d", n, 16<<20)
	}
	if n := len(s.err(t)); n != 16<<20 {
		t.Fatalf("err-data holds %d bytes, want %d", n, 16<<20)
	}
	if s.OutTruncated == nil || !*s.OutTruncated || s.ErrTruncated == nil || !*s.ErrTruncated {
		t.Fatalf("truncated flags: out %v err %v", s.OutTruncated, s.ErrTruncated)
	}
}

// Exactly 16 MiB is complete output, not truncated output.
func TestOutputAtLimitNotTruncated(t *testing.T) {
	p := newPlugin(t, nil)
	s := run(t, p, map[string]any{"path": "head", "arg": []string{"-c", strconv.Itoa(16 << 20), "/dev/zero"}, "capture-output": "stdout"})
	out := s.out(t)
	if len(out) != 16<<20 || !bytes.Equal(out, make([]byte, 16<<20)) {
		t.Fatalf("out-data holds %d bytes", len(out))
	}
	if s.OutTruncated == nil || *s.OutTruncated {
		t.Fatalf("out-truncated = %v, want false", s.OutTruncated)
	}
}

// The record goes away once it has been reported as exited.
func TestRecordDeletedAfterReport(t *testing.T) {
	p := newPlugin(t, nil)
	pid := start(t, p, `{"path": "true"}`)
	wait(t, p, pid)
	_, qe := call(t, p, "guest-exec-status", map[string]any{"pid": pid})
	if want := "PID " + strconv.FormatInt(pid, 10) + " does not exist"; qe == nil || qe.Desc != want {
		t.Fatalf("second status: %v, want %q", qe, want)
	}
	if p.Busy() {
		t.Fatal("plugin still busy with no records")
	}
}

// "exited" waits for EOF on the capture pipes, which a background
// grandchild can hold open after the child itself exited; the child is
// reaped meanwhile, so it is never a zombie.
func TestExitedWaitsForPipesNoZombies(t *testing.T) {
	p := newPlugin(t, nil)
	dir := t.TempDir()
	release := filepath.Join(dir, "release")
	script := "(while [ ! -e " + release + " ]; do sleep 0.01; done; echo late) & echo early"
	pid := start(t, p, map[string]any{"path": "/bin/sh", "arg": []string{"-c", script}, "capture-output": true})

	// Wait until the shell itself is gone (reaped: no /proc entry at all).
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat("/proc/" + strconv.FormatInt(pid, 10)); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d was not reaped (zombies: %v)", pid, zombieChildren(t))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if s := getStatus(t, p, pid); s.Exited || s.raw != `{"exited": false}` {
		t.Fatalf("status while a grandchild holds the pipe: %s", s.raw)
	}
	if z := zombieChildren(t); len(z) != 0 {
		t.Fatalf("zombie children: %v", z)
	}
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := wait(t, p, pid)
	if got := string(s.out(t)); got != "early\nlate\n" {
		t.Fatalf("out-data = %q", got)
	}
	if z := zombieChildren(t); len(z) != 0 {
		t.Fatalf("zombie children after status: %v", z)
	}
}

// Many short children, all collected: none stays a zombie.
func TestNoZombiesAfterMany(t *testing.T) {
	p := newPlugin(t, nil)
	var pids []int64
	for range 20 {
		pids = append(pids, start(t, p, `{"path": "true"}`))
	}
	for _, pid := range pids {
		wait(t, p, pid)
	}
	if z := zombieChildren(t); len(z) != 0 {
		t.Fatalf("zombie children: %v", z)
	}
}

// The child starts with SIGPIPE at its default action, so "yes | head"
// style pipelines end instead of spinning on EPIPE.
func TestSigpipeDefaultInChild(t *testing.T) {
	p := newPlugin(t, nil)
	s := run(t, p, map[string]any{"path": "grep", "arg": []string{"^SigIgn:", "/proc/self/status"}, "capture-output": true})
	fields := strings.Fields(string(s.out(t)))
	if len(fields) != 2 {
		t.Fatalf("unexpected status line %q", s.out(t))
	}
	mask, err := strconv.ParseUint(fields[1], 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	const sigpipe = 13
	if mask&(1<<(sigpipe-1)) != 0 {
		t.Fatalf("SIGPIPE ignored in the child (SigIgn %s)", fields[1])
	}
}

// Unreported records are bounded; collecting one frees a slot.
func TestMaxProcesses(t *testing.T) {
	p := newPlugin(t, map[string]string{"max_processes": "2"})
	a := start(t, p, `{"path": "true"}`)
	start(t, p, `{"path": "sleep", "arg": ["30"]}`)
	_, qe := call(t, p, "guest-exec", `{"path": "true"}`)
	if want := "too many guest-exec processes not yet reported by guest-exec-status (limit 2)"; qe == nil || qe.Desc != want {
		t.Fatalf("third guest-exec: %v, want %q", qe, want)
	}
	if !p.Busy() {
		t.Fatal("Busy() = false with live children")
	}
	wait(t, p, a)
	start(t, p, `{"path": "true"}`)
}

func TestBadOptions(t *testing.T) {
	for _, v := range []string{"0", "-1", "many"} {
		env := newEnv(t)
		env.Options["max_processes"] = v
		if _, err := New(env); err == nil {
			t.Errorf("max-processes=%q accepted", v)
		}
	}
}

// Close kills the children (and their process groups) still running.
func TestCloseKillsChildren(t *testing.T) {
	p := newPlugin(t, nil)
	pid := start(t, p, `{"path": "/bin/sh", "arg": ["-c", "sleep 30 & wait"]}`)
	p.Close()
	s := wait(t, p, pid)
	if s.Signal == nil || *s.Signal != 9 {
		t.Fatalf("after Close: %s, want signal 9", s.raw)
	}
	if _, qe := call(t, p, "guest-exec", `{"path": "true"}`); qe == nil {
		t.Fatal("guest-exec after Close succeeded")
	}
}
