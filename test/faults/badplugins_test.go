//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// coreRSSBoundKB bounds the core's resident memory while plugins misbehave:
// the core never holds a plugin's log or an oversized result.
const coreRSSBoundKB = 100 << 10

// A plugin writing error lines to stderr as fast as it can (and 1 MiB lines
// without a newline) does not slow the agent down or grow its memory.
func TestPluginLogFlood(t *testing.T) {
	dir := pluginDir(t, map[string]string{"org.qgad.test.flood": "logflood"})
	a := startAgent(t, agentConfig{pluginDir: dir})
	h := dial(t, a.Sock)
	defer h.Close()
	core := a.Cmd.Process.Pid

	var maxRSS int
	var slowest time.Duration
	var lastLines int64
	end := time.Now().Add(6 * time.Second)
	for i := 0; time.Now().Before(end); i++ {
		if d := h.ping(5 * time.Second); d > slowest {
			slowest = d
		}
		h.mustReturn(`{"execute": "guest-get-host-name"}`, 5*time.Second)
		if i%5 == 0 {
			var r struct {
				Lines int64 `json:"lines"`
			}
			if err := json.Unmarshal(h.mustReturn(`{"execute": "__org.qgad.test_flood"}`, 5*time.Second), &r); err != nil {
				t.Fatal(err)
			}
			if r.Lines < lastLines {
				t.Fatalf("flood plugin restarted: %d lines after %d", r.Lines, lastLines)
			}
			lastLines = r.Lines
		}
		maxRSS = max(maxRSS, memKB(t, core, "VmRSS"))
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("plugin wrote %d log lines; guest-ping slowest %s; core VmRSS max %d KiB", lastLines, slowest, maxRSS)
	if lastLines < 10000 {
		t.Errorf("the plugin wrote only %d lines: not a flood", lastLines)
	}
	if !a.Contains("flooding the log") {
		t.Errorf("the plugin's error lines do not reach the core's log")
	}
	if slowest > time.Second {
		t.Errorf("guest-ping took %s during the flood", slowest)
	}
	if maxRSS > coreRSSBoundKB {
		t.Errorf("core VmRSS reached %d KiB (bound %d KiB)", maxRSS, coreRSSBoundKB)
	}
	if !alive(core) {
		t.Fatalf("the agent exited")
	}
	report(t, "plugin-log-flood", 1, h.sent, h.recv)
}

// Results a plugin could send that the core must not pass on: each becomes
// a clear GenericError, the plugin stays up, and the agent keeps answering.
// Both transports are covered: the SDK's direct channel, and gRPC, which
// the core uses for plugins that do not take the direct channel (the test
// plugins ignore it when QGAD_TEST_GRPC_ONLY is set).
func TestPluginBadResults(t *testing.T) {
	for _, transport := range []string{"direct", "grpc"} {
		t.Run(transport, func(t *testing.T) { testPluginBadResults(t, transport) })
	}
}

func testPluginBadResults(t *testing.T, transport string) {
	dir := pluginDir(t, map[string]string{
		"org.qgad.test.malformed": "malformed",
		"org.qgad.test.oversized": "oversized",
	})
	env := map[string]string{}
	if transport == "grpc" {
		env["QGAD_TEST_GRPC_ONLY"] = "1"
	}
	a := startAgent(t, agentConfig{pluginDir: dir, env: env})
	h := dial(t, a.Sock)
	defer h.Close()
	core := a.Cmd.Process.Pid

	const bad = "plugin org.qgad.test.malformed answered "
	tests := []struct {
		command   string
		class     string
		desc      string // exact
		wantValue string // for a success
	}{
		{command: "__org.qgad.test_notjson", class: "GenericError",
			desc: bad + "__org.qgad.test_notjson with an invalid result (offset 1: 'n', want a member name)"},
		{command: "__org.qgad.test_utf8", class: "GenericError",
			desc: bad + "__org.qgad.test_utf8 with an invalid result (offset 4: byte 0xc3 in a string)"},
		{command: "__org.qgad.test_newline", class: "GenericError",
			desc: bad + "__org.qgad.test_newline with an invalid result (offset 2: byte 0x0a after the value)"},
		{command: "__org.qgad.test_class", class: "GenericError", desc: "caf\u00e9"},
		{command: "__org.qgad.test_latin1", class: "GenericError",
			desc: "plugin org.qgad.test.malformed could not send its answer to __org.qgad.test_latin1 (error while marshaling: string field contains invalid UTF-8)"},
		{command: "__org.qgad.test_oversized", class: "GenericError",
			desc: "plugin org.qgad.test.oversized answered __org.qgad.test_oversized with a result over the size limit"},
		{command: "__org.qgad.test_fine", wantValue: `{"fine": true}`},
		{command: "__org.qgad.test_small", wantValue: `{"data": "ok"}`},
	}
	// Plugins start on first use (plugin-idle-stop): call each once.
	h.mustReturn(`{"execute": "__org.qgad.test_fine"}`, 10*time.Second)
	h.mustReturn(`{"execute": "__org.qgad.test_small"}`, 10*time.Second)
	pids := map[string]int{}
	for _, fam := range []string{"org.qgad.test.malformed", "org.qgad.test.oversized"} {
		if pids[fam] = pluginPID(core, fam); pids[fam] == 0 {
			t.Fatalf("plugin %s not running", fam)
		}
		// A plugin serving the direct channel marks its fd 3 close-on-exec.
		if direct := fdCloexec(t, pids[fam], 3); direct != (transport == "direct") {
			t.Fatalf("plugin %s: direct channel in use = %v, want the %s transport", fam, direct, transport)
		}
	}
	maxRSS := 0
	for round := range 2 {
		for _, tt := range tests {
			r := h.call(`{"execute": "`+tt.command+`", "id": "`+tt.command+`"}`, 30*time.Second)
			if string(r.ID) != `"`+tt.command+`"` {
				t.Errorf("%s: response id %s", tt.command, r.ID)
			}
			switch {
			case tt.wantValue != "":
				if r.Error != nil || string(r.Return) != tt.wantValue {
					t.Errorf("%s: %s, want %s", tt.command, r, tt.wantValue)
				}
			case r.Error == nil || r.Error.Class != tt.class || r.Error.Desc != tt.desc:
				t.Errorf("%s (round %d): %s\nwant class %s desc %q", tt.command, round, r, tt.class, tt.desc)
			}
			h.ping(2 * time.Second)
			maxRSS = max(maxRSS, memKB(t, core, "VmRSS"))
		}
	}
	for fam, pid := range pids {
		if now := pluginPID(core, fam); now != pid {
			t.Errorf("plugin %s was restarted (pid %d, then %d): a bad answer is not a crash", fam, pid, now)
		}
	}
	t.Logf("core VmRSS max %d KiB, VmHWM %d KiB", maxRSS, memKB(t, core, "VmHWM"))
	if maxRSS > coreRSSBoundKB {
		t.Errorf("core VmRSS reached %d KiB (bound %d KiB)", maxRSS, coreRSSBoundKB)
	}
	report(t, "plugin-bad-results ("+transport+")", 2*7, h.sent, h.recv)
}

// fdCloexec tells whether descriptor fd of process pid is close-on-exec.
func fdCloexec(t *testing.T, pid, fd int) bool {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			flags, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
			if err != nil {
				t.Fatal(err)
			}
			return flags&syscall.O_CLOEXEC != 0
		}
	}
	t.Fatalf("no flags in fdinfo of %d/%d", pid, fd)
	return false
}

// A plugin that never answers go-plugin's handshake is killed after the
// start timeout (10 s) and tried again. guest-ping answers at once; a
// command whose family has not registered yet waits for plugin discovery,
// which a hanging plugin holds up no longer than the start timeout; after
// that every command answers at once while the bad plugin is still retried.
func TestPluginNoHandshake(t *testing.T) {
	t.Parallel()
	const startTimeout = 10 * time.Second
	dir := pluginDir(t, map[string]string{"org.qgad.test.silent": "nohandshake"})
	a := startAgent(t, agentConfig{pluginDir: dir})
	start := time.Now()
	h := dial(t, a.Sock)
	defer h.Close()
	core := a.Cmd.Process.Pid
	if d := h.ping(2 * time.Second); d > time.Second {
		t.Errorf("guest-ping took %s", d)
	}
	begin := time.Now()
	h.mustReturn(`{"execute": "guest-get-host-name"}`, 2*startTimeout)
	// The first guest-info may wait, bounded, for the plugins still
	// describing themselves; later calls must not.
	h.mustReturn(`{"execute": "guest-info"}`, 2*startTimeout)
	first := time.Since(begin)
	if first > startTimeout+2*time.Second {
		t.Errorf("the first built-in command took %s", first)
	}
	// At most one instance of the silent plugin at a time.
	silent := func() int {
		n := 0
		for _, p := range children(core) {
			if p.name == "qgad-plugin-org.qgad.test.silent" {
				n++
			}
		}
		return n
	}
	var slowest time.Duration
	for range 3 {
		for _, req := range []string{`{"execute": "guest-ping"}`, `{"execute": "guest-info"}`, `{"execute": "guest-get-host-name"}`, `{"execute": "guest-get-timezone"}`} {
			begin := time.Now()
			r := h.call(req, 2*startTimeout)
			if r.Error != nil {
				t.Errorf("%s: %s", req, r)
			}
			if strings.Contains(req, "guest-info") && !strings.Contains(string(r.Return), `"guest-get-host-name"`) {
				t.Errorf("guest-info lacks the built-in commands: %.300s", r.Return)
			}
			slowest = max(slowest, time.Since(begin))
		}
		if n := silent(); n > 1 {
			t.Errorf("%d instances of the silent plugin", n)
		}
		time.Sleep(time.Second)
	}
	if slowest > time.Second {
		t.Errorf("after discovery a command took %s", slowest)
	}
	if !waitFor(startTimeout, func() bool { return a.Contains("timeout while waiting for plugin to start") }) {
		t.Errorf("no log line says why the plugin failed:\n%s", a.Stderr())
	}
	if !a.Contains("org.qgad.test.silent") {
		t.Errorf("the log does not name the plugin")
	}
	t.Logf("first built-in command answered after %s; then slowest %s; test ran %s", first, slowest, time.Since(start))
	report(t, "plugin-no-handshake", 1, h.sent, h.recv)
}
