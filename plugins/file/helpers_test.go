package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// testFamily is a family whose root is a temporary directory (client paths
// "/x" land in it) and whose state directory is another one.
type testFamily struct {
	*family
	p        *sdk.Plugin
	root     string
	stateDir string
}

func newTestFamily(t *testing.T) *testFamily {
	t.Helper()
	return newTestFamilyIn(t, t.TempDir(), t.TempDir())
}

func newTestFamilyIn(t *testing.T, root, stateDir string) *testFamily {
	t.Helper()
	env := sdk.TestEnv(root)
	env.StateDir = stateDir
	f, err := newFamily(env)
	if err != nil {
		t.Fatalf("newFamily: %v", err)
	}
	p := f.plugin()
	t.Cleanup(p.Close)
	return &testFamily{family: f, p: p, root: root, stateDir: stateDir}
}

// call runs a command the way the core would (validation included) and
// returns its serialized result or its error text (prefixed "error: ").
func (tf *testFamily) call(t *testing.T, name, args string) string {
	t.Helper()
	res, err := tf.result(name, args)
	if err != nil {
		t.Fatalf("%s %s: %v", name, args, err)
	}
	return res
}

// result is call for any goroutine: a failure that is not a GenericError
// comes back as err.
func (tf *testFamily) result(name, args string) (string, error) {
	res, err := tf.p.Call(context.Background(), name, args)
	if err != nil {
		var qe *qapi.Error
		if !errors.As(err, &qe) {
			return "", fmt.Errorf("not a QMP error: %w", err)
		}
		if qe.Class != qapi.ClassGeneric {
			return "", fmt.Errorf("class %s, want GenericError", qe.Class)
		}
		return "error: " + qe.Desc, nil
	}
	return res, nil
}

// step is one command of a scripted exchange and its expected answer:
// the exact result JSON, or "error: <desc>".
type step struct {
	cmd, args, want string
}

func (tf *testFamily) run(t *testing.T, steps []step) {
	t.Helper()
	for i, s := range steps {
		if got := tf.call(t, s.cmd, s.args); got != s.want {
			t.Fatalf("step %d: %s %s\n got: %s\nwant: %s", i, s.cmd, s.args, got, s.want)
		}
	}
}

// path is where a client path lands.
func (tf *testFamily) path(p string) string { return filepath.Join(tf.root, p) }

func writeFile(t *testing.T, path, data string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // whatever the umask
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// q quotes s as a JSON string (test data is ASCII without specials).
func q(s string) string {
	if strings.ContainsAny(s, "\"\\") {
		panic("q: unsupported string " + s)
	}
	return `"` + s + `"`
}

func benchEnv(b *testing.B) sdk.Env {
	env := sdk.TestEnv(b.TempDir())
	env.StateDir = b.TempDir()
	return env
}
