package client

import (
	"context"
	"fmt"
	"time"
)

// The exec family.

// CaptureMode is guest-exec's capture-output.
type CaptureMode string

// Capture modes.
const (
	CaptureNone      CaptureMode = "none"      // both streams to /dev/null (the default)
	CaptureSeparated CaptureMode = "separated" // out-data and err-data
	CaptureMerged    CaptureMode = "merged"    // stderr into out-data
	CaptureStdout    CaptureMode = "stdout"    // only stdout
	CaptureStderr    CaptureMode = "stderr"    // only stderr
)

// ExecRequest are guest-exec's arguments.
type ExecRequest struct {
	Path string   // program; searched in PATH when it has no slash
	Args []string // arguments after the program name
	// Env, when not nil, is the program's whole environment (even empty);
	// nil inherits the agent's.
	Env []string
	// Input, when not nil, is written to the program's stdin (else
	// /dev/null).
	Input   []byte
	Capture CaptureMode // "" = the agent's default, none
}

// Exec runs guest-exec and returns the program's pid, for ExecStatus.
func (c *Client) Exec(ctx context.Context, req ExecRequest) (int64, error) {
	args := map[string]any{"path": req.Path}
	if req.Args != nil {
		args["arg"] = req.Args
	}
	if req.Env != nil {
		args["env"] = req.Env
	}
	if req.Input != nil {
		args["input-data"] = req.Input
	}
	if req.Capture != "" {
		args["capture-output"] = req.Capture
	}
	r, err := call[struct {
		PID int64 `json:"pid"`
	}](ctx, c, "guest-exec", args)
	return r.PID, err
}

// ExecStatus runs guest-exec-status. Once it reports Exited, the agent
// forgets the pid.
func (c *Client) ExecStatus(ctx context.Context, pid int64) (*ExecStatus, error) {
	return call[*ExecStatus](ctx, c, "guest-exec-status", map[string]int64{"pid": pid})
}

// ExecWait runs a program with guest-exec and polls guest-exec-status until
// it has exited (or ctx ends), starting at 10 ms between polls and backing
// off to poll.
func (c *Client) ExecWait(ctx context.Context, req ExecRequest, poll time.Duration) (*ExecStatus, error) {
	if poll <= 0 {
		poll = 200 * time.Millisecond
	}
	pid, err := c.Exec(ctx, req)
	if err != nil {
		return nil, err
	}
	wait := 10 * time.Millisecond
	for {
		st, err := c.ExecStatus(ctx, pid)
		if err != nil {
			return nil, err
		}
		if st.Exited {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for pid %d: %w", pid, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, poll)
	}
}
