package exec

import (
	"os"
	"sync"
	"syscall"

	"github.com/qgad/qgad/plugins/exec/spawn"
)

// maxOutput is qemu-ga's cap per captured stream; later output is read and
// discarded so the child never blocks on a full pipe.
const maxOutput = 16 << 20

// stream is one captured output stream.
type stream struct {
	data      []byte
	truncated bool // bytes were discarded beyond maxOutput
}

// child is the record of one guest-exec process, kept until guest-exec-status
// has reported it as exited.
type child struct {
	pid  int64
	proc *os.Process
	out  *stream // nil when stdout is not captured
	err  *stream // nil when stderr is not captured (or merged into out)

	// done is closed once the child is reaped and every capture pipe has
	// hit EOF; status and reaped are valid from then on.
	done   chan struct{}
	status syscall.WaitStatus
	reaped bool // false only if wait itself failed

	mu     sync.Mutex // orders reaping against killGroup
	waited bool
}

// watch reaps the child as soon as it exits (so it never lingers as a
// zombie, even while a grandchild keeps a capture pipe open), then waits for
// the readers before marking the record finished.
func (c *child) watch(readers *sync.WaitGroup) {
	// Learn of the exit without reaping: until the record says waited the
	// pid, and so the child's process group id, cannot be reused.
	_ = spawn.WaitExit(int(c.pid)) // on error Wait below reports it
	c.mu.Lock()
	state, err := c.proc.Wait()
	c.waited = true
	c.mu.Unlock()
	if err == nil {
		if ws, ok := state.Sys().(syscall.WaitStatus); ok {
			c.status, c.reaped = ws, true
		}
	}
	readers.Wait()
	close(c.done)
}

// killGroup kills the child and whatever it started in its process group.
// It does nothing once the child is reaped: its pid, the group's id, may
// then belong to an unrelated process.
func (c *child) killGroup() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.waited {
		_ = syscall.Kill(-int(c.pid), syscall.SIGKILL)
	}
}

// finished reports, without blocking, whether the record is complete.
func (c *child) finished() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// capture reads r to EOF into s, keeping at most limit bytes. It owns r.
func capture(r *os.File, s *stream, limit int) {
	defer r.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			keep := min(n, limit-len(s.data))
			if keep > 0 {
				s.data = grow(s.data, keep, limit)
				s.data = append(s.data, buf[:keep]...)
			}
			if keep < n {
				s.truncated = true
			}
		}
		if err != nil {
			// EOF, or a read error that ends the stream just the same.
			return
		}
	}
}

// grow makes room for n more bytes, doubling but never past limit, so a
// capped stream holds at most limit bytes of memory.
func grow(b []byte, n, limit int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	newCap := max(2*cap(b), len(b)+n, 4096)
	newCap = min(newCap, limit)
	nb := make([]byte, len(b), newCap)
	copy(nb, b)
	return nb
}

// feed writes input to the child's stdin and closes it, as qemu-ga does. A
// write error means the child closed its stdin; feeding just stops then.
func feed(w *os.File, input []byte) {
	_, _ = w.Write(input)
	_ = w.Close()
}
