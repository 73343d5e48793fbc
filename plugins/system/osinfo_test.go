package system

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// unameJSON is what the guest fixture root reports for the uname members.
func unameMembers(t *testing.T) map[string]any {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"kernel-release": "6.1.0-99-amd64",
		"kernel-version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.999-1 (2024-01-01)",
		"machine":        unix.ByteSliceToString(u.Machine[:]),
	}
}

// withUname merges the fixture's uname members into a JSON object.
func withUname(t *testing.T, osRelease string) any {
	t.Helper()
	want := decode(t, osRelease).(map[string]any)
	for k, v := range unameMembers(t) {
		want[k] = v
	}
	return want
}

func checkOSInfo(t *testing.T, f *family, want any) {
	t.Helper()
	got := mustCall(t, f, "guest-get-osinfo", "")
	if g := decode(t, got); !jsonEqual(g, want) {
		w, _ := json.Marshal(want)
		t.Errorf("got  %s\nwant %s", got, w)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestOSReleaseCases reads each case through QGA_OS_RELEASE.
func TestOSReleaseCases(t *testing.T) {
	for _, c := range osReleaseCases {
		t.Run(c.name, func(t *testing.T) {
			root := copyRoot(t, guestRoot)
			c.path(t, filepath.Join(root, "run"))
			f := testFamily(t, root, map[string]string{osReleaseEnv: "/run/os-release"})
			checkOSInfo(t, f, withUname(t, c.want))
		})
	}
}

func TestOSInfoFiles(t *testing.T) {
	fedora := `{"id": "fedora", "name": "Fedora Linux", "pretty-name": "Fedora Linux 39 (Server Edition)",
		"version": "39 (Server Edition)", "version-id": "39", "variant": "Server Edition", "variant-id": "server"}`
	debian := `{"id": "debian", "name": "Debian GNU/Linux", "pretty-name": "Debian GNU/Linux 12 (bookworm)",
		"version": "12 (bookworm)", "version-id": "12"}`
	tests := []struct {
		name   string
		env    map[string]string
		mutate func(t *testing.T, root string)
		want   string
	}{
		{name: "/etc/os-release first", want: fedora},
		{
			name:   "invalid /etc/os-release falls back to /usr/lib",
			mutate: func(t *testing.T, root string) { writeFile(t, root, "etc/os-release", "not a key file\n") },
			want:   debian,
		},
		{
			name:   "missing /etc/os-release falls back to /usr/lib",
			mutate: func(t *testing.T, root string) { os.Remove(filepath.Join(root, "etc/os-release")) },
			want:   debian,
		},
		{
			name: "neither file",
			mutate: func(t *testing.T, root string) {
				os.Remove(filepath.Join(root, "etc/os-release"))
				os.Remove(filepath.Join(root, "usr/lib/os-release"))
			},
			want: `{}`,
		},
		{
			name: "QGA_OS_RELEASE wins",
			env:  map[string]string{osReleaseEnv: "/usr/lib/os-release"},
			want: debian,
		},
		{
			name: "QGA_OS_RELEASE missing: no fallback",
			env:  map[string]string{osReleaseEnv: "/nonexistent"},
			want: `{}`,
		},
		{
			name: "QGA_OS_RELEASE names a FIFO: not waited for",
			env:  map[string]string{osReleaseEnv: "/run/fifo"},
			mutate: func(t *testing.T, root string) {
				if err := syscall.Mkfifo(filepath.Join(root, "run/fifo"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: `{}`,
		},
		{
			name: "oversized file ignored",
			mutate: func(t *testing.T, root string) {
				writeFile(t, root, "etc/os-release", "ID=big\n"+strings.Repeat("#\n", maxFileSize))
			},
			want: debian,
		},
		{
			name: "QGA_OS_RELEASE empty: no fallback",
			env:  map[string]string{osReleaseEnv: ""},
			want: `{}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := mutatedFamily(t, tc.env, tc.mutate)
			checkOSInfo(t, f, withUname(t, tc.want))
		})
	}
}

func TestOSInfoMemberOrder(t *testing.T) {
	f := testFamily(t, guestRoot, nil)
	got := mustCall(t, f, "guest-get-osinfo", "")
	var keys []string
	dec := json.NewDecoder(strings.NewReader(got))
	dec.Token() // {
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v any
		dec.Decode(&v)
	}
	want := "name kernel-release version variant pretty-name version-id variant-id kernel-version machine id"
	if strings.Join(keys, " ") != want {
		t.Errorf("member order %v, want %s", keys, want)
	}
}

func TestOSInfoUnameFailure(t *testing.T) {
	root := copyRoot(t, guestRoot)
	os.Remove(filepath.Join(root, "proc/sys/kernel/version"))
	wantError(t, testFamily(t, root, nil), "guest-get-osinfo", "", "uname failed: No such file or directory")
}

func TestOSReleaseValue(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`plain`, `plain`},
		{`two words`, `two`},
		{`a;b c`, `a`},
		{`'single quoted'`, `'single`},
		{`"double quoted" tail`, `double quoted`},
		{`"esc \$ \' \" \\ \` + "`" + `"`, `esc $ ' " \ ` + "`"},
		{`"keep \n \x"`, `keep \n \x`},
		{`"unterminated`, `unterminatedd`},
		{`"a\$b`, `a$b$b`},
		{`"x\`, `x\\`},
		{`"`, `"`},
		{``, ``},
		{`""`, ``},
	}
	for _, tc := range tests {
		if got := osReleaseValue(tc.raw); got != tc.want {
			t.Errorf("osReleaseValue(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}
