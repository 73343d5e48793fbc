//go:build faults

package faults

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
)

var stateFormat = regexp.MustCompile(`\A\[global\]\nfd_counter=(\d+)\n\z`)

// The core SIGKILLed under load: no plugin process outlives it by more
// than 2 s, and an agent restarted on the same socket path, state dir and
// runtime dir serves at once, handing out larger handle numbers.
func TestCoreKilledUnderLoad(t *testing.T) {
	dir := qgatest.TempDir(t)
	rt := filepath.Join(qgatest.TempDir(t), "rt")
	a := startAgent(t, agentConfig{dir: dir, runtime: rt})
	h := dial(t, a.Sock)
	core := a.Cmd.Process.Pid
	// Start every plugin (they start on first use) and take a handle.
	for _, m := range mix {
		h.call("{"+m.req+"}", 10*time.Second)
	}
	h.mustReturn(`{"execute": "guest-exec", "arguments": {"path": "/bin/true"}}`, 10*time.Second)
	data := filepath.Join(qgatest.TempDir(t), "data")
	if err := os.WriteFile(data, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	first, err := strconv.ParseInt(string(h.mustReturn(fmt.Sprintf(`{"execute": "guest-file-open", "arguments": {"path": %q}}`, data), 10*time.Second)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	plugins := map[int]string{}
	for _, p := range children(core) {
		plugins[p.pid] = p.name
	}
	running := map[string]bool{}
	for _, name := range plugins {
		running[name] = true
	}
	for _, f := range stormFamilies {
		if !running["qgad-plugin-"+f] {
			t.Errorf("plugin %s not running before the kill: %v", f, plugins)
		}
	}

	// Load: one request after the other with fresh ids, until the core
	// dies; the one in flight then is interrupted (the host sees its
	// connection fail), none is answered twice.
	var wg sync.WaitGroup
	var sent, received, interrupted int
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			req := fmt.Sprintf(`{"execute": %q, "id": %d}`, []string{"guest-ping", "guest-get-host-name", "guest-get-load", "guest-get-users"}[i%4], i)
			if err := h.send(req); err != nil {
				interrupted++
				return
			}
			r, err := h.read(10 * time.Second)
			if err != nil {
				interrupted++
				return
			}
			if string(r.ID) != strconv.Itoa(i) || r.Error != nil {
				t.Errorf("request %d: %s", i, r)
			}
			sent++
			received++
		}
	}()
	time.Sleep(time.Second)
	a.Cmd.Process.Kill()
	a.Cmd.Wait()
	killed := time.Now()
	wg.Wait()
	h.Close()
	if !waitFor(2*time.Second, func() bool {
		for pid := range plugins {
			if alive(pid) {
				return false
			}
		}
		return true
	}) {
		for pid, name := range plugins {
			if alive(pid) {
				t.Errorf("%s (pid %d) still runs 2 s after the core was killed", name, pid)
			}
		}
	}
	t.Logf("all %d plugin processes gone %s after the kill; %d requests answered before it, %d interrupted by it",
		len(plugins), time.Since(killed).Round(time.Millisecond), received, interrupted)
	if received == 0 {
		t.Errorf("no load before the kill")
	}

	// What the dead core left: its socket file (qemu-ga never removes it
	// either), plugin sockets in the runtime dir, the state file.
	if _, err := os.Stat(a.Sock); err != nil {
		t.Logf("socket file after the kill: %v", err)
	}
	if _, err := net.Dial("unix", a.Sock); err == nil {
		t.Errorf("the dead agent's socket still accepts")
	}
	stale, _ := filepath.Glob(filepath.Join(rt, "*"))
	t.Logf("stale entries in the runtime dir: %d", len(stale))
	if b, err := os.ReadFile(filepath.Join(dir, "qga.state")); err != nil || !stateFormat.Match(b) {
		t.Errorf("qga.state after the kill: %q, %v", b, err)
	}

	// Restart on the same paths.
	start := time.Now()
	a2 := startAgent(t, agentConfig{dir: dir, runtime: rt})
	h2 := dial(t, a2.Sock)
	defer h2.Close()
	h2.ping(5 * time.Second)
	for _, m := range mix {
		r := h2.call("{"+m.req+"}", 10*time.Second)
		if m.err == "" && r.Error != nil || m.err != "" && (r.Error == nil || r.Error.Desc != m.err) {
			t.Errorf("after the restart, %s: %s", m.req, r)
		}
	}
	next, err := strconv.ParseInt(string(h2.mustReturn(fmt.Sprintf(`{"execute": "guest-file-open", "arguments": {"path": %q}}`, data), 10*time.Second)), 10, 64)
	if err != nil || next <= first {
		t.Errorf("handle after the restart %d (before: %d): numbers must never repeat", next, first)
	}
	want := fmt.Sprintf("handle '%d' has not been found", first)
	if r := h2.call(fmt.Sprintf(`{"execute": "guest-file-read", "arguments": {"handle": %d}}`, first), 10*time.Second); r.Error == nil || r.Error.Desc != want {
		t.Errorf("a handle of the killed agent: %s, want %q", r, want)
	}
	t.Logf("restarted agent served everything %s after its start", time.Since(start).Round(time.Millisecond))
	report(t, "core-sigkill", 1, sent+h2.sent, received+h2.recv)
}
