package packaging_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/packaging"
	"github.com/qgad/qgad/plugins/exec"
	"github.com/qgad/qgad/plugins/file"
	"github.com/qgad/qgad/plugins/fs"
	"github.com/qgad/qgad/plugins/fsfreeze"
	"github.com/qgad/qgad/plugins/network"
	"github.com/qgad/qgad/plugins/power"
	"github.com/qgad/qgad/plugins/system"
	"github.com/qgad/qgad/plugins/users"
	"github.com/qgad/qgad/sdk"
)

// builtins are the families cmd/qgad-builtin serves.
var builtins = map[string]sdk.Builder{
	exec.Name: exec.New, file.Name: file.New, fs.Name: fs.New, fsfreeze.Name: fsfreeze.New,
	network.Name: network.New, power.Name: power.New, system.Name: system.New, users.Name: users.New,
}

// The committed nfpm configs are what the generator writes now, and there
// is no config of a package that no longer exists.
func TestConfigsUpToDate(t *testing.T) {
	dir := filepath.Join(qgatest.RepoRoot(t), "packaging", "nfpm")
	var want []string
	for _, p := range packaging.Packages() {
		name := packaging.ConfigName(p.Name)
		want = append(want, name)
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%v: run `go run ./packaging/nfpmgen`", err)
			continue
		}
		if string(got) != string(p.NfpmConfig()) {
			t.Errorf("packaging/nfpm/%s is stale: run `go run ./packaging/nfpmgen`", name)
		}
	}
	have, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range have {
		have[i] = filepath.Base(have[i])
	}
	slices.Sort(have)
	slices.Sort(want)
	if !slices.Equal(have, want) {
		t.Errorf("packaging/nfpm holds %v, want %v", have, want)
	}
}

// Every built-in family has a package, and only those: the families of
// the multi-call binary, and the qgad-plugin-* links `make build` makes.
func TestFamiliesMatchBuild(t *testing.T) {
	var names []string
	for _, f := range packaging.Families() {
		names = append(names, f.Name)
	}
	var served []string
	for name, build := range builtins {
		p, err := build(sdk.TestEnv(t.TempDir()))
		if err != nil {
			t.Fatalf("family %s: %v", name, err)
		}
		if p.Name != name {
			t.Errorf("family %s calls itself %s", name, p.Name)
		}
		served = append(served, name)
	}
	slices.Sort(served)
	if !slices.Equal(names, served) {
		t.Errorf("packaged families %v, qgad-builtin serves %v", names, served)
	}
	links, err := filepath.Glob(filepath.Join(qgatest.RepoRoot(t), "bin", packaging.PluginFile+"*"))
	if err != nil {
		t.Fatal(err)
	}
	var built []string
	for _, l := range links {
		built = append(built, strings.TrimPrefix(filepath.Base(l), packaging.PluginFile))
	}
	slices.Sort(built)
	if !slices.Equal(names, built) {
		t.Errorf("packaged families %v, make build links %v", names, built)
	}
}

// Every file a package takes from the tree exists, so `make packages` on a
// fresh checkout cannot miss one.
func TestSourcesExist(t *testing.T) {
	root := qgatest.RepoRoot(t)
	for _, p := range packaging.Packages() {
		for _, f := range p.Contents {
			if f.Src == "" || f.Type == "symlink" || strings.HasPrefix(f.Src, "bin/") {
				continue
			}
			if _, err := os.Stat(filepath.Join(root, f.Src)); err != nil {
				t.Errorf("package %s: %v", p.Name, err)
			}
		}
		for _, s := range []string{p.Scripts.PostInstall, p.Scripts.PreRemove, p.Scripts.PostRemove} {
			if s == "" {
				continue
			}
			if fi, err := os.Stat(filepath.Join(root, s)); err != nil || fi.Mode().Perm()&0o111 == 0 {
				t.Errorf("package %s: script %s missing or not executable (%v)", p.Name, s, err)
			}
		}
	}
}
