package fsfreeze

// Comparison with Debian's qemu-ga 7.2 on what can be compared without
// freezing anything on this machine: the status of a fresh agent and the
// argument errors. No valid freeze or thaw is ever sent to qemu-ga, and as a
// second safety net it runs with a freeze hook that always fails (checked
// with -D first): qemu-ga runs the hook before it touches any filesystem.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/qgad/qgad/internal/freeze/freezetest"
	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

func startRefusingQemuGA(t *testing.T) *qgatest.Agent {
	t.Helper()
	hook := filepath.Join(qgatest.TempDir(t), "refuse-hook")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho refused; exit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := qgatest.TempDir(t)
	dump, err := exec.Command(qgatest.QemuGA, "-m", "unix-listen", "-p", filepath.Join(dir, "sock"), "-t", dir, "-F"+hook, "-D").Output()
	if err != nil || !strings.Contains(string(dump), "\nfsfreeze-hook="+hook+"\n") {
		t.Fatalf("qemu-ga -D does not show the refusing hook (%v):\n%s", err, dump)
	}
	return qgatest.StartQemuGA(t, "-F"+hook)
}

func TestCompareWithQemuGA(t *testing.T) {
	qga := startRefusingQemuGA(t)

	t.Run("status", func(t *testing.T) {
		// Status only reports the flag, so this machine's root is safe here.
		env := sdk.Env{Root: "/", StateDir: t.TempDir(), Options: map[string]string{}, Log: hclog.NewNullLogger()}
		p, err := New(env)
		if err != nil {
			t.Fatal(err)
		}
		ours, e := call(t, p, "guest-fsfreeze-status", "")
		if e != "" {
			t.Fatalf("ours: %s", e)
		}
		theirs := qga.MustCall(t, "guest-fsfreeze-status", "")
		if got := parse(t, ours); got != theirs || theirs != "thawed" {
			t.Errorf("status: ours %v, qemu-ga %v; want both thawed", got, theirs)
		}
	})

	// Ours runs on an empty mount table: whatever happens, nothing freezes.
	root := t.TempDir()
	freezetest.WriteMountinfo(t, root, root)
	p, err := New(sdk.TestEnv(root))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, args string }{
		{"guest-fsfreeze-status", `{"foo": 1}`},
		{"guest-fsfreeze-freeze", `{"mountpoints": []}`},
		{"guest-fsfreeze-freeze", `{"foo": null}`},
		{"guest-fsfreeze-freeze-list", `{"mountpoints": "/"}`},
		{"guest-fsfreeze-freeze-list", `{"mountpoints": {}}`},
		{"guest-fsfreeze-freeze-list", `{"mountpoints": [1]}`},
		{"guest-fsfreeze-freeze-list", `{"mountpoints": ["/", true]}`},
		{"guest-fsfreeze-freeze-list", `{"mountpoints": ["/"], "extra": 1}`},
		{"guest-fsfreeze-thaw", `{"foo": 1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.args, func(t *testing.T) {
			res, ours := call(t, p, tt.name, tt.args)
			v, theirs := qga.Call(t, tt.name, tt.args)
			if theirs == nil {
				t.Fatalf("qemu-ga accepted %s %s: %v", tt.name, tt.args, v)
			}
			if ours != theirs.Desc || theirs.Class != qapi.ClassGeneric {
				t.Errorf("ours %q (result %q), qemu-ga %s %q", ours, res, theirs.Class, theirs.Desc)
			}
		})
	}
}

func parse(t *testing.T, s string) any {
	t.Helper()
	v, err := qapi.ParseJSON([]byte(s))
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}
