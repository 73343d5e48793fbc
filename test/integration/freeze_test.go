package integration

// The frozen gate end to end, on a real ext4 filesystem that cannot be
// anything of this machine's: a loop-mounted image, and a sysroot whose
// mount table lists nothing else (freezetest refuses any other entry).

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/freeze/freezetest"
	"github.com/qgad/qgad/internal/qgatest"
)

type frozenFixture struct {
	base, root, mnt, state, log string
}

func newFrozenFixture(t *testing.T) *frozenFixture {
	t.Helper()
	f := &frozenFixture{base: qgatest.TempDir(t)}
	f.root = filepath.Join(f.base, "root")
	f.mnt = freezetest.LoopFS(t, f.root, "data")
	freezetest.WriteMountinfo(t, f.root, f.base, freezetest.RealLine(t, f.mnt))
	f.state = filepath.Join(f.base, "state")
	os.MkdirAll(f.state, 0o755)
	f.log = filepath.Join(f.base, "log", "qgad.log")
	os.MkdirAll(filepath.Dir(f.log), 0o755)
	return f
}

func (f *frozenFixture) start(t *testing.T, args ...string) *qgatest.Agent {
	t.Helper()
	args = append([]string{"--sysroot", f.root, "-l", f.log, "-v"}, args...)
	a := qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{Dir: f.state}, args...)
	a.MustCall(t, "guest-info", "")
	return a
}

// diskWatch reports any file created, written, renamed or removed in dirs.
type diskWatch struct{ fd int }

func watchDisk(t *testing.T, dirs ...string) *diskWatch {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, err := unix.InotifyAddWatch(fd, d, unix.IN_CREATE|unix.IN_MODIFY|unix.IN_DELETE|unix.IN_MOVED_TO|unix.IN_MOVED_FROM|unix.IN_ATTRIB|unix.IN_CLOSE_WRITE); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { unix.Close(fd) })
	return &diskWatch{fd: fd}
}

func (w *diskWatch) events() int {
	buf := make([]byte, 64<<10)
	n, err := unix.Read(w.fd, buf)
	if err != nil || n <= 0 {
		return 0
	}
	count := 0
	for off := 0; off+unix.SizeofInotifyEvent <= n; count++ {
		nameLen := int(binary.NativeEndian.Uint32(buf[off+12:]))
		off += unix.SizeofInotifyEvent + nameLen
	}
	return count
}

func enabledCommands(t *testing.T, a *qgatest.Agent) []string {
	t.Helper()
	var on []string
	for _, c := range get(t, a.MustCall(t, "guest-info", ""), "supported_commands").([]any) {
		if get(t, c, "enabled") == true {
			on = append(on, get(t, c, "name").(string))
		}
	}
	slices.Sort(on)
	return on
}

func TestFreezeGateAndNoDiskWrites(t *testing.T) {
	f := newFrozenFixture(t)
	a := f.start(t)
	if v := a.MustCall(t, "guest-fsfreeze-status", ""); v != "thawed" {
		t.Fatalf("status %v", v)
	}
	if n := a.MustCall(t, "guest-fsfreeze-freeze", ""); n != int64(1) {
		t.Fatalf("freeze froze %v", n)
	}
	watch := watchDisk(t, f.state, filepath.Dir(f.log))
	marker, err := os.Stat(filepath.Join(f.state, "qga.state.isfrozen"))
	if err != nil || marker.Mode().Perm() != 0o600 || marker.Size() != 0 {
		t.Errorf("marker: %v %v", marker, err)
	}
	if !freezetest.IsFrozen(t, f.mnt) {
		t.Fatal("the filesystem is not frozen")
	}
	writer := freezetest.Writer(filepath.Join(f.mnt, "hb"))
	if !freezetest.Blocked(writer, 500*time.Millisecond) {
		t.Error("a write completed on a frozen filesystem")
	}
	if v := a.MustCall(t, "guest-fsfreeze-status", ""); v != "frozen" {
		t.Errorf("status %v", v)
	}
	want := []string{"guest-fsfreeze-status", "guest-fsfreeze-thaw", "guest-info", "guest-ping", "guest-sync", "guest-sync-delimited"}
	if got := enabledCommands(t, a); !slices.Equal(got, want) {
		t.Errorf("enabled while frozen: %v", got)
	}
	for _, req := range []string{"guest-file-open", "guest-fsfreeze-freeze", "guest-exec", "guest-get-osinfo"} {
		_, qerr := a.Call(t, req, "")
		if qerr == nil || qerr.Class != "CommandNotFound" || qerr.Desc != "Command "+req+" has been disabled: the command is not allowed" {
			t.Errorf("%s while frozen: %v", req, qerr)
		}
	}
	a.MustCall(t, "guest-ping", "")
	a.Connect(t) // a host reconnecting with the 0xFF handshake
	if n := watch.events(); n != 0 {
		t.Errorf("%d writes to disk while frozen", n)
	}
	if n := a.MustCall(t, "guest-fsfreeze-thaw", ""); n != int64(1) {
		t.Errorf("thaw thawed %v", n)
	}
	select {
	case err := <-writer:
		if err != nil {
			t.Errorf("writer: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the write did not complete after the thaw")
	}
	if _, err := os.Stat(filepath.Join(f.state, "qga.state.isfrozen")); !os.IsNotExist(err) {
		t.Errorf("marker left after thaw: %v", err)
	}
	// The watch does see writes: a file open after the thaw rewrites
	// qga.state.
	watch.events()
	a.MustCall(t, "guest-file-open", `{"path": "after-thaw", "mode": "w"}`)
	if n := watch.events(); n == 0 {
		t.Error("the disk watch saw no write after the thaw: it cannot be trusted")
	}
	if got := enabledCommands(t, a); len(got) < 40 {
		t.Errorf("enabled after thaw: %d commands", len(got))
	}
	logText, _ := os.ReadFile(f.log)
	for _, want := range []string{"disabling logging due to filesystem freeze", "logging re-enabled due to filesystem unfreeze"} {
		if !strings.Contains(string(logText), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func TestRestartWhileFrozen(t *testing.T) {
	f := newFrozenFixture(t)
	a := f.start(t)
	if n := a.MustCall(t, "guest-fsfreeze-freeze", ""); n != int64(1) {
		t.Fatalf("freeze froze %v", n)
	}
	writer := freezetest.Writer(filepath.Join(f.mnt, "hb"))
	a.Cmd.Process.Kill()
	a.Cmd.Wait()
	b := f.start(t)
	if v := b.MustCall(t, "guest-fsfreeze-status", ""); v != "frozen" {
		t.Errorf("status after restart %v", v)
	}
	if _, qerr := b.Call(t, "guest-file-open", `{"path": "x"}`); qerr == nil || qerr.Class != "CommandNotFound" {
		t.Errorf("gate after restart: %v", qerr)
	}
	if n := b.MustCall(t, "guest-fsfreeze-thaw", ""); n != int64(1) {
		t.Errorf("thaw thawed %v", n)
	}
	select {
	case <-writer:
	case <-time.After(10 * time.Second):
		t.Error("the write did not complete after the thaw")
	}
	b.MustCall(t, "guest-get-time", "")
}

func fsfreezePlugin(t *testing.T, a *qgatest.Agent) int {
	return waitPlugin(t, a, "fsfreeze")
}

func TestThawWithPluginKilled(t *testing.T) {
	f := newFrozenFixture(t)
	a := f.start(t)
	if n := a.MustCall(t, "guest-fsfreeze-freeze", ""); n != int64(1) {
		t.Fatalf("freeze froze %v", n)
	}
	syscall.Kill(fsfreezePlugin(t, a), syscall.SIGKILL)
	time.Sleep(100 * time.Millisecond)
	if v := a.MustCall(t, "guest-fsfreeze-status", ""); v != "frozen" {
		t.Errorf("status with the plugin dead: %v", v)
	}
	if n := a.MustCall(t, "guest-fsfreeze-thaw", ""); n != int64(1) {
		t.Errorf("thaw thawed %v", n)
	}
	if freezetest.IsFrozen(t, f.mnt) {
		t.Error("still frozen")
	}
	a.MustCall(t, "guest-get-time", "")
}

func TestThawWithPluginHung(t *testing.T) {
	f := newFrozenFixture(t)
	conf := filepath.Join(f.base, "qgad.conf")
	os.WriteFile(conf, []byte("[family:fsfreeze]\ncall-timeout=2s\n"), 0o644)
	a := f.start(t, "-c", conf)
	if n := a.MustCall(t, "guest-fsfreeze-freeze", ""); n != int64(1) {
		t.Fatalf("freeze froze %v", n)
	}
	syscall.Kill(fsfreezePlugin(t, a), syscall.SIGSTOP)
	if n := a.MustCall(t, "guest-fsfreeze-thaw", ""); n != int64(1) {
		t.Errorf("thaw thawed %v", n)
	}
	if freezetest.IsFrozen(t, f.mnt) {
		t.Error("still frozen")
	}
	if _, err := os.Stat(filepath.Join(f.state, "qga.state.isfrozen")); !os.IsNotExist(err) {
		t.Errorf("marker left: %v", err)
	}
	a.MustCall(t, "guest-get-time", "")
}

func TestFreezeHooks(t *testing.T) {
	f := newFrozenFixture(t)
	failing := filepath.Join(f.base, "failing-hook")
	os.WriteFile(failing, []byte("#!/bin/sh\necho \"cannot flush $1\"\nexit 3\n"), 0o755)
	a := f.start(t, "-F"+failing)
	_, qerr := a.Call(t, "guest-fsfreeze-freeze", "")
	if qerr == nil || qerr.Desc != "child process has failed to execute fsfreeze hook: cannot flush freeze\n" {
		t.Errorf("failing hook: %v", qerr)
	}
	if v := a.MustCall(t, "guest-fsfreeze-status", ""); v != "thawed" || freezetest.IsFrozen(t, f.mnt) {
		t.Errorf("after a failing hook: %v", v)
	}
	a.Stop(t)

	hanging := filepath.Join(f.base, "hanging-hook")
	os.WriteFile(hanging, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755)
	b := f.start(t, "-F"+hanging, "--fsfreeze-hook-timeout=1s")
	start := time.Now()
	_, qerr = b.Call(t, "guest-fsfreeze-freeze", "")
	if qerr == nil || !strings.Contains(qerr.Desc, "execute fsfreeze hook") {
		t.Errorf("hanging hook: %v", qerr)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("hanging hook held the freeze for %s", d)
	}
	if v := b.MustCall(t, "guest-fsfreeze-status", ""); v != "thawed" || freezetest.IsFrozen(t, f.mnt) {
		t.Errorf("after a hanging hook: %v", v)
	}
	b.MustCall(t, "guest-get-time", "")
}
