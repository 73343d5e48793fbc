package users

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/qgad/qgad/sdk"
)

// fakeChpasswd is a stand-in chpasswd that records its arguments and stdin
// next to itself and then behaves as told by its exit code and output.
func fakeChpasswd(t *testing.T, root, dir, output string, exit int) string {
	t.Helper()
	path := filepath.Join(root, dir, "chpasswd")
	script := "#!/bin/sh\n" +
		`printf '%s\n' "$#" "$@" > "$0.args"` + "\n" +
		`cat > "$0.stdin"` + "\n"
	if output != "" {
		writeFile(t, path+".out", output, 0o644)
		script += `cat "$0.out" >&2` + "\n"
	}
	script += "exit " + itoa(uint32(exit)) + "\n"
	writeFile(t, path, script, 0o755)
	return path
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestSetUserPassword(t *testing.T) {
	tests := []struct {
		name      string
		args      string
		dir       string // where the fake chpasswd lives; "" for none
		output    string
		exit      int
		wantErr   string
		argv      string // recorded "$#" and "$@", one a line
		stdin     string
		notCalled bool
	}{
		{
			name: "plain password", dir: "usr/sbin",
			args: `{"username": "alice", "password": "` + b64("s3cret pass") + `", "crypted": false}`,
			argv: "0\n", stdin: "alice:s3cret pass\n",
		},
		{
			name: "crypted password adds -e", dir: "usr/sbin",
			args: `{"username": "root", "password": "` + b64("$6$salt$hash") + `", "crypted": true}`,
			argv: "1\n-e\n", stdin: "root:$6$salt$hash\n",
		},
		{
			name: "found in /bin of the root", dir: "bin",
			args: `{"username": "bob", "password": "` + b64("x") + `", "crypted": false}`,
			argv: "0\n", stdin: "bob:x\n",
		},
		{
			name: "lenient base64 with newlines and no padding", dir: "usr/sbin",
			args: `{"username": "bob", "password": "c2Vj\ncmV0MQ", "crypted": false}`,
			argv: "0\n", stdin: "bob:secret\n",
		},
		{
			name: "decoded password ends at a NUL byte", dir: "usr/sbin",
			args: `{"username": "bob", "password": "` + b64("ab\x00\ncd") + `", "crypted": false}`,
			argv: "0\n", stdin: "bob:ab\n",
		},
		{
			name: "chpasswd fails with output", dir: "usr/sbin",
			output: "chpasswd: line 1: user 'ghost' does not exist\n", exit: 1,
			args:    `{"username": "ghost", "password": "` + b64("x") + `", "crypted": false}`,
			wantErr: "child process has failed to set user password: chpasswd: line 1: user 'ghost' does not exist\n",
			argv:    "0\n", stdin: "ghost:x\n",
		},
		{
			name: "chpasswd fails silently", dir: "usr/sbin", exit: 3,
			args:    `{"username": "u", "password": "` + b64("x") + `", "crypted": false}`,
			wantErr: "child process has failed to set user password: exit status 3",
			argv:    "0\n", stdin: "u:x\n",
		},
		{
			name:    "no chpasswd in the root",
			args:    `{"username": "u", "password": "` + b64("x") + `", "crypted": false}`,
			wantErr: "child process has failed to set user password: failed to exec 'chpasswd': No such file or directory\n",
		},
		{
			name: "invalid base64", dir: "usr/sbin", notCalled: true,
			args:    `{"username": "u", "password": "not base64!", "crypted": false}`,
			wantErr: "Base64 data contains invalid characters",
		},
		{
			name: "base64 checked before the username", dir: "usr/sbin", notCalled: true,
			args:    `{"username": "a:b", "password": "!!", "crypted": false}`,
			wantErr: "Base64 data contains invalid characters",
		},
		{
			name: "newline in password", dir: "usr/sbin", notCalled: true,
			args:    `{"username": "a:b", "password": "` + b64("a\nb") + `", "crypted": false}`,
			wantErr: "forbidden characters in raw password",
		},
		{
			name: "colon in username", dir: "usr/sbin", notCalled: true,
			args:    `{"username": "a:b", "password": "` + b64("x") + `", "crypted": false}`,
			wantErr: "forbidden characters in username",
		},
		{
			name: "newline in username", dir: "usr/sbin", notCalled: true,
			args:    `{"username": "a\nb", "password": "` + b64("x") + `", "crypted": true}`,
			wantErr: "forbidden characters in username",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			var fake string
			if tc.dir != "" {
				fake = fakeChpasswd(t, root, tc.dir, tc.output, tc.exit)
			}
			res, e := call(t, newPlugin(t, root), "guest-set-user-password", tc.args)
			if e != tc.wantErr {
				t.Errorf("error %q, want %q", e, tc.wantErr)
			}
			if tc.wantErr == "" && res != "{}" {
				t.Errorf("result %q, want {}", res)
			}
			if fake == "" {
				return
			}
			argv, errArgs := os.ReadFile(fake + ".args")
			stdin, _ := os.ReadFile(fake + ".stdin")
			if tc.notCalled {
				if errArgs == nil {
					t.Errorf("chpasswd ran (args %q) but must not", argv)
				}
				return
			}
			if string(argv) != tc.argv || string(stdin) != tc.stdin {
				t.Errorf("chpasswd got args %q stdin %q, want %q and %q", argv, stdin, tc.argv, tc.stdin)
			}
		})
	}
}

// TestChpasswdLookup: under a test root only the root's own sbin and bin
// directories are searched, in PATH order; with root "/" the bare name goes
// to the runner's PATH lookup (nothing is run here).
func TestChpasswdLookup(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]os.FileMode // relative path -> mode; a mode with ModeDir makes a directory
		want  string                 // relative to the root; "chpasswd" for the bare name
		ok    bool
	}{
		{name: "nothing"},
		{name: "not executable", files: map[string]os.FileMode{"usr/bin/chpasswd": 0o644}},
		{name: "directory", files: map[string]os.FileMode{"usr/sbin/chpasswd": os.ModeDir | 0o755}},
		{name: "outside the search dirs", files: map[string]os.FileMode{"usr/local/sbin/chpasswd": 0o755}},
		{
			name:  "usr/bin before sbin",
			files: map[string]os.FileMode{"sbin/chpasswd": 0o755, "usr/bin/chpasswd": 0o755, "bin/chpasswd": 0o755},
			want:  "usr/bin/chpasswd", ok: true,
		},
		{
			name:  "usr/sbin first",
			files: map[string]os.FileMode{"usr/sbin/chpasswd": 0o700, "usr/bin/chpasswd": 0o755},
			want:  "usr/sbin/chpasswd", ok: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for p, mode := range tc.files {
				full := filepath.Join(root, p)
				if mode.IsDir() {
					if err := os.MkdirAll(full, mode.Perm()); err != nil {
						t.Fatal(err)
					}
					continue
				}
				writeFile(t, full, "#!/bin/sh\n", mode)
			}
			f := &family{env: sdk.TestEnv(root)}
			got, ok := f.chpasswd()
			want := ""
			if tc.ok {
				want = filepath.Join(root, tc.want)
			}
			if got != want || ok != tc.ok {
				t.Errorf("chpasswd() = %q, %v; want %q, %v", got, ok, want, tc.ok)
			}
		})
	}
	for _, root := range []string{"/", ""} {
		f := &family{env: sdk.TestEnv(root)}
		if got, ok := f.chpasswd(); got != "chpasswd" || !ok {
			t.Errorf("root %q: chpasswd() = %q, %v; want the bare name", root, got, ok)
		}
	}
}
