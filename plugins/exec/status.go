package exec

import (
	"context"
	"fmt"

	"github.com/qgad/qgad/qapi"
)

// statusArgs are guest-exec-status's arguments.
type statusArgs struct {
	PID int64 `json:"pid"`
}

// statusResult is GuestExecStatus, members in schema order.
type statusResult struct {
	Exited       bool   `json:"exited"`
	Exitcode     *int64 `json:"exitcode,omitempty"`
	Signal       *int64 `json:"signal,omitempty"`
	OutData      []byte `json:"out-data,omitempty"` // base64 on the wire; nil when empty
	ErrData      []byte `json:"err-data,omitempty"`
	OutTruncated *bool  `json:"out-truncated,omitempty"`
	ErrTruncated *bool  `json:"err-truncated,omitempty"`
}

func (f *family) status(_ context.Context, a statusArgs) (statusResult, error) {
	f.env.Log.Info(fmt.Sprintf("guest-exec-status called, pid: %d", a.PID))
	c, finished, ok := f.table.take(a.PID)
	if !ok {
		// qemu-ga 10.2 prints "PID ld does not exist" (a format bug); this
		// is the text its authors meant.
		return statusResult{}, qapi.Errorf("PID %d does not exist", a.PID)
	}
	if !finished {
		return statusResult{Exited: false}, nil
	}
	r := statusResult{Exited: true}
	switch {
	case !c.reaped:
		// wait failed: neither member, like a status that is neither
		// exited nor signaled in qemu-ga
	case c.status.Exited():
		code := int64(c.status.ExitStatus())
		r.Exitcode = &code
	case c.status.Signaled():
		sig := int64(c.status.Signal())
		r.Signal = &sig
	}
	// Since 10.2 the truncated flag accompanies exactly the data it
	// qualifies; empty output means neither member.
	if c.out != nil && len(c.out.data) > 0 {
		r.OutData, r.OutTruncated = c.out.data, &c.out.truncated
	}
	if c.err != nil && len(c.err.data) > 0 {
		r.ErrData, r.ErrTruncated = c.err.data, &c.err.truncated
	}
	return r, nil
}
