package client_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qgad/qgad/client"
	"github.com/qgad/qgad/internal/qgatest"
)

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// liveAgent is bin/qgad on this machine (root "/"), for the commands that
// only read it.
func liveAgent(t *testing.T) (*client.Client, *qgatest.Agent) {
	t.Helper()
	a := qgatest.StartQgad(t, "--runtime-dir", filepath.Join(qgatest.TempDir(t), "rt"))
	return a.C, a
}

// fixtureRoot builds a system root in a temp dir for the commands that
// change the system: the families act on it instead of on this machine
// (fake clock file, fake poweroff and chpasswd, sysfs files, a passwd with
// its home).
func fixtureRoot(t *testing.T) string {
	t.Helper()
	root := qgatest.TempDir(t)
	files := map[string]string{
		"proc/self/mountinfo":                         "",
		"proc/sys/kernel/hostname":                    "fixture-host\n",
		"sys/devices/system/cpu/cpu0/uevent":          "",
		"sys/devices/system/cpu/cpu1/online":          "1\n",
		"sys/devices/system/memory/block_size_bytes":  "8000000\n",
		"sys/devices/system/memory/memory0/state":     "online\n",
		"sys/devices/system/memory/memory0/removable": "1\n",
		"sys/power/state":                             "freeze mem disk\n",
		"etc/passwd":                                  "alice:x:0:0:Alice:/home/alice:/bin/sh\n",
		"home/alice/.profile":                         "",
		"run/.keep":                                   "",
		"sbin/hwclock":                                "#!/bin/sh\nexit 0\n",
		"sbin/poweroff":                               "#!/bin/sh\necho poweroff \"$@\" >>\"$(dirname \"$0\")/../power.log\"\n",
		"usr/sbin/chpasswd":                           "#!/bin/sh\ncat >>\"$(dirname \"$0\")/../../chpasswd.log\"\necho \"$@\" >>\"$(dirname \"$0\")/../../chpasswd.log\"\n",
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if filepath.Base(filepath.Dir(p)) == "sbin" {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// fixtureAgent is bin/qgad acting on a fixture root.
func fixtureAgent(t *testing.T) (*client.Client, string) {
	t.Helper()
	root := fixtureRoot(t)
	a := qgatest.StartQgad(t, "--sysroot", root, "--runtime-dir", filepath.Join(qgatest.TempDir(t), "rt"))
	return a.C, root
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
