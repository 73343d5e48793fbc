package system

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Low-level file access with qemu-ga's system calls (open with O_DIRECTORY,
// openat, pread, pwrite), so that failures carry the same errno.

// openDir opens a directory as qemu-ga's open(path, O_RDONLY|O_DIRECTORY).
func openDir(path string) (int, error) {
	return retry(func() (int, error) {
		return unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
}

// openAt opens name relative to the directory dirfd.
func openAt(dirfd int, name string, flags int) (int, error) {
	return retry(func() (int, error) {
		return unix.Openat(dirfd, name, flags|unix.O_CLOEXEC, 0)
	})
}

func pread(fd int, buf []byte) (int, error) {
	return retry(func() (int, error) { return unix.Pread(fd, buf, 0) })
}

func pwrite(fd int, buf []byte) (int, error) {
	return retry(func() (int, error) { return unix.Pwrite(fd, buf, 0) })
}

// retry repeats a call interrupted by a signal: the Go runtime's signals
// must not turn into errors qemu-ga would never report.
func retry(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// readSysfsFile is qemu-ga's ga_read_sysfs_file: reads up to len(buf) bytes
// of dir/name. The error is qemu-ga's text; errno is what errno holds
// afterwards (0 for an empty file), which callers test against ENOENT.
func readSysfsFile(dirfd int, name string, buf []byte) (n int, errno syscall.Errno, err error) {
	fd, err := openAt(dirfd, name, unix.O_RDONLY)
	if err != nil {
		errno = errnoOf(err)
		return 0, errno, errorWithErrno(errno, "open sysfs file \"%s\"", name)
	}
	defer unix.Close(fd)
	n, err = pread(fd, buf)
	switch {
	case err != nil:
		errno = errnoOf(err)
		return 0, errno, errorWithErrno(errno, "pread sysfs file \"%s\"", name)
	case n == 0:
		return 0, 0, errorWithErrno(0, "pread sysfs file \"%s\": unexpected EOF", name)
	}
	return n, 0, nil
}

// writeSysfsFile is qemu-ga's ga_write_sysfs_file.
func writeSysfsFile(dirfd int, name string, data []byte) (syscall.Errno, error) {
	fd, err := openAt(dirfd, name, unix.O_WRONLY)
	if err != nil {
		errno := errnoOf(err)
		return errno, errorWithErrno(errno, "open sysfs file \"%s\"", name)
	}
	defer unix.Close(fd)
	if _, err := pwrite(fd, data); err != nil {
		errno := errnoOf(err)
		return errno, errorWithErrno(errno, "pwrite sysfs file \"%s\"", name)
	}
	return 0, nil
}
