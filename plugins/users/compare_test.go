package users

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// qemuGABinary is Debian's qemu-guest-agent (7.2), the reference.
const qemuGABinary = "/usr/sbin/qemu-ga"

// qemuGA is a reference qemu-ga listening on a unix socket in a temp dir,
// with its state dir there too, so it leaves nothing on the machine.
type qemuGA struct {
	conn net.Conn
	r    *bufio.Reader
}

func startQemuGA(t *testing.T) *qemuGA {
	t.Helper()
	if _, err := os.Stat(qemuGABinary); err != nil {
		t.Fatalf("reference agent: %v (install the qemu-guest-agent package)", err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "sock")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, qemuGABinary, "-m", "unix-listen", "-p", sock, "-t", dir)
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting qemu-ga: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	var conn net.Conn
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if conn, err = net.Dial("unix", sock); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("connecting to qemu-ga: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &qemuGA{conn: conn, r: bufio.NewReader(conn)}
}

// raw sends one request and returns qemu-ga's response line.
func (q *qemuGA) raw(t *testing.T, request string) string {
	t.Helper()
	_ = q.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := q.conn.Write([]byte(request + "\n")); err != nil {
		t.Fatalf("writing to qemu-ga: %v", err)
	}
	line, err := q.r.ReadString('\n')
	if err != nil {
		t.Fatalf("reading from qemu-ga: %v", err)
	}
	return line[:len(line)-1]
}

// response renders an in-process result the way qemu-ga frames it.
func response(t *testing.T, res string, err error) string {
	t.Helper()
	if err == nil {
		return `{"return": ` + res + `}`
	}
	var qe *qapi.Error
	if !errors.As(err, &qe) {
		t.Fatalf("non-QMP error: %v", err)
	}
	desc, merr := qapi.Marshal(qe.Desc)
	if merr != nil {
		t.Fatal(merr)
	}
	return `{"error": {"class": "` + qe.Class + `", "desc": ` + string(desc) + `}}`
}

// TestCompareWithQemuGA runs the family's read-only commands on this very
// machine (root "/") and through qemu-ga 7.2 and wants byte-identical
// responses; spec section 6 lists no 7.2 difference for them. Nothing is
// written: only reads of utmp, /etc/passwd and authorized_keys files.
func TestCompareWithQemuGA(t *testing.T) {
	q := startQemuGA(t)
	p, err := New(sdk.TestEnv("/"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ cmd, args string }{
		{cmd: "guest-get-users"},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": "root"}`},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": "nobody"}`},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": "qgad-no-such-user"}`},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": ""}`},
	}
	for _, tc := range tests {
		t.Run(tc.cmd+tc.args, func(t *testing.T) {
			req := `{"execute": "` + tc.cmd + `"`
			if tc.args != "" {
				req += `, "arguments": ` + tc.args
			}
			want := q.raw(t, req+"}")
			res, err := p.Call(context.Background(), tc.cmd, tc.args)
			if got := response(t, res, err); got != want {
				t.Errorf("qgad:    %s\nqemu-ga: %s", got, want)
			}
		})
	}
}
