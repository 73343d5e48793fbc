package packaging_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/packaging"
)

// debFields reads control fields of a .deb.
func debFields(t *testing.T, deb string, fields ...string) map[string]string {
	t.Helper()
	out := run(t, nil, append([]string{"dpkg-deb", "-f", deb}, fields...)...)
	got := map[string]string{}
	for line := range strings.Lines(out) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ": "); ok {
			got[k] = v
		}
	}
	return got
}

func TestDebMetadata(t *testing.T) {
	all := "all"
	arch := runtime.GOARCH
	exact := func(names ...string) string {
		var deps []string
		for _, n := range names {
			deps = append(deps, n+" (= "+version+")")
		}
		return strings.Join(deps, ", ")
	}
	type fields struct{ arch, depends, conflicts, replaces, suggests string }
	tests := []struct {
		pkg  string
		want fields
	}{
		{"qgad", fields{arch: arch, conflicts: "qemu-guest-agent", replaces: "qemu-guest-agent", suggests: "qgad-plugins-all"}},
		{"qgad-plugin-exec", fields{arch: all, depends: exact("qgad")}},
		{"qgad-plugin-file", fields{arch: all, depends: exact("qgad")}},
		{"qgad-plugin-fs", fields{arch: all, depends: exact("qgad")}},
		{"qgad-plugin-fsfreeze", fields{arch: all, depends: exact("qgad")}},
		{"qgad-plugin-network", fields{arch: all, depends: exact("qgad")}},
		{"qgad-plugin-power", fields{arch: all, depends: exact("qgad")}},
		{"qgad-plugin-system", fields{arch: all, depends: exact("qgad")}},
		{"qgad-plugin-users", fields{arch: all, depends: exact("qgad")}},
		{"qgad-plugins-all", fields{arch: all, depends: exact("qgad-plugin-exec", "qgad-plugin-file", "qgad-plugin-fs",
			"qgad-plugin-fsfreeze", "qgad-plugin-network", "qgad-plugin-power", "qgad-plugin-system", "qgad-plugin-users")}},
		{"qgad-plugin-com.example.hello", fields{arch: arch, depends: "qgad"}},
	}
	if len(tests) != len(packaging.Packages()) {
		t.Errorf("%d packages checked, %d built", len(tests), len(packaging.Packages()))
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			f := debFields(t, debPath(t, tt.pkg), "Package", "Version", "Architecture", "Depends", "Conflicts", "Replaces", "Suggests", "Maintainer", "Description")
			got := fields{f["Architecture"], f["Depends"], f["Conflicts"], f["Replaces"], f["Suggests"]}
			if got != tt.want {
				t.Errorf("fields %+v, want %+v", got, tt.want)
			}
			if f["Package"] != tt.pkg || f["Version"] != version {
				t.Errorf("Package %q Version %q, want %q %q (the agent's version)", f["Package"], f["Version"], tt.pkg, version)
			}
			if f["Maintainer"] == "" || f["Description"] == "" {
				t.Errorf("Maintainer %q, Description %q: both are required", f["Maintainer"], f["Description"])
			}
		})
	}
}

// entry is one member of a package's data archive.
type entry struct {
	mode, owner, link string
}

// debEntries lists a .deb's data archive: path → mode, owner, link target.
func debEntries(t *testing.T, deb string) map[string]entry {
	t.Helper()
	out := run(t, nil, "dpkg-deb", "-c", deb)
	got := map[string]entry{}
	for line := range strings.Lines(out) {
		// drwxr-xr-x root/root 0 2026-01-01 00:00 ./etc/
		f := strings.Fields(line)
		if len(f) < 6 {
			t.Fatalf("dpkg-deb -c line %q", line)
		}
		e := entry{mode: f[0], owner: f[1]}
		path := strings.TrimSuffix(strings.TrimPrefix(f[5], "."), "/")
		if len(f) == 8 && f[6] == "->" {
			e.link = f[7]
		}
		got[path] = e
	}
	return got
}

// Key files of the core package, written out here rather than taken from
// packages.go, so a mistake there shows.
func TestDebCoreFiles(t *testing.T) {
	got := debEntries(t, debPath(t, packaging.CorePackage))
	tests := []struct{ path, mode string }{
		{"/usr/sbin/qgad", "-rwxr-xr-x"},
		{"/usr/bin/qgactl", "-rwxr-xr-x"},
		{"/usr/libexec/qgad", "drwxr-xr-x"},
		{"/usr/libexec/qgad/qgad-builtin", "-rwxr-xr-x"},
		{"/usr/lib/qgad/plugins", "drwxr-xr-x"},
		{"/usr/lib/systemd/system/qgad.service", "-rw-r--r--"},
		{"/usr/lib/systemd/system/qgad-unix.socket", "-rw-r--r--"},
		{"/usr/lib/systemd/system/qgad-unix.service", "-rw-r--r--"},
		{"/usr/lib/systemd/system/qgad-vsock.socket", "-rw-r--r--"},
		{"/usr/lib/systemd/system/qgad-vsock.service", "-rw-r--r--"},
		{"/usr/lib/udev/rules.d/60-qgad.rules", "-rw-r--r--"},
		{"/etc/qemu/qemu-ga.conf", "-rw-r--r--"},
		{"/etc/qemu/fsfreeze-hook", "-rwxr-xr-x"},
		{"/etc/qemu/fsfreeze-hook.d", "drwxr-xr-x"},
		{"/etc/qemu/fsfreeze-hook.d/mysql-flush.sh.sample", "-rw-r--r--"},
		{"/usr/share/doc/qgad/admin-guide.md", "-rw-r--r--"},
		{"/usr/share/doc/qgad/commands.md", "-rw-r--r--"},
		{"/usr/share/doc/qgad/plugin-author-guide.md", "-rw-r--r--"},
	}
	for _, tt := range tests {
		e, ok := got[tt.path]
		if !ok {
			t.Errorf("%s is not in the qgad package", tt.path)
			continue
		}
		if e.mode != tt.mode || e.owner != "root/root" {
			t.Errorf("%s: %s %s, want %s root/root", tt.path, e.mode, e.owner, tt.mode)
		}
	}
	// The conffiles dpkg keeps an admin's changes to.
	conffiles := run(t, nil, "dpkg-deb", "-I", debPath(t, packaging.CorePackage), "conffiles")
	want := "/etc/qemu/fsfreeze-hook\n/etc/qemu/fsfreeze-hook.d/mysql-flush.sh.sample\n/etc/qemu/qemu-ga.conf\n"
	if sortLines(conffiles) != want {
		t.Errorf("conffiles:\n%s\nwant:\n%s", conffiles, want)
	}
}

func sortLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// Every package holds exactly what packages.go lists, plus the parent
// directories, all owned by root.
func TestDebContents(t *testing.T) {
	for _, p := range packaging.Packages() {
		t.Run(p.Name, func(t *testing.T) {
			got := debEntries(t, debPath(t, p.Name))
			want := map[string]bool{}
			for _, f := range p.Contents {
				want[f.Dst] = true
				e, ok := got[f.Dst]
				if !ok {
					t.Errorf("%s is missing", f.Dst)
					continue
				}
				if e.owner != "root/root" {
					t.Errorf("%s is owned by %s", f.Dst, e.owner)
				}
				switch f.Type {
				case "symlink":
					if e.mode[0] != 'l' || e.link != f.Src {
						t.Errorf("%s: %s -> %q, want a link to %s", f.Dst, e.mode, e.link, f.Src)
					}
				case "dir":
					if m := (os.FileMode(f.Mode) | os.ModeDir).String(); e.mode != m {
						t.Errorf("%s: mode %s, want %s", f.Dst, e.mode, m)
					}
				default:
					if m := os.FileMode(f.Mode).String(); e.mode != m {
						t.Errorf("%s: mode %s, want %s", f.Dst, e.mode, m)
					}
				}
			}
			for path, e := range got {
				if !want[path] && (e.mode != "drwxr-xr-x" || e.owner != "root/root") {
					t.Errorf("unexpected member %s (%s %s)", path, e.mode, e.owner)
				}
			}
		})
	}
}

// A plugin package cannot be installed without the core, nor the meta
// package without the plugins.
func TestDebDependenciesEnforced(t *testing.T) {
	tests := []struct {
		pkg, missing string
	}{
		{"qgad-plugin-file", "qgad (= " + version + ")"},
		{"qgad-plugins-all", "qgad-plugin-exec (= " + version + ")"},
		{"qgad-plugin-com.example.hello", "qgad"},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			root := installRoot(t)
			env, _ := fakeTools(t)
			cmd := exec.Command("dpkg", "--root="+root, "--force-script-chrootless", "-i", debPath(t, tt.pkg))
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("installing %s alone succeeded:\n%s", tt.pkg, out)
			}
			if !strings.Contains(string(out), "depends on "+tt.missing) {
				t.Errorf("dpkg output does not name the missing %s:\n%s", tt.missing, out)
			}
		})
	}
}

// Installed with dpkg into a scratch root, the files land with their modes
// and owners, the family links resolve to the installed multi-call binary,
// and every file is the one in the tree (or `make build` made).
func TestDebInstall(t *testing.T) {
	var names []string
	for _, p := range packaging.Packages() {
		names = append(names, p.Name)
	}
	root := installRoot(t, names...)
	for _, p := range packaging.Packages() {
		for _, f := range p.Contents {
			path := filepath.Join(root, f.Dst)
			fi, err := os.Lstat(path)
			if err != nil {
				t.Errorf("%s: %v", p.Name, err)
				continue
			}
			if st := fi.Sys().(*syscall.Stat_t); st.Uid != 0 || st.Gid != 0 {
				t.Errorf("%s is owned by %d:%d", f.Dst, st.Uid, st.Gid)
			}
			if f.Type == "symlink" {
				target, err := filepath.EvalSymlinks(path)
				if want := filepath.Join(root, packaging.BuiltinPath); err != nil || target != want {
					t.Errorf("%s resolves to %q (%v), want %s", f.Dst, target, err, want)
				}
				continue
			}
			if perm := uint32(fi.Mode().Perm()); perm != f.Mode {
				t.Errorf("%s: mode %o, want %o", f.Dst, perm, f.Mode)
			}
			if f.Type != "dir" && !sameFile(t, filepath.Join(qgatest.RepoRoot(t), f.Src), path) {
				t.Errorf("%s differs from %s: run `make packages`", f.Dst, f.Src)
			}
		}
	}
	status := run(t, nil, "dpkg-query", "--admindir="+filepath.Join(root, "var/lib/dpkg"), "-W", "-f", "${Package} ${Version} ${db:Status-Abbrev}\n")
	if n := strings.Count(status, " "+version+" ii "); n != len(names) {
		t.Errorf("%d of %d packages installed and configured:\n%s", n, len(names), status)
	}
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}
