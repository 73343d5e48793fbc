// Package client talks to a QEMU guest agent (qgad or qemu-ga) from the
// host side: connect to the agent's unix socket, synchronize with the 0xFF +
// guest-sync-delimited handshake (discarding stale replies), and run
// commands with context deadlines. Errors from the agent are *Error values
// with the class and text the agent sent.
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
	"time"
)

// MaxResponse bounds one response line (a 48 MiB guest-file-read is 64 MiB
// of base64).
const MaxResponse = 80 << 20

// Error is an error response from the agent.
type Error struct {
	Class string `json:"class"`
	Desc  string `json:"desc"`
}

func (e *Error) Error() string { return e.Class + ": " + e.Desc }

// Client is one connection to an agent.
type Client struct {
	conn net.Conn
	r    *bufio.Reader
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

func (c *Client) deadline(ctx context.Context) {
	if dl, ok := ctx.Deadline(); ok {
		c.conn.SetDeadline(dl)
	} else {
		c.conn.SetDeadline(time.Time{})
	}
}

// Sync performs the handshake: 0xFF flushes any partial request the agent
// holds, guest-sync-delimited's reply is preceded by 0xFF, and replies
// before it or with another id are stale and dropped.
func (c *Client) Sync(ctx context.Context) error {
	c.deadline(ctx)
	id := rand.Int64N(1 << 40)
	req := fmt.Sprintf("\xff{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": %d}}\n", id)
	if _, err := io.WriteString(c.conn, req); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	for {
		if _, err := c.r.ReadBytes(0xFF); err != nil {
			return fmt.Errorf("sync: waiting for the 0xFF delimiter: %w", err)
		}
		line, err := c.readLine()
		if err != nil {
			return fmt.Errorf("sync: %w", err)
		}
		var resp struct {
			Return *int64 `json:"return"`
		}
		if json.Unmarshal(line, &resp) == nil && resp.Return != nil && *resp.Return == id {
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

// ReadLine returns the next response line (without the newline).
func (c *Client) ReadLine(ctx context.Context) ([]byte, error) {
	c.deadline(ctx)
	return c.readLine()
}

// Write sends raw bytes.
func (c *Client) Write(ctx context.Context, b []byte) error {
	c.deadline(ctx)
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
		return nil, err
	}
	return append(b, '\n'), nil
}

// Call runs a command and returns its raw "return" value. args may be nil,
// a struct or map, or json.RawMessage.
func (c *Client) Call(ctx context.Context, command string, args any) (json.RawMessage, error) {
	req, err := Request(command, args)
	if err != nil {
		return nil, err
	}
	if err := c.Write(ctx, req); err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	line, err := c.ReadLine(ctx)
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
	return resp.Return, nil
}

// CallNoResponse runs a command that answers only on error (guest-shutdown,
// guest-suspend-*): no reply within wait, or the connection closing, is
// success.
func (c *Client) CallNoResponse(ctx context.Context, command string, args any, wait time.Duration) error {
	req, err := Request(command, args)
	if err != nil {
		return err
	}
	if err := c.Write(ctx, req); err != nil {
		return err
	}
	c.conn.SetReadDeadline(time.Now().Add(wait))
	line, err := c.readLine()
	if err != nil {
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
	return json.Unmarshal(raw, out)
}

func truncate(b []byte) []byte {
	if len(b) > 200 {
		return b[:200]
	}
	return b
}
