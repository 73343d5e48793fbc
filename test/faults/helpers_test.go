//go:build faults

// Package faults drives a running bin/qgad through faults, floods and
// hostile input and checks each outcome. Run it with `make faults`; each
// fault prints a report line:
//
//	fault <name>: faults injected N, requests sent S, responses received R, lost: 0
package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
)

// agentConfig is what a test starts qgad with.
type agentConfig struct {
	dir       string            // state dir and socket dir ("" = new temp dir)
	runtime   string            // --runtime-dir ("" = new temp dir)
	conf      string            // qgad.conf content ("" = none)
	pluginDir string            // extra --plugin-dir
	args      []string          // more arguments
	env       map[string]string // extra environment
}

// startAgent starts bin/qgad on a unix socket with its plugin sockets in a
// private runtime directory (never the machine's /run/qgad), without
// connecting.
func startAgent(t *testing.T, c agentConfig) *qgatest.Agent {
	t.Helper()
	if c.dir == "" {
		c.dir = qgatest.TempDir(t)
	}
	if c.runtime == "" {
		c.runtime = filepath.Join(qgatest.TempDir(t), "rt")
	}
	args := []string{"--runtime-dir", c.runtime}
	if c.conf != "" {
		conf := filepath.Join(qgatest.TempDir(t), "qgad.conf")
		if err := os.WriteFile(conf, []byte(c.conf), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-c", conf)
	}
	if c.pluginDir != "" {
		args = append(args, "--plugin-dir", c.pluginDir)
	}
	var env []string
	if len(c.env) > 0 {
		env = os.Environ()
		for k, v := range c.env {
			env = append(env, k+"="+v)
		}
	}
	return qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{Dir: c.dir, NoConnect: true, Env: env}, append(args, c.args...)...)
}

// reportLines collects the report lines, printed again at the end.
var reportLines struct {
	sync.Mutex
	lines []string
}

// report prints a fault's report line and fails the test on a loss.
func report(t *testing.T, name string, injected, sent, received int) {
	t.Helper()
	line := fmt.Sprintf("fault %s: faults injected %d, requests sent %d, responses received %d, lost: %d",
		name, injected, sent, received, sent-received)
	t.Log(line)
	reportLines.Lock()
	reportLines.lines = append(reportLines.lines, line)
	reportLines.Unlock()
	if sent != received {
		t.Errorf("%s: %d responses lost", name, sent-received)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtPlugins != "" {
		os.RemoveAll(builtPlugins)
	}
	reportLines.Lock()
	fmt.Println("fault report:")
	for _, l := range reportLines.lines {
		fmt.Println("  " + l)
	}
	reportLines.Unlock()
	os.Exit(code)
}

// buildPlugins builds the test plugins under testplugins/ once into a
// trusted directory (0700, root's) and returns it.
var buildPlugins = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "qgad-testplugins")
	if err != nil {
		return "", err
	}
	builtPlugins = dir
	for _, name := range []string{"logflood", "oversized", "malformed", "nohandshake"} {
		out := filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-o", out, "./testplugins/"+name)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("building %s: %v\n%s", name, err, b)
		}
	}
	return dir, nil
})

// pluginDir makes a trusted plugin directory holding the named test
// plugins as qgad-plugin-<family> links.
func pluginDir(t *testing.T, plugins map[string]string) string {
	t.Helper()
	built, err := buildPlugins()
	if err != nil {
		t.Fatal(err)
	}
	dir := qgatest.TempDir(t)
	for family, name := range plugins {
		if err := os.Symlink(filepath.Join(built, name), filepath.Join(dir, "qgad-plugin-"+family)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
