// Package rawio reads and writes non-blocking sockets without the Go
// runtime's system-call bookkeeping.
//
// Every ordinary read or write enters the scheduler's syscall state, and
// the first one after the process was idle wakes the runtime's monitor
// thread (sysmon), which then polls every 20 µs for a while. On a small VM
// that is one or two extra thread wake-ups per request, each costing about
// as much as a whole guest-ping. A read or write on a non-blocking socket
// never sleeps in the kernel, so it can be made with RawSyscall; waiting
// for the socket is left to the netpoller through syscall.RawConn, which
// also keeps the connection's deadlines working.
package rawio

import (
	"errors"
	"io"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxRaw bounds one raw read or write: a copy that large takes up to a few
// hundred microseconds, during which the goroutine cannot be preempted.
const maxRaw = 1 << 20

// Conn is a non-blocking socket read and written through its RawConn.
type Conn struct {
	rc syscall.RawConn
	// Spin, if set, is how long the first Read after a Write keeps trying
	// before it waits in the netpoller: the answer to what was just sent,
	// due within microseconds, is then taken without a thread wake-up (see
	// Spinning). Once data came, reads wait as usual until the next Write:
	// in a bulk transfer the reader would only compete for the CPU with
	// the writer it waits for.
	Spin  time.Duration
	armed atomic.Bool // a Write happened and no Read returned data since
}

// New wraps c, which must be a non-blocking descriptor on the netpoller (a
// net.Conn, or an *os.File that os.NewFile made from a non-blocking
// descriptor). A blocking one is refused: a raw read on it could sleep in
// the kernel while holding its P, and stall the garbage collector.
func New(c syscall.Conn) (*Conn, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	var flags int
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0)
	}); err != nil {
		return nil, err
	}
	if ferr != nil {
		return nil, ferr
	}
	if flags&unix.O_NONBLOCK == 0 {
		return nil, errBlocking
	}
	return &Conn{rc: rc}, nil
}

var errBlocking = errors.New("rawio: descriptor is blocking")

// Read reads at most len(p) bytes, waiting until some are there.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(p) > maxRaw {
		p = p[:maxRaw]
	}
	var n int
	var errno syscall.Errno
	var until time.Time
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
			switch {
			case e == syscall.EINTR:
				continue
			case e != syscall.EAGAIN:
				n, errno = int(r), e
				return true
			case c.Spin <= 0 || !c.armed.Load():
				return false
			}
			now := time.Now()
			if until.IsZero() {
				until = now.Add(c.Spin)
			} else if now.After(until) {
				return false
			}
		}
	})
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, errno
	case n == 0:
		return 0, io.EOF
	}
	c.armed.Store(false)
	return n, nil
}

// Write writes all of p, waiting for room as needed.
func (c *Conn) Write(p []byte) (int, error) {
	written := 0
	var errno syscall.Errno
	err := c.rc.Write(func(fd uintptr) bool {
		for written < len(p) {
			chunk := p[written:]
			if len(chunk) > maxRaw {
				chunk = chunk[:maxRaw]
			}
			r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(chunk))), uintptr(len(chunk)))
			switch e {
			case 0:
				written += int(r)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false
			default:
				errno = e
				return true
			}
		}
		return true
	})
	if err == nil && errno != 0 {
		err = errno
	}
	c.armed.Store(true)
	return written, err
}

// Spinning returns d if this machine has more than one CPU, else 0: a
// reader that spins on the only CPU delays the writer it waits for.
func Spinning(d time.Duration) time.Duration {
	if runtime.NumCPU() < 2 {
		return 0
	}
	return d
}
