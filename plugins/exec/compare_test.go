package exec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
)

// qemuRun runs guest-exec on qemu-ga and polls guest-exec-status until exited.
func qemuRun(t *testing.T, q *qgatest.Agent, args string) status {
	t.Helper()
	ret, ok := q.MustCall(t, "guest-exec", args).(*qapi.Object)
	if !ok {
		t.Fatal("qemu-ga's guest-exec returned no object")
	}
	v, _ := ret.Get("pid")
	pid, ok := v.(int64)
	if !ok || pid <= 0 {
		t.Fatalf("qemu-ga's pid = %v", v)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		raw, err := qapi.Marshal(q.MustCall(t, "guest-exec-status", `{"pid": `+strconv.FormatInt(pid, 10)+`}`))
		if err != nil {
			t.Fatal(err)
		}
		var s status
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("qemu-ga status %s: %v", raw, err)
		}
		s.raw = string(raw)
		if s.Exited {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("qemu-ga's pid %d did not exit in time", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// short keeps failure messages about 22 MB statuses readable.
func short(s string) string {
	if len(s) > 300 {
		return s[:150] + "..." + s[len(s)-150:]
	}
	return s
}

// TestCompareWithQemuGA runs the same guest-exec requests in-process and
// through Debian's qemu-ga 7.2 on this machine (only harmless programs:
// echo, cat, env, sh, head) and wants byte-identical statuses. Debian's 7.2
// already sends *-truncated whenever the data is present, with the right
// value (spec 6 expected otherwise). Expected 7.2 differences: spawn errors
// are wrapped, unknown pids have another text, and capture-output is a
// plain bool, so only the bool forms are compared.
func TestCompareWithQemuGA(t *testing.T) {
	q := qgatest.StartQemuGA(t)
	// qemu-ga's SIGTERM handler is not async-signal-safe (it quits the glib
	// main loop from the handler) and can deadlock when the signal arrives
	// while the loop handles our disconnect, as the harness's Stop does
	// right after closing. Disconnect first and let it settle: cleanups run
	// last-registered first, so this runs before Stop.
	t.Cleanup(func() {
		_ = q.C.Close()
		time.Sleep(300 * time.Millisecond)
	})
	p := newPlugin(t, nil)
	script := qemuSeparatedScript
	dir := qgatest.TempDir(t)
	noHashbang := filepath.Join(dir, "no-hashbang")
	notExecutable := filepath.Join(dir, "not-executable")
	for path, mode := range map[string]os.FileMode{noHashbang: 0o755, notExecutable: 0o644} {
		if err := os.WriteFile(path, []byte("echo run by sh: \"$0\" \"$@\"\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	runs := []struct{ name, args string }{
		{"echo test_str", `{"path": "echo", "arg": ["-n", "\" test_str \""], "capture-output": true}`},
		{"separated streams", `{"path": "bash", "arg": ["-c", "` + script + `"], "capture-output": true}`},
		{"no capture", `{"path": "echo", "arg": ["hidden"]}`},
		{"capture false", `{"path": "echo", "arg": ["hidden"], "capture-output": false}`},
		{"exit status", `{"path": "/bin/sh", "arg": ["-c", "echo out; echo err >&2; exit 7"], "capture-output": true}`},
		{"signal", `{"path": "/bin/sh", "arg": ["-c", "kill -TERM $$"], "capture-output": true}`},
		{"input-data", `{"path": "cat", "input-data": "SGVsbG8gV29ybGQhCgA=", "capture-output": true}`},
		{"glib lenient base64", `{"path": "cat", "input-data": "QQ==QUJD\naGVsbG8", "capture-output": true}`},
		{"empty input-data", `{"path": "cat", "input-data": "", "capture-output": true}`},
		{"env replaces the environment", `{"path": "/usr/bin/env", "env": ["A=1", "B=two words"], "capture-output": true}`},
		{"empty env", `{"path": "/usr/bin/env", "env": [], "capture-output": true}`},
		{"PATH from env", `{"path": "env", "env": ["PATH=/usr/bin:/bin", "X=y"], "capture-output": true}`},
		{"stdin is /dev/null", `{"path": "/bin/sh", "arg": ["-c", "readlink /proc/self/fd/0"], "capture-output": true}`},
		{"env without PATH: the agent's PATH", `{"path": "env", "env": ["A=1"], "capture-output": true}`},
		{"script without #! runs through /bin/sh", `{"path": "` + noHashbang + `", "arg": ["x y"], "capture-output": true}`},
		{"truncation at 16 MiB", `{"path": "/bin/sh", "arg": ["-c", "head -c 17M /dev/zero; head -c 16M /dev/zero >&2"], "capture-output": true}`},
	}
	for _, tc := range runs {
		t.Run(tc.name, func(t *testing.T) {
			want := qemuRun(t, q, tc.args)
			got := run(t, p, tc.args)
			// Same members, same values, same order: the same bytes.
			if got.raw != want.raw {
				t.Fatalf("\nqgad:    %s\nqemu-ga: %s", short(got.raw), short(want.raw))
			}
			t.Logf("qgad: %s", short(got.raw))
		})
	}

	errs := []struct {
		name, cmd, args string
		wrapped         bool // 7.2 wraps the text in "Guest agent command failed, error was '...'"
		sameText        bool
	}{
		{"missing absolute path", "guest-exec", `{"path": "/bin/invalid-cmd42"}`, true, false},
		{"missing in PATH", "guest-exec", `{"path": "qgad-no-such-program"}`, true, false},
		{"a directory", "guest-exec", `{"path": "/"}`, true, false},
		{"not executable", "guest-exec", `{"path": "` + notExecutable + `"}`, true, false},
		{"empty path", "guest-exec", `{"path": ""}`, true, false},
		{"bad base64", "guest-exec", `{"path": "cat", "input-data": "QUJD*"}`, false, true},
		{"path missing", "guest-exec", `{"arg": ["x"]}`, false, true},
		{"unknown pid", "guest-exec-status", `{"pid": 0}`, false, false},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, want := q.Call(t, tc.cmd, tc.args)
			_, got := call(t, p, tc.cmd, tc.args)
			if want == nil || got == nil || got.Class != want.Class {
				t.Fatalf("qgad: %v, qemu-ga: %v", got, want)
			}
			switch {
			case tc.wrapped:
				if w := "Guest agent command failed, error was '" + got.Desc + "'"; w != want.Desc {
					t.Fatalf("\nqgad:    %q\nqemu-ga: %q", got.Desc, want.Desc)
				}
			case tc.sameText:
				if got.Desc != want.Desc {
					t.Fatalf("\nqgad:    %q\nqemu-ga: %q", got.Desc, want.Desc)
				}
			}
			t.Logf("qgad: %s / qemu-ga 7.2: %s", got.Desc, want.Desc)
		})
	}
}
