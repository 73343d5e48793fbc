package fs

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/mounts"
	"github.com/qgad/qgad/internal/runner"
)

type trimArgs struct {
	Minimum *int64 `json:"minimum"`
}

// fitrimIoctl is FITRIM, _IOWR('X', 121, struct fstrim_range); x/sys/unix
// does not define it.
const fitrimIoctl = 0xC0185879

// fstrimRange is struct fstrim_range, which FITRIM reads and writes back.
type fstrimRange struct {
	Start  uint64
	Len    uint64
	Minlen uint64
}

// fstrim is guest-fstrim: FITRIM on every mount, last mounted first; per
// mount failures are reported in its entry, not as a command error.
func (f *family) fstrim(ctx context.Context, a trimArgs) (TrimResponse, error) {
	f.env.Log.Info("guest-fstrim called")
	ms, err := mounts.List(f.env.Root)
	if err != nil {
		return TrimResponse{}, err
	}
	var minimum uint64
	if a.Minimum != nil {
		minimum = uint64(*a.Minimum)
	}
	resp := TrimResponse{Paths: make([]TrimResult, 0, len(ms))}
	for i := len(ms) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return TrimResponse{}, fmt.Errorf("guest-fstrim: %w", err)
		}
		resp.Paths = append(resp.Paths, f.trimOne(ms[i].Dir, minimum))
	}
	return resp, nil
}

// trimOne trims the filesystem mounted on dir.
func (f *family) trimOne(dir string, minimum uint64) TrimResult {
	res := TrimResult{Path: dir}
	fail := func(msg string) TrimResult {
		res.Error = &msg
		return res
	}
	fd, err := unix.Open(f.env.Path(dir), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail("failed to open: " + runner.ErrText(err))
	}
	defer unix.Close(fd)
	r := fstrimRange{Start: 0, Len: ^uint64(0), Minlen: minimum}
	if err := f.fitrim(dir, fd, &r); err != nil {
		if errors.Is(err, unix.ENOTTY) || errors.Is(err, unix.EOPNOTSUPP) {
			return fail("trim not supported")
		}
		return fail("failed to trim: " + runner.ErrText(err))
	}
	trimmed, min := int64(r.Len), int64(r.Minlen)
	res.Trimmed, res.Minimum = &trimmed, &min
	return res
}

// fitrim issues FITRIM, unless dir is a fixture directory of a test root
// (see guard.go).
func (f *family) fitrim(dir string, fd int, r *fstrimRange) error {
	if !f.mountedInRoot(dir) {
		return unix.EPERM
	}
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), fitrimIoctl, uintptr(unsafe.Pointer(r)))
	if errno != 0 {
		return errno
	}
	return nil
}
