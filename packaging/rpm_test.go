package packaging_test

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/qgad/qgad/packaging"
)

func rpmQuery(t *testing.T, rpm string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("rpm"); err != nil {
		t.Fatal("rpm is missing: apt-get install rpm")
	}
	return run(t, nil, append(append([]string{"rpm", "-qp"}, args...), rpm)...)
}

func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// The .rpm packages carry the same names, version, dependencies and files
// as the .deb ones, in RPM's terms.
func TestRPMMetadata(t *testing.T) {
	for _, p := range packaging.Packages() {
		t.Run(p.Name, func(t *testing.T) {
			rpm := rpmPath(t, p.Name)
			head := rpmQuery(t, rpm, "--qf", "%{NAME} %{VERSION} %{RELEASE} %{ARCH}")
			if want := p.Name + " " + version + " 1 " + rpmArch(p); head != want {
				t.Errorf("header %q, want %q", head, want)
			}
			var want []string
			for _, d := range p.Depends {
				if p.Exact {
					d += " = " + version
				}
				want = append(want, d)
			}
			var got []string
			for _, r := range lines(rpmQuery(t, rpm, "--requires")) {
				if !strings.HasPrefix(r, "rpmlib(") && !strings.HasPrefix(r, "/bin/sh") {
					got = append(got, r)
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("requires %q, want %q", got, want)
			}
			if c := lines(rpmQuery(t, rpm, "--conflicts")); !slices.Equal(c, p.Conflicts) {
				t.Errorf("conflicts %q, want %q", c, p.Conflicts)
			}
			// Replaces would be Obsoletes, which removes the other package:
			// only the .deb says it.
			if o := rpmQuery(t, rpm, "--obsoletes"); o != "" {
				t.Errorf("obsoletes %q", o)
			}
		})
	}
}

func TestRPMFiles(t *testing.T) {
	for _, p := range packaging.Packages() {
		t.Run(p.Name, func(t *testing.T) {
			rpm := rpmPath(t, p.Name)
			out := rpmQuery(t, rpm, "--qf", "[%{FILENAMES}|%{FILEMODES:perms}|%{FILEUSERNAME}:%{FILEGROUPNAME}|%{FILELINKTOS}|%{FILEFLAGS:fflags}\n]")
			got := map[string][]string{}
			for _, l := range lines(out) {
				f := strings.Split(l, "|")
				got[f[0]] = f[1:]
			}
			if len(got) != len(p.Contents) {
				t.Errorf("%d files, want %d:\n%s", len(got), len(p.Contents), out)
			}
			for _, f := range p.Contents {
				g, ok := got[f.Dst]
				if !ok {
					t.Errorf("%s is missing", f.Dst)
					continue
				}
				mode, owner, link, flags := g[0], g[1], g[2], g[3]
				if owner != "root:root" {
					t.Errorf("%s is owned by %s", f.Dst, owner)
				}
				switch f.Type {
				case "symlink":
					if mode[0] != 'l' || link != f.Src {
						t.Errorf("%s: %s -> %q, want a link to %s", f.Dst, mode, link, f.Src)
					}
				case "dir":
					if want := (os.FileMode(f.Mode) | os.ModeDir).String(); mode != want {
						t.Errorf("%s: %s, want %s", f.Dst, mode, want)
					}
				default:
					if want := os.FileMode(f.Mode).String(); mode != want {
						t.Errorf("%s: %s, want %s", f.Dst, mode, want)
					}
				}
				// %config(noreplace) is "cn", %doc is "d".
				wantFlags := map[string]string{"config|noreplace": "cn", "doc": "d"}[f.Type]
				if flags != wantFlags {
					t.Errorf("%s: flags %q, want %q", f.Dst, flags, wantFlags)
				}
			}
			// rpm -ql, the listing an admin reads, agrees.
			var listed []string
			for _, f := range p.Contents {
				listed = append(listed, f.Dst)
			}
			if len(listed) == 0 {
				listed = []string{"(contains no files)"}
			}
			slices.Sort(listed)
			if l := lines(rpmQuery(t, rpm, "-l")); !slices.Equal(l, listed) {
				t.Errorf("rpm -ql lists %q, want %q", l, listed)
			}
			scripts := rpmQuery(t, rpm, "--scripts")
			for _, s := range []struct{ tag, path string }{{"postinstall", p.Scripts.PostInstall}, {"preuninstall", p.Scripts.PreRemove}, {"postuninstall", p.Scripts.PostRemove}} {
				if has := strings.Contains(scripts, s.tag+" scriptlet"); has != (s.path != "") {
					t.Errorf("%s scriptlet present %v, want %v:\n%s", s.tag, has, s.path != "", scripts)
				}
			}
		})
	}
}
