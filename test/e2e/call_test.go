package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/client"
)

// Helpers shared by the steps: calls through the session's client, and
// the guest's own view through the control port.

// callRaw runs a command and returns its raw "return" value.
func (g *guest) callRaw(ctx context.Context, t *testing.T, name string, args any) json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	raw, err := g.c.Call(ctx, name, args)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return raw
}

// call runs a command and decodes its return value into out.
func (g *guest) call(ctx context.Context, t *testing.T, name string, args, out any) json.RawMessage {
	t.Helper()
	raw := g.callRaw(ctx, t, name, args)
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s: decoding %s: %v", name, raw, err)
	}
	return raw
}

// callErr runs a command that must fail and returns the agent's error.
func (g *guest) callErr(ctx context.Context, t *testing.T, name string, args any) *client.Error {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	raw, err := g.c.Call(ctx, name, args)
	var qerr *client.Error
	if !errors.As(err, &qerr) {
		t.Fatalf("%s: want an error reply, got %s, %v", name, raw, err)
	}
	return qerr
}

// sh runs a command in the guest through the control port.
func (g *guest) sh(ctx context.Context, t *testing.T, cmd string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := g.ctl.Sh(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exec runs a program with guest-exec (capture-output true, the form 7.2
// understands too) and waits for it.
func (g *guest) exec(ctx context.Context, t *testing.T, path string, args ...string) *client.ExecStatus {
	t.Helper()
	var started struct {
		PID int64 `json:"pid"`
	}
	g.call(ctx, t, "guest-exec", map[string]any{"path": path, "arg": args, "capture-output": true}, &started)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var st client.ExecStatus
		raw := g.call(ctx, t, "guest-exec-status", map[string]int64{"pid": started.PID}, &st)
		if st.Exited {
			g.lastExecStatus = raw
			return &st
		}
		if time.Now().After(deadline) {
			t.Fatalf("guest-exec %s %v: still running after 30s", path, args)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// members decodes a JSON object's member names.
func members(t *testing.T, what string, raw json.RawMessage) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: not an object: %s", what, raw)
	}
	return m
}

// requireMembers reports the members of want that raw lacks.
func requireMembers(t *testing.T, what string, raw json.RawMessage, want ...string) {
	t.Helper()
	m := members(t, what, raw)
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: member %q missing in %s", what, k, raw)
		}
	}
}

// fields splits command output into lines of fields.
func fields(out string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			rows = append(rows, f)
		}
	}
	return rows
}

func atou(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("guest output: %q is not a number", s)
	}
	return n
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
