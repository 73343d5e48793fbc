package power

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// fakeRoot is a temporary system root holding fake programs that append
// their argv to a log, so tests see exactly what would have run.
type fakeRoot struct {
	dir string
	log string
}

func newFakeRoot(t *testing.T) *fakeRoot {
	t.Helper()
	dir := t.TempDir()
	return &fakeRoot{dir: dir, log: filepath.Join(t.TempDir(), "calls.log")}
}

// script installs an executable shell script at path (a system path such
// as /sbin/poweroff) whose body runs after the argv has been logged.
func (r *fakeRoot) script(t *testing.T, path, body string) {
	t.Helper()
	r.file(t, path, "#!/bin/sh\n"+
		`{ printf '%s' "${0##*/}"; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >> '`+r.log+"'\n"+
		body+"\n", 0o755)
}

// prog installs a fake that exits with exits[args joined by spaces], or def.
func (r *fakeRoot) prog(t *testing.T, path string, def int, exits map[string]int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("case \"$*\" in\n")
	for args, code := range exits {
		b.WriteString("'" + args + "') exit " + strconv.Itoa(code) + ";;\n")
	}
	b.WriteString("esac\nexit " + strconv.Itoa(def))
	r.script(t, path, b.String())
}

func (r *fakeRoot) file(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	full := filepath.Join(r.dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// calls returns the logged invocations, one "name [arg] [arg]" per run.
func (r *fakeRoot) calls(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(r.log)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func (r *fakeRoot) plugin(t *testing.T, opts map[string]string) *sdk.Plugin {
	t.Helper()
	env := sdk.TestEnv(r.dir)
	for k, v := range opts {
		env.Options[k] = v
	}
	p, err := New(env)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// call runs a command through the core's validation. These commands have no
// success response, so success is an empty result and a nil error.
func call(t *testing.T, p *sdk.Plugin, name, args string) *qapi.Error {
	t.Helper()
	res, err := p.Call(context.Background(), name, args)
	if err != nil {
		var qe *qapi.Error
		if !errors.As(err, &qe) {
			t.Fatalf("%s: %v", name, err)
		}
		return qe
	}
	if res != "" {
		t.Fatalf("%s answered %q on success; it must answer nothing", name, res)
	}
	return nil
}
