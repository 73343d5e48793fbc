// Package exec is the guest-exec family: start a program in the guest, then
// poll its exit status and captured output (spec 2.7, 3.9).
package exec

import (
	"fmt"
	"strconv"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// Name is the family name.
const Name = "exec"

// Version is the family's version.
const Version = "1.0.0"

// DefaultMaxProcesses bounds the records not yet reported as exited.
const DefaultMaxProcesses = 1024

// family is one plugin instance's state.
type family struct {
	env       sdk.Env
	table     *table
	spawner   *spawner
	maxOutput int
}

// New builds the family. Option max-processes (default 1024) bounds the
// children whose exit has not been reported yet.
func New(env sdk.Env) (*sdk.Plugin, error) {
	limit, err := strconv.Atoi(env.Option("max-processes", strconv.Itoa(DefaultMaxProcesses)))
	if err != nil || limit < 1 {
		return nil, fmt.Errorf("exec: option max-processes must be a positive integer, got %q", env.Option("max-processes", ""))
	}
	f := &family{env: env, table: newTable(limit), spawner: newSpawner(), maxOutput: maxOutput}
	captureOutput := qapi.Alternate("GuestExecCaptureOutput", qapi.Bool,
		qapi.Enum("GuestExecCaptureOutputMode", "none", "stdout", "stderr", "separated", "merged"))
	guestExecStatus := qapi.Struct("GuestExecStatus",
		qapi.Req("exited", qapi.Bool),
		qapi.Opt("exitcode", qapi.Int),
		qapi.Opt("signal", qapi.Int),
		qapi.Opt("out-data", qapi.String),
		qapi.Opt("err-data", qapi.String),
		qapi.Opt("out-truncated", qapi.Bool),
		qapi.Opt("err-truncated", qapi.Bool),
	)
	return &sdk.Plugin{
		Name:    Name,
		Version: Version,
		Commands: []sdk.Command{
			{
				Name:    "guest-exec-status",
				Doc:     "Check the status of a process started by guest-exec; its record is dropped once reported as exited.",
				Args:    []qapi.Field{qapi.Req("pid", qapi.Int)},
				Returns: guestExecStatus,
				Run:     sdk.Handle(f.status),
			},
			{
				Name: "guest-exec",
				Doc:  "Start a program in the guest, optionally feeding stdin and capturing its output.",
				Args: []qapi.Field{
					qapi.Req("path", qapi.String),
					qapi.Opt("arg", qapi.List(qapi.String)),
					qapi.Opt("env", qapi.List(qapi.String)),
					qapi.Opt("input-data", qapi.String),
					qapi.Opt("capture-output", captureOutput),
				},
				Returns: qapi.Struct("GuestExec", qapi.Req("pid", qapi.Int)),
				Run:     sdk.Handle(f.exec),
			},
		},
		Close: f.close,
		Busy:  f.table.busy,
	}, nil
}

// close kills every child's process group: children do not outlive the
// plugin (see README), and nobody could collect their status anyway.
func (f *family) close() {
	for _, c := range f.table.all() {
		c.killGroup()
	}
	f.spawner.close()
}
