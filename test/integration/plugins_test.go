package integration

// The plugin system under faults, with real plugin processes: kill -9
// between calls and during a call, a hang past the call deadline, kill -9
// of the core, two plugins claiming one command, a binary that is not a
// plugin, a disabled family, and discovery of a third-party plugin.

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
)

// children returns the pids of processes whose parent is pid, by name.
func children(t *testing.T, pid int) map[string]int {
	t.Helper()
	out := map[string]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cpid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(stat)
		rest := s[strings.LastIndexByte(s, ')')+2:]
		fields := strings.Fields(rest)
		ppid, _ := strconv.Atoi(fields[1])
		if ppid != pid {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		name := filepath.Base(strings.SplitN(string(cmdline), "\x00", 2)[0])
		out[name] = cpid
	}
	return out
}

func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(stat)
	return s[strings.LastIndexByte(s, ')')+2] != 'Z'
}

func waitPlugin(t *testing.T, a *qgatest.Agent, family string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if pid, ok := children(t, a.Cmd.Process.Pid)["qgad-plugin-"+family]; ok {
			return pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("plugin %s not running", family)
	return 0
}

func TestPluginKilledBetweenCalls(t *testing.T) {
	a := qgatest.StartQgad(t)
	a.MustCall(t, "guest-get-host-name", "")
	pid := waitPlugin(t, a, "system")
	syscall.Kill(pid, syscall.SIGKILL)
	time.Sleep(100 * time.Millisecond)
	// guest-info during the restart keeps listing the commands, enabled.
	info := mustMarshal(a.MustCall(t, "guest-info", ""))
	if !strings.Contains(info, `{"enabled": true, "name": "guest-get-host-name", "success-response": true}`) {
		t.Errorf("guest-info after the kill: %s", info)
	}
	a.MustCall(t, "guest-get-host-name", "")
	if newPid := waitPlugin(t, a, "system"); newPid == pid {
		t.Errorf("plugin was not restarted")
	}
}

func TestPluginKilledDuringCall(t *testing.T) {
	a := qgatest.StartQgad(t)
	a.Call(t, "guest-exec-status", `{"pid": 1}`) // the plugin runs
	pid := waitPlugin(t, a, "exec")
	// Hold the plugin stopped so a call is surely in flight, then kill it.
	syscall.Kill(pid, syscall.SIGSTOP)
	done := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		syscall.Kill(pid, syscall.SIGKILL)
		close(done)
	}()
	_, qerr := a.Call(t, "guest-exec-status", `{"pid": 1}`)
	<-done
	if qerr == nil || qerr.Class != "GenericError" || !strings.Contains(qerr.Desc, "plugin exec") {
		t.Errorf("call in flight: %v", qerr)
	}
	v := a.MustCall(t, "guest-exec", `{"path": "/bin/true"}`)
	if get(t, v, "pid").(int64) <= 0 {
		t.Errorf("exec after restart: %v", v)
	}
}

func TestPluginHangPastDeadline(t *testing.T) {
	dir := qgatest.TempDir(t)
	conf := filepath.Join(dir, "qgad.conf")
	os.WriteFile(conf, []byte("[family:system]\ncall-timeout=1s\n"), 0o644)
	a := qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{Dir: dir}, "-c", conf)
	a.MustCall(t, "guest-get-host-name", "")
	pid := waitPlugin(t, a, "system")
	syscall.Kill(pid, syscall.SIGSTOP)
	start := time.Now()
	_, qerr := a.Call(t, "guest-get-host-name", "")
	if qerr == nil || !strings.Contains(qerr.Desc, "did not answer guest-get-host-name within 1s") {
		t.Errorf("hung call: %v", qerr)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("hung call took %s", d)
	}
	a.MustCall(t, "guest-get-host-name", "")
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if alive(pid) {
		t.Errorf("hung plugin %d was not killed", pid)
	}
}

func TestCoreKilledLeavesNoPlugins(t *testing.T) {
	a := qgatest.StartQgad(t, "--plugin-idle-stop=0")
	a.MustCall(t, "guest-info", "")
	kids := children(t, a.Cmd.Process.Pid)
	if len(kids) < 8 {
		t.Fatalf("expected 8 plugins, found %v", kids)
	}
	a.Cmd.Process.Kill()
	a.Cmd.Wait()
	deadline := time.Now().Add(2 * time.Second)
	for {
		var left []string
		for name, pid := range kids {
			if alive(pid) {
				left = append(left, name)
			}
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugins still running 2s after the core died: %v", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pluginDir makes a trusted plugin directory with the given links to the
// example plugin.
func pluginDir(t *testing.T, names ...string) string {
	t.Helper()
	dir := qgatest.TempDir(t)
	hello := qgatest.Bin(t, "examples/qgad-plugin-com.example.hello")
	for _, n := range names {
		if err := os.Symlink(hello, filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestThirdPartyPlugin(t *testing.T) {
	dir := pluginDir(t, "qgad-plugin-com.example.hello")
	a := qgatest.StartQgad(t, "--plugin-dir", dir)
	if got := a.Line(t, `{"execute": "__com.example_hello", "arguments": {"name": "host"}}`); got != `{"return": {"greeting": "Hello, host!"}}` {
		t.Errorf("got %s", got)
	}
	if got := a.Line(t, `{"execute": "__com.example_hello", "arguments": {"name": 5}}`); got != `{"error": {"class": "GenericError", "desc": "Invalid parameter type for 'name', expected: string"}}` {
		t.Errorf("got %s", got)
	}
	info := mustMarshal(a.MustCall(t, "guest-info", ""))
	if !strings.HasPrefix(info, `{"version": "1.0.0", "supported_commands": [{"enabled": true, "name": "__com.example_hello", "success-response": true}, {"enabled": true, "name": "guest-network-get-route"`) {
		t.Errorf("guest-info: %.300s", info)
	}
}

func TestDuplicateCommandIsAStartupError(t *testing.T) {
	dir := pluginDir(t, "qgad-plugin-a", "qgad-plugin-b")
	sdir := qgatest.TempDir(t)
	cmd := exec.Command(qgatest.Bin(t, "qgad"), "-m", "unix-listen", "-p", filepath.Join(sdir, "sock"), "-t", sdir, "--plugin-dir", dir)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "command __com.example_hello is provided by both plugin a and plugin b") {
		t.Errorf("output does not name both plugins:\n%s", out)
	}
}

func TestNotAPlugin(t *testing.T) {
	dir := qgatest.TempDir(t)
	bogus := filepath.Join(dir, "qgad-plugin-bogus")
	os.WriteFile(bogus, []byte("#!/bin/sh\necho hello, I am not a plugin\n"), 0o755)
	a := qgatest.StartQgad(t, "--plugin-dir", dir)
	a.MustCall(t, "guest-ping", "")
	a.MustCall(t, "guest-get-host-name", "")
	_, qerr := a.Call(t, "guest-info", "")
	if qerr != nil {
		t.Errorf("guest-info: %v", qerr)
	}
}

func TestDisabledFamily(t *testing.T) {
	a := qgatest.StartQgad(t, "--disable-family", "file")
	_, qerr := a.Call(t, "guest-file-open", `{"path": "x"}`)
	if qerr == nil || qerr.Desc != "Command guest-file-open has been disabled: the command is not allowed" {
		t.Errorf("got %v", qerr)
	}
	info := mustMarshal(a.MustCall(t, "guest-info", ""))
	if !strings.Contains(info, `{"enabled": false, "name": "guest-file-open", "success-response": true}`) {
		t.Errorf("guest-info: %s", info)
	}
	if _, running := children(t, a.Cmd.Process.Pid)["qgad-plugin-file"]; running {
		t.Errorf("a disabled family's plugin keeps running")
	}
}

func TestUntrustedPluginDir(t *testing.T) {
	dir := pluginDir(t, "qgad-plugin-com.example.hello")
	os.Chmod(dir, 0o777)
	a := qgatest.StartQgad(t, "--plugin-dir", dir)
	_, qerr := a.Call(t, "__com.example_hello", "")
	if qerr == nil || qerr.Class != "CommandNotFound" {
		t.Errorf("command of an untrusted plugin: %v", qerr)
	}
	if !strings.Contains(a.Stderr(), "writable by group or others") {
		t.Errorf("no log line saying why:\n%s", a.Stderr())
	}
}

func TestCoreAnswersWhilePluginsStart(t *testing.T) {
	dir := qgatest.TempDir(t)
	hello := qgatest.Bin(t, "examples/qgad-plugin-com.example.hello")
	slow := filepath.Join(dir, "qgad-plugin-slow")
	os.WriteFile(slow, []byte("#!/bin/sh\nsleep 1\nexec "+hello+"\n"), 0o755)
	a := qgatest.StartQgad(t, "--plugin-dir", dir)
	a.MustCall(t, "guest-ping", "")
	// Plugins start shortly after the channel opens: wait for the slow
	// one's shell wrapper, then ask again.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, ok := children(t, a.Cmd.Process.Pid)["sh"]; ok {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.MustCall(t, "guest-ping", "")
	a.MustCall(t, "guest-sync", `{"id": 1}`)
	// The answers came while the slow plugin was still its shell wrapper.
	if _, starting := children(t, a.Cmd.Process.Pid)["sh"]; !starting {
		t.Errorf("the core answered only after the slow plugin had started")
	}
	// The slow plugin's command waits for it instead of "not found".
	if got := a.Line(t, `{"execute": "__com.example_hello"}`); got != `{"return": {"greeting": "Hello, world!"}}` {
		t.Errorf("got %s", got)
	}
}

func TestIdlePluginsStopAndStartOnDemand(t *testing.T) {
	a := qgatest.StartQgad(t, "--plugin-idle-stop=1s")
	a.MustCall(t, "guest-info", "")
	// Described at startup, then stopped: an idle agent is one process.
	deadline := time.Now().Add(10 * time.Second)
	for len(children(t, a.Cmd.Process.Pid)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if kids := children(t, a.Cmd.Process.Pid); len(kids) > 0 {
		t.Fatalf("plugins still running at idle: %v", kids)
	}
	// A call starts its plugin; guest-info keeps listing every command.
	a.MustCall(t, "guest-get-host-name", "")
	if _, ok := children(t, a.Cmd.Process.Pid)["qgad-plugin-system"]; !ok {
		t.Error("the system plugin did not start on demand")
	}
	if info := mustMarshal(a.MustCall(t, "guest-info", "")); strings.Count(info, `"enabled": true`) != 43 {
		t.Errorf("guest-info with plugins stopped: %s", info)
	}
	// A plugin holding state is kept: an open file handle.
	h := a.MustCall(t, "guest-file-open", `{"path": "kept", "mode": "w"}`).(int64)
	time.Sleep(2500 * time.Millisecond)
	if _, ok := children(t, a.Cmd.Process.Pid)["qgad-plugin-file"]; !ok {
		t.Error("the file plugin was stopped with a handle open")
	}
	a.MustCall(t, "guest-file-close", `{"handle": `+itoa(h)+`}`)
}

// A plugin that moved a bulk transfer is stopped after a few seconds of
// quiet, not after the configured idle period: its heap grew to hold the
// data. Others keep the configured period.
func TestBulkPluginStopsSooner(t *testing.T) {
	a := qgatest.StartQgad(t, "--plugin-idle-stop=60s")
	a.MustCall(t, "guest-get-host-name", "")
	data := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("qgad"), 1<<18)) // 1 MiB
	h := a.MustCall(t, "guest-file-open", `{"path": "bulk", "mode": "w"}`).(int64)
	a.MustCall(t, "guest-file-write", `{"handle": `+itoa(h)+`, "buf-b64": "`+data+`"}`)
	a.MustCall(t, "guest-file-close", `{"handle": `+itoa(h)+`}`)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if _, ok := children(t, a.Cmd.Process.Pid)["qgad-plugin-file"]; !ok {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	kids := children(t, a.Cmd.Process.Pid)
	if _, ok := kids["qgad-plugin-file"]; ok {
		t.Error("the file plugin is still running 15 s after a bulk write")
	}
	if _, ok := kids["qgad-plugin-system"]; !ok {
		t.Error("the system plugin was stopped before its 60 s idle period")
	}
}
