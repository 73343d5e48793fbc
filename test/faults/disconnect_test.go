//go:build faults

package faults

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
)

// writeTimeout is the agent's bound on writing one response (core/agent).
const writeTimeout = 30 * time.Second

// openHandle opens path for reading and returns the handle.
func openHandle(t *testing.T, h *host, path string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(string(h.mustReturn(fmt.Sprintf(`{"execute": "guest-file-open", "arguments": {"path": %q}}`, path), 10*time.Second)), 10, 64)
	if err != nil {
		t.Fatalf("guest-file-open: %v", err)
	}
	return id
}

// The host going away halfway through a request, or while the agent writes
// a large response, then coming back with the 0xFF handshake.
func TestHostDisconnects(t *testing.T) {
	a := startAgent(t, agentConfig{})
	big := filepath.Join(qgatest.TempDir(t), "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte("0123456789abcdef"), 1<<20), 0o644); err != nil { // 16 MiB
		t.Fatal(err)
	}
	var sent, received, faults int
	tally := func(h *host) {
		sent += h.sent
		received += h.recv
		h.Close()
	}

	// Mid-request: half a JSON object, then close. The next client's 0xFF
	// discards it: it never runs (it would take a handle number).
	h := dial(t, a.Sock)
	before := openHandle(t, h, big)
	half := fmt.Sprintf(`{"execute": "guest-file-open", "arguments": {"path": %q, "mode": "r"`, big)
	if _, err := h.conn.Write([]byte(half)); err != nil {
		t.Fatal(err)
	}
	faults++
	tally(h)
	h = dial(t, a.Sock)
	h.ping(5 * time.Second)
	if after := openHandle(t, h, big); after != before+1 {
		t.Errorf("handle %d after %d: the half request ran", after, before)
	}
	tally(h)

	// Mid-response: a 16 MiB guest-file-read (about 21 MiB of JSON), the
	// host closing right after sending it, or after reading 1 MiB of it.
	for _, readFirst := range []int{0, 1 << 20} {
		h = dial(t, a.Sock)
		id := openHandle(t, h, big)
		if err := h.send(fmt.Sprintf(`{"execute": "guest-file-read", "arguments": {"handle": %d, "count": %d}}`, id, 16<<20)); err != nil {
			t.Fatal(err)
		}
		h.sent-- // abandoned on purpose: not a lost response
		if readFirst > 0 {
			if _, err := io.CopyN(io.Discard, h.r, int64(readFirst)); err != nil {
				t.Fatal(err)
			}
		}
		faults++
		tally(h)
		start := time.Now()
		h = dial(t, a.Sock)
		h.ping(5 * time.Second)
		// The stream is clean: responses match their requests.
		if r := h.call(`{"execute": "guest-get-host-name", "id": "after"}`, 5*time.Second); string(r.ID) != `"after"` || r.Error != nil {
			t.Errorf("after the disconnect: %s", r)
		}
		t.Logf("reconnected after a mid-response disconnect (%d bytes read) in %s", readFirst, time.Since(start).Round(time.Millisecond))
		tally(h)
	}
	if !alive(a.Cmd.Process.Pid) {
		t.Fatalf("the agent exited")
	}
	report(t, "host-disconnect", faults, sent, received)
}

// A host that sends 200 requests with large responses and never reads
// them. Unlike qemu-ga, which blocks for ever in its write, the agent drops
// a response the host does not take within its write timeout, gives up on
// that client, and serves the next one.
func TestHostNeverReads(t *testing.T) {
	t.Parallel()
	a := startAgent(t, agentConfig{})
	core := a.Cmd.Process.Pid
	id := strings.Repeat("x", 256<<10) // each response echoes it: 256 KiB
	flood := func(c net.Conn) {
		t.Helper()
		var b bytes.Buffer
		for i := range 200 {
			fmt.Fprintf(&b, `{"execute": "guest-ping", "id": "%d%s"}`+"\n", i, id)
		}
		// The agent stops reading once its queue is full and it is blocked
		// writing: the host's write may block too; give it a bound.
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		n, err := c.Write(b.Bytes())
		t.Logf("host wrote %d of %d bytes (%v) and reads nothing", n, b.Len(), err)
	}
	var sent, received int

	// The host gives up and closes: the agent's blocked write fails at
	// once, and the next client is served.
	h := dial(t, a.Sock)
	flood(h.conn)
	time.Sleep(time.Second)
	sent, received = sent+h.sent, received+h.recv
	h.Close()
	start := time.Now()
	h = dial(t, a.Sock)
	d := h.ping(5 * time.Second)
	t.Logf("after the host closed: reconnected and pinged in %s", time.Since(start).Round(time.Millisecond))
	if d > 2*time.Second {
		t.Errorf("guest-ping took %s", d)
	}
	sent, received = sent+h.sent, received+h.recv
	h.Close()

	// The host keeps its connection open, reads nothing, and connects
	// again: it waits in the backlog until the agent's write times out.
	stuck := dial(t, a.Sock)
	defer stuck.Close()
	flood(stuck.conn)
	start = time.Now()
	conn, err := net.Dial("unix", a.Sock)
	if err != nil {
		t.Fatal(err)
	}
	h = &host{t: t, conn: conn, r: newReader(conn)}
	defer h.Close()
	if err := h.sync(writeTimeout + 15*time.Second); err != nil {
		t.Fatalf("second connection: %v\n%s", err, a.Stderr())
	}
	took := time.Since(start)
	h.ping(5 * time.Second)
	t.Logf("second connection served %s after the stuck host stopped reading (write timeout %s)", took.Round(time.Millisecond), writeTimeout)
	if took > writeTimeout+10*time.Second {
		t.Errorf("second connection waited %s", took)
	}
	if !alive(core) {
		t.Fatalf("the agent exited")
	}
	t.Logf("core VmHWM %d KiB", memKB(t, core, "VmHWM"))
	report(t, "host-never-reads", 2, sent+h.sent, received+h.recv)
}
