package exec

import (
	"sync"

	"github.com/qgad/qgad/qapi"
)

// table holds the guest-exec records not yet reported as exited. It is
// bounded because a client that never calls guest-exec-status would
// otherwise grow it (and the output buffers it holds) forever.
type table struct {
	mu    sync.Mutex
	byPID map[int64][]*child // oldest first: the kernel may reuse the pid of an unreported child
	n     int                // records plus reservations
	limit int
}

func newTable(limit int) *table {
	return &table{byPID: map[int64][]*child{}, limit: limit}
}

// reserve claims a slot for a child about to be started; release it if the
// start fails, or turn it into a record with add.
func (t *table) reserve() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n >= t.limit {
		return qapi.Errorf("too many guest-exec processes not yet reported by guest-exec-status (limit %d)", t.limit)
	}
	t.n++
	return nil
}

func (t *table) release() {
	t.mu.Lock()
	t.n--
	t.mu.Unlock()
}

// add files a started child under its reserved slot.
func (t *table) add(c *child) {
	t.mu.Lock()
	t.byPID[c.pid] = append(t.byPID[c.pid], c)
	t.mu.Unlock()
}

// take returns the oldest record for pid (qemu-ga looks records up in
// start order) and removes it when it is finished, so it is reported as
// exited exactly once.
func (t *table) take(pid int64) (c *child, finished, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	list := t.byPID[pid]
	if len(list) == 0 {
		return nil, false, false
	}
	c = list[0]
	if !c.finished() {
		return c, false, true
	}
	if len(list) == 1 {
		delete(t.byPID, pid)
	} else {
		t.byPID[pid] = list[1:]
	}
	t.n--
	return c, true, true
}

// all returns every record, for Close.
func (t *table) all() []*child {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*child
	for _, list := range t.byPID {
		out = append(out, list...)
	}
	return out
}

// busy reports whether any record exists: stopping the plugin would lose it.
func (t *table) busy() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n > 0
}
