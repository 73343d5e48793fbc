package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/qgad/qgad/client"
)

// The host side as real clients speak it, over QEMU's chardev socket. QEMU
// serves one connection at a time, so each exchange below opens its own
// and reads every reply before closing (a reply the host never reads waits
// in the guest and reaches the next connection).

// syncUntilUp connects and repeats the 0xFF + guest-sync-delimited
// handshake until the agent answers. Bytes sent before the guest opens its
// port wait in the socket, so the first reply comes as soon as the agent
// reads; the retries only cover a request lost to an agent restart.
func syncUntilUp(ctx context.Context, sock string) (*client.Client, error) {
	conn, err := dial(ctx, sock)
	if err != nil {
		return nil, err
	}
	c := client.New(conn)
	if err := resync(ctx, c); err != nil {
		conn.Close()
		return nil, fmt.Errorf("no guest-sync-delimited reply: %w", err)
	}
	return c, nil
}

// strayFF is the agent's reply to the 0xFF byte itself (spec 1.3).
const strayFF = `{"error": {"class": "GenericError", "desc": "JSON parse error, stray '\uFFFD'"}}` + "\n"

// checkDelimited does the handshake by hand on a fresh connection: what
// precedes the 0xFF must be exactly the error for the client's own 0xFF,
// and the reply the echoed id.
func checkDelimited(ctx context.Context, sock string) error {
	conn, err := dial(ctx, sock)
	if err != nil {
		return err
	}
	defer conn.Close()
	setDeadline(ctx, conn)
	id := rand.Int64N(1 << 40)
	if _, err := fmt.Fprintf(conn, "\xff{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": %d}}\n", id); err != nil {
		return err
	}
	r := bufio.NewReader(conn)
	pre, err := r.ReadBytes(0xFF)
	if err != nil {
		return fmt.Errorf("waiting for 0xFF: %w (got %q)", err, pre)
	}
	if got := string(pre[:len(pre)-1]); got != strayFF {
		return fmt.Errorf("before the 0xFF: got %q, want %q", got, strayFF)
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if want := fmt.Sprintf("{\"return\": %d}\n", id); line != want {
		return fmt.Errorf("sync reply %q, want %q", line, want)
	}
	return nil
}

// libvirt speaks like libvirt's qemu_agent.c: compact JSON and "\n" out,
// replies split on "\n", guest-sync (never -delimited, never 0xFF) with the
// host's wall-clock milliseconds as id, stale replies skipped by id.
type libvirt struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialLibvirt(ctx context.Context, sock string) (*libvirt, error) {
	conn, err := dial(ctx, sock)
	if err != nil {
		return nil, err
	}
	return &libvirt{conn: conn, r: bufio.NewReaderSize(conn, 1<<20)}, nil
}

func (l *libvirt) Close() error { return l.conn.Close() }

// line reads one reply line; libvirt treats an unparseable one as fatal
// (except during the first sync) and caps a reply at 10 MiB.
func (l *libvirt) line() (map[string]json.RawMessage, []byte, error) {
	b, err := l.r.ReadBytes('\n')
	if err != nil {
		return nil, b, err
	}
	if len(b) > 10<<20 {
		return nil, b, fmt.Errorf("reply of %d bytes, over libvirt's 10 MiB", len(b))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, b, fmt.Errorf("unparseable reply line %q: %w", b, err)
	}
	return m, b, nil
}

// Sync is qemuAgentGuestSync: a second attempt with a new id when the
// first saw garbage or nothing.
func (l *libvirt) Sync(ctx context.Context) error {
	var last error
	for attempt := 0; attempt < 2; attempt++ {
		id := time.Now().UnixMilli()
		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
		setDeadline(wait, l.conn)
		last = l.syncOnce(id, attempt == 0)
		cancel()
		if last == nil {
			return nil
		}
	}
	return fmt.Errorf("libvirt-style guest-sync: %w", last)
}

func (l *libvirt) syncOnce(id int64, first bool) error {
	if _, err := fmt.Fprintf(l.conn, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":%d}}\n", id); err != nil {
		return err
	}
	for {
		m, _, err := l.line()
		if err != nil {
			if first {
				return fmt.Errorf("first sync: %w", err)
			}
			return err
		}
		var n int64
		if r, ok := m["return"]; ok && json.Unmarshal(r, &n) == nil && n == id {
			return nil
		}
		// any other reply is stale: skipped, as libvirt does
	}
}

// Command sends one command and returns its reply's "return"; an error
// reply is a *client.Error. No 0xFF may appear: libvirt cannot parse it.
func (l *libvirt) Command(ctx context.Context, execute string) (json.RawMessage, error) {
	setDeadline(ctx, l.conn)
	if _, err := fmt.Fprintf(l.conn, "{\"execute\":%q}\n", execute); err != nil {
		return nil, err
	}
	m, raw, err := l.line()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", execute, err)
	}
	if bytes.IndexByte(raw, 0xFF) >= 0 {
		return nil, fmt.Errorf("%s: reply holds a 0xFF byte: %q", execute, raw)
	}
	if _, ok := m["QMP"]; ok {
		return nil, fmt.Errorf("%s: unexpected greeting %q", execute, raw)
	}
	if _, ok := m["event"]; ok {
		return nil, fmt.Errorf("%s: unexpected event %q", execute, raw)
	}
	return client.Decode(bytes.TrimRight(raw, "\n"))
}

// pveReply is Proxmox's QMPClient pattern for a guest-sync-delimited batch:
// anything without 0xFF, the 0xFF, then the sync reply and the command
// reply each on one line ending in "}". Go matches an invalid UTF-8 byte
// as U+FFFD, so pveExchange also checks that the byte there is 0xFF.
var pveReply = regexp.MustCompile(`(?s)^[^\x{FFFD}]*\x{FFFD}([^\n]+\})\r?\n([^\n]+\})\r?\n`)

// pveExchange is one Proxmox batch on a fresh connection: guest-sync-
// delimited with id <pid>0<seq> and the command (arguments always given,
// no id) in ONE write, the replies parsed by pveReply.
func pveExchange(ctx context.Context, sock string, seq int, execute string) (json.RawMessage, error) {
	conn, err := dial(ctx, sock)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	setDeadline(ctx, conn)
	id, _ := strconv.ParseInt(fmt.Sprintf("%d0%d", os.Getpid(), seq), 10, 64)
	batch := fmt.Sprintf("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":%d}}\n{\"execute\":%q,\"arguments\":{}}\n", id, execute)
	if _, err := conn.Write([]byte(batch)); err != nil {
		return nil, err
	}
	var buf []byte
	chunk := make([]byte, 64<<10)
	for {
		n, err := conn.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if sync, reply, ok, perr := parsePVE(buf); perr != nil {
			return nil, fmt.Errorf("%s: %w", execute, perr)
		} else if ok {
			var got int64
			if err := json.Unmarshal(sync, &struct {
				Return *int64 `json:"return"`
			}{&got}); err != nil || got != id {
				return nil, fmt.Errorf("%s: got wrong command id: sync reply %s, want %d", execute, sync, id)
			}
			return client.Decode(reply)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: no reply Proxmox can parse in %q: %w", execute, buf, err)
		}
	}
}

// parsePVE applies pveReply: ok when both replies are there.
func parsePVE(buf []byte) (sync, reply []byte, ok bool, err error) {
	m := pveReply.FindSubmatchIndex(buf)
	if m == nil {
		return nil, nil, false, nil
	}
	if ff := m[2] - 1; buf[ff] != 0xFF {
		return nil, nil, false, fmt.Errorf("delimiter is %q, not the byte 0xFF", buf[ff:m[2]])
	}
	return buf[m[2]:m[3]], buf[m[4]:m[5]], true, nil
}

func setDeadline(ctx context.Context, conn net.Conn) {
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
}
