package agent

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/qgad/qgad/core/channel"
	"github.com/qgad/qgad/core/dispatch"
	"github.com/qgad/qgad/core/jsonstream"
)

// server moves bytes between the channel and the dispatcher, on one
// goroutine: it reads, parses, and answers each request before it reads
// on, strictly in order, as qemu-ga does. (A worker goroutine fed by the
// reader was tried: the hand-off to another thread cost a wake-up per
// request, half of a ping's round trip, and bought nothing, since requests
// must run one at a time anyway.) The parser outlives client connections,
// as qemu-ga's does.
type server struct {
	a      *Agent
	parser *jsonstream.Parser
}

type clientConn struct {
	channel.Conn
	broken bool // a write timed out: the host does not read
}

func newServer(a *Agent) *server {
	return &server{a: a, parser: jsonstream.New()}
}

// serve accepts clients one at a time until the channel fails or ctx ends.
func (s *server) serve(ctx context.Context, ch channel.Channel) error {
	buf := make([]byte, 64<<10)
	for {
		conn, err := ch.Accept(ctx)
		if err != nil {
			return err
		}
		c := &clientConn{Conn: conn}
		stop := context.AfterFunc(ctx, func() { conn.Close() })
		rerr := s.readClient(ctx, c, buf)
		stop()
		c.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if rerr != nil && !errors.Is(rerr, io.EOF) && !errors.Is(rerr, os.ErrClosed) {
			return rerr
		}
	}
}

// readClient feeds one client's bytes to the parser, answering each value
// as it is parsed, until EOF or an error.
func (s *server) readClient(ctx context.Context, c *clientConn, buf []byte) error {
	for {
		n, err := c.Read(buf)
		if n > 0 {
			s.parser.Feed(buf[:n], func(v any, perr error) { s.answer(ctx, c, v, perr) })
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
}

// answer runs one parsed request, or reports a parse error.
func (s *server) answer(ctx context.Context, c *clientConn, v any, perr error) {
	var resp [][]byte
	if perr != nil {
		resp = [][]byte{dispatch.ErrorResponse(perr.Error())}
	} else {
		resp = s.dispatch(ctx, v)
	}
	if resp != nil {
		s.write(c, resp)
	}
	s.a.kickTrim()
}

// dispatch runs one request. Requests run strictly in order, as in
// qemu-ga: a client's later guest-sync or 0xFF does not cut short what it
// asked before (call deadlines bound a plugin that hangs).
func (s *server) dispatch(ctx context.Context, v any) [][]byte {
	return s.a.disp.HandleParts(ctx, v)
}

// write sends one response, given in pieces (a large result apart from its
// envelope, see dispatch.HandleParts); a host that does not read within the
// write timeout loses it (logged), and the agent goes on.
func (s *server) write(c *clientConn, resp [][]byte) {
	if c.broken {
		return
	}
	_ = c.SetWriteDeadline(time.Now().Add(s.a.cfg.WriteTimeout))
	var err error
	for _, part := range resp {
		if _, err = c.Write(part); err != nil {
			break
		}
	}
	if err != nil {
		s.a.log.Warn("dropping a response the host did not take", "error", err)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			c.broken = true
			c.Close()
		}
	}
}
