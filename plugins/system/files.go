package system

import (
	"io"
	"os"
	"path"
	"syscall"
)

// maxFileSize bounds what is read of a configuration file (os-release, a
// zone file): they are a few KiB, and QGA_OS_RELEASE or TZ may name
// anything (/dev/zero must not exhaust the plugin's memory).
const maxFileSize = 1 << 20

// readFile reads a system file through the root, as glib reads it with
// g_file_get_contents or g_mapped_file_new, with two guards: a file that is
// not regular (a device, a FIFO) reads as empty without blocking, and one
// larger than maxFileSize is an error (EFBIG). Under a test root, final
// symlinks with absolute targets (/etc/localtime ->
// /usr/share/zoneinfo/...) are resolved inside the root, not on the host.
func (f *family) readFile(p string) ([]byte, error) {
	if !f.live() {
		for range 40 {
			target, err := os.Readlink(f.env.Path(p))
			if err != nil {
				break
			}
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(p), target)
			}
			p = target
		}
	}
	file, err := os.OpenFile(f.env.Path(p), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case st.IsDir():
		return nil, &os.PathError{Op: "read", Path: p, Err: syscall.EISDIR}
	case !st.Mode().IsRegular():
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(file, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = &os.PathError{Op: "read", Path: p, Err: syscall.EFBIG}
	}
	return data, err
}
