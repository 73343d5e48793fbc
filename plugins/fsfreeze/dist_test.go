package fsfreeze

// Tests of the shipped hook (dist/fsfreeze-hook) and its sample script, run
// with sh in temp dirs: no real log file, syslog or database is touched.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// installHook copies dist/fsfreeze-hook into a temp dir with an empty
// fsfreeze-hook.d next to it.
func installHook(t *testing.T) (hook, dir string) {
	t.Helper()
	base := t.TempDir()
	b, err := os.ReadFile("dist/fsfreeze-hook")
	if err != nil {
		t.Fatal(err)
	}
	hook = filepath.Join(base, "fsfreeze-hook")
	if err := os.WriteFile(hook, b, 0o755); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(base, "fsfreeze-hook.d")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return hook, dir
}

// runSh runs a script with sh and the given environment (plus PATH and
// LC_ALL=C, so glob order is byte order); it must finish within 20s.
func runSh(t *testing.T, env []string, argv ...string) (string, int) {
	t.Helper()
	return runShell(t, []string{"sh"}, env, argv...)
}

// shells the hook must work with: Debian's sh (dash) and bash in POSIX mode.
var shells = [][]string{{"sh"}, {"bash", "--posix"}}

func runShell(t *testing.T, shell, env []string, argv ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, shell[0], append(shell[1:], argv...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C"}, env...)
	cmd.Stdin = nil
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("sh %v did not finish: %s", argv, out.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("sh %v: %v", argv, err)
	}
	return out.String(), code
}

func writeScript(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), mode); err != nil {
		t.Fatal(err)
	}
}

func TestHookScriptRunsDirectory(t *testing.T) {
	for _, sh := range shells {
		t.Run(strings.Join(sh, " "), func(t *testing.T) { testHookScriptRunsDirectory(t, sh) })
	}
}

func testHookScriptRunsDirectory(t *testing.T, sh []string) {
	hook, dir := installHook(t)
	record := filepath.Join(t.TempDir(), "record")
	recorder := `echo "$(basename "$0") $# $*" >>'` + record + `'`
	writeScript(t, filepath.Join(dir, "20-second"), recorder, 0o755)
	writeScript(t, filepath.Join(dir, "10-first.sh"), recorder+"; echo first says hello", 0o755)
	writeScript(t, filepath.Join(dir, "30-fails"), recorder+"; echo broken >&2; exit 7", 0o755)
	writeScript(t, filepath.Join(dir, "40-last"), recorder, 0o755)
	writeScript(t, filepath.Join(dir, "15-not-executable"), recorder, 0o644)
	if err := os.Mkdir(filepath.Join(dir, "25-a-directory"), 0o755); err != nil {
		t.Fatal(err)
	}
	skippedSuffixes := []string{"~", ".bak", ".orig", ".rpmnew", ".rpmorig", ".rpmsave", ".sample",
		".dpkg-old", ".dpkg-new", ".dpkg-tmp", ".dpkg-dist", ".dpkg-bak", ".dpkg-backup", ".dpkg-remove"}
	for _, s := range skippedSuffixes {
		writeScript(t, filepath.Join(dir, "20-second"+s), recorder, 0o755)
	}
	log := filepath.Join(t.TempDir(), "hook.log")

	for _, arg := range []string{"freeze", "thaw"} {
		out, code := runShell(t, sh, []string{"QGA_FSFREEZE_HOOK_LOG=" + log}, hook, arg)
		if code != 0 || out != "" {
			t.Errorf("hook %s: exit %d, output %q; want 0 and nothing", arg, code, out)
		}
	}
	b, _ := os.ReadFile(record)
	want := []string{
		"10-first.sh 1 freeze", "20-second 1 freeze", "30-fails 1 freeze", "40-last 1 freeze",
		"10-first.sh 1 thaw", "20-second 1 thaw", "30-fails 1 thaw", "40-last 1 thaw",
	}
	if got := strings.Split(strings.TrimSpace(string(b)), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("scripts ran as\n%q\nwant\n%q", got, want)
	}
	logText, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"executing " + dir + "/10-first.sh freeze", "first says hello", "broken",
		"error: " + dir + "/30-fails thaw exited with status 7"} {
		if !strings.Contains(string(logText), s) {
			t.Errorf("log lacks %q:\n%s", s, logText)
		}
	}
}

func TestHookScriptSyslogFallback(t *testing.T) {
	for _, sh := range shells {
		t.Run(strings.Join(sh, " "), func(t *testing.T) { testHookScriptSyslogFallback(t, sh) })
	}
}

func testHookScriptSyslogFallback(t *testing.T, sh []string) {
	hook, dir := installHook(t)
	writeScript(t, filepath.Join(dir, "10-talk"), `echo "talking $1"; exit 2`, 0o755)
	// A fake logger(1) first in PATH records its arguments and input.
	bin := t.TempDir()
	syslog := filepath.Join(t.TempDir(), "syslog")
	writeScript(t, filepath.Join(bin, "logger"), `{ echo "ARGS $*"; cat; } >>'`+syslog+`'`, 0o755)
	unwritable := filepath.Join(t.TempDir(), "no", "such", "dir", "hook.log")
	out, code := runShell(t, sh, []string{"QGA_FSFREEZE_HOOK_LOG=" + unwritable, "PATH=" + bin + ":" + os.Getenv("PATH")}, hook, "freeze")
	if code != 0 || out != "" {
		t.Errorf("hook: exit %d, output %q", code, out)
	}
	b, _ := os.ReadFile(syslog)
	got := string(b)
	for _, s := range []string{"ARGS -t qemu-ga-freeze-hook", "executing " + dir + "/10-talk freeze", "talking freeze",
		"exited with status 2"} {
		if !strings.Contains(got, s) {
			t.Errorf("syslog lacks %q:\n%s", s, got)
		}
	}
	if _, err := os.Stat(unwritable); err == nil {
		t.Error("log file created in a missing directory")
	}
}

func TestHookScriptWithoutDirectory(t *testing.T) {
	hook, dir := installHook(t)
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "hook.log")
	if out, code := runSh(t, []string{"QGA_FSFREEZE_HOOK_LOG=" + log}, hook, "thaw"); code != 0 || out != "" {
		t.Errorf("hook without fsfreeze-hook.d: exit %d, output %q", code, out)
	}
}

// TestMySQLSample installs the sample through the hook, with a fake mysql
// client that records the SQL it receives and answers the lock probe.
func TestMySQLSample(t *testing.T) {
	hook, dir := installHook(t)
	sample, err := os.ReadFile("dist/fsfreeze-hook.d/mysql-flush.sh.sample")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mysql-flush.sh"), sample, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	sqlLog := filepath.Join(tmp, "sql")
	fakeMySQL := filepath.Join(tmp, "mysql")
	writeScript(t, fakeMySQL, `echo "ARGS $*" >>'`+sqlLog+`'
while IFS= read -r line; do
	echo "$line" >>'`+sqlLog+`'
	[ "$line" = "SELECT 'qga-locked';" ] && echo qga-locked
done
echo EOF >>'`+sqlLog+`'`, 0o755)
	state := filepath.Join(tmp, "state")
	env := []string{"QGA_FSFREEZE_HOOK_LOG=" + filepath.Join(tmp, "hook.log"), "MYSQL=" + fakeMySQL,
		"MYSQL_FLUSH_STATE=" + state, "MYSQL_FLUSH_TIMEOUT=10"}

	if out, code := runSh(t, env, hook, "freeze"); code != 0 || out != "" {
		t.Fatalf("freeze: exit %d, output %q", code, out)
	}
	// The client holds the lock after the hook returned.
	pidText, err := os.ReadFile(filepath.Join(state, "client.pid"))
	if err != nil {
		t.Fatalf("no client pid after freeze: %v", err)
	}
	pid := parsePid(t, pidText)
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("lock-holding client %d is gone after freeze: %v", pid, err)
	}
	if out, code := runSh(t, env, hook, "thaw"); code != 0 || out != "" {
		t.Fatalf("thaw: exit %d, output %q", code, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("client %d still running after thaw", pid)
	}
	b, _ := os.ReadFile(sqlLog)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	want := []string{"FLUSH TABLES WITH READ LOCK;", "SELECT 'qga-locked';", "UNLOCK TABLES;"}
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "ARGS ") || !reflect.DeepEqual(lines[1:4], want) {
		t.Errorf("client saw %q, want ARGS then %q", lines, want)
	}
	if _, err := os.Stat(state); err == nil {
		t.Error("state dir left behind after thaw")
	}
}

func parsePid(t *testing.T, b []byte) int {
	t.Helper()
	var pid int
	for _, c := range strings.TrimSpace(string(b)) {
		if c < '0' || c > '9' {
			t.Fatalf("bad pid %q", b)
		}
		pid = pid*10 + int(c-'0')
	}
	return pid
}
