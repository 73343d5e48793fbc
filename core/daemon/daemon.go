// Package daemon implements qemu-ga's -d: the process goes to the
// background, holds a locked pid file, and leaves its parent to exit 0.
// Go cannot fork, so the agent re-executes itself with a marker variable;
// the parent waits until the child says it is ready (channel open), as
// qemu-ga 10.0+ daemonizes only after opening the channel.
package daemon

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

const envChild = "QGAD_DAEMON_CHILD"

// IsChild tells whether this process is the daemonized child.
func IsChild() bool { return os.Getenv(envChild) != "" }

// Spawn starts the child and waits for its readiness byte. It returns the
// exit status the parent should use.
func Spawn() int {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "daemonize: %v\n", err)
		return 1
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "daemonize: %v\n", err)
		return 1
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), envChild+"=3")
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stderr = os.Stderr // startup errors still reach the caller
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/"
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "daemonize: %v\n", err)
		return 1
	}
	w.Close()
	var b [1]byte
	if n, _ := r.Read(b[:]); n == 1 {
		return 0
	}
	// The child exited before it was ready.
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
	}
	return 1
}

// Ready tells the parent the child is serving, and detaches stdio.
func Ready() {
	if f := os.NewFile(3, "ready"); f != nil {
		f.Write([]byte{1})
		f.Close()
	}
	os.Unsetenv(envChild)
	if null, err := os.OpenFile("/dev/null", os.O_RDWR, 0); err == nil {
		for _, fd := range []int{0, 1, 2} {
			_ = unix.Dup2(int(null.Fd()), fd)
		}
		null.Close()
	}
}

// PidFile is a locked pid file, removed on Release.
type PidFile struct {
	path string
	f    *os.File
}

// WritePidFile creates the pid file 0600 and holds a write lock on it for
// the agent's life; another running instance makes this fail.
func WritePidFile(path string) (*PidFile, error) {
	old := unix.Umask(0o077)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	unix.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("Cannot open pid file, %w", err)
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0}
	if err := unix.FcntlFlock(f.Fd(), unix.F_SETLK, &lk); err != nil {
		f.Close()
		return nil, fmt.Errorf("Cannot lock pid file, %w", err)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("Failed to truncate pid file: %w", err)
	}
	if _, err := f.WriteString(strconv.Itoa(os.Getpid()) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("Failed to write pid file: %w", err)
	}
	return &PidFile{path: path, f: f}, nil
}

// Release removes the pid file.
func (p *PidFile) Release() {
	if p == nil {
		return
	}
	os.Remove(p.path)
	p.f.Close()
}
