package users

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSSHKeysCases covers the rules of spec 2.10 beyond qga-ssh-test. The
// expected texts and file contents were checked against Debian's qemu-ga
// 7.2 run in a private mount namespace (see README).
func TestSSHKeysCases(t *testing.T) {
	const (
		home = "home/tester"
		ssh  = home + "/.ssh"
		keys = ssh + "/authorized_keys"
	)
	file := func(path, contents string) func(t *testing.T, root string) {
		return func(t *testing.T, root string) { writeFile(t, filepath.Join(root, path), contents, 0o644) }
	}
	dir := func(path string) func(t *testing.T, root string) {
		return func(t *testing.T, root string) {
			if err := os.MkdirAll(filepath.Join(root, path), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	rmHome := func(t *testing.T, root string) {
		if err := os.RemoveAll(filepath.Join(root, home)); err != nil {
			t.Fatal(err)
		}
	}
	str := func(s string) *string { return &s }

	tests := []struct {
		name    string
		setup   func(t *testing.T, root string)
		cmd     string
		args    string
		want    string         // exact result, when no error is expected
		wantErr *regexp.Regexp // %K = keys file, %S = ~/.ssh (both quoted)
		file    *string        // contents of the keys file afterwards; nil: must not exist
		keep    bool           // don't look at the keys file
	}{
		{
			name: "get missing file", cmd: "guest-ssh-get-authorized-keys", args: `{"username": "tester"}`,
			wantErr: errRe("failed to read '%K': Failed to open file “%K”: No such file or directory"),
		},
		{
			name: "get unknown user", cmd: "guest-ssh-get-authorized-keys", args: `{"username": "nosuchuser"}`,
			wantErr: errRe("failed to lookup user 'nosuchuser': Success"),
		},
		{
			name: "get keys file is a directory", setup: dir(keys), cmd: "guest-ssh-get-authorized-keys",
			args: `{"username": "tester"}`, keep: true,
			wantErr: errRe("failed to read '%K': Error reading file “%K”: Is a directory"),
		},
		{
			name:  "get strips blanks, skips empty and comment lines, stops at NUL",
			setup: file(keys, "k1\r\n  k2 \t\n\n#c\n  # indented comment\nk3\x00k4\nk5\n"),
			cmd:   "guest-ssh-get-authorized-keys", args: `{"username": "tester"}`,
			want: `{"keys": ["k3", "k2", "k1"]}`, keep: true,
		},
		{
			name: "get empty file", setup: file(keys, ""), cmd: "guest-ssh-get-authorized-keys",
			args: `{"username": "tester"}`, want: `{"keys": []}`, keep: true,
		},
		{
			name: "remove missing file succeeds without writing", cmd: "guest-ssh-remove-authorized-keys",
			args: `{"username": "tester", "keys": ["k1"]}`, want: `{}`,
		},
		{
			name: "remove keys file is a directory", setup: dir(keys), cmd: "guest-ssh-remove-authorized-keys",
			args: `{"username": "tester", "keys": []}`, keep: true,
			wantErr: errRe("failed to read '%K': Error reading file “%K”: Is a directory"),
		},
		{
			name: "remove empty key drops empty lines and the final newline", setup: file(keys, "a\n\nb\na\n"),
			cmd: "guest-ssh-remove-authorized-keys", args: `{"username": "tester", "keys": [""]}`,
			want: `{}`, file: str("a\nb\na"),
		},
		{
			name: "remove nothing rewrites the file unchanged", setup: file(keys, "a\n# c\n"),
			cmd: "guest-ssh-remove-authorized-keys", args: `{"username": "tester", "keys": []}`,
			want: `{}`, file: str("a\n# c\n"),
		},
		{
			name: "remove drops what follows a NUL byte", setup: file(keys, "a\x00b\nc\n"),
			cmd: "guest-ssh-remove-authorized-keys", args: `{"username": "tester", "keys": []}`,
			want: `{}`, file: str("a"),
		},
		{
			name: "remove unknown user", cmd: "guest-ssh-remove-authorized-keys",
			args:    `{"username": "nosuchuser", "keys": ["k"]}`,
			wantErr: errRe("failed to lookup user 'nosuchuser': Success"),
		},
		{
			name: "add checks keys before the user", cmd: "guest-ssh-add-authorized-keys",
			args:    `{"username": "nosuchuser", "keys": ["ok", "#x"]}`,
			wantErr: errRe("invalid OpenSSH public key: '#x'"),
		},
		{
			name: "add keeps a trailing empty line", setup: file(keys, "k1\n"),
			cmd: "guest-ssh-add-authorized-keys", args: `{"username": "tester", "keys": ["k2"]}`,
			want: `{}`, file: str("k1\n\nk2"),
		},
		{
			name: "add empty key to an empty file", setup: file(keys, ""),
			cmd: "guest-ssh-add-authorized-keys", args: `{"username": "tester", "keys": ["", "z"]}`,
			want: `{}`, file: str("\nz"),
		},
		{
			name: "add the same key twice in one call", cmd: "guest-ssh-add-authorized-keys",
			args: `{"username": "tester", "keys": ["x", "x"]}`, want: `{}`, file: str("x"),
		},
		{
			name: "add with reset into an existing .ssh", setup: file(ssh+"/known_hosts", "h\n"),
			cmd: "guest-ssh-add-authorized-keys", args: `{"username": "tester", "keys": ["x"], "reset": true}`,
			want: `{}`, file: str("x"),
		},
		{
			name: "add when ~/.ssh is a file", setup: file(ssh, ""), cmd: "guest-ssh-add-authorized-keys",
			args:    `{"username": "tester", "keys": ["x"]}`,
			wantErr: errRe("failed to create directory '%S': File exists"), keep: true,
		},
		{
			name: "add when the home directory is missing", setup: rmHome, cmd: "guest-ssh-add-authorized-keys",
			args:    `{"username": "tester", "keys": ["x"]}`,
			wantErr: errRe("failed to create directory '%S': No such file or directory"),
		},
		{
			name: "add when the keys file is a directory", setup: dir(keys), cmd: "guest-ssh-add-authorized-keys",
			args: `{"username": "tester", "keys": ["x"]}`, keep: true,
			wantErr: errRe("failed to write to '%K': Failed to rename file “%K\\.[A-Za-z0-9]{6}” to “%K”: g_rename\\(\\) failed: Is a directory"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := newRoot(t)
			if tc.setup != nil {
				tc.setup(t, root)
			}
			p := newPlugin(t, root)
			res, e := call(t, p, tc.cmd, tc.args)
			keysPath := filepath.Join(root, keys)
			if tc.wantErr != nil {
				re := regexp.MustCompile(strings.NewReplacer("%K", regexp.QuoteMeta(keysPath),
					"%S", regexp.QuoteMeta(filepath.Join(root, ssh))).Replace(tc.wantErr.String()))
				if !re.MatchString(e) {
					t.Errorf("error %q, want match of %s", e, re)
				}
			} else if e != "" || res != tc.want {
				t.Errorf("result %q error %q, want %q", res, e, tc.want)
			}
			if !tc.keep {
				got, err := os.ReadFile(keysPath)
				switch {
				case tc.file == nil && err == nil:
					t.Errorf("keys file exists with %q, want none", got)
				case tc.file != nil && err != nil:
					t.Errorf("keys file: %v", err)
				case tc.file != nil && string(got) != *tc.file:
					t.Errorf("keys file %q, want %q", got, *tc.file)
				}
			}
			// A failed or finished rewrite leaves no temporary file behind.
			if tmps, _ := filepath.Glob(keysPath + ".*"); len(tmps) > 0 {
				t.Errorf("temporary files left: %q", tmps)
			}
		})
	}
}

// errRe is an anchored pattern with %K/%S placeholders; the rest is literal
// unless it was written as a regexp already.
func errRe(s string) *regexp.Regexp {
	if !strings.Contains(s, `\`) {
		s = regexp.QuoteMeta(s)
	}
	return regexp.MustCompile("^" + s + "$")
}

func TestCheckKeys(t *testing.T) {
	tests := []struct {
		keys    []string
		want    []string
		wantErr string
	}{
		{keys: nil, want: []string{}},
		{keys: []string{""}, want: []string{""}},
		{keys: []string{"ssh-ed25519 AAAA x", " #not-a-comment"}, want: []string{"ssh-ed25519 AAAA x", " #not-a-comment"}},
		{keys: []string{"ok", "# comment"}, wantErr: "invalid OpenSSH public key: '# comment'"},
		{keys: []string{"a\nb", "#x"}, wantErr: "invalid OpenSSH public key: 'a\nb'"},
		{keys: []string{"trailing\n"}, wantErr: "invalid OpenSSH public key: 'trailing\n'"},
		// qemu-ga sees C strings: what follows a NUL is not there.
		{keys: []string{"k\x00\nrest"}, want: []string{"k"}},
	}
	for _, tc := range tests {
		got, err := checkKeys(tc.keys)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("checkKeys(%q) error %v, want %q", tc.keys, err, tc.wantErr)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("checkKeys(%q) = %q, %v; want %q", tc.keys, got, err, tc.want)
		}
	}
}

func TestBuildFilename(t *testing.T) {
	tests := []struct{ dir, name, want string }{
		{"/home/u", ".ssh", "/home/u/.ssh"},
		{"/home/u/", ".ssh", "/home/u/.ssh"},
		{"/", ".ssh", "/.ssh"},
		{"//srv//", ".ssh", "//srv/.ssh"},
		{"", ".ssh", ".ssh"},
		{"rel/dir", ".ssh", "rel/dir/.ssh"},
		{"/home/u/.ssh", "authorized_keys", "/home/u/.ssh/authorized_keys"},
	}
	for _, tc := range tests {
		if got := buildFilename(tc.dir, tc.name); got != tc.want {
			t.Errorf("buildFilename(%q, %q) = %q, want %q", tc.dir, tc.name, got, tc.want)
		}
	}
}

func TestSplitLines(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a", ""}},
		{"\n", []string{"", ""}},
		{"a\nb", []string{"a", "b"}},
		{"a\x00b\nc", []string{"a"}},
		{"\x00a", nil},
	}
	for _, tc := range tests {
		got := splitLines([]byte(tc.in))
		if len(got) != len(tc.want) || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("splitLines(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSSHGetFixture reads keys from the committed tree testdata/ssh-get:
// home directories from its etc/passwd are mapped into the root.
func TestSSHGetFixture(t *testing.T) {
	root := filepath.Join("testdata", "ssh-get")
	p := newPlugin(t, root)
	const keys = `{"keys": ["command=\"/bin/true\",no-pty ssh-ed25519 AAAAC3Nz backup", ` +
		`"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB bob@desk", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0 alice@laptop"]}`
	missing := filepath.Join(root, "srv/emptyhome/.ssh/authorized_keys")
	tests := []struct{ user, want, wantErr string }{
		{user: "tester", want: keys},
		{user: "slashhome", want: keys},
		{user: "nokeys", wantErr: "failed to read '" + missing + "': Failed to open file “" + missing + "”: No such file or directory"},
		{user: "alice", wantErr: "failed to lookup user 'alice': Success"},
	}
	for _, tc := range tests {
		res, e := call(t, p, "guest-ssh-get-authorized-keys", `{"username": "`+tc.user+`"}`)
		if res != tc.want || e != tc.wantErr {
			t.Errorf("%s: got %s error %q, want %s error %q", tc.user, res, e, tc.want, tc.wantErr)
		}
	}
}
