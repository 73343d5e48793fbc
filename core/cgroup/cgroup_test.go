package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name string
		opts map[string]string
		want Limits
		err  string
	}{
		{"none", map[string]string{"call-timeout": "2s"}, Limits{}, ""},
		{"bytes", map[string]string{"memory-max": "1048576"}, Limits{MemoryMax: "1048576"}, ""},
		{"suffix", map[string]string{"memory-max": "256M"}, Limits{MemoryMax: "268435456"}, ""},
		{"lower suffix", map[string]string{"memory-max": "2g"}, Limits{MemoryMax: "2147483648"}, ""},
		{"memory max", map[string]string{"memory-max": "max"}, Limits{MemoryMax: "max"}, ""},
		{"percent", map[string]string{"cpu-max": "50%"}, Limits{CPUMax: "50000 100000"}, ""},
		{"two cpus", map[string]string{"cpu-max": "200%"}, Limits{CPUMax: "200000 100000"}, ""},
		{"quota period", map[string]string{"cpu-max": "20000 50000"}, Limits{CPUMax: "20000 50000"}, ""},
		{"quota only", map[string]string{"cpu-max": "20000"}, Limits{CPUMax: "20000 100000"}, ""},
		{"cpu max", map[string]string{"cpu-max": "max"}, Limits{CPUMax: "max 100000"}, ""},
		{"both", map[string]string{"memory-max": "64M", "cpu-max": "25%"}, Limits{MemoryMax: "67108864", CPUMax: "25000 100000"}, ""},
		{"bad memory", map[string]string{"memory-max": "lots"}, Limits{}, "option memory-max"},
		{"zero memory", map[string]string{"memory-max": "0"}, Limits{}, "option memory-max"},
		{"overflow memory", map[string]string{"memory-max": "99999999999T"}, Limits{}, "option memory-max"},
		{"bad percent", map[string]string{"cpu-max": "x%"}, Limits{}, "option cpu-max"},
		{"tiny percent", map[string]string{"cpu-max": "0%"}, Limits{}, "option cpu-max"},
		{"tiny quota", map[string]string{"cpu-max": "10"}, Limits{}, "option cpu-max"},
		{"bad period", map[string]string{"cpu-max": "20000 5"}, Limits{}, "option cpu-max"},
		{"three fields", map[string]string{"cpu-max": "1 2 3"}, Limits{}, "option cpu-max"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLimits(tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseLimits(%v) = %v, %v; want error %q", tt.opts, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseLimits(%v) = %+v, %v; want %+v", tt.opts, got, err, tt.want)
			}
		})
	}
}

// fakeTree builds a cgroup v2 mount as plain files: the root's controller
// lists, and the files the kernel would create in the family's cgroup.
func fakeTree(t *testing.T, rootSubtree string, familyFiles ...string) string {
	t.Helper()
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(root, "cgroup.controllers"), []byte("cpuset cpu io memory pids\n"), 0o644))
	must(os.WriteFile(filepath.Join(root, "cgroup.subtree_control"), []byte(rootSubtree), 0o644))
	parent := filepath.Join(root, DefaultParent)
	must(os.MkdirAll(filepath.Join(parent, "system"), 0o755))
	must(os.WriteFile(filepath.Join(parent, "cgroup.subtree_control"), nil, 0o644))
	for _, f := range familyFiles {
		must(os.WriteFile(filepath.Join(parent, "system", f), nil, 0o644))
	}
	return root
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPlace(t *testing.T) {
	tests := []struct {
		name        string
		rootSubtree string
		limits      Limits
		files       []string
		want        map[string]string // path under root → content
		err         string
	}{
		{
			name: "memory and cpu", rootSubtree: "",
			limits: Limits{MemoryMax: "67108864", CPUMax: "50000 100000"},
			files:  []string{"memory.max", "cpu.max", "cgroup.procs"},
			want: map[string]string{
				"cgroup.subtree_control":      "+memory +cpu",
				"qgad/cgroup.subtree_control": "+memory +cpu",
				"qgad/system/memory.max":      "67108864",
				"qgad/system/cpu.max":         "50000 100000",
				"qgad/system/cgroup.procs":    "4242",
			},
		},
		{
			name: "controllers already on at the root", rootSubtree: "cpu memory pids\n",
			limits: Limits{MemoryMax: "max"},
			files:  []string{"memory.max", "cgroup.procs"},
			want: map[string]string{
				"cgroup.subtree_control":      "cpu memory pids\n",
				"qgad/cgroup.subtree_control": "+memory",
				"qgad/system/memory.max":      "max",
				"qgad/system/cgroup.procs":    "4242",
			},
		},
		{
			name: "cpu controller missing in the cgroup", rootSubtree: "memory cpu",
			limits: Limits{CPUMax: "50000 100000"},
			files:  []string{"cgroup.procs"},
			err:    "cpu.max",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeTree(t, tt.rootSubtree, tt.files...)
			m := New(root)
			err := m.Place("system", 4242, tt.limits)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Place = %v, want an error naming %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for p, want := range tt.want {
				if got := read(t, filepath.Join(root, p)); got != want {
					t.Errorf("%s = %q, want %q", p, got, want)
				}
			}
		})
	}
}

// A cgroup directory that Place creates itself gets the right path; the
// kernel would fill it with its files, a plain directory has none.
func TestPlaceCreatesCgroup(t *testing.T) {
	root := fakeTree(t, "memory")
	m := New(root)
	err := m.Place("users", 7, Limits{MemoryMax: "1024"})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(root, "qgad", "users", "memory.max")) {
		t.Fatalf("Place = %v", err)
	}
	if fi, err := os.Stat(m.Dir("users")); err != nil || !fi.IsDir() {
		t.Fatalf("cgroup %s not created: %v", m.Dir("users"), err)
	}
}

func TestPlaceRefuses(t *testing.T) {
	root := fakeTree(t, "")
	for _, fam := range []string{"", "..", "a/b"} {
		if err := New(root).Place(fam, 1, Limits{MemoryMax: "1"}); err == nil {
			t.Errorf("family %q accepted", fam)
		}
	}
	// A v1 or hybrid hierarchy has no cgroup.controllers at its root.
	if err := New(t.TempDir()).Place("system", 1, Limits{MemoryMax: "1"}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Place on a non-v2 root = %v", err)
	}
}

// Available reads the real mount without changing it.
func TestAvailableHere(t *testing.T) {
	_, err := os.Stat(filepath.Join(DefaultRoot, "cgroup.controllers"))
	if got := Available(DefaultRoot); got != (err == nil) {
		t.Errorf("Available(%s) = %v, but stat says %v", DefaultRoot, got, err)
	}
	if !Available(fakeTree(t, "")) {
		t.Errorf("fake v2 tree not seen as available")
	}
}
