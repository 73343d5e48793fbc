package power

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/qgad/qgad/plugins/exec/spawn"
	"github.com/qgad/qgad/qapi"
)

// helperResult is how a suspend helper ended.
type helperResult struct {
	notFound bool  // not installed: counts as "unsupported", never as an error
	err      error // could not be started, or did not finish in time
	signaled bool
	signal   syscall.Signal
	code     int // exit status when neither of the above
}

// exited reports a normal exit with the given status.
func (r helperResult) exited(codes ...int) bool {
	if r.notFound || r.err != nil || r.signaled {
		return false
	}
	for _, c := range codes {
		if r.code == c {
			return true
		}
	}
	return false
}

// helperDirs is where helpers are looked up. In production that is PATH,
// as with glib's G_SPAWN_SEARCH_PATH; under a test root only the root's own
// bin directories, so a test can never reach the machine's systemctl.
func (f *family) helperDirs() []string {
	if f.env.Root == "" || f.env.Root == "/" {
		return spawn.Dirs(spawn.SearchPath(nil))
	}
	return []string{f.env.Path("/usr/bin"), f.env.Path("/bin"), f.env.Path("/usr/sbin"), f.env.Path("/sbin")}
}

// runHelper runs a helper like qemu-ga's run_process_child (glib's
// g_spawn_sync with stdio on /dev/null), bounded by the family's timeout.
func (f *family) runHelper(ctx context.Context, argv ...string) helperResult {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return helperResult{err: fmt.Errorf("opening %s: %w", os.DevNull, err)}
	}
	proc, err := spawn.Start(argv, f.helperDirs(), &os.ProcAttr{
		Files: []*os.File{null, null, null},
		Sys:   &syscall.SysProcAttr{Setpgid: true}, // so a timeout kills what it started too
	})
	_ = null.Close()
	if err != nil {
		if spawn.NotFound(err) {
			return helperResult{notFound: true}
		}
		return helperResult{err: qapi.Errorf("failed to create child process, error '%s'", err)}
	}
	exited := make(chan error, 1)
	go func() { exited <- spawn.WaitExit(proc.Pid) }()
	var timedOut bool
	select {
	case <-exited:
	case <-ctx.Done():
		// Not reaped yet, so the group id is still this child's.
		_ = syscall.Kill(-proc.Pid, syscall.SIGKILL)
		<-exited
		timedOut = true
	}
	state, err := proc.Wait()
	switch {
	case timedOut:
		return helperResult{err: qapi.Errorf("the helper program '%s' did not finish within %s", strings.Join(argv, " "), f.timeout)}
	case err != nil:
		return helperResult{err: qapi.Errorf("failed to wait for child (pid: %d): %v", proc.Pid, err)}
	}
	ws, _ := state.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return helperResult{signaled: true, signal: ws.Signal()}
	}
	return helperResult{code: ws.ExitStatus()}
}

// action runs a suspend program and turns its end into qemu-ga's error
// texts; name is how qemu-ga names it ("systemctl suspend", "pm-suspend").
func (f *family) action(ctx context.Context, name string, argv ...string) error {
	r := f.runHelper(ctx, argv...)
	switch {
	case r.notFound:
		return qapi.Errorf("the helper program '%s' was not found", name)
	case r.err != nil:
		return r.err
	case r.signaled:
		// qemu-ga reads the status with WEXITSTATUS only and so takes a
		// killed helper for a successful one; a kill is a failure here.
		return qapi.Errorf("the helper program '%s' was terminated by signal %d", name, int(r.signal))
	case r.code != 0:
		return qapi.Errorf("the helper program '%s' returned an unexpected exit status code (%d)", name, r.code)
	}
	return nil
}
