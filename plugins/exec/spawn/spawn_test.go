package spawn

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

func TestSearchPath(t *testing.T) {
	t.Setenv("PATH", "/parent/bin")
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"inherit", nil, "/parent/bin"},
		{"env without PATH falls back to ours", []string{"A=1"}, "/parent/bin"},
		{"env PATH wins", []string{"A=1", "PATH=/env/bin", "PATH=/second"}, "/env/bin"},
		{"empty env PATH is kept", []string{"PATH="}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SearchPath(tc.env); got != tc.want {
				t.Fatalf("SearchPath(%q) = %q, want %q", tc.env, got, tc.want)
			}
		})
	}
	os.Unsetenv("PATH") // restored by t.Setenv's cleanup
	if got := SearchPath([]string{"A=1"}); got != DefaultPath {
		t.Fatalf("no PATH anywhere: %q, want %q", got, DefaultPath)
	}
}

func TestDirs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{""}},
		{"/a", []string{"/a"}},
		{"/a::/b:", []string{"/a", "", "/b", ""}},
	}
	for _, tc := range tests {
		if got := Dirs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Dirs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// startOutput starts argv with stdout on a pipe and returns what it printed.
func startOutput(t *testing.T, argv, dirs []string) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	p, err := Start(argv, dirs, &os.ProcAttr{Files: []*os.File{null, w, null}})
	w.Close()
	if err != nil {
		return "", err
	}
	out, rerr := io.ReadAll(r)
	if _, werr := p.Wait(); werr != nil {
		t.Fatalf("wait: %v", werr)
	}
	if rerr != nil {
		t.Fatal(rerr)
	}
	return string(out), nil
}

func writeProg(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

func TestStart(t *testing.T) {
	root := t.TempDir()
	noexec := filepath.Join(root, "noexec")
	good := filepath.Join(root, "good")
	missing := filepath.Join(root, "missing")
	writeProg(t, filepath.Join(noexec, "prog"), "#!/bin/sh\necho noexec\n", 0o644)
	writeProg(t, filepath.Join(good, "prog"), "#!/bin/sh\necho good \"$0\" \"$@\"\n", 0o755)
	writeProg(t, filepath.Join(good, "nohashbang"), "echo plain script \"$@\"\n", 0o755)
	if err := os.Mkdir(filepath.Join(good, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		argv    []string
		dirs    []string
		want    string
		wantErr string
	}{
		{name: "found after missing and denied dirs", argv: []string{"prog", "x"}, dirs: []string{missing, noexec, good},
			want: "good " + filepath.Join(good, "prog") + " x\n"},
		{name: "argv[0] is passed as given", argv: []string{"cat", "/proc/self/cmdline"}, dirs: []string{missing, "/usr/bin", "/bin"},
			want: "cat\x00/proc/self/cmdline\x00"},
		{name: "denied wins over not found", argv: []string{"prog"}, dirs: []string{noexec, missing},
			wantErr: "Failed to execute child process \u201cprog\u201d (Permission denied)"},
		{name: "not found", argv: []string{"prog"}, dirs: []string{missing},
			wantErr: "Failed to execute child process \u201cprog\u201d (No such file or directory)"},
		{name: "slash: no search", argv: []string{filepath.Join(good, "prog")}, dirs: []string{noexec},
			want: "good " + filepath.Join(good, "prog") + "\n"},
		{name: "script without #! runs through /bin/sh", argv: []string{"nohashbang", "a"}, dirs: []string{good},
			want: "plain script a\n"},
		{name: "a directory is not executable", argv: []string{filepath.Join(good, "adir")},
			wantErr: "Failed to execute child process \u201c" + filepath.Join(good, "adir") + "\u201d (Permission denied)"},
		{name: "empty program name", argv: []string{""}, dirs: []string{good},
			wantErr: "Failed to execute child process \u201c\u201d (No such file or directory)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := startOutput(t, tc.argv, tc.dirs)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			if got != tc.want {
				t.Fatalf("output %q, want %q", got, tc.want)
			}
		})
	}
}

// An empty PATH element means the current directory, as in glib.
func TestStartEmptyElementIsCwd(t *testing.T) {
	dir := t.TempDir()
	writeProg(t, filepath.Join(dir, "here"), "#!/bin/sh\necho here\n", 0o755)
	t.Chdir(dir)
	got, err := startOutput(t, []string{"here"}, Dirs("/nonexistent-qgad::"))
	if err != nil || got != "here\n" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestNotFound(t *testing.T) {
	_, err := startOutput(t, []string{"qgad-no-such-program"}, []string{t.TempDir()})
	if !NotFound(err) {
		t.Fatalf("NotFound(%v) = false", err)
	}
	dir := t.TempDir()
	writeProg(t, filepath.Join(dir, "p"), "", 0o644)
	_, err = startOutput(t, []string{"p"}, []string{dir})
	if NotFound(err) {
		t.Fatalf("NotFound(%v) = true for a permission error", err)
	}
	var se *Error
	if !errors.As(err, &se) || se.Errno != syscall.EACCES {
		t.Fatalf("error %v does not carry EACCES", err)
	}
}
