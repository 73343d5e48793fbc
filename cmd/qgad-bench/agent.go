package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// spec is one agent under test: a binary started as
// BIN -m unix-listen -p DIR/sock -t DIR ARGS....
type spec struct {
	Name string
	Bin  string
	Args []string
}

// agent is a running agent process in its own temporary directory.
type agent struct {
	spec
	dir     string
	sock    string
	cmd     *exec.Cmd
	stderr  *tailBuffer
	started time.Time // just before the process was started
	done    chan struct{}
	waitErr error
	// hungOnTerm is set when SIGTERM did not end the agent (see stop).
	hungOnTerm bool
}

// startAgent starts s in a new directory under base; it does not wait for
// the socket.
func startAgent(s spec, base string) (*agent, error) {
	dir, err := os.MkdirTemp(base, "qga-bench-")
	if err != nil {
		return nil, fmt.Errorf("temp dir for %s: %w", s.Name, err)
	}
	a := &agent{spec: s, dir: dir, sock: filepath.Join(dir, "sock"), stderr: &tailBuffer{max: 64 << 10}, done: make(chan struct{})}
	argv := append([]string{"-m", "unix-listen", "-p", a.sock, "-t", dir}, s.Args...)
	a.cmd = exec.Command(s.Bin, argv...)
	a.cmd.Dir = dir
	// An agent must not outlive an interrupted benchmark.
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	a.cmd.Stdout = a.stderr
	a.cmd.Stderr = a.stderr
	a.started = time.Now()
	if err := a.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s: %w", s.Name, err)
	}
	go func() {
		a.waitErr = a.cmd.Wait()
		close(a.done)
	}()
	return a, nil
}

func (a *agent) pid() int { return a.cmd.Process.Pid }

// dial connects to the agent's socket, retrying until it exists. The retry
// interval is short because start-up time is measured through it.
func (a *agent) dial(ctx context.Context) (*conn, error) {
	for {
		c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: a.sock, Net: "unix"})
		if err == nil {
			return newConn(c), nil
		}
		select {
		case <-a.done:
			return nil, fmt.Errorf("%s exited before accepting a connection (%v): %s", a.Name, a.waitErr, a.stderr.String())
		case <-ctx.Done():
			return nil, fmt.Errorf("connecting to %s: %w (last error %v)", a.Name, ctx.Err(), err)
		case <-time.After(200 * time.Microsecond):
		}
	}
}

// stop ends the agent with SIGTERM and removes its directory.
//
// qemu-ga 7.2 can deadlock in its SIGTERM handler (it calls
// g_main_loop_quit, which takes the main context's lock, from the signal
// handler) when the signal lands while its main loop is busy, e.g. right
// after a reply. So the agent gets a moment to go back to poll first, and
// one that still hangs is killed after termTimeout; only a failed exit is
// an error.
func (a *agent) stop() error {
	defer os.RemoveAll(a.dir)
	select {
	case <-a.done:
		return fmt.Errorf("%s had exited: %v: %s", a.Name, a.waitErr, a.stderr.String())
	default:
	}
	time.Sleep(20 * time.Millisecond)
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
		var ee *exec.ExitError
		if errors.As(a.waitErr, &ee) {
			return fmt.Errorf("%s exited with %v after SIGTERM: %s", a.Name, a.waitErr, a.stderr.String())
		}
		return nil
	case <-time.After(termTimeout):
		_ = a.cmd.Process.Kill()
		<-a.done
		a.hungOnTerm = true
		return nil
	}
}

const termTimeout = 3 * time.Second

// tailBuffer keeps the first max bytes an agent writes (its start-up
// errors), for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if room := t.max - len(t.b); room > 0 {
		t.b = append(t.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
