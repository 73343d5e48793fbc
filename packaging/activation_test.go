package packaging_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qgad/qgad/client"
	"github.com/qgad/qgad/internal/qgatest"
)

// notifySocket listens where a Type=notify service reports to systemd and
// returns the messages it receives.
func notifySocket(t *testing.T, dir string) (path string, msgs <-chan string) {
	t.Helper()
	path = filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ch := make(chan string, 16)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, _, err := conn.ReadFromUnix(buf)
			if err != nil {
				close(ch)
				return
			}
			ch <- string(buf[:n])
		}
	}()
	return path, ch
}

func waitMessage(t *testing.T, msgs <-chan string, want string) {
	t.Helper()
	select {
	case m := <-msgs:
		if m != want {
			t.Fatalf("notification %q, want %q", m, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no %q notification within 30s", want)
	}
}

// qgad tells systemd it is ready (qgad.service is Type=notify) only once
// its channel is open: a client connects at once after READY=1.
func TestReadyNotification(t *testing.T) {
	dir := qgatest.TempDir(t)
	notify, msgs := notifySocket(t, dir)
	env := append(os.Environ(), "NOTIFY_SOCKET="+notify)
	a := qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{Env: env, Dir: dir, NoConnect: true},
		"--runtime-dir", filepath.Join(dir, "rt"))
	waitMessage(t, msgs, "READY=1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, a.Sock)
	if err != nil {
		t.Fatalf("READY=1 was sent before the channel accepted clients: %v", err)
	}
	defer c.Close()
	if _, err := c.Call(ctx, "guest-ping", nil); err != nil {
		t.Fatal(err)
	}
}

// Socket activation as qgad-unix.socket + qgad-unix.service do it:
// systemd-socket-activate holds the listening socket and starts the agent
// on the first connection, passing the socket (Accept=no); the agent
// derives its method from it, serves, and reports READY=1.
func TestUnixSocketActivation(t *testing.T) {
	if _, err := exec.LookPath("systemd-socket-activate"); err != nil {
		t.Fatal("systemd-socket-activate is missing: apt-get install systemd")
	}
	dir := qgatest.TempDir(t)
	notify, msgs := notifySocket(t, dir)
	sock := filepath.Join(dir, "qgad.sock")
	cmd := exec.Command("systemd-socket-activate", "-l", sock, "-E", "NOTIFY_SOCKET="+notify,
		qgatest.Bin(t, "qgad"), "-t", dir, "--runtime-dir="+filepath.Join(dir, "rt"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The activator execs the agent in its own process: SIGTERM stops
		// it like systemd would.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared: %s", sock, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, sock)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, stderr.String())
	}
	defer c.Close()
	var info struct {
		Version string `json:"version"`
	}
	if err := c.CallInto(ctx, "guest-info", nil, &info); err != nil || info.Version != version {
		t.Fatalf("guest-info: %+v, %v\n%s", info, err, stderr.String())
	}
	waitMessage(t, msgs, "READY=1")
}
