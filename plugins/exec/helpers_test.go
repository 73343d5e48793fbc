package exec

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// newPlugin builds the family with the given options and closes it (killing
// leftover children) when the test ends.
func newPlugin(t *testing.T, opts map[string]string) *sdk.Plugin {
	t.Helper()
	env := sdk.TestEnv(t.TempDir())
	for k, v := range opts {
		env.Options[k] = v
	}
	p, err := New(env)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// call runs a command through the same validation as the core and returns
// the raw result, or the QMP error.
func call(t *testing.T, p *sdk.Plugin, name string, args any) (string, *qapi.Error) {
	t.Helper()
	var a string
	switch x := args.(type) {
	case nil:
	case string:
		a = x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatalf("marshal args: %v", err)
		}
		a = string(b)
	}
	res, err := p.Call(context.Background(), name, a)
	if err != nil {
		var qe *qapi.Error
		if errors.As(err, &qe) {
			return "", qe
		}
		t.Fatalf("%s %s: %v", name, a, err)
	}
	return res, nil
}

// mustCall is call that fails the test on a QMP error.
func mustCall(t *testing.T, p *sdk.Plugin, name string, args any) string {
	t.Helper()
	res, qe := call(t, p, name, args)
	if qe != nil {
		t.Fatalf("%s %v: unexpected error %s: %s", name, args, qe.Class, qe.Desc)
	}
	return res
}

// status is a decoded GuestExecStatus.
type status struct {
	Exited       bool    `json:"exited"`
	Exitcode     *int64  `json:"exitcode"`
	Signal       *int64  `json:"signal"`
	OutData      *string `json:"out-data"`
	ErrData      *string `json:"err-data"`
	OutTruncated *bool   `json:"out-truncated"`
	ErrTruncated *bool   `json:"err-truncated"`
	raw          string
}

func (s status) out(t *testing.T) []byte { return decode(t, s.OutData) }
func (s status) err(t *testing.T) []byte { return decode(t, s.ErrData) }

func decode(t *testing.T, s *string) []byte {
	t.Helper()
	if s == nil {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(*s)
	if err != nil {
		t.Fatalf("bad base64 %q: %v", *s, err)
	}
	return b
}

// start runs guest-exec and returns the pid.
func start(t *testing.T, p *sdk.Plugin, args any) int64 {
	t.Helper()
	var r struct {
		PID int64 `json:"pid"`
	}
	if err := json.Unmarshal([]byte(mustCall(t, p, "guest-exec", args)), &r); err != nil {
		t.Fatalf("guest-exec result: %v", err)
	}
	if r.PID <= 0 {
		t.Fatalf("guest-exec pid = %d, want > 0", r.PID)
	}
	return r.PID
}

// getStatus runs guest-exec-status once.
func getStatus(t *testing.T, p *sdk.Plugin, pid int64) status {
	t.Helper()
	raw := mustCall(t, p, "guest-exec-status", map[string]any{"pid": pid})
	var s status
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatalf("guest-exec-status result %q: %v", raw, err)
	}
	s.raw = raw
	return s
}

// wait polls guest-exec-status until exited, like test-qga's loop (but with
// a longer deadline for loaded CI machines).
func wait(t *testing.T, p *sdk.Plugin, pid int64) status {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := getStatus(t, p, pid)
		if s.Exited {
			return s
		}
		if s.Exitcode != nil || s.Signal != nil || s.OutData != nil || s.ErrData != nil {
			t.Fatalf("unfinished status carries more than exited: %s", s.raw)
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d did not exit in time", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// run is start + wait.
func run(t *testing.T, p *sdk.Plugin, args any) status {
	t.Helper()
	return wait(t, p, start(t, p, args))
}

// zombieChildren lists this process's children in state Z.
func zombieChildren(t *testing.T) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatalf("reading /proc: %v", err)
	}
	me := os.Getpid()
	var zs []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...; comm may contain spaces and parens.
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		var state string
		var ppid int
		if _, err := fmt.Sscan(rest, &state, &ppid); err != nil {
			t.Fatalf("parsing /proc/%d/stat: %v", pid, err)
		}
		if ppid == me && state == "Z" {
			zs = append(zs, pid)
		}
	}
	return zs
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func intp(v int64) *int64 { return &v }

func newEnv(t *testing.T) sdk.Env { return sdk.TestEnv(t.TempDir()) }
