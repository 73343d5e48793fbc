// Package qgatest starts real agents for tests — bin/qgad with its real
// plugin processes, or Debian's qemu-ga to compare with — on unix sockets
// in a temporary directory, and talks to them over the socket. It also
// builds and calls a family in-process and renders its answers the way an
// agent frames them, so tests can compare the two.
package qgatest

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qgad/qgad/client"
	"github.com/qgad/qgad/qapi"
)

// QemuGA is Debian's qemu-ga, installed by `make test`.
const QemuGA = "/usr/sbin/qemu-ga"

// Agent is a running agent under test.
type Agent struct {
	Dir    string // state dir, working dir, holds the socket
	Sock   string
	Cmd    *exec.Cmd
	C      *client.Client
	stderr *syncBuffer
}

// RepoRoot finds the module root from the test's working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// Bin returns the path of a built binary in bin/, building everything with
// `make build` when it is missing.
func Bin(t testing.TB, name string) string {
	t.Helper()
	root := RepoRoot(t)
	path := filepath.Join(root, "bin", name)
	if _, err := os.Stat(path); err != nil {
		cmd := exec.Command("make", "-C", root, "build")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make build: %v\n%s", err, out)
		}
	}
	return path
}

// TempDir makes a short temporary directory (unix socket paths are limited
// to 108 bytes, and test names make t.TempDir long).
func TempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "qga")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Options tune Start.
type Options struct {
	Env       []string // full environment; nil = inherit
	Dir       string   // state dir; "" = a new temp dir
	NoConnect bool
	// NoSync connects without the guest-sync-delimited handshake (for
	// agents whose allow list disables it, as qemu-ga's test does).
	NoSync bool
}

// StartQgad starts bin/qgad -m unix-listen -p DIR/sock -t DIR plus args.
func StartQgad(t testing.TB, args ...string) *Agent {
	return Start(t, Bin(t, "qgad"), Options{}, args...)
}

// StartQemuGA starts Debian's qemu-ga the same way.
func StartQemuGA(t testing.TB, args ...string) *Agent {
	if _, err := os.Stat(QemuGA); err != nil {
		t.Fatalf("%s is missing: `make test` installs Debian's qemu-guest-agent", QemuGA)
	}
	return Start(t, QemuGA, Options{}, args...)
}

// Start starts an agent binary on a unix socket, connects and syncs. The
// agent is stopped with SIGTERM at cleanup, and must exit 0 as qemu-ga does.
func Start(t testing.TB, bin string, o Options, args ...string) *Agent {
	t.Helper()
	dir := o.Dir
	if dir == "" {
		dir = TempDir(t)
	}
	a := &Agent{Dir: dir, Sock: filepath.Join(dir, "sock"), stderr: &syncBuffer{}}
	argv := append([]string{"-m", "unix-listen", "-p", a.Sock, "-t", dir}, args...)
	a.Cmd = exec.Command(bin, argv...)
	a.Cmd.Dir = dir
	a.Cmd.Env = o.Env
	a.Cmd.Stderr = a.stderr
	if err := a.Cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	t.Cleanup(func() { a.Stop(t) })
	switch {
	case o.NoSync:
		a.ConnectNoSync(t)
	case !o.NoConnect:
		a.Connect(t)
	}
	return a
}

// ConnectNoSync connects without a handshake.
func (a *Agent) ConnectNoSync(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := net.Dial("unix", a.Sock)
		if err == nil {
			a.C = client.New(conn)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("connecting to %s: %v\nagent stderr:\n%s", a.Sock, err, a.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Connect (re)connects to the agent and syncs.
func (a *Agent) Connect(t testing.TB) {
	t.Helper()
	if a.C != nil {
		a.C.Close()
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := client.Dial(ctx, a.Sock)
		cancel()
		if err == nil {
			a.C = c
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("connecting to %s: %v\nagent stderr:\n%s", a.Sock, err, a.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop sends SIGTERM and checks the exit status is 0.
func (a *Agent) Stop(t testing.TB) {
	if a.Cmd.Process == nil || a.Cmd.ProcessState != nil {
		return
	}
	if a.C != nil {
		a.C.Close()
	}
	if a.Cmd.Path == QemuGA {
		// qemu-ga 7.2's SIGTERM handler is not async-signal-safe and
		// deadlocks now and then under load: the reference is killed.
		a.Cmd.Process.Kill()
		a.Cmd.Wait()
		return
	}
	a.Cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- a.Cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("agent exited with %v after SIGTERM\nstderr:\n%s", err, a.stderr.String())
		}
	case <-time.After(15 * time.Second):
		a.Cmd.Process.Kill()
		<-done
		t.Errorf("agent did not exit within 15s of SIGTERM")
	}
}

// Stderr returns what the agent wrote to stderr so far.
func (a *Agent) Stderr() string { return a.stderr.String() }

func ctx10() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 60*time.Second)
}

// Raw writes bytes and returns the next n response lines.
func (a *Agent) Raw(t testing.TB, req []byte, n int) []string {
	t.Helper()
	ctx, cancel := ctx10()
	defer cancel()
	if err := a.C.Write(ctx, req); err != nil {
		t.Fatalf("write: %v", err)
	}
	var out []string
	for range n {
		line, err := a.C.ReadLine(ctx)
		if err != nil {
			t.Fatalf("reading response %d of %d to %q: %v\nstderr:\n%s", len(out)+1, n, req, err, a.stderr.String())
		}
		out = append(out, string(line))
	}
	return out
}

// Line sends one request (a trailing newline is added) and returns the
// response line.
func (a *Agent) Line(t testing.TB, req string) string {
	t.Helper()
	return a.Raw(t, []byte(req+"\n"), 1)[0]
}

// Call runs a command (argsJSON "" for none) and returns the parsed
// return value, or the error.
func (a *Agent) Call(t testing.TB, name, argsJSON string) (any, *qapi.Error) {
	t.Helper()
	line := a.Response(t, name, argsJSON)
	v, err := qapi.ParseJSON([]byte(line))
	if err != nil {
		t.Fatalf("response %q is not JSON: %v", line, err)
	}
	obj, ok := v.(*qapi.Object)
	if !ok {
		t.Fatalf("response %q is not an object", line)
	}
	if e, ok := obj.Get("error"); ok {
		eo := e.(*qapi.Object)
		class, _ := eo.Get("class")
		desc, _ := eo.Get("desc")
		return nil, &qapi.Error{Class: class.(string), Desc: desc.(string)}
	}
	ret, _ := obj.Get("return")
	return ret, nil
}

// MustCall is Call that fails the test on an error response.
func (a *Agent) MustCall(t testing.TB, name, argsJSON string) any {
	t.Helper()
	v, qerr := a.Call(t, name, argsJSON)
	if qerr != nil {
		t.Fatalf("%s %s: %s: %s", name, argsJSON, qerr.Class, qerr.Desc)
	}
	return v
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 4<<20 {
		return len(p), nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Contains reports whether the agent's stderr contains s.
func (a *Agent) Contains(s string) bool { return strings.Contains(a.Stderr(), s) }

// Serializable fails t unless v serializes to one line of printable ASCII,
// as every result a family sends must (the fuzz tests' common check).
func Serializable(t testing.TB, v any) {
	t.Helper()
	out, err := qapi.Marshal(v)
	if err != nil {
		t.Fatalf("%#v does not serialize: %v", v, err)
	}
	for i, c := range out {
		if c < 0x20 || c > 0x7e {
			t.Fatalf("serialized %#v has byte 0x%02x at %d", v, c, i)
		}
	}
}
