package channel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/rawio"
)

var errEOF = io.EOF

// listener serves one client at a time: the next Accept happens only after
// the agent closed the previous Conn (qemu-ga stops polling the listen
// socket while a client is connected; later clients wait in the backlog).
type listener struct {
	desc string
	ln   net.Listener
}

func listenUnix(path string) (*listener, error) {
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("error listening on %s: %w", path, err)
	}
	// qemu-ga does not remove its socket file at exit.
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	return &listener{desc: path, ln: ln}, nil
}

func (l *listener) Describe() string { return l.desc }

func (l *listener) Accept(ctx context.Context) (Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := l.ln.Accept()
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, r.err
		}
		return newClientConn(r.c), nil
	case <-ctx.Done():
		l.ln.Close()
		return nil, ctx.Err()
	}
}

func (l *listener) Close() error { return l.ln.Close() }

// parseVsock reads qemu-ga's "<cid>:<port>".
func parseVsock(s string) (cid, port uint32, err error) {
	c, p, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("invalid vsock address %q: want <cid>:<port>", s)
	}
	cv, err1 := strconv.ParseUint(c, 10, 32)
	pv, err2 := strconv.ParseUint(p, 10, 32)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("invalid vsock address %q: want <cid>:<port>", s)
	}
	return uint32(cv), uint32(pv), nil
}

func listenVsock(addr string) (*listener, error) {
	cid, port, err := parseVsock(addr)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Socket(unix.AF_VSOCK, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("vsock socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrVM{CID: cid, Port: port}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("vsock bind %s: %w", addr, err)
	}
	if err := unix.Listen(fd, 1); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("vsock listen %s: %w", addr, err)
	}
	return &listener{desc: "vsock:" + addr, ln: &fdListener{fd: fd, f: os.NewFile(uintptr(fd), "vsock")}}, nil
}

// fdListener accepts on a raw listening socket of a family the net package
// does not know (AF_VSOCK). Accepted sockets become pollable *os.File conns.
type fdListener struct {
	fd int
	f  *os.File
}

func (l *fdListener) Accept() (net.Conn, error) {
	rc, err := l.f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var nfd int
	var aerr error
	err = rc.Read(func(fd uintptr) bool {
		nfd, _, aerr = unix.Accept4(int(fd), unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK)
		return !errors.Is(aerr, unix.EAGAIN)
	})
	if err != nil {
		return nil, err
	}
	if aerr != nil {
		return nil, aerr
	}
	return &fileConn{File: os.NewFile(uintptr(nfd), "vsock-client")}, nil
}

func (l *fdListener) Close() error   { return l.f.Close() }
func (l *fdListener) Addr() net.Addr { return nil }

// fileConn adapts an *os.File socket to net.Conn.
type fileConn struct{ *os.File }

func (c *fileConn) LocalAddr() net.Addr                { return nil }
func (c *fileConn) RemoteAddr() net.Addr               { return nil }
func (c *fileConn) SetDeadline(t time.Time) error      { return c.File.SetDeadline(t) }
func (c *fileConn) SetReadDeadline(t time.Time) error  { return c.File.SetReadDeadline(t) }
func (c *fileConn) SetWriteDeadline(t time.Time) error { return c.File.SetWriteDeadline(t) }

// clientConn ends a client on any read error: a reset (the client left
// without reading our responses) is a disconnect, not a channel failure —
// qemu-ga would stop there; we serve the next client.
type clientConn struct {
	net.Conn
	// rw reads and writes: through rawio (no runtime syscall hooks) when
	// the socket allows it, else the Conn itself.
	rw io.ReadWriter
}

func newClientConn(c net.Conn) *clientConn {
	cc := &clientConn{Conn: c, rw: c}
	if sc, ok := c.(syscall.Conn); ok {
		if raw, err := rawio.New(sc); err == nil {
			cc.rw = raw
		}
	}
	return cc
}

func (c *clientConn) Write(b []byte) (int, error) { return c.rw.Write(b) }

func (c *clientConn) Read(b []byte) (int, error) {
	n, err := c.rw.Read(b)
	if err != nil && err != io.EOF {
		return n, io.EOF
	}
	return n, err
}
