// Package runner runs a helper program the way qemu-ga's common child runner
// does (shutdown, hwclock, chpasswd, the fsfreeze hook): a new session, stdin
// from the given input or /dev/null, stdout and stderr captured together, and
// qemu-ga's error texts. Unlike qemu-ga the wait is bounded by ctx.
package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/qgad/qgad/qapi"
)

// MaxOutput bounds the captured output kept for an error text; qemu-ga keeps
// all of it, but a runaway helper must not exhaust the plugin's memory.
const MaxOutput = 1 << 20

// Run runs argv[0] (an absolute path, or a name looked up in PATH) with
// argv[1:]. action completes qemu-ga's texts: "child process has failed to
// <action>: <output>". input, when non-nil, is written to the child's stdin.
func Run(ctx context.Context, argv []string, input []byte, action string) error {
	_, err := RunOutput(ctx, argv, input, action)
	return err
}

// RunOutput is Run that also returns the captured output on success.
func RunOutput(ctx context.Context, argv []string, input []byte, action string) ([]byte, error) {
	var out limitedBuffer
	out.limit = MaxOutput
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if input != nil {
		cmd.Stdin = bytes.NewReader(input)
	}
	// A new session, as qemu-ga does, also lets us kill the whole group on timeout.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// Don't wait forever for a background grandchild holding the pipe open.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		// qemu-ga's child prints this (perror style) and exits 1.
		msg := fmt.Sprintf("failed to exec '%s': %s\n", argv[0], errnoText(err))
		return nil, qapi.Errorf("child process has failed to %s: %s", action, msg)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return out.Bytes(), qapi.Errorf("child process has failed to %s: timed out after %s", action, deadlineText(ctx))
	}
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if err != nil && !errors.As(err, new(*exec.ExitError)) && !errors.Is(err, exec.ErrWaitDelay) {
		return out.Bytes(), qapi.Errorf("failed to wait for child (pid: %d): %v", cmd.Process.Pid, err)
	}
	switch {
	case ws.Signaled():
		if out.Len() > 0 {
			return out.Bytes(), qapi.Errorf("child process has terminated abnormally: %s", out.String())
		}
		return out.Bytes(), qapi.Errorf("child process has terminated abnormally")
	case ws.ExitStatus() != 0:
		if out.Len() > 0 {
			return out.Bytes(), qapi.Errorf("child process has failed to %s: %s", action, out.String())
		}
		return out.Bytes(), qapi.Errorf("child process has failed to %s: exit status %d", action, ws.ExitStatus())
	}
	return out.Bytes(), nil
}

func deadlineText(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "the deadline"
	}
	return "cancellation"
}

// errnoText gives glibc's strerror text for an exec failure.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return ErrnoText(errno)
	}
	if errors.Is(err, exec.ErrNotFound) {
		return "No such file or directory"
	}
	return err.Error()
}

// ErrnoText returns glibc's strerror(3) text: Go's texts are lower-case
// ("no such file or directory"); glibc capitalizes the first letter.
func ErrnoText(errno syscall.Errno) string {
	s := errno.Error()
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// ErrText returns strerror text for any error carrying an errno (os.PathError
// and friends), or the error's own text.
func ErrText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return ErrnoText(errno)
	}
	if errors.Is(err, os.ErrNotExist) {
		return "No such file or directory"
	}
	return err.Error()
}

type limitedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); room < len(p) {
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
