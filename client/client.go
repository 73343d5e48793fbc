// Package client talks to a QEMU guest agent (qgad or qemu-ga) from the
// host side, for host software written in Go (a libvirt- or KubeVirt-like
// controller) and for qgactl: connect to the agent's unix socket,
// synchronize with the 0xFF + guest-sync-delimited handshake (discarding
// stale replies), and run commands, raw or through one typed method per
// qemu-ga command (GuestInfo, FileOpen, Exec, FsfreezeFreeze, ...).
//
// Every call honours its context: its deadline bounds the exchange and
// cancelling it aborts the exchange. After an exchange that was cut short
// the stream may still hold the agent's late reply, so the next call
// synchronizes again first. Errors the agent sends are *Error values with
// the class and text the agent sent. A Client may be shared by goroutines;
// their calls are serialized, as the protocol requires.
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"
)

// MaxResponse bounds one response line (a 48 MiB guest-file-read is 64 MiB
// of base64).
const MaxResponse = 80 << 20

// DefaultNoReplyWait is how long a command that answers only on error
// (guest-shutdown, guest-suspend-*) is given to report one.
const DefaultNoReplyWait = 2 * time.Second

// Error is an error response from the agent.
type Error struct {
	Class string `json:"class"` // GenericError or CommandNotFound
	Desc  string `json:"desc"`  // the agent's text
}

func (e *Error) Error() string { return e.Class + ": " + e.Desc }

// Client is one connection to an agent.
type Client struct {
	// NoReplyWait is how long CallNoResponse waits for an error before it
	// takes the silence as success (DefaultNoReplyWait when zero).
	NoReplyWait time.Duration

	mu   sync.Mutex // serializes exchanges
	conn net.Conn
	r    *bufio.Reader
	// resync: an exchange was cut short, so a late reply may be on its
	// way; synchronize before the next one.
	resync bool
}

// Dial connects to the agent's unix socket and synchronizes.
func Dial(ctx context.Context, path string) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", path, err)
	}
	c := New(conn)
	if err := c.Sync(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// New wraps an established byte stream (no handshake).
func New(conn net.Conn) *Client {
	return &Client{conn: conn, r: bufio.NewReaderSize(conn, 64<<10)}
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Conn exposes the underlying stream (for raw tests).
func (c *Client) Conn() net.Conn { return c.conn }

// bind makes ctx govern the connection's I/O until the returned function
// is called: its deadline becomes the connection's, and cancelling it
// unblocks a pending read or write at once.
func (c *Client) bind(ctx context.Context) (release func()) {
	if dl, ok := ctx.Deadline(); ok {
		c.conn.SetDeadline(dl)
	} else {
		c.conn.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	return func() { stop() }
}

// ioError marks the stream as out of step and says why the exchange
// failed, wrapping the context's error when that was the cause.
func (c *Client) ioError(ctx context.Context, what string, err error) error {
	c.resync = true
	cause := ctx.Err()
	if dl, ok := ctx.Deadline(); ok && cause == nil && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
		// The connection's deadline (the context's) fired first.
		cause = context.DeadlineExceeded
	}
	if cause != nil {
		return fmt.Errorf("%s: %w (%w)", what, cause, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Sync performs the handshake: 0xFF flushes any partial request the agent
// holds, guest-sync-delimited's reply is preceded by 0xFF, and replies
// before it or with another id are stale and dropped.
func (c *Client) Sync(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.bind(ctx)()
	return c.sync(ctx)
}

func (c *Client) sync(ctx context.Context) error {
	id := rand.Int64N(1 << 40)
	req := fmt.Sprintf("\xff{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": %d}}\n", id)
	if _, err := io.WriteString(c.conn, req); err != nil {
		return c.ioError(ctx, "sync", err)
	}
	for {
		if _, err := c.r.ReadBytes(0xFF); err != nil {
			return c.ioError(ctx, "sync: waiting for the 0xFF delimiter", err)
		}
		line, err := c.readLine()
		if err != nil {
			return c.ioError(ctx, "sync", err)
		}
		var resp struct {
			Return *int64 `json:"return"`
		}
		if json.Unmarshal(line, &resp) == nil && resp.Return != nil && *resp.Return == id {
			c.resync = false
			return nil
		}
	}
}

func (c *Client) readLine() ([]byte, error) {
	var buf bytes.Buffer
	for {
		chunk, err := c.r.ReadSlice('\n')
		buf.Write(chunk)
		if buf.Len() > MaxResponse {
			return nil, fmt.Errorf("response larger than %d bytes", MaxResponse)
		}
		if err == nil {
			return bytes.TrimRight(buf.Bytes(), "\n"), nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
}

// ReadLine returns the next response line (without the newline). It is
// raw access for tests: no locking, no resynchronization.
func (c *Client) ReadLine(ctx context.Context) ([]byte, error) {
	defer c.bind(ctx)()
	return c.readLine()
}

// Write sends raw bytes (raw access, like ReadLine).
func (c *Client) Write(ctx context.Context, b []byte) error {
	defer c.bind(ctx)()
	_, err := c.conn.Write(b)
	return err
}

// Request marshals a request object.
func Request(command string, args any) ([]byte, error) {
	req := map[string]any{"execute": command}
	if args != nil {
		req["arguments"] = args
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding the request: %w", command, err)
	}
	return append(b, '\n'), nil
}

// Exchange sends one request line (a JSON object, newline added if
// missing) and returns the agent's response line as it came. It
// synchronizes first when an earlier exchange was cut short.
func (c *Client) Exchange(ctx context.Context, req []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.bind(ctx)()
	if c.resync {
		if err := c.sync(ctx); err != nil {
			return nil, err
		}
	}
	if !bytes.HasSuffix(req, []byte("\n")) {
		req = append(req[:len(req):len(req)], '\n')
	}
	if _, err := c.conn.Write(req); err != nil {
		return nil, c.ioError(ctx, "sending", err)
	}
	line, err := c.readLine()
	if err != nil {
		return nil, c.ioError(ctx, "waiting for the reply", err)
	}
	return line, nil
}

// Call runs a command and returns its raw "return" value. args may be nil,
// a struct or map, or json.RawMessage. An error reply is an *Error.
func (c *Client) Call(ctx context.Context, command string, args any) (json.RawMessage, error) {
	req, err := Request(command, args)
	if err != nil {
		return nil, err
	}
	line, err := c.Exchange(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	return Decode(line)
}

// Decode splits a response line into its return value or error.
func Decode(line []byte) (json.RawMessage, error) {
	var resp struct {
		Return json.RawMessage `json:"return"`
		Error  *Error          `json:"error"`
	}
	if err := json.Unmarshal(line, &resp); err != nil {
		return nil, fmt.Errorf("bad response %q: %w", truncate(line), err)
	}
	if resp.Error != nil {
		return nil, resp.Error
	}
	if resp.Return == nil {
		return nil, fmt.Errorf("bad response %q: neither return nor error", truncate(line))
	}
	return resp.Return, nil
}

// CallNoResponse runs a command that answers only on error (guest-shutdown,
// guest-suspend-*): no reply within wait (NoReplyWait when wait is zero),
// or the connection closing, is success. An error that arrives later is
// dropped by the next call's resynchronization.
func (c *Client) CallNoResponse(ctx context.Context, command string, args any, wait time.Duration) error {
	if wait <= 0 {
		wait = c.NoReplyWait
	}
	if wait <= 0 {
		wait = DefaultNoReplyWait
	}
	req, err := Request(command, args)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.bind(ctx)()
	if c.resync {
		if err := c.sync(ctx); err != nil {
			return fmt.Errorf("%s: %w", command, err)
		}
	}
	if _, err := c.conn.Write(req); err != nil {
		return fmt.Errorf("%s: %w", command, c.ioError(ctx, "sending", err))
	}
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > wait {
		c.conn.SetReadDeadline(time.Now().Add(wait))
	}
	line, err := c.readLine()
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("%s: %w", command, c.ioError(ctx, "waiting for an error", err))
		}
		c.resync = true // silence (or EOF) is success; a late error may still come
		return nil
	}
	_, err = Decode(line)
	return err
}

// CallInto runs a command and decodes its return value into out.
func (c *Client) CallInto(ctx context.Context, command string, args, out any) error {
	raw, err := c.Call(ctx, command, args)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decoding the reply: %w", command, err)
	}
	return nil
}

// call is CallInto for a typed result.
func call[R any](ctx context.Context, c *Client, command string, args any) (R, error) {
	var r R
	err := c.CallInto(ctx, command, args, &r)
	return r, err
}

func truncate(b []byte) []byte {
	if len(b) > 200 {
		return b[:200]
	}
	return b
}
