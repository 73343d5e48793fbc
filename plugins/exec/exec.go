package exec

import (
	"context"
	"fmt"
	"github.com/qgad/qgad/internal/glibb64"
	"os"
	"strings"
	"sync"
	"syscall"

	"github.com/qgad/qgad/plugins/exec/spawn"
	"github.com/qgad/qgad/qapi"
)

// execArgs are guest-exec's arguments.
type execArgs struct {
	Path          string    `json:"path"`
	Arg           []string  `json:"arg"`
	Env           *[]string `json:"env"` // nil: inherit; non-nil (even empty): the whole environment
	InputData     *string   `json:"input-data"`
	CaptureOutput any       `json:"capture-output"` // bool or GuestExecCaptureOutputMode
}

// execResult is GuestExec.
type execResult struct {
	PID int64 `json:"pid"`
}

// captureMode is GuestExecCaptureOutputMode.
type captureMode string

const (
	captureNone      captureMode = "none"
	captureStdout    captureMode = "stdout"
	captureStderr    captureMode = "stderr"
	captureSeparated captureMode = "separated"
	captureMerged    captureMode = "merged"
)

// parseCapture maps the alternate to a mode: absent or false is none, true
// is separated. The core has already checked the enum values.
func parseCapture(v any) captureMode {
	switch x := v.(type) {
	case bool:
		if x {
			return captureSeparated
		}
	case string:
		return captureMode(x)
	}
	return captureNone
}

func (f *family) exec(_ context.Context, a execArgs) (execResult, error) {
	var input []byte
	if a.InputData != nil {
		var err error
		if input, err = glibb64.Decode([]byte(*a.InputData)); err != nil {
			return execResult{}, err
		}
	}
	argv := append([]string{a.Path}, a.Arg...)
	var env []string
	if a.Env != nil {
		env = *a.Env
		if env == nil {
			env = []string{} // given but empty: an empty environment, not ours
		}
	}
	f.env.Log.Info(fmt.Sprintf("guest-exec called: \"%s\"", strings.Join(argv, " ")))

	if err := f.table.reserve(); err != nil {
		return execResult{}, err
	}
	c, err := f.start(argv, env, a.InputData != nil, input, parseCapture(a.CaptureOutput))
	if err != nil {
		f.table.release()
		return execResult{}, err
	}
	f.table.add(c)
	return execResult{PID: c.pid}, nil
}

// start spawns the child with qemu-ga's stdio (see stdio) and starts the
// goroutines that feed it, capture its output and reap it.
func (f *family) start(argv, env []string, hasInput bool, input []byte, mode captureMode) (*child, error) {
	sio, err := newStdio(hasInput, mode)
	if err != nil {
		return nil, err
	}
	attr := &os.ProcAttr{
		Env:   env, // nil: the plugin's environment
		Files: sio.files[:],
		Sys: &syscall.SysProcAttr{
			Setpgid:   true,            // so Close can kill what the child started too
			Pdeathsig: syscall.SIGKILL, // children die with the plugin (see README)
		},
	}
	dirs := spawn.Dirs(spawn.SearchPath(env))
	var proc *os.Process
	var startErr error
	err = f.spawner.do(func() { proc, startErr = spawn.Start(argv, dirs, attr) })
	sio.closeChildEnds() // the child has its own copies now
	if err == nil {
		err = startErr
	}
	if err != nil {
		sio.closeParentEnds()
		return nil, qapi.Errorf("%s", err.Error())
	}

	c := &child{pid: int64(proc.Pid), proc: proc, done: make(chan struct{})}
	var readers sync.WaitGroup
	if sio.outR != nil {
		c.out = &stream{}
		readers.Go(func() { capture(sio.outR, c.out, f.maxOutput) })
	}
	if sio.errR != nil {
		c.err = &stream{}
		readers.Go(func() { capture(sio.errR, c.err, f.maxOutput) })
	}
	if sio.inW != nil {
		go feed(sio.inW, input)
	}
	go c.watch(&readers)
	return c, nil
}
