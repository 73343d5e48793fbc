package packaging_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/core/config"
	"github.com/qgad/qgad/examples/hello/hello"
	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/packaging"
	"github.com/qgad/qgad/sdk"
)

// coreCommands are the commands the core answers itself.
var coreCommands = []string{"guest-sync-delimited", "guest-sync", "guest-ping", "guest-info"}

// The installed qgad reads the installed config: -D shows the defaults plus
// the one active setting, the fsfreeze hook.
func TestInstalledDumpConf(t *testing.T) {
	root := installRoot(t, packaging.CorePackage)
	conf := filepath.Join(root, packaging.ConfigPath)
	got := run(t, nil, filepath.Join(root, "usr/sbin/qgad"), "-D", "-c", conf)
	want := `[general]
daemon=false
method=virtio-serial
path=/dev/virtio-ports/org.qemu.guest_agent.0
pidfile=/var/run/qemu-ga.pid
fsfreeze-hook=/etc/qemu/fsfreeze-hook
statedir=/var/run
verbose=false
retry-path=false
block-rpcs=
allow-rpcs=
`
	if got != want {
		t.Errorf("qgad -D -c %s:\n%s\nwant:\n%s", conf, got, want)
	}
}

// Every setting the installed config shows commented out is valid: with
// all of them uncommented, qgad reads the file and -D reports each value.
func TestInstalledConfigSamples(t *testing.T) {
	root := installRoot(t, packaging.CorePackage)
	text, err := os.ReadFile(filepath.Join(root, packaging.ConfigPath))
	if err != nil {
		t.Fatal(err)
	}
	sample := regexp.MustCompile(`(?m)^#((\[[a-z:]+\])|([a-z-]+)=(.*))$`)
	matches := sample.FindAllStringSubmatch(string(text), -1)
	if len(matches) < 10 {
		t.Fatalf("only %d commented settings in the default config", len(matches))
	}
	uncommented := sample.ReplaceAllString(string(text), "$1")
	conf := filepath.Join(t.TempDir(), "qemu-ga.conf")
	if err := os.WriteFile(conf, []byte(uncommented), 0o644); err != nil {
		t.Fatal(err)
	}
	dump := run(t, nil, filepath.Join(root, "usr/sbin/qgad"), "-D", "-c", conf)
	for _, m := range matches {
		key, value := m[3], m[4]
		switch {
		case m[2] != "": // a group header
			if m[2] != "[qgad]" && !strings.Contains(dump, m[2]+"\n") {
				t.Errorf("group %s is missing from -D:\n%s", m[2], dump)
			}
		case key == "block-rpcs" || key == "allow-rpcs":
			// qemu-ga keeps these lists in reverse order.
			names := strings.Split(value, ",")
			slices.Reverse(names)
			if !strings.Contains(dump, key+"="+strings.Join(names, ",")+"\n") {
				t.Errorf("-D lacks %s=%s:\n%s", key, value, dump)
			}
		default:
			d, err := time.ParseDuration(value)
			if err != nil { // not a duration
				if !strings.Contains(dump, key+"="+value+"\n") {
					t.Errorf("-D lacks %s=%s:\n%s", key, value, dump)
				}
				continue
			}
			// Durations: -D writes its own form, and leaves defaults out.
			if key == "call-timeout" && d == config.DefaultCallTimeout ||
				key == "fsfreeze-hook-timeout" && d == config.DefaultHookTimeout {
				continue
			}
			found := false
			for line := range strings.Lines(dump) {
				if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
					if got, err := time.ParseDuration(v); err == nil && got == d {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("-D lacks %s=%s:\n%s", key, value, dump)
			}
		}
	}
}

// familyCommands lists the commands a family registers.
func familyCommands(t *testing.T, family string) []string {
	t.Helper()
	build, ok := builtins[family]
	if family == hello.Name {
		build, ok = hello.New, true
	}
	if !ok {
		t.Fatalf("unknown family %s", family)
	}
	p, err := build(sdk.TestEnv(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if p.Close != nil {
		defer p.Close()
	}
	var names []string
	for _, c := range p.Commands {
		names = append(names, c.Name)
	}
	return names
}

type agentInfo struct {
	Version  string `json:"version"`
	Commands []struct {
		Name    string `json:"name"`
		Enabled bool   `json:"enabled"`
	} `json:"supported_commands"`
}

// Installing a subset of the packages gives an agent whose guest-info lists
// exactly the commands of that subset's families, plus the core's.
func TestSubsetGuestInfo(t *testing.T) {
	allFamilies := func() []string {
		var fs []string
		for _, f := range packaging.Families() {
			fs = append(fs, f.Name)
		}
		return fs
	}
	tests := []struct {
		name     string
		packages []string
		families []string
	}{
		{"core only", []string{"qgad"}, nil},
		{"file and system", []string{"qgad", "qgad-plugin-file", "qgad-plugin-system"}, []string{"file", "system"}},
		{"fsfreeze", []string{"qgad", "qgad-plugin-fsfreeze"}, []string{"fsfreeze"}},
		{"everything", nil, append(allFamilies(), hello.Name)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs := tt.packages
			if pkgs == nil { // everything, through the meta package
				pkgs = []string{packaging.MetaPackage, packaging.HelloPackage, packaging.CorePackage}
				for _, f := range packaging.Families() {
					pkgs = append(pkgs, packaging.PackageName(f.Name))
				}
			}
			root := installRoot(t, pkgs...)
			want := slices.Clone(coreCommands)
			for _, f := range tt.families {
				want = append(want, familyCommands(t, f)...)
			}
			slices.Sort(want)

			a := qgatest.Start(t, filepath.Join(root, "usr/sbin/qgad"), qgatest.Options{},
				"-c", filepath.Join(root, packaging.ConfigPath),
				"--plugin-dir", filepath.Join(root, packaging.PluginDir),
				"--runtime-dir", filepath.Join(qgatest.TempDir(t), "rt"))
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var info agentInfo
			if err := a.C.CallInto(ctx, "guest-info", nil, &info); err != nil {
				t.Fatalf("guest-info: %v\nagent stderr:\n%s", err, a.Stderr())
			}
			var got []string
			for _, c := range info.Commands {
				got = append(got, c.Name)
				if !c.Enabled {
					t.Errorf("%s is disabled", c.Name)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("guest-info lists\n%v\nwant\n%v\nagent stderr:\n%s", got, want, a.Stderr())
			}
			if info.Version != version {
				t.Errorf("guest-info version %q, want %q", info.Version, version)
			}
			if slices.Contains(tt.families, hello.Name) {
				var g struct {
					Greeting string `json:"greeting"`
				}
				if err := a.C.CallInto(ctx, "__com.example_hello", map[string]string{"name": "distro"}, &g); err != nil || g.Greeting != "Hello, distro!" {
					t.Errorf("__com.example_hello: %q, %v", g.Greeting, err)
				}
			}
		})
	}
}
