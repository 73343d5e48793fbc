package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/freeze/freezetest"
	"github.com/qgad/qgad/internal/qgatest"
)

// qgactl is the binary under test, built from this package's source (not
// bin/qgactl, which could be stale).
func qgactl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "qgactl")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type result struct {
	stdout, stderr string
	code           int
}

// runCtl runs qgactl with args and optional stdin, as a user would.
func runCtl(t *testing.T, bin, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "QGACTL_SOCKET=")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// startAgent starts bin/qgad and hangs up the harness's own connection:
// the agent serves one client at a time, and qgactl is the next.
func startAgent(t *testing.T, args ...string) *qgatest.Agent {
	t.Helper()
	a := qgatest.StartQgad(t, append(args, "--runtime-dir", filepath.Join(qgatest.TempDir(t), "rt"))...)
	a.C.Close()
	return a
}

// Every subcommand against a real agent on this machine (read-only, or in
// a temp dir).
func TestSubcommands(t *testing.T) {
	bin := qgactl(t)
	a := startAgent(t)
	dir := t.TempDir()
	remote := filepath.Join(dir, "remote.txt")
	if err := os.WriteFile(filepath.Join(dir, "local.txt"), []byte("local data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	s := a.Sock
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string // exact, or a prefix when it ends in "…"
		stderr string
	}{
		{"ping", "", []string{"-s", s, "ping"}, 0, "ok\n", ""},
		{"ping json", "", []string{"-s", s, "ping", "--json"}, 0, "{}\n", ""},
		{"info", "", []string{"-s", s, "info"}, 0, "version 1.0.0, 43 commands, 43 enabled\n\nCOMMAND …", ""},
		{"exec", "", []string{"-s", s, "exec", "--", "sh", "-c", "echo out; echo err >&2; exit 3"}, 3, "out\n", "err\n"},
		{"exec merged", "", []string{"-s", s, "exec", "--merged", "--", "sh", "-c", "echo out; echo err >&2"}, 0, "out\nerr\n", ""},
		{"exec stdin", "to the guest\n", []string{"-s", s, "exec", "--stdin", "--", "cat"}, 0, "to the guest\n", ""},
		{"exec env", "", []string{"-s", s, "exec", "--env", "A=1", "--env", "B=2", "--", "/usr/bin/env"}, 0, "A=1\nB=2\n", ""},
		{"exec signal", "", []string{"-s", s, "exec", "--", "sh", "-c", "kill -TERM $$"}, 128 + 15, "", "qgactl: the program was killed by signal 15\n"},
		{"exec missing", "", []string{"-s", s, "exec", "--", "/nonexistent/prog"}, 1, "", "qgactl: GenericError: Failed to execute child process \u201c/nonexistent/prog\u201d (No such file or directory)\n"},
		{"put", "", []string{"-s", s, "put", filepath.Join(dir, "local.txt"), remote}, 0, "", ""},
		{"cat", "", []string{"-s", s, "cat", remote}, 0, "local data\n", ""},
		{"put stdin json", "from stdin", []string{"-s", s, "--json", "put", "-", remote}, 0, fmt.Sprintf(`{"bytes":10,"path":%q}`+"\n", remote), ""},
		{"cat again", "", []string{"-s", s, "cat", remote}, 0, "from stdin", ""},
		{"cat missing", "", []string{"-s", s, "cat", filepath.Join(dir, "nope")}, 1, "", "qgactl: GenericError: failed to open file '" + filepath.Join(dir, "nope") + "' (mode: 'r'): No such file or directory\n"},
		{"fsinfo", "", []string{"-s", s, "fsinfo"}, 0, "MOUNTPOINT  …", ""},
		{"raw name", "", []string{"-s", s, "guest-get-host-name"}, 0, `{"return": {"host-name": "` + host + "\"}}\n", ""},
		{"raw name args", "", []string{"-s", s, "-a", `{"id": 42}`, "guest-sync"}, 0, "{\"return\": 42}\n", ""},
		{"raw args after", "", []string{"-s", s, "guest-sync", "-a", `{"id": 43}`}, 0, "{\"return\": 43}\n", ""},
		{"raw json", "", []string{"-s", s, `{"execute": "guest-sync", "arguments": {"id": 7}, "id": "x"}`}, 0, "{\"return\": 7, \"id\": \"x\"}\n", ""},
		{"raw error", "", []string{"-s", s, "guest-pong"}, 1, `{"error": {"class": "CommandNotFound", "desc": "The command guest-pong has not been found"}}` + "\n", ""},
		{"no socket", "", []string{"ping"}, 2, "", "qgactl: no socket: give -s SOCK or set QGACTL_SOCKET\n"},
		{"unknown", "", []string{"-s", s, "frobnicate"}, 2, "", "qgactl: unknown subcommand \"frobnicate\" (commands of the agent start with guest-)\n"},
		{"cat usage", "", []string{"-s", s, "cat"}, 2, "", "usage: qgactl cat PATH\n…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCtl(t, bin, tt.stdin, tt.args...)
			if r.code != tt.code || !matches(r.stdout, tt.stdout) || !matches(r.stderr, tt.stderr) {
				t.Errorf("qgactl %q: exit %d\nstdout %q\nstderr %q\nwant exit %d, stdout %q, stderr %q",
					tt.args, r.code, r.stdout, r.stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

func matches(got, want string) bool {
	if prefix, ok := strings.CutSuffix(want, "…"); ok {
		return strings.HasPrefix(got, prefix)
	}
	return got == want
}

// --json output is the agent's result, for scripts.
func TestJSONOutput(t *testing.T) {
	bin := qgactl(t)
	a := startAgent(t)
	r := runCtl(t, bin, "", "-s", a.Sock, "--json", "info")
	var info struct {
		Version  string `json:"version"`
		Commands []struct {
			Name string `json:"name"`
		} `json:"supported_commands"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || info.Version != "1.0.0" || len(info.Commands) != 43 {
		t.Errorf("info --json: %q (%v)", r.stdout, err)
	}
	r = runCtl(t, bin, "", "-s", a.Sock, "--json", "exec", "--", "printf", "x")
	var st struct {
		Exited   bool   `json:"exited"`
		ExitCode int    `json:"exitcode"`
		OutData  []byte `json:"out-data"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || !st.Exited || st.ExitCode != 0 || string(st.OutData) != "x" {
		t.Errorf("exec --json: %q (%v)", r.stdout, err)
	}
	r = runCtl(t, bin, "", "-s", a.Sock, "--json", "fsinfo")
	var fs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &fs); err != nil || len(fs) == 0 || fs[0]["mountpoint"] == nil {
		t.Errorf("fsinfo --json: %q (%v)", r.stdout, err)
	}
}

// freeze and thaw on a real filesystem: a loop-mounted image in a fixture
// root whose mount table lists only it, so nothing of this machine can be
// frozen.
func TestFreezeThaw(t *testing.T) {
	bin := qgactl(t)
	root := qgatest.TempDir(t)
	mnt := freezetest.LoopFS(t, root, "data")
	freezetest.WriteMountinfo(t, root, root, freezetest.RealLine(t, mnt))
	a := startAgent(t, "--sysroot", root)
	s := a.Sock

	steps := []struct {
		args   []string
		stdout string
		frozen bool
	}{
		{[]string{"-s", s, "freeze"}, "frozen: 1 filesystems (thaw with: qgactl thaw)\n", true},
		{[]string{"-s", s, "guest-fsfreeze-status"}, "{\"return\": \"frozen\"}\n", true},
		{[]string{"-s", s, "thaw"}, "thawed: 1 filesystems\n", false},
		{[]string{"-s", s, "--json", "freeze", mnt}, "1\n", true},
		{[]string{"-s", s, "--json", "thaw"}, "1\n", false},
		{[]string{"-s", s, "freeze", filepath.Join(root, "elsewhere")}, "frozen: 0 filesystems (thaw with: qgactl thaw)\n", false},
	}
	for _, st := range steps {
		r := runCtl(t, bin, "", st.args...)
		if r.code != 0 || r.stdout != st.stdout {
			t.Fatalf("qgactl %q: exit %d, stdout %q, stderr %q; want %q", st.args, r.code, r.stdout, r.stderr, st.stdout)
		}
		if got := freezetest.IsFrozen(t, mnt); got != st.frozen {
			t.Fatalf("after qgactl %q: frozen %v, want %v", st.args, got, st.frozen)
		}
	}
}

// The progress bar of large transfers is drawn on stderr only when that is
// a terminal: run under script(1), which gives qgactl a pseudo-terminal.
func TestProgressOnTerminal(t *testing.T) {
	bin := qgactl(t)
	a := startAgent(t)
	dir := t.TempDir()
	local := filepath.Join(dir, "big")
	if err := os.WriteFile(local, bytes.Repeat([]byte("x"), 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	remote := filepath.Join(dir, "copy")

	plain := runCtl(t, bin, "", "-s", a.Sock, "put", local, remote)
	if plain.code != 0 || plain.stderr != "" {
		t.Fatalf("put without a terminal: exit %d, stderr %q", plain.code, plain.stderr)
	}
	cmd := fmt.Sprintf("%s -s %s put %s %s", bin, a.Sock, local, remote)
	out, err := exec.Command("script", "-qec", cmd, "/dev/null").CombinedOutput()
	if err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("\r"+remote+" [")) || !bytes.Contains(out, []byte("] 100% 3.0 MiB/3.0 MiB")) {
		t.Errorf("no progress bar on the terminal:\n%q", out)
	}
	// cat to a file while stderr is a terminal: the bar is drawn there.
	cmd = fmt.Sprintf("%s -s %s cat %s > %s", bin, a.Sock, remote, filepath.Join(dir, "back"))
	out, err = exec.Command("script", "-qec", cmd, "/dev/null").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("100% 3.0 MiB/3.0 MiB")) {
		t.Errorf("cat: no progress bar (%v):\n%q", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "back")); len(b) != 3<<20 {
		t.Errorf("cat copied %d bytes", len(b))
	}
}

// The completion scripts parse, and bash completes subcommands, agent
// commands and flags.
func TestCompletion(t *testing.T) {
	bin := qgactl(t)
	bash := runCtl(t, bin, "", "completion", "bash")
	if bash.code != 0 {
		t.Fatalf("completion bash: %+v", bash)
	}
	script := filepath.Join(t.TempDir(), "qgactl.bash")
	if err := os.WriteFile(script, []byte(bash.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		words string
		want  string
	}{
		{"qgactl -s sock fs", "fsinfo"},
		{"qgactl gu", "guest-exec"},
		{"qgactl guest-get-os", "guest-get-osinfo"},
		{"qgactl --j", "--json"},
		{"qgactl exec --st", "--stdin"},
		{"qgactl completion z", "zsh"},
	}
	for _, tt := range tests {
		probe := fmt.Sprintf(`source %q; COMP_WORDS=(%s); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _qgactl; printf '%%s\n' "${COMPREPLY[@]}"`, script, tt.words)
		out, err := exec.Command("bash", "-c", probe).CombinedOutput()
		if err != nil || !strings.Contains("\n"+string(out), "\n"+tt.want+"\n") {
			t.Errorf("completing %q: %v\n%s\nwant %s", tt.words, err, out, tt.want)
		}
	}
	zsh := runCtl(t, bin, "", "completion", "zsh")
	if zsh.code != 0 || !strings.HasPrefix(zsh.stdout, "#compdef qgactl\n") {
		t.Fatalf("completion zsh: %+v", zsh)
	}
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Fatal("zsh is missing: apt-get install zsh")
	}
	cmd := exec.Command("zsh", "-n")
	cmd.Stdin = strings.NewReader(zsh.stdout)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("zsh -n: %v\n%s", err, out)
	}
	if r := runCtl(t, bin, "", "completion", "fish"); r.code != 2 {
		t.Errorf("completion fish: exit %d", r.code)
	}
}
