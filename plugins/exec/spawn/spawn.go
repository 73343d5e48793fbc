// Package spawn starts programs the way glib's g_spawn_* functions do, which
// is how qemu-ga starts guest-exec children and its suspend helpers: the
// same PATH search, the same /bin/sh fallback for scripts without a "#!"
// line, and the same error texts, which clients see verbatim.
package spawn

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/qgad/qgad/internal/runner"
)

// DefaultPath is what glib searches when neither the child's environment
// nor the parent's has PATH.
const DefaultPath = "/bin:/usr/bin:."

// SearchPath returns the PATH glib searches with G_SPAWN_SEARCH_PATH |
// G_SPAWN_SEARCH_PATH_FROM_ENVP: the first PATH= entry of the child's
// environment env (nil when the child inherits the parent's), else the
// parent's PATH, else DefaultPath.
func SearchPath(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			return v
		}
	}
	if v, ok := os.LookupEnv("PATH"); ok {
		return v
	}
	return DefaultPath
}

// Dirs splits a PATH value into directories. Unlike filepath.SplitList it
// keeps empty elements ("" means the current directory, as in glib).
func Dirs(path string) []string {
	return strings.Split(path, ":")
}

// Error is a failure to start a child, with glib's text.
type Error struct {
	Argv0 string
	Errno syscall.Errno // 0 when Err carries no errno
	Err   error
}

func (e *Error) Error() string {
	reason := e.Err.Error()
	if e.Errno != 0 {
		reason = runner.ErrnoText(e.Errno)
	}
	return fmt.Sprintf("Failed to execute child process \u201c%s\u201d (%s)", e.Argv0, reason)
}

func (e *Error) Unwrap() error { return e.Err }

// NotFound reports whether err is glib's G_SPAWN_ERROR_NOENT, which qemu-ga
// treats as "helper not installed" rather than as a failure.
func NotFound(err error) bool {
	var se *Error
	return errors.As(err, &se) && se.Errno == syscall.ENOENT
}

// Start starts argv with attr. When argv[0] has no slash it is tried in each
// of dirs in order, as glib does: a directory where exec fails with EACCES,
// ENOENT, ENOTDIR, ESTALE, ENODEV or ETIMEDOUT is skipped, any other error
// ends the search, and EACCES is reported if no directory worked but one
// denied access. argv itself, including argv[0], is passed unchanged.
func Start(argv []string, dirs []string, attr *os.ProcAttr) (*os.Process, error) {
	file := argv[0]
	if file == "" {
		return nil, &Error{Argv0: file, Errno: syscall.ENOENT, Err: syscall.ENOENT}
	}
	if strings.Contains(file, "/") || dirs == nil {
		p, err := try(file, argv, attr)
		if err != nil {
			return nil, wrap(file, err)
		}
		return p, nil
	}
	var last error
	denied := false
	for _, dir := range dirs {
		name := file // an empty element means the current directory
		if dir != "" {
			name = strings.TrimSuffix(dir, "/") + "/" + file
		}
		p, err := try(name, argv, attr)
		if err == nil {
			return p, nil
		}
		last = err
		var errno syscall.Errno
		if !errors.As(err, &errno) {
			return nil, wrap(file, err)
		}
		switch errno {
		case syscall.EACCES:
			denied = true
		case syscall.ENOENT, syscall.ESTALE, syscall.ENOTDIR, syscall.ENODEV, syscall.ETIMEDOUT:
		default:
			return nil, wrap(file, err)
		}
	}
	if denied {
		last = syscall.EACCES
	}
	if last == nil {
		last = syscall.ENOENT
	}
	return nil, wrap(file, last)
}

// try execs name, falling back to "/bin/sh name args..." for a file the
// kernel cannot execute (a script without "#!"), as glib and execvp do.
func try(name string, argv []string, attr *os.ProcAttr) (*os.Process, error) {
	p, err := os.StartProcess(name, argv, attr)
	if err != nil && errors.Is(err, syscall.ENOEXEC) {
		sh := append([]string{"/bin/sh", name}, argv[1:]...)
		p, err = os.StartProcess("/bin/sh", sh, attr)
	}
	return p, err
}

func wrap(argv0 string, err error) error {
	e := &Error{Argv0: argv0, Err: err}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		e.Errno = errno
	}
	return e
}
