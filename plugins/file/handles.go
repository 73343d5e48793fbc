package file

import (
	"sync"
	"syscall"

	"github.com/qgad/qgad/qapi"
)

// rwState is the last operation on a handle. qemu-ga tracks it because
// stdio needs a flush between a write and a read and a seek between a read
// and a write; we keep it because those calls are visible: a write after a
// read on a pipe fails with "Illegal seek".
type rwState int

const (
	stateNew rwState = iota
	stateReading
	stateWriting
)

// handle is one open guest file. Its mutex serializes the operations on it,
// as the stdio stream's lock does in qemu-ga.
type handle struct {
	mu    sync.Mutex
	id    int64
	fd    int // -1 once closed
	state rwState
}

// handles is the table of open guest files; calls can arrive concurrently.
type handles struct {
	mu sync.Mutex
	m  map[int64]*handle
}

func newHandles() *handles { return &handles{m: map[int64]*handle{}} }

func notFound(id int64) error { return qapi.Errorf("handle '%d' has not been found", id) }

// add registers fd under id.
func (t *handles) add(id int64, fd int) {
	t.mu.Lock()
	t.m[id] = &handle{id: id, fd: fd}
	t.mu.Unlock()
}

// acquire returns the handle id locked; the caller unlocks it.
func (t *handles) acquire(id int64) (*handle, error) {
	t.mu.Lock()
	h := t.m[id]
	t.mu.Unlock()
	if h == nil {
		return nil, notFound(id)
	}
	h.mu.Lock()
	if h.fd < 0 { // closed while we waited for it
		h.mu.Unlock()
		return nil, notFound(id)
	}
	return h, nil
}

// remove drops a handle the caller holds locked and has closed.
func (t *handles) remove(h *handle) {
	h.fd = -1
	t.mu.Lock()
	delete(t.m, h.id)
	t.mu.Unlock()
}

// len is the number of open handles.
func (t *handles) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}

// closeAll closes every handle, when the plugin stops.
func (t *handles) closeAll() {
	t.mu.Lock()
	all := make([]*handle, 0, len(t.m))
	for _, h := range t.m {
		all = append(all, h)
	}
	t.mu.Unlock()
	for _, h := range all {
		h.mu.Lock()
		if h.fd >= 0 {
			_ = syscall.Close(h.fd)
			t.remove(h)
		}
		h.mu.Unlock()
	}
}
