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

// server moves bytes between the channel and the dispatcher. One goroutine
// reads and parses (so 0xFF and a new guest-sync are seen while a slow
// command runs), one dispatches strictly in order. The parser outlives
// client connections, as qemu-ga's does.
type server struct {
	a      *Agent
	parser *jsonstream.Parser
	queue  chan item
}

// item is one parsed value, a parse error, or the end of a client.
type item struct {
	conn  *clientConn
	value any
	err   error
	eof   bool
}

type clientConn struct {
	channel.Conn
	broken bool // a write timed out: the host does not read
}

func newServer(a *Agent) *server {
	return &server{a: a, parser: jsonstream.New(), queue: make(chan item, 64)}
}

// serve accepts clients one at a time until the channel fails or ctx ends.
func (s *server) serve(ctx context.Context, ch channel.Channel) error {
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		s.work(ctx)
	}()
	defer func() {
		close(s.queue)
		<-workerDone
		s.queue = make(chan item, 64)
	}()
	buf := make([]byte, 64<<10)
	for {
		conn, err := ch.Accept(ctx)
		if err != nil {
			return err
		}
		c := &clientConn{Conn: conn}
		closed := make(chan struct{})
		stop := context.AfterFunc(ctx, func() { conn.Close() })
		rerr := s.readClient(ctx, c, buf)
		stop()
		// Let the worker answer what this client sent before closing it.
		s.queue <- item{conn: c, eof: true, err: rerr, value: closed}
		<-closed
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if rerr != nil && !errors.Is(rerr, io.EOF) && !errors.Is(rerr, os.ErrClosed) {
			return rerr
		}
	}
}

// readClient feeds one client's bytes to the parser until EOF or an error.
func (s *server) readClient(ctx context.Context, c *clientConn, buf []byte) error {
	for {
		n, err := c.Read(buf)
		if n > 0 {
			s.parser.Feed(buf[:n], func(v any, perr error) {
				s.queue <- item{conn: c, value: v, err: perr}
			})
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
}

func (s *server) work(ctx context.Context) {
	for it := range s.queue {
		if it.eof {
			it.conn.Close()
			close(it.value.(chan struct{}))
			continue
		}
		var resp [][]byte
		if it.err != nil {
			resp = [][]byte{dispatch.ErrorResponse(it.err.Error())}
		} else {
			resp = s.dispatch(ctx, it.value)
		}
		if resp != nil {
			s.write(it.conn, resp)
		}
		s.a.kickTrim()
	}
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
