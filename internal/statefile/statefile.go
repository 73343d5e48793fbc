// Package statefile reads and writes qemu-ga's persistent state, the glib
// key file <statedir>/qga.state ("[global]" / "fd_counter=<next handle>"),
// in qemu-ga's format so that qgad and qemu-ga can replace each other on a
// guest without reusing guest-file handle numbers.
package statefile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Names of qemu-ga's files in the state directory.
const (
	FileName         = "qga.state"
	FrozenMarkerName = "qga.state.isfrozen"
)

// DefaultFDCounter is the first guest-file handle on a fresh state directory.
const DefaultFDCounter = 1000

// MaxFDCounter is the highest counter value qemu-ga tolerates: it aborts
// when the counter reaches math.MaxInt64.
const MaxFDCounter = math.MaxInt64 - 1

const (
	group      = "global"
	counterKey = "fd_counter"
)

// State is what qemu-ga persists.
type State struct {
	FDCounter int64 // the next guest-file handle
}

// Default is the state of a fresh state directory.
func Default() State { return State{FDCounter: DefaultFDCounter} }

// Path is the state file of stateDir.
func Path(stateDir string) string { return filepath.Join(stateDir, FileName) }

// FrozenMarkerPath is the "exited while frozen" marker of stateDir.
func FrozenMarkerPath(stateDir string) string { return filepath.Join(stateDir, FrozenMarkerName) }

// Load reads the state file at path. A missing file yields the defaults and
// exists == false; a file that is not a valid key file, or whose counter is
// not a non-negative integer, is an error.
//
// qemu-ga reads the counter with g_key_file_get_integer and silently starts
// over at 0 when the value is not a 32-bit integer, which would hand out
// handle numbers again; we refuse such a file instead and accept any int64.
func Load(path string) (st State, exists bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Default(), false, nil
	}
	if err != nil {
		return State{}, false, fmt.Errorf("unable to access state file at path %s: %w", path, err)
	}
	st, err = Parse(data)
	if err != nil {
		return State{}, true, fmt.Errorf("error loading persistent state from path: %s, %w", path, err)
	}
	return st, true, nil
}

// Parse decodes the contents of a state file. Missing keys take their
// default values, as in qemu-ga.
func Parse(data []byte) (State, error) {
	kf, err := ParseKeyFile(data)
	if err != nil {
		return State{}, err
	}
	st := Default()
	if v, ok := kf.Value(group, counterKey); ok {
		// glib parses with strtol: trailing blanks are allowed.
		n, err := strconv.ParseInt(strings.TrimRight(v, asciiSpace), 10, 64)
		if err != nil {
			return State{}, fmt.Errorf("Value \u201c%s\u201d cannot be interpreted as a number.", v)
		}
		if n < 0 {
			return State{}, fmt.Errorf("Value \u201c%s\u201d of %s is negative.", v, counterKey)
		}
		st.FDCounter = n
	}
	return st, nil
}

// Marshal renders st exactly as qemu-ga (g_key_file_to_data) does.
func Marshal(st State) []byte {
	return []byte("[" + group + "]\n" + counterKey + "=" + strconv.FormatInt(st.FDCounter, 10) + "\n")
}

// Save replaces the state file at path atomically, as g_file_set_contents
// does: a temporary file in the same directory, fsync, rename.
func Save(path string, st State) error {
	return WriteFileAtomic(path, Marshal(st))
}

// WriteFileAtomic replaces path with data so that a crash leaves either the
// old or the new contents. The file is created with mode 0666 minus the
// umask, like glib's.
func WriteFileAtomic(path string, data []byte) error {
	f, tmp, err := createTemp(path)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// createTemp creates "<path>.XXXXXX" exclusively (glib's naming).
func createTemp(path string) (*os.File, string, error) {
	var rnd [3]byte
	for range 100 {
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, "", fmt.Errorf("creating a temporary file for %s: %w", path, err)
		}
		tmp := path + "." + hex.EncodeToString(rnd[:])
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_CLOEXEC, 0o666)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("creating a temporary file for %s: %w", path, err)
		}
		return f, tmp, nil
	}
	return nil, "", fmt.Errorf("creating a temporary file for %s: %w", path, os.ErrExist)
}

// Frozen reports whether stateDir holds the marker of an instance that
// exited with frozen filesystems. Like qemu-ga, a marker that cannot be
// checked (stat fails other than with ENOENT) counts as present; err then
// says why.
func Frozen(stateDir string) (bool, error) {
	_, err := os.Stat(FrozenMarkerPath(stateDir))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	}
	return true, fmt.Errorf("unable to access state file at path %s: %w", FrozenMarkerPath(stateDir), err)
}
