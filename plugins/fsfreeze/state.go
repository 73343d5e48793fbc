package fsfreeze

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// MarkerName is qemu-ga's "filesystems are frozen" file in the state
// directory; it survives a restart of the agent while frozen.
const MarkerName = "qga.state.isfrozen"

// state is the family's frozen flag and its marker file. mu serializes the
// freeze and thaw operations; the flag itself is read without it so status
// never waits behind a slow FIFREEZE.
type state struct {
	mu       sync.Mutex
	isFrozen atomic.Bool
	marker   string
}

// loadState starts frozen when the marker exists, as qemu-ga does after a
// restart while frozen; like qemu-ga, a stat error other than "does not
// exist" also counts as frozen.
func loadState(stateDir string) *state {
	s := &state{marker: filepath.Join(stateDir, MarkerName)}
	if _, err := os.Stat(s.marker); !errors.Is(err, fs.ErrNotExist) {
		s.isFrozen.Store(true)
	}
	return s
}

func (s *state) frozen() bool { return s.isFrozen.Load() }

// enter sets the flag and writes the marker (empty, 0600) before anything is
// frozen. A marker that cannot be written is only logged, as in qemu-ga.
func (s *state) enter() error {
	if s.isFrozen.Swap(true) {
		return nil
	}
	f, err := os.OpenFile(s.marker, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// leave removes the marker and clears the flag; a no-op when thawed.
func (s *state) leave() error {
	if !s.isFrozen.Load() {
		return nil
	}
	err := os.Remove(s.marker)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	s.isFrozen.Store(false)
	return err
}
