package integration

// qemu-ga's command line and process behaviour: -V, -b help, unknown
// options, daemonizing with a locked pid file, -r, the log file, socket
// activation by systemd, an ISA serial port (a pty here) and vsock.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/client"
	"github.com/qgad/qgad/internal/qgatest"
)

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(qgatest.Bin(t, "qgad"), args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestCommandLine(t *testing.T) {
	if out, _, code := run(t, "-V"); code != 0 || !strings.HasPrefix(out, "QEMU Guest Agent 1.0.0") {
		t.Errorf("-V: %q %d", out, code)
	}
	out, _, code := run(t, "-b", "help")
	if code != 0 || !strings.HasPrefix(out, "guest-sync-delimited\nguest-sync\nguest-ping\nguest-get-time\n") || strings.Count(out, "\n") != 43 {
		t.Errorf("-b help: %d lines, %q", strings.Count(out, "\n"), out)
	}
	if out, _, code := run(t, "--bogus"); code != 1 || !strings.Contains(out, "Unknown option, try") {
		t.Errorf("unknown option: %q %d", out, code)
	}
	if _, errOut, code := run(t, "-m", "unix-listen"); code != 1 || !strings.Contains(errOut, "must specify a path for this channel") {
		t.Errorf("unix-listen without -p: %q %d", errOut, code)
	}
	if out, _, code := run(t, "-h"); code != 0 || !strings.Contains(out, "-m, --method") {
		t.Errorf("-h: %q %d", out, code)
	}
}

func TestDaemonize(t *testing.T) {
	dir := qgatest.TempDir(t)
	sock, pidfile := filepath.Join(dir, "sock"), filepath.Join(dir, "qgad.pid")
	if _, errOut, code := run(t, "-d", "-f", pidfile, "-m", "unix-listen", "-p", sock, "-t", dir); code != 0 {
		t.Fatalf("-d: exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if pid <= 0 || !alive(pid) {
		t.Fatalf("pid file %q: daemon not running", data)
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, sock) // the socket exists when the parent exits
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Call(ctx, "guest-ping", nil); err != nil {
		t.Error(err)
	}
	c.Close()
	// A second instance cannot take the locked pid file.
	if _, _, code := run(t, "-d", "-f", pidfile, "-m", "unix-listen", "-p", sock+"2", "-t", dir); code == 0 {
		t.Error("a second daemon started with the same pid file")
	}
	syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Errorf("pid file left after exit: %v", err)
	}
}

func TestRetryPath(t *testing.T) {
	dir := qgatest.TempDir(t)
	sock := filepath.Join(dir, "later", "sock")
	a := qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{Dir: dir, NoConnect: true}, "-r", "-p", sock)
	time.Sleep(300 * time.Millisecond)
	if a.Cmd.ProcessState != nil {
		t.Fatal("exited although -r was given")
	}
	os.MkdirAll(filepath.Dir(sock), 0o755)
	a.Sock = sock
	a.Connect(t) // within the 5 s retry period
	a.MustCall(t, "guest-ping", "")
}

func TestLogFileAndLevels(t *testing.T) {
	dir := qgatest.TempDir(t)
	logFile := filepath.Join(dir, "qgad.log")
	a := qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{Dir: dir}, "-l", logFile, "-v")
	a.MustCall(t, "guest-get-host-name", "")
	a.Stop(t)
	data, _ := os.ReadFile(logFile)
	if !strings.Contains(string(data), "[DEBUG]") || !strings.Contains(string(data), "qgad.system") {
		t.Errorf("-v log lacks debug lines tagged by plugin:\n%.2000s", data)
	}
	if a.Stderr() != "" {
		t.Errorf("stderr used although -l was given: %q", a.Stderr())
	}
	quiet := filepath.Join(dir, "quiet.log")
	b := qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{Dir: qgatest.TempDir(t)}, "-l", quiet)
	b.MustCall(t, "guest-get-host-name", "")
	b.Stop(t)
	if data, _ := os.ReadFile(quiet); strings.Contains(string(data), "[DEBUG]") || strings.Contains(string(data), "[INFO]") {
		t.Errorf("without -v only errors are logged:\n%s", data)
	}
}

func TestSocketActivation(t *testing.T) {
	dir := qgatest.TempDir(t)
	sock := filepath.Join(dir, "activated.sock")
	cmd := exec.Command("systemd-socket-activate", "-l", sock, qgatest.Bin(t, "qgad"), "-t", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("systemd-socket-activate (Debian package systemd): %v", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var c *client.Client
	var err error
	for {
		if c, err = client.Dial(ctx, sock); err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	defer c.Close()
	if _, err := c.Call(ctx, "guest-get-host-name", nil); err != nil {
		t.Errorf("socket-activated agent: %v", err)
	}
}

// An ISA serial port, played by a pty: raw mode, no echo, 0xFF passes.
func TestISASerial(t *testing.T) {
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	dir := qgatest.TempDir(t)
	a := qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{Dir: dir, NoConnect: true}, "-m", "isa-serial", "-p", "/dev/pts/"+strconv.Itoa(n))
	_ = a
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	deadline, _ := ctx.Deadline()
	master.SetDeadline(deadline)
	time.Sleep(300 * time.Millisecond) // the agent opens the port and flushes its input
	if _, err := master.Write([]byte("\xff{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":5}}\n{\"execute\":\"guest-ping\",\"id\":\"é\"}\n")); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 4096)
	want := "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\uFFFD'\"}}\n\xff{\"return\": 5}\n{\"return\": {}, \"id\": \"\\u00E9\"}\n"
	for len(got) < len(want) {
		n, err := master.Read(buf)
		if err != nil {
			t.Fatalf("read %q so far: %v", got, err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestVsockListen(t *testing.T) {
	// This machine has AF_VSOCK but no loopback transport, so no client
	// can connect here: the agent must bind and listen, keep running, and
	// refuse a malformed address.
	if _, errOut, code := run(t, "-m", "vsock-listen", "-p", "nonsense"); code != 1 || !strings.Contains(errOut, "vsock") {
		t.Errorf("bad vsock address: %d %q", code, errOut)
	}
	dir := qgatest.TempDir(t)
	a := qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{Dir: dir, NoConnect: true}, "-m", "vsock-listen", "-p", "4294967295:40123")
	time.Sleep(500 * time.Millisecond)
	if a.Cmd.ProcessState != nil {
		t.Fatalf("vsock-listen agent exited: %s", a.Stderr())
	}
	// The port is taken: binding it again fails with EADDRINUSE.
	fd, err := unix.Socket(unix.AF_VSOCK, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("AF_VSOCK: %v", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrVM{CID: unix.VMADDR_CID_ANY, Port: 40123}); err != unix.EADDRINUSE {
		t.Errorf("binding the agent's vsock port again: %v, want EADDRINUSE", err)
	}
}
