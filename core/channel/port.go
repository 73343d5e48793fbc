package channel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// port is a virtio-serial or ISA serial character device. It is opened once
// and kept open: an open port is what libvirt and KubeVirt read as "agent
// connected".
type port struct {
	path  string
	fd    int
	epfd  int
	isa   bool
	mu    sync.Mutex
	inUse bool
	freed chan struct{}
	done  chan struct{}
	once  sync.Once
}

func openPort(path string, isa bool) (*port, error) {
	flags := unix.O_RDWR | unix.O_NONBLOCK | unix.O_CLOEXEC
	if isa {
		flags |= unix.O_NOCTTY
	}
	fd, err := unix.Open(path, flags, 0)
	if err != nil {
		return nil, fmt.Errorf("error opening channel '%s': %w", path, err)
	}
	if isa {
		if err := makeRaw(fd); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("setting raw mode on '%s': %w", path, err)
		}
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("epoll_create: %w", err)
	}
	// Edge-triggered: with no host attached the port reports HUP forever;
	// level-triggered polling would spin a CPU.
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET, Fd: int32(fd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		unix.Close(fd)
		unix.Close(epfd)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	return &port{path: path, fd: fd, epfd: epfd, isa: isa, freed: make(chan struct{}, 1), done: make(chan struct{})}, nil
}

// makeRaw sets the termios qemu-ga sets on an ISA serial port: raw, no
// echo, 38400 baud, VMIN=1/VTIME=0, input flushed.
func makeRaw(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB | unix.CBAUD
	t.Cflag |= unix.CS8 | unix.B38400
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		return err
	}
	return unix.IoctlSetInt(fd, unix.TCFLSH, unix.TCIFLUSH)
}

func (p *port) Describe() string { return p.path }

// Accept returns the port; a port has one "client", the host, for ever.
func (p *port) Accept(ctx context.Context) (Conn, error) {
	for {
		p.mu.Lock()
		if !p.inUse {
			p.inUse = true
			p.mu.Unlock()
			return &portConn{p: p}, nil
		}
		p.mu.Unlock()
		select {
		case <-p.freed:
		case <-p.done:
			return nil, os.ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (p *port) Close() error {
	p.once.Do(func() {
		close(p.done)
		unix.Close(p.epfd)
		unix.Close(p.fd)
	})
	return nil
}

type portConn struct {
	p        *port
	deadline time.Time
	closed   bool
}

// Read returns data from the host. When no host is attached the device
// reads EOF (or EAGAIN); that is waited out on the edge-triggered epoll,
// with a floor of 100 ms between empty wakeups so that a driver that keeps
// signalling cannot make us spin. It never returns io.EOF for virtio.
func (c *portConn) Read(b []byte) (int, error) {
	p := c.p
	var events [1]unix.EpollEvent
	emptyWakeups := 0
	for {
		n, err := unix.Read(p.fd, b)
		if n > 0 {
			return n, nil
		}
		if err != nil && !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EINTR) {
			return 0, fmt.Errorf("reading %s: %w", p.path, err)
		}
		select {
		case <-p.done:
			return 0, os.ErrClosed
		default:
		}
		if n == 0 && err == nil && p.isa {
			// qemu-ga treats EOF on an ISA port like a client disconnect.
			return 0, errEOF
		}
		emptyWakeups++
		if emptyWakeups > 1 {
			time.Sleep(100 * time.Millisecond)
		}
		// Bounded wait so Close is noticed.
		if _, err := unix.EpollWait(p.epfd, events[:], 1000); err != nil && !errors.Is(err, unix.EINTR) {
			return 0, fmt.Errorf("epoll_wait on %s: %w", p.path, err)
		}
	}
}

// Write writes all of b, waiting for room while the driver says EAGAIN,
// until the write deadline.
func (c *portConn) Write(b []byte) (int, error) {
	p := c.p
	written := 0
	for written < len(b) {
		n, err := unix.Write(p.fd, b[written:])
		if n > 0 {
			written += n
			continue
		}
		if err != nil && !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EINTR) {
			return written, fmt.Errorf("writing %s: %w", p.path, err)
		}
		if !c.deadline.IsZero() && time.Now().After(c.deadline) {
			return written, os.ErrDeadlineExceeded
		}
		fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLOUT}}
		_, _ = unix.Poll(fds, 100)
	}
	return written, nil
}

func (c *portConn) SetWriteDeadline(t time.Time) error { c.deadline = t; return nil }

// Close releases the conn; the port itself stays open.
func (c *portConn) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	c.p.mu.Lock()
	c.p.inUse = false
	c.p.mu.Unlock()
	select {
	case c.p.freed <- struct{}{}:
	default:
	}
	return nil
}
