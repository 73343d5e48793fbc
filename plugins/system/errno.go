package system

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

// errnoOf returns the errno an operation failed with, or 0 when err carries
// none (qemu-ga then reports errno 0).
func errnoOf(err error) syscall.Errno {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return 0
}

// errorWithErrno builds a GenericError the way QEMU's error_setg_errno does:
// ": <strerror>" is appended only when errno is not 0.
func errorWithErrno(errno syscall.Errno, format string, args ...any) *qapi.Error {
	msg := fmt.Sprintf(format, args...)
	if errno != 0 {
		msg += ": " + runner.ErrnoText(errno)
	}
	return qapi.Errorf("%s", msg)
}
