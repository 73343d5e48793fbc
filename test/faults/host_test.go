//go:build faults

package faults

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"testing"
	"time"
)

// host is one client connection speaking the wire protocol directly, so
// that tests control every byte, id and read. It counts what it sent and
// received for the fault reports.
type host struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	sent int
	recv int
}

// dial connects to sock (retrying while the agent starts) and performs
// the 0xFF + guest-sync-delimited handshake.
func dial(t *testing.T, sock string) *host {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := net.Dial("unix", sock)
		if err == nil {
			h := &host{t: t, conn: conn, r: newReader(conn)}
			if err := h.sync(15 * time.Second); err != nil {
				conn.Close()
				t.Fatalf("handshake on %s: %v", sock, err)
			}
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("connecting to %s: %v", sock, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (h *host) Close() { h.conn.Close() }

func newReader(c net.Conn) *bufio.Reader { return bufio.NewReaderSize(c, 1<<20) }

// sync is the client handshake: 0xFF makes the agent drop any partial
// request, and replies before the 0xFF-delimited one with our id are stale.
func (h *host) sync(timeout time.Duration) error {
	id := time.Now().UnixNano() & (1<<40 - 1)
	h.conn.SetDeadline(time.Now().Add(timeout))
	defer h.conn.SetDeadline(time.Time{})
	if _, err := fmt.Fprintf(h.conn, "\xff{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": %d}}\n", id); err != nil {
		return err
	}
	for {
		if _, err := h.r.ReadBytes(0xFF); err != nil {
			return fmt.Errorf("waiting for 0xFF: %w", err)
		}
		line, err := h.r.ReadBytes('\n')
		if err != nil {
			return err
		}
		if string(bytes.TrimSpace(line)) == fmt.Sprintf(`{"return": %d}`, id) {
			return nil
		}
	}
}

// syncCollect performs the handshake and returns the responses that came
// before its reply, each checked like read's.
func (h *host) syncCollect(timeout time.Duration) ([]*response, error) {
	id := time.Now().UnixNano() & (1<<40 - 1)
	h.conn.SetDeadline(time.Now().Add(timeout))
	defer h.conn.SetDeadline(time.Time{})
	if _, err := fmt.Fprintf(h.conn, "\xff{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": %d}}\n", id); err != nil {
		return nil, err
	}
	var out []*response
	for {
		before, err := h.r.ReadBytes(0xFF)
		if err != nil {
			return out, fmt.Errorf("waiting for 0xFF: %w", err)
		}
		for _, line := range bytes.SplitAfter(before[:len(before)-1], []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			r, err := parseResponse(line)
			if err != nil {
				return out, err
			}
			out = append(out, r)
		}
		line, err := h.r.ReadBytes('\n')
		if err != nil {
			return out, err
		}
		if string(bytes.TrimSpace(line)) == fmt.Sprintf(`{"return": %d}`, id) {
			return out, nil
		}
	}
}

// send writes requests (each a complete line) in one write.
func (h *host) send(reqs ...string) error {
	var b bytes.Buffer
	for _, r := range reqs {
		b.WriteString(r)
		b.WriteByte('\n')
	}
	h.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	_, err := h.conn.Write(b.Bytes())
	if err == nil {
		h.sent += len(reqs)
	}
	return err
}

// response is one parsed response line.
type response struct {
	raw    []byte
	ID     json.RawMessage `json:"id"`
	Return json.RawMessage `json:"return"`
	Error  *struct {
		Class string `json:"class"`
		Desc  string `json:"desc"`
	} `json:"error"`
}

func (r *response) String() string {
	if len(r.raw) > 300 {
		return string(r.raw[:300]) + "..."
	}
	return string(r.raw)
}

// read reads one response and checks it is in qemu-ga's format: one line
// of printable ASCII holding an object with a return or an error.
func (h *host) read(timeout time.Duration) (*response, error) {
	h.conn.SetReadDeadline(time.Now().Add(timeout))
	defer h.conn.SetReadDeadline(time.Time{})
	line, err := h.r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	h.recv++
	return parseResponse(line)
}

func parseResponse(line []byte) (*response, error) {
	body := bytes.TrimSuffix(line, []byte("\n"))
	for i, c := range body {
		if c < 0x20 || c > 0x7e {
			return nil, fmt.Errorf("response has byte 0x%02x at %d: %.200q", c, i, body)
		}
	}
	r := &response{raw: body}
	if err := json.Unmarshal(body, r); err != nil {
		return nil, fmt.Errorf("response is not JSON (%v): %.200q", err, body)
	}
	if (r.Return == nil) == (r.Error == nil) {
		return nil, fmt.Errorf("response has neither return nor error, or both: %.200q", body)
	}
	if r.Error != nil && (r.Error.Class == "" || r.Error.Desc == "") {
		return nil, fmt.Errorf("error without class or desc: %.200q", body)
	}
	return r, nil
}

// call sends one request and reads its response.
func (h *host) call(req string, timeout time.Duration) *response {
	h.t.Helper()
	if err := h.send(req); err != nil {
		h.t.Fatalf("sending %.100s: %v", req, err)
	}
	r, err := h.read(timeout)
	if err != nil {
		h.t.Fatalf("response to %.100s: %v", req, err)
	}
	return r
}

// mustReturn is call that fails the test on an error response.
func (h *host) mustReturn(req string, timeout time.Duration) json.RawMessage {
	h.t.Helper()
	r := h.call(req, timeout)
	if r.Error != nil {
		h.t.Fatalf("%.100s: %s: %s", req, r.Error.Class, r.Error.Desc)
	}
	return r.Return
}

// ping checks that the agent answers guest-ping within timeout.
func (h *host) ping(timeout time.Duration) time.Duration {
	h.t.Helper()
	start := time.Now()
	if got := string(h.mustReturn(`{"execute": "guest-ping"}`, timeout)); got != "{}" {
		h.t.Fatalf("guest-ping returned %s", got)
	}
	return time.Since(start)
}
