package file

import (
	"fmt"
	"sync"

	"github.com/hashicorp/go-hclog"

	"github.com/qgad/qgad/internal/statefile"
	"github.com/qgad/qgad/qapi"
)

// counter hands out guest-file handle ids from qemu-ga's persistent counter
// (<statedir>/qga.state), written on every open so that no id is handed out
// twice, across restarts of the plugin or of the whole agent.
type counter struct {
	mu   sync.Mutex
	path string
	next int64
	log  hclog.Logger
}

// loadCounter reads the counter as qemu-ga does at start: a missing state
// file is created at once with the default (so that a bad state directory
// shows at start), unless a previous instance exited frozen; an unreadable
// or invalid file is an error.
func loadCounter(stateDir string, log hclog.Logger) (*counter, error) {
	path := statefile.Path(stateDir)
	st, exists, err := statefile.Load(path)
	if err != nil {
		return nil, fmt.Errorf("failed to load persistent state: %w", err)
	}
	c := &counter{path: path, next: st.FDCounter, log: log}
	if !exists {
		frozen, ferr := statefile.Frozen(stateDir)
		if ferr != nil {
			log.Warn("checking the frozen marker", "error", ferr)
		}
		// Writing to a frozen filesystem would hang; the first open after
		// the thaw writes the file instead.
		if !frozen {
			if err := statefile.Save(path, st); err != nil {
				return nil, fmt.Errorf("unable to create state file at path %s: %w", path, err)
			}
		}
	}
	return c, nil
}

// take consumes the next id and persists the counter. When persisting
// fails the id is consumed all the same, as in qemu-ga.
func (c *counter) take() (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// qemu-ga aborts here; refusing the open is kinder.
	if c.next >= statefile.MaxFDCounter {
		return 0, qapi.Errorf("failed to commit persistent state to disk")
	}
	id := c.next
	c.next++
	if err := statefile.Save(c.path, statefile.State{FDCounter: c.next}); err != nil {
		c.log.Error("failed to write persistent state", "path", c.path, "error", err)
		return 0, qapi.Errorf("failed to commit persistent state to disk")
	}
	return id, nil
}
