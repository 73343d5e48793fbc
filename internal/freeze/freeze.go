// Package freeze freezes and thaws mounted filesystems with FIFREEZE and
// FITHAW the way qemu-ga does (spec 3.7). It knows nothing about hooks, the
// frozen marker or the agent's state: the fsfreeze family adds those, and the
// core uses Thaw directly for its emergency thaw when the family is dead.
package freeze

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/mounts"
	"github.com/qgad/qgad/internal/runner"
)

// The ioctls of linux/fs.h, _IOWR('X', 119/120, int). golang.org/x/sys does
// not define them; the encoding is the same on every Linux architecture.
const (
	FIFREEZE = 0xC0045877
	FITHAW   = 0xC0045878
)

// Error is a failure to open or freeze one filesystem, with qemu-ga's text
// "failed to <op> <dir>: <errno text>".
type Error struct {
	Op  string // "open" or "freeze"
	Dir string
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("failed to %s %s: %s", e.Op, e.Dir, runner.ErrText(e.Err))
}

func (e *Error) Unwrap() error { return e.Err }

// Guard vets a filesystem before it is frozen or thawed; fd is its open
// mount directory. Production runs without one; a family rooted elsewhere
// than "/" uses InsideRoot so no test can reach this machine's filesystems.
type Guard func(dir string, fd int) error

// Freeze freezes the listed filesystems; see FreezeWith.
func Freeze(ctx context.Context, ms []mounts.Mount, only []string) (int, error) {
	return FreezeWith(ctx, ms, only, nil)
}

// FreezeWith walks ms in reverse order (children before parents) and issues
// FIFREEZE on each mount directory, or only on those named in only when only
// is not nil (an empty only freezes nothing). It returns how many froze.
// EOPNOTSUPP and EBUSY (already frozen) are skipped and not counted. On any
// other failure, or when ctx ends between two filesystems, the filesystems
// this call froze are thawed again and the error is returned.
func FreezeWith(ctx context.Context, ms []mounts.Mount, only []string, guard Guard) (int, error) {
	var frozen []mounts.Mount
	for _, m := range slices.Backward(ms) {
		if only != nil && !slices.Contains(only, m.Dir) {
			continue
		}
		if err := ctx.Err(); err != nil {
			rollback(frozen, guard)
			return 0, &Error{Op: "freeze", Dir: m.Dir, Err: err}
		}
		ok, err := freezeOne(m.Dir, guard)
		if err != nil {
			rollback(frozen, guard)
			return 0, err
		}
		if ok {
			frozen = append(frozen, m)
		}
	}
	return len(frozen), nil
}

// freezeOne reports whether dir's filesystem was frozen by this call.
func freezeOne(dir string, guard Guard) (bool, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, &Error{Op: "open", Dir: dir, Err: err}
	}
	defer unix.Close(fd)
	if guard != nil {
		if err := guard(dir, fd); err != nil {
			return false, &Error{Op: "freeze", Dir: dir, Err: err}
		}
	}
	err = ioctl(fd, FIFREEZE)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.EBUSY):
		return false, nil
	}
	return false, &Error{Op: "freeze", Dir: dir, Err: err}
}

// rollback undoes this call's freezes, most recent first.
func rollback(frozen []mounts.Mount, guard Guard) {
	for _, m := range slices.Backward(frozen) {
		thawOne(m.Dir, guard)
	}
}

// Thaw thaws every filesystem in ms; see ThawWith.
func Thaw(ms []mounts.Mount) int { return ThawWith(ms, nil) }

// ThawWith walks ms in order and issues FITHAW on each mount directory until
// it fails (normally EINVAL, "not frozen"), which also undoes freezes made by
// other processes. It returns how many filesystems thawed at least once.
// Directories that cannot be opened are skipped silently.
func ThawWith(ms []mounts.Mount, guard Guard) int {
	n := 0
	for _, m := range ms {
		if thawOne(m.Dir, guard) {
			n++
		}
	}
	return n
}

func thawOne(dir string, guard Guard) bool {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	if guard != nil && guard(dir, fd) != nil {
		return false
	}
	thawed := false
	for ioctl(fd, FITHAW) == nil {
		thawed = true
	}
	return thawed
}

func ioctl(fd int, req uint) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), 0)
	if errno != 0 {
		return errno
	}
	return nil
}
