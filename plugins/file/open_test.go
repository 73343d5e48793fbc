package file

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Every accepted mode on an existing file holding "hello": write "ABC",
// seek to 0, read, close; then the file's contents.
func TestModesOnExistingFile(t *testing.T) {
	const (
		ebadfWrite = "error: failed to write to file: Bad file descriptor"
		ebadfRead  = "error: failed to read file: Bad file descriptor"
		wrote3     = `{"count": 3, "eof": false}`
	)
	tests := []struct {
		modes             []string
		wantWrite         string
		wantRead          string
		wantContentsAfter string
	}{
		{[]string{"r", "rb"}, ebadfWrite, `{"count": 5, "buf-b64": "aGVsbG8=", "eof": true}`, "hello"},
		{[]string{"w", "wb"}, wrote3, ebadfRead, "ABC"},
		{[]string{"a", "ab"}, wrote3, ebadfRead, "helloABC"},
		{[]string{"r+", "rb+", "r+b"}, wrote3, `{"count": 5, "buf-b64": "QUJDbG8=", "eof": true}`, "ABClo"},
		{[]string{"w+", "wb+", "w+b"}, wrote3, `{"count": 3, "buf-b64": "QUJD", "eof": true}`, "ABC"},
		{[]string{"a+", "ab+", "a+b"}, wrote3, `{"count": 8, "buf-b64": "aGVsbG9BQkM=", "eof": true}`, "helloABC"},
	}
	for _, tt := range tests {
		for _, mode := range tt.modes {
			t.Run(mode, func(t *testing.T) {
				tf := newTestFamily(t)
				writeFile(t, tf.path("f"), "hello", 0o640)
				tf.run(t, []step{
					{"guest-file-open", fmt.Sprintf(`{"path": "/f", "mode": %q}`, mode), "1000"},
					{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD"}`, tt.wantWrite},
					{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": "set"}`, `{"eof": false, "position": 0}`},
					{"guest-file-read", `{"handle": 1000, "count": 10}`, tt.wantRead},
					{"guest-file-close", `{"handle": 1000}`, `{}`},
				})
				if got := readFile(t, tf.path("f")); got != tt.wantContentsAfter {
					t.Errorf("contents = %q, want %q", got, tt.wantContentsAfter)
				}
				// An existing file keeps its permissions.
				if st, err := os.Stat(tf.path("f")); err != nil || st.Mode().Perm() != 0o640 {
					t.Errorf("mode after open = %v, %v; want 0640", st.Mode(), err)
				}
			})
		}
	}
}

func TestOpenMissingFile(t *testing.T) {
	tests := []struct {
		mode    string
		want    string
		created bool
	}{
		{"r", "error: failed to open file '/missing' (mode: 'r'): No such file or directory", false},
		{"rb", "error: failed to open file '/missing' (mode: 'rb'): No such file or directory", false},
		{"r+", "error: failed to open file '/missing' (mode: 'r+'): No such file or directory", false},
		{"rb+", "error: failed to open file '/missing' (mode: 'rb+'): No such file or directory", false},
		{"r+b", "error: failed to open file '/missing' (mode: 'r+b'): No such file or directory", false},
		{"w", "1000", true},
		{"wb", "1000", true},
		{"a", "1000", true},
		{"ab", "1000", true},
		{"w+", "1000", true},
		{"wb+", "1000", true},
		{"w+b", "1000", true},
		{"a+", "1000", true},
		{"ab+", "1000", true},
		{"a+b", "1000", true},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			tf := newTestFamily(t)
			tf.run(t, []step{{"guest-file-open", fmt.Sprintf(`{"path": "/missing", "mode": %q}`, tt.mode), tt.want}})
			st, err := os.Stat(tf.path("missing"))
			if !tt.created {
				if err == nil {
					t.Fatal("file created")
				}
				return
			}
			if err != nil {
				t.Fatalf("file not created: %v", err)
			}
			if st.Mode().Perm() != 0o666 {
				t.Errorf("new file mode = %v, want 0666", st.Mode().Perm())
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, tf *testFamily)
		args  string
		want  string
	}{
		{"invalid mode", nil, `{"path": "/f", "mode": "x"}`, "error: invalid file open mode 'x'"},
		{"empty mode", nil, `{"path": "/f", "mode": ""}`, "error: invalid file open mode ''"},
		{"rw is not a mode", nil, `{"path": "/f", "mode": "rw"}`, "error: invalid file open mode 'rw'"},
		{"upper case", nil, `{"path": "/f", "mode": "R"}`, "error: invalid file open mode 'R'"},
		{"b first", nil, `{"path": "/f", "mode": "br"}`, "error: invalid file open mode 'br'"},
		{"trailing junk", nil, `{"path": "/f", "mode": "r+x"}`, "error: invalid file open mode 'r+x'"},
		{"x flag of glibc", nil, `{"path": "/f", "mode": "wx"}`, "error: invalid file open mode 'wx'"},
		{"mode checked before path", nil, `{"path": "/missing/f", "mode": "q"}`, "error: invalid file open mode 'q'"},
		{"default mode is r", nil, `{"path": "/missing"}`, "error: failed to open file '/missing' (mode: 'r'): No such file or directory"},
		{"missing directory", nil, `{"path": "/no/such", "mode": "w"}`, "error: failed to open file '/no/such' (mode: 'w'): No such file or directory"},
		{"directory for writing", func(t *testing.T, tf *testFamily) {
			if err := os.Mkdir(tf.path("d"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, `{"path": "/d", "mode": "w"}`, "error: failed to open file '/d' (mode: 'w'): Is a directory"},
		{"not a directory", func(t *testing.T, tf *testFamily) {
			writeFile(t, tf.path("f"), "", 0o644)
		}, `{"path": "/f/x", "mode": "r"}`, "error: failed to open file '/f/x' (mode: 'r'): Not a directory"},
		// O_EXCL sees the dangling link as existing; the reopen without
		// O_CREAT then fails (qemu-ga's two-step open).
		{"dangling symlink", func(t *testing.T, tf *testFamily) {
			if err := os.Symlink(tf.path("nowhere"), tf.path("link")); err != nil {
				t.Fatal(err)
			}
		}, `{"path": "/link", "mode": "w"}`, "error: failed to open file '/link' (mode: 'w'): No such file or directory"},
		{"FIFO without reader for writing", func(t *testing.T, tf *testFamily) {
			if err := syscall.Mkfifo(tf.path("fifo"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, `{"path": "/fifo", "mode": "w"}`, "error: failed to open file '/fifo' (mode: 'w'): No such device or address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestFamily(t)
			if tt.setup != nil {
				tt.setup(t, tf)
			}
			tf.run(t, []step{
				{"guest-file-open", tt.args, tt.want},
				// A failed open consumes no handle id.
				{"guest-file-open", `{"path": "/ok", "mode": "w"}`, "1000"},
			})
		})
	}
}

// The descriptor carries O_NONBLOCK and FD_CLOEXEC (O_NOCTTY leaves no trace
// on a regular file).
func TestOpenFlags(t *testing.T) {
	tf := newTestFamily(t)
	writeFile(t, tf.path("f"), "x", 0o644)
	tf.run(t, []step{{"guest-file-open", `{"path": "/f"}`, "1000"}})
	h, err := tf.files.acquire(1000)
	if err != nil {
		t.Fatal(err)
	}
	defer h.mu.Unlock()
	fl, err := fcntl(h.fd, syscall.F_GETFL)
	if err != nil || fl&syscall.O_NONBLOCK == 0 || fl&syscall.O_ACCMODE != syscall.O_RDONLY {
		t.Errorf("F_GETFL = %#x, %v; want O_RDONLY|O_NONBLOCK", fl, err)
	}
	fd, err := fcntl(h.fd, syscall.F_GETFD)
	if err != nil || fd&syscall.FD_CLOEXEC == 0 {
		t.Errorf("F_GETFD = %#x, %v; want FD_CLOEXEC", fd, err)
	}
}

func fcntl(fd, cmd int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// A new file gets 0666 whatever the umask; an existing one keeps its mode.
// Not parallel: the umask belongs to the whole test process.
func TestNewFileModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	tf := newTestFamily(t)
	writeFile(t, tf.path("old"), "data", 0o600)
	tf.run(t, []step{
		{"guest-file-open", `{"path": "/new", "mode": "w"}`, "1000"},
		{"guest-file-open", `{"path": "/new2", "mode": "a+"}`, "1001"},
		{"guest-file-open", `{"path": "/old", "mode": "w"}`, "1002"},
	})
	for name, want := range map[string]os.FileMode{"new": 0o666, "new2": 0o666, "old": 0o600} {
		st, err := os.Stat(tf.path(name))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %v", name, st.Mode().Perm(), err, want)
		}
	}
	if got := readFile(t, tf.path("old")); got != "" {
		t.Errorf("mode w did not truncate the existing file: %q", got)
	}
}

// When fchmod fails the new file is closed and removed; an existing file is
// never fchmod'ed.
func TestFchmodFailure(t *testing.T) {
	tf := newTestFamily(t)
	tf.fchmod = func(int, uint32) error { return syscall.EPERM }
	writeFile(t, tf.path("old"), "data", 0o600)
	tf.run(t, []step{
		{"guest-file-open", `{"path": "/new", "mode": "w+"}`, "error: failed to set permission 0666 on new file '/new' (mode: 'w+'): Operation not permitted"},
		{"guest-file-open", `{"path": "/old", "mode": "a"}`, "1000"},
	})
	if _, err := os.Stat(tf.path("new")); !os.IsNotExist(err) {
		t.Errorf("new file left behind: %v", err)
	}
}

// Relative paths resolve against the working directory (the core's, in
// which plugins start), not against the root.
func TestRelativePath(t *testing.T) {
	tf := newTestFamily(t)
	cwd := t.TempDir()
	t.Chdir(cwd)
	tf.run(t, []step{
		{"guest-file-open", `{"path": "rel", "mode": "w"}`, "1000"},
		{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD"}`, `{"count": 3, "eof": false}`},
		{"guest-file-close", `{"handle": 1000}`, `{}`},
	})
	if got := readFile(t, filepath.Join(cwd, "rel")); got != "ABC" {
		t.Errorf("rel = %q", got)
	}
}
