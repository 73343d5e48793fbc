package e2e

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// ctl is the host end of the guest's control port (org.qgad.e2e.ctl), which
// the guest's init serves: a shell command per line, answered with its exit
// status and output. The checks read the guest's own view through it, not
// through the agent under test, and it can act while the agent cannot (kill
// it while filesystems are frozen).
type ctl struct {
	conn net.Conn
	r    *bufio.Reader
	n    int
}

// dialCtl connects and waits until the guest answers. The guest reopens
// its end while no host is connected, and a line that arrives just before
// it closes is lost: so the first command is a no-op, repeated until one
// is answered. After that the guest keeps the port open.
func dialCtl(ctx context.Context, path string) (*ctl, error) {
	conn, err := dial(ctx, path)
	if err != nil {
		return nil, err
	}
	g := &ctl{conn: conn, r: bufio.NewReader(conn)}
	for {
		attempt, cancel := context.WithTimeout(ctx, time.Second)
		_, _, err := g.Run(attempt, "true")
		cancel()
		if err == nil {
			return g, nil
		}
		if ctx.Err() != nil {
			conn.Close()
			return nil, fmt.Errorf("guest control port: %w", err)
		}
	}
}

func (g *ctl) Close() error { return g.conn.Close() }

// Run runs one shell command line in the guest and returns its output
// (stdout and stderr) and exit status.
func (g *ctl) Run(ctx context.Context, cmd string) (string, int, error) {
	if strings.ContainsAny(cmd, "\n\r") {
		return "", 0, fmt.Errorf("control command must be one line: %q", cmd)
	}
	g.n++
	id := fmt.Sprintf("c%d", g.n)
	if dl, ok := ctx.Deadline(); ok {
		g.conn.SetDeadline(dl)
	} else {
		g.conn.SetDeadline(time.Time{})
	}
	if _, err := fmt.Fprintf(g.conn, "%s %s\n", id, cmd); err != nil {
		return "", 0, fmt.Errorf("control %q: %w", cmd, err)
	}
	for {
		line, err := g.r.ReadString('\n')
		if err != nil {
			return "", 0, fmt.Errorf("control %q: %w", cmd, err)
		}
		f := strings.SplitN(strings.TrimRight(line, "\n"), " ", 3)
		if len(f) < 2 || f[0] != id {
			continue // an answer to a command given up on earlier
		}
		rc, err := strconv.Atoi(f[1])
		if err != nil {
			return "", 0, fmt.Errorf("control %q: bad answer %q", cmd, line)
		}
		var out []byte
		if len(f) == 3 {
			if out, err = base64.StdEncoding.DecodeString(f[2]); err != nil {
				return "", 0, fmt.Errorf("control %q: bad output: %w", cmd, err)
			}
		}
		return string(out), rc, nil
	}
}

// Sh runs a command that must succeed and returns its output, trimmed.
func (g *ctl) Sh(ctx context.Context, cmd string) (string, error) {
	out, rc, err := g.Run(ctx, cmd)
	if err != nil {
		return "", err
	}
	if rc != 0 {
		return "", fmt.Errorf("guest: %q exited %d: %s", cmd, rc, out)
	}
	return strings.TrimSpace(out), nil
}
