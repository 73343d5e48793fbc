package fsfreeze

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/freeze/freezetest"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// fixture is a family rooted at a temp dir whose mount table lists only
// loop-mounted ext4 images inside that dir (see freezetest): the family
// cannot reach any other filesystem, and its InsideRoot guard double-checks.
type fixture struct {
	base  string   // the family's root and the test's temp dir
	mnts  []string // loop mount points, in mount-table order
	env   sdk.Env
	p     *sdk.Plugin
	calls string // file the test hooks append "<argc> <args>" to
}

// newFixture mounts the named loop filesystems and builds the family.
// A mount listed as "!name" is listed in the table but not created.
func newFixture(t *testing.T, names ...string) *fixture {
	t.Helper()
	f := &fixture{base: t.TempDir()}
	var lines []string
	for _, n := range names {
		if gone, ok := strings.CutPrefix(n, "!"); ok {
			dir := filepath.Join(f.base, gone)
			lines = append(lines, freezetest.Line(7, 250, dir, "ext4", "/dev/loop250"))
			f.mnts = append(f.mnts, dir)
			continue
		}
		dir := freezetest.LoopFS(t, f.base, n)
		lines = append(lines, freezetest.RealLine(t, dir))
		f.mnts = append(f.mnts, dir)
	}
	freezetest.WriteMountinfo(t, f.base, f.base, lines...)
	f.calls = filepath.Join(t.TempDir(), "hook-calls")
	f.env = sdk.TestEnv(f.base)
	f.env.StateDir = filepath.Join(f.base, "state")
	if err := os.Mkdir(f.env.StateDir, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// start builds (or rebuilds, as after an agent restart) the family.
func (f *fixture) start(t *testing.T) *sdk.Plugin {
	t.Helper()
	p, err := New(f.env)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.p = p
	return p
}

// hook installs a hook script: it records its arguments, then runs body.
func (f *fixture) hook(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fsfreeze-hook")
	script := "#!/bin/sh\necho \"$# $*\" >>'" + f.calls + "'\n" + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	setOption(f.env, OptHook, path)
	return path
}

// setOption stores an option the way the core's environment delivers it
// (QGAD_OPT_HOOK_TIMEOUT): upper-case with underscores is folded by Option.
func setOption(env sdk.Env, key, value string) {
	env.Options[strings.ToLower(strings.ReplaceAll(key, "-", "_"))] = value
}

// hookCalls returns what the hook recorded, one "<argc> <args>" per call.
func (f *fixture) hookCalls(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(f.calls)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func (f *fixture) marker() string { return filepath.Join(f.env.StateDir, MarkerName) }

// call runs a command through the core's validation and serialization and
// returns the serialized result or the QMP error text.
func (f *fixture) call(t *testing.T, name, args string) (string, string) {
	t.Helper()
	return call(t, f.p, name, args)
}

func call(t *testing.T, p *sdk.Plugin, name, args string) (string, string) {
	t.Helper()
	res, err := p.Call(context.Background(), name, args)
	if err != nil {
		var qe *qapi.Error
		if !errors.As(err, &qe) {
			t.Fatalf("%s %s: non-QMP error %v", name, args, err)
		}
		if qe.Class != qapi.ClassGeneric {
			t.Errorf("%s %s: class %s, want GenericError", name, args, qe.Class)
		}
		return "", qe.Desc
	}
	return res, ""
}

// mustCall is call that fails on an error and checks the result.
func (f *fixture) mustCall(t *testing.T, name, args, want string) {
	t.Helper()
	res, e := f.call(t, name, args)
	if e != "" || res != want {
		t.Fatalf("%s %s = %q, error %q; want %q", name, args, res, e, want)
	}
}

// checkState checks the family's status, the marker file and which
// filesystems are frozen (by index into f.mnts; missing mounts are skipped).
func (f *fixture) checkState(t *testing.T, wantStatus string, wantFrozen ...bool) {
	t.Helper()
	f.mustCall(t, "guest-fsfreeze-status", "", `"`+wantStatus+`"`)
	_, err := os.Stat(f.marker())
	if hasMarker := err == nil; hasMarker != (wantStatus == "frozen") {
		t.Errorf("marker present = %v with status %s", hasMarker, wantStatus)
	}
	for i, want := range wantFrozen {
		if got := freezetest.IsFrozen(t, f.mnts[i]); got != want {
			t.Errorf("%s frozen = %v, want %v", f.mnts[i], got, want)
		}
	}
}
