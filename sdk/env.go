package sdk

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// Environment variables through which the core configures a plugin process.
const (
	EnvRoot      = "QGAD_ROOT"     // root the family reads and acts on the system through
	EnvStateDir  = "QGAD_STATEDIR" // qemu-ga's state directory (-t)
	EnvOptPrefix = "QGAD_OPT_"     // family options: QGAD_OPT_<KEY>=value
)

// Env is what a family knows about the system it serves. Families read and
// act on the system through Root, so tests point them at fixtures.
type Env struct {
	Root     string // "/" in production
	StateDir string
	Options  map[string]string // family options from the core's config; use Option to read them
	Log      hclog.Logger
}

// EnvFromOS reads the Env the core passed in the process environment.
func EnvFromOS(log hclog.Logger) Env {
	e := Env{Root: os.Getenv(EnvRoot), StateDir: os.Getenv(EnvStateDir), Options: map[string]string{}, Log: log}
	if e.Root == "" {
		e.Root = "/"
	}
	if e.StateDir == "" {
		e.StateDir = "/var/run"
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, EnvOptPrefix) {
			e.Options[optionKey(strings.TrimPrefix(k, EnvOptPrefix))] = v
		}
	}
	if e.Log == nil {
		e.Log = hclog.NewNullLogger()
	}
	return e
}

// TestEnv returns an Env rooted at root for unit tests.
func TestEnv(root string) Env {
	return Env{Root: root, StateDir: root, Options: map[string]string{}, Log: hclog.NewNullLogger()}
}

// Path maps an absolute system path into the family's root.
func (e Env) Path(p string) string {
	if e.Root == "" || e.Root == "/" {
		return p
	}
	return filepath.Join(e.Root, p)
}

// Option returns a family option, or def when it is not set.
func (e Env) Option(key, def string) string {
	if v, ok := e.Options[optionKey(key)]; ok {
		return v
	}
	return def
}

// optionKey folds "hook-timeout", "HOOK_TIMEOUT" and "hook_timeout" into one
// key: option names travel through environment variable names.
func optionKey(k string) string {
	return strings.ToLower(strings.ReplaceAll(k, "-", "_"))
}
