//go:build faults

package faults

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qgad/qgad/core/cgroup"
	"github.com/qgad/qgad/internal/qgatest"
)

// copyFile copies src to dst with mode 0755 (a plugin file root owns and
// only root may write).
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Checksums per plugin ([family:<name>] sha256=<hex>), checked by
// go-plugin's SecureConfig before every start.
func TestPluginChecksum(t *testing.T) {
	hello := qgatest.Bin(t, "examples/qgad-plugin-com.example.hello")
	const call = `{"execute": "__com.example_hello", "arguments": {"name": "host"}}`
	const greeting = `{"greeting": "Hello, host!"}`
	newDir := func() (dir, exe string) {
		dir = qgatest.TempDir(t)
		exe = filepath.Join(dir, "qgad-plugin-com.example.hello")
		copyFile(t, hello, exe)
		return dir, exe
	}
	faults, sent, received := 0, 0, 0
	tally := func(h *host) { sent, received = sent+h.sent, received+h.recv; h.Close() }

	t.Run("matching, then swapped while the agent runs", func(t *testing.T) {
		dir, exe := newDir()
		a := startAgent(t, agentConfig{pluginDir: dir, conf: "[family:com.example.hello]\nsha256=" + sha256File(t, exe) + "\n"})
		h := dial(t, a.Sock)
		defer tally(h)
		if got := string(h.mustReturn(call, 10*time.Second)); got != greeting {
			t.Fatalf("got %s", got)
		}
		// Another binary renamed into its place (the same plugin plus a
		// byte: it would run fine), then the running instance dies.
		copyFile(t, hello, exe+".new")
		f, err := os.OpenFile(exe+".new", os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte{0})
		f.Close()
		if err := os.Rename(exe+".new", exe); err != nil {
			t.Fatal(err)
		}
		faults++
		pid := pluginPID(a.Cmd.Process.Pid, "com.example.hello")
		syscall.Kill(pid, syscall.SIGKILL)
		waitFor(5*time.Second, func() bool { return !alive(pid) })
		want := "plugin com.example.hello (" + exe + ") refused: its sha256 checksum is not the one configured (option sha256)"
		var r *response
		for range 3 { // the first call may meet the dead instance
			if r = h.call(call, 10*time.Second); r.Error != nil && r.Error.Desc == want {
				break
			}
		}
		if r.Error == nil || r.Error.Class != "GenericError" || r.Error.Desc != want {
			t.Errorf("after the swap: %s, want %q", r, want)
		}
		h.ping(time.Second)
		h.mustReturn(`{"execute": "guest-get-host-name"}`, 10*time.Second)
	})

	t.Run("wrong at start", func(t *testing.T) {
		dir, _ := newDir()
		a := startAgent(t, agentConfig{pluginDir: dir, conf: "[family:com.example.hello]\nsha256=" + strings.Repeat("0", 64) + "\n"})
		h := dial(t, a.Sock)
		defer tally(h)
		faults++
		r := h.call(call, 20*time.Second)
		if r.Error == nil || r.Error.Class != "CommandNotFound" || r.Error.Desc != "The command __com.example_hello has not been found" {
			t.Errorf("command of a refused plugin: %s", r)
		}
		if !waitFor(5*time.Second, func() bool { return a.Contains("refused: its sha256 checksum is not the one configured") }) {
			t.Errorf("no log line says why:\n%s", a.Stderr())
		}
		h.mustReturn(`{"execute": "guest-get-host-name"}`, 10*time.Second)
	})

	t.Run("malformed", func(t *testing.T) {
		dir, _ := newDir()
		a := startAgent(t, agentConfig{pluginDir: dir, conf: "[family:com.example.hello]\nsha256=not-a-checksum\n"})
		h := dial(t, a.Sock)
		defer tally(h)
		faults++
		if r := h.call(call, 20*time.Second); r.Error == nil || r.Error.Class != "CommandNotFound" {
			t.Errorf("command of a refused plugin: %s", r)
		}
		if !waitFor(5*time.Second, func() bool { return a.Contains("is not a sha256 checksum (64 hex digits)") }) {
			t.Errorf("no log line says why:\n%s", a.Stderr())
		}
	})

	t.Run("built-in family: the multi-call binary's checksum", func(t *testing.T) {
		target, err := filepath.EvalSymlinks(qgatest.Bin(t, "qgad-plugin-system"))
		if err != nil {
			t.Fatal(err)
		}
		a := startAgent(t, agentConfig{conf: "[family:system]\nsha256=" + sha256File(t, target) + "\n"})
		h := dial(t, a.Sock)
		defer tally(h)
		h.mustReturn(`{"execute": "guest-get-host-name"}`, 10*time.Second)
	})
	report(t, "plugin-checksum", faults, sent, received)
}

// Per-plugin limits: GOMEMLIMIT from --plugin-memory-limit, and memory-max
// and cpu-max as cgroup v2 caps where the machine has cgroup v2 (else a log
// line says they were not applied, and the plugin runs all the same).
func TestPluginLimits(t *testing.T) {
	v2 := cgroup.Available(cgroup.DefaultRoot)
	parent := filepath.Join(cgroup.DefaultRoot, cgroup.DefaultParent)
	if v2 {
		// The test's cgroups are removed again; the agent stops first.
		_, err := os.Stat(parent)
		existed := err == nil
		t.Cleanup(func() {
			os.Remove(filepath.Join(parent, "system"))
			if !existed {
				os.Remove(parent)
			}
		})
	}
	a := startAgent(t, agentConfig{
		args: []string{"--plugin-memory-limit", "64MiB"},
		conf: "[family:system]\nmemory-max=256M\ncpu-max=50%\n",
	})
	h := dial(t, a.Sock)
	defer h.Close()
	h.mustReturn(`{"execute": "guest-get-host-name"}`, 10*time.Second)
	pid := pluginPID(a.Cmd.Process.Pid, "system")
	if pid == 0 {
		t.Fatal("plugin system not running")
	}
	environ, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains("\x00"+string(environ), "\x00GOMEMLIMIT=64MiB\x00") {
		t.Errorf("plugin environment lacks GOMEMLIMIT=64MiB")
	}
	if v2 {
		cg, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
		if !strings.Contains(string(cg), "0::/"+cgroup.DefaultParent+"/system\n") {
			t.Errorf("plugin in cgroup %q, want /%s/system", cg, cgroup.DefaultParent)
		}
		for file, want := range map[string]string{"memory.max": "268435456\n", "cpu.max": "50000 100000\n"} {
			if b, err := os.ReadFile(filepath.Join(parent, "system", file)); err != nil || string(b) != want {
				t.Errorf("%s = %q, %v; want %q", file, b, err, want)
			}
		}
	} else if !waitFor(5*time.Second, func() bool { return a.Contains("plugin limits not applied: no cgroup v2 hierarchy") }) {
		t.Errorf("no log line says the caps were not applied:\n%s", a.Stderr())
	}
	t.Logf("cgroup v2 at %s: %v", cgroup.DefaultRoot, v2)
	// A bad cap value is refused with a reason, the plugin still runs.
	b := startAgent(t, agentConfig{conf: "[family:system]\nmemory-max=lots\n"})
	hb := dial(t, b.Sock)
	defer hb.Close()
	hb.mustReturn(`{"execute": "guest-get-host-name"}`, 10*time.Second)
	if !waitFor(5*time.Second, func() bool { return b.Contains("option memory-max") }) {
		t.Errorf("no log line about the bad memory-max")
	}
}

// Plugin files anyone but root could change are refused, end to end, with
// a log line saying why, and their commands are absent: a group- or
// world-writable file in a trusted directory, and a link into a
// world-writable directory. (A world-writable plugin directory:
// test/integration's TestUntrustedPluginDir.)
func TestUntrustedPluginFiles(t *testing.T) {
	hello := qgatest.Bin(t, "examples/qgad-plugin-com.example.hello")
	dir := qgatest.TempDir(t)
	copyFile(t, hello, filepath.Join(dir, "qgad-plugin-com.example.a"))
	os.Chmod(filepath.Join(dir, "qgad-plugin-com.example.a"), 0o775)
	copyFile(t, hello, filepath.Join(dir, "qgad-plugin-com.example.b"))
	os.Chmod(filepath.Join(dir, "qgad-plugin-com.example.b"), 0o757)
	open := filepath.Join(qgatest.TempDir(t), "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777)
	copyFile(t, hello, filepath.Join(open, "hello"))
	if err := os.Symlink(filepath.Join(open, "hello"), filepath.Join(dir, "qgad-plugin-com.example.c")); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, agentConfig{pluginDir: dir})
	h := dial(t, a.Sock)
	defer h.Close()
	if r := h.call(`{"execute": "__com.example_hello"}`, 20*time.Second); r.Error == nil || r.Error.Class != "CommandNotFound" {
		t.Errorf("a command of a refused plugin: %s", r)
	}
	h.mustReturn(`{"execute": "guest-get-host-name"}`, 10*time.Second)
	for _, why := range []string{
		"qgad-plugin-com.example.a refused: writable by group or others (mode 0775)",
		"qgad-plugin-com.example.b refused: writable by group or others (mode 0757)",
		"qgad-plugin-com.example.c refused: writable by group or others (mode 0777)",
	} {
		if !a.Contains(why) {
			t.Errorf("no log line %q:\n%s", why, a.Stderr())
		}
	}
	for _, p := range children(a.Cmd.Process.Pid) {
		if strings.HasPrefix(p.name, "qgad-plugin-com.example") {
			t.Errorf("refused plugin %s runs", p.name)
		}
	}
	report(t, "untrusted-plugin-files", 3, h.sent, h.recv)
}
