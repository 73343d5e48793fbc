package exec

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qgad/qgad/sdk"
)

// TestMain doubles as a stand-in plugin process for
// TestChildrenDieWithPlugin: with QGAD_EXEC_TEST_HELPER=1 the test binary
// starts a child through the family, prints its pid and waits to be killed.
func TestMain(m *testing.M) {
	if os.Getenv("QGAD_EXEC_TEST_HELPER") == "1" {
		helperPlugin()
	}
	os.Exit(m.Run())
}

func helperPlugin() {
	p, err := New(sdk.TestEnv(os.TempDir())) // the family reads nothing below its root
	if err == nil {
		var res string
		if res, err = p.Call(context.Background(), "guest-exec", `{"path": "sleep", "arg": ["300"]}`); err == nil {
			var r execResult
			if err = json.Unmarshal([]byte(res), &r); err == nil {
				fmt.Println(r.PID)
				select {} // killed by the test
			}
		}
	}
	fmt.Println("error:", err)
	os.Exit(1)
}

// The plugin dying abruptly (SIGKILL, no Close) takes its children along.
func TestChildrenDieWithPlugin(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "QGAD_EXEC_TEST_HELPER=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the helper's child pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("helper said %q", line)
	}
	if cl, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); string(cl) != "sleep\x00300\x00" {
		t.Fatalf("pid %d is not the helper's child (cmdline %q)", pid, cl)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	deadline := time.Now().Add(10 * time.Second)
	for {
		if dead(pid) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d survived the plugin", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dead reports whether pid is gone or a zombie (killed, not yet reaped by
// whoever inherited it).
func dead(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
	return strings.HasPrefix(strings.TrimSpace(rest), "Z")
}
