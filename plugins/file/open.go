package file

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

type openArgs struct {
	Path string  `json:"path"`
	Mode *string `json:"mode"`
}

// newFileMode is what a created file gets, whatever the umask.
const newFileMode = 0o666

// modeFlags maps the fopen(3) mode strings qemu-ga accepts (and only those)
// to open(2) flags; "b" means nothing on Linux.
func modeFlags(mode string) (int, bool) {
	switch mode {
	case "r", "rb":
		return syscall.O_RDONLY, true
	case "w", "wb":
		return syscall.O_WRONLY | syscall.O_CREAT | syscall.O_TRUNC, true
	case "a", "ab":
		return syscall.O_WRONLY | syscall.O_CREAT | syscall.O_APPEND, true
	case "r+", "rb+", "r+b":
		return syscall.O_RDWR, true
	case "w+", "wb+", "w+b":
		return syscall.O_RDWR | syscall.O_CREAT | syscall.O_TRUNC, true
	case "a+", "ab+", "a+b":
		return syscall.O_RDWR | syscall.O_CREAT | syscall.O_APPEND, true
	}
	return 0, false
}

func (f *family) open(_ context.Context, a openArgs) (int64, error) {
	mode := "r"
	if a.Mode != nil {
		mode = *a.Mode
	}
	f.log.Info(fmt.Sprintf("guest-file-open called, filepath: %s, mode: %s", a.Path, mode))
	fd, err := f.openFile(a.Path, mode)
	if err != nil {
		return 0, err
	}
	id, err := f.ids.take()
	if err != nil {
		_ = syscall.Close(fd)
		return 0, err
	}
	f.files.add(id, fd)
	f.log.Info(fmt.Sprintf("guest-file-open, handle: %d", id))
	return id, nil
}

// openFile opens path as qemu-ga does. O_NONBLOCK keeps a FIFO or device
// from hanging the agent; a creating mode first tries O_EXCL so that only a
// file we created gets its mode set (0666, regardless of the umask), and an
// existing file is reopened without O_CREAT, its mode untouched.
func (f *family) openFile(path, mode string) (int, error) {
	flags, ok := modeFlags(mode)
	if !ok {
		return -1, qapi.Errorf("invalid file open mode '%s'", mode)
	}
	flags |= syscall.O_NOCTTY | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	p := f.resolve(path)
	created := flags&syscall.O_CREAT != 0
	var fd int
	var err error
	if created {
		fd, err = openRetry(p, flags|syscall.O_EXCL)
		if err == syscall.EEXIST {
			created = false
			fd, err = openRetry(p, flags&^syscall.O_CREAT)
		}
	} else {
		fd, err = openRetry(p, flags)
	}
	if err != nil {
		return -1, qapi.Errorf("failed to open file '%s' (mode: '%s'): %s", path, mode, runner.ErrText(err))
	}
	if created {
		if err := f.fchmod(fd, newFileMode); err != nil {
			_ = syscall.Close(fd)
			_ = syscall.Unlink(p)
			return -1, qapi.Errorf("failed to set permission 0%03o on new file '%s' (mode: '%s'): %s", newFileMode, path, mode, runner.ErrText(err))
		}
	}
	return fd, nil
}

// resolve maps a client path into the family's root. Relative paths stay
// relative to the plugin's working directory, which is the core's, as in
// qemu-ga.
func (f *family) resolve(path string) string {
	if filepath.IsAbs(path) {
		return f.env.Path(path)
	}
	return path
}

// openRetry is open(2) with mode 0 (a created file is fchmod'ed later),
// retried on EINTR.
func openRetry(path string, flags int) (int, error) {
	for {
		fd, err := syscall.Open(path, flags, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
