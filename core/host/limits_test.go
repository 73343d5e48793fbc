package host

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

// The host applies a family's caps through core/cgroup, here against a
// fake cgroup v2 tree, and only logs when they cannot apply.
func TestLimit(t *testing.T) {
	root := t.TempDir()
	fam := filepath.Join(root, "qgad", "fs")
	if err := os.MkdirAll(fam, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"cgroup.controllers", "cgroup.subtree_control", "qgad/cgroup.subtree_control", "qgad/fs/memory.max", "qgad/fs/cpu.max", "qgad/fs/cgroup.procs"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		family string
		opts   map[string]string
		root   string
		files  map[string]string
		log    string
	}{
		{name: "caps applied", family: "fs", root: root,
			opts:  map[string]string{"memory-max": "64M", "cpu-max": "50%"},
			files: map[string]string{"qgad/fs/memory.max": "67108864", "qgad/fs/cpu.max": "50000 100000", "qgad/fs/cgroup.procs": "4321"}},
		{name: "no caps configured", family: "system", root: root, opts: map[string]string{"call-timeout": "2s"}},
		{name: "no cgroup v2", family: "fs", root: t.TempDir(), opts: map[string]string{"memory-max": "64M"},
			log: "plugin limits not applied: no cgroup v2 hierarchy"},
		{name: "bad option", family: "fs", root: root, opts: map[string]string{"memory-max": "much"},
			log: "option memory-max"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := &Host{opts: Options{
				CgroupRoot: tt.root,
				Families:   map[string]map[string]string{tt.family: tt.opts},
				Log:        hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Error}),
			}}
			h.limit(tt.family, 4321)
			for p, want := range tt.files {
				got, err := os.ReadFile(filepath.Join(tt.root, p))
				if err != nil || string(got) != want {
					t.Errorf("%s = %q, %v; want %q", p, got, err, want)
				}
			}
			if tt.log == "" && logs.Len() > 0 {
				t.Errorf("unexpected log: %s", logs.String())
			}
			if tt.log != "" && !strings.Contains(logs.String(), tt.log) {
				t.Errorf("log %q does not say %q", logs.String(), tt.log)
			}
		})
	}
}
