package main

import (
	"bytes"
	"fmt"
	"net"
	"time"
)

// conn speaks the agent protocol on a unix socket with as little client
// work as possible: responses are returned as raw lines, unparsed, from a
// buffer that grows to the largest response and is then reused.
type conn struct {
	c          *net.UnixConn
	buf        []byte
	start, end int // unread bytes are buf[start:end]
}

// callTimeout bounds every exchange so a wedged agent fails the run.
const callTimeout = 30 * time.Second

func newConn(c *net.UnixConn) *conn {
	return &conn{c: c, buf: make([]byte, 256<<10)}
}

func (c *conn) close() error { return c.c.Close() }

// write sends bytes (one or more requests, possibly in several pieces,
// written with one writev).
func (c *conn) write(parts ...[]byte) error {
	_ = c.c.SetWriteDeadline(time.Now().Add(callTimeout))
	// WriteTo consumes the slice it is given, elements included: give it
	// a copy so callers can resend the same parts.
	bufs := append(net.Buffers(nil), parts...)
	_, err := bufs.WriteTo(c.c)
	return err
}

// readLine returns the next response line, newline included. It stays
// valid until the next read.
func (c *conn) readLine() ([]byte, error) {
	_ = c.c.SetReadDeadline(time.Now().Add(callTimeout))
	if c.start == c.end {
		c.start, c.end = 0, 0
	}
	scanned := 0 // bytes after start already searched for the newline
	for {
		if i := bytes.IndexByte(c.buf[c.start+scanned:c.end], '\n'); i >= 0 {
			nl := c.start + scanned + i
			line := c.buf[c.start : nl+1]
			c.start = nl + 1
			return line, nil
		}
		scanned = c.end - c.start
		if c.end == len(c.buf) {
			c.compact()
		}
		n, err := c.c.Read(c.buf[c.end:])
		c.end += n
		if err != nil {
			return nil, fmt.Errorf("reading a response: %w", err)
		}
	}
}

// compact makes room: unread bytes move to the front, and the buffer
// doubles when they fill it.
func (c *conn) compact() {
	if c.start > 0 {
		n := copy(c.buf, c.buf[c.start:c.end])
		c.start, c.end = 0, n
		return
	}
	nb := make([]byte, 2*len(c.buf))
	copy(nb, c.buf[:c.end])
	c.buf = nb
}

// call sends one request and returns its response line.
func (c *conn) call(req ...[]byte) ([]byte, error) {
	if err := c.write(req...); err != nil {
		return nil, fmt.Errorf("sending a request: %w", err)
	}
	return c.readLine()
}

// callOK is call that also fails on an error response.
func (c *conn) callOK(req ...[]byte) ([]byte, error) {
	line, err := c.call(req...)
	if err != nil {
		return nil, err
	}
	if err := checkReturn(line); err != nil {
		return nil, err
	}
	return line, nil
}

// checkReturn accepts {"return": ...} lines only.
func checkReturn(line []byte) error {
	if !bytes.HasPrefix(line, []byte(`{"return": `)) {
		return fmt.Errorf("unexpected response %q", truncate(line, 200))
	}
	return nil
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
