package users

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Port of qemu's qga-ssh-test (qga/commands-posix-ssh.c, QGA_BUILD_UNIT_TEST):
// the same steps and the exact file contents, each test in a fresh root and
// home as G_TEST_OPTION_ISOLATE_DIRS gives upstream, run through the
// command layer. Ownership and modes are checked on top.

const (
	key1 = "algo key1 comments"
	key2 = "algo key2 comments"
)

// sshTest is one qga-ssh-test case.
type sshTest struct {
	t        *testing.T
	root     string
	user     passwdEntry
	callFunc func(name, args string) (string, string)
}

func newSSHTest(t *testing.T) *sshTest {
	root, u := newRoot(t)
	p := newPlugin(t, root)
	return &sshTest{t: t, root: root, user: u, callFunc: func(name, args string) (string, string) { return call(t, p, name, args) }}
}

func (s *sshTest) sshDir() string   { return filepath.Join(s.root, s.user.Dir, ".ssh") }
func (s *sshTest) keysPath() string { return filepath.Join(s.sshDir(), "authorized_keys") }

func (s *sshTest) args(user string, keys []string, reset string) string {
	b, _ := json.Marshal(keys)
	a := `{"username": "` + user + `", "keys": ` + string(b)
	if reset != "" {
		a += `, "reset": ` + reset
	}
	return a + "}"
}

// add and remove run the commands for the test user and fail on error.
func (s *sshTest) add(keys []string, reset string) {
	s.t.Helper()
	if _, e := s.callFunc("guest-ssh-add-authorized-keys", s.args(s.user.Name, keys, reset)); e != "" {
		s.t.Fatalf("add %q: %s", keys, e)
	}
}

func (s *sshTest) remove(keys []string) {
	s.t.Helper()
	if _, e := s.callFunc("guest-ssh-remove-authorized-keys", s.args(s.user.Name, keys, "")); e != "" {
		s.t.Fatalf("remove %q: %s", keys, e)
	}
}

// set is test_authorized_keys_set.
func (s *sshTest) set(contents string) {
	writeFile(s.t, s.keysPath(), contents, 0o644)
}

// equal is test_authorized_keys_equal, plus qemu-ga's ownership and modes.
func (s *sshTest) equal(want string) {
	s.t.Helper()
	if got := readFile(s.t, s.keysPath()); got != want {
		s.t.Errorf("authorized_keys = %q, want %q", got, want)
	}
	assertOwnerMode(s.t, s.keysPath(), s.user.UID, s.user.GID, 0o600)
}

func TestQGASSHInvalidUser(t *testing.T) {
	s := newSSHTest(t)
	for _, cmd := range []string{"guest-ssh-add-authorized-keys", "guest-ssh-remove-authorized-keys"} {
		_, e := s.callFunc(cmd, `{"username": "", "keys": []}`)
		if want := "failed to lookup user '': Success"; e != want {
			t.Errorf("%s: error %q, want %q", cmd, e, want)
		}
	}
}

func TestQGASSHInvalidKey(t *testing.T) {
	s := newSSHTest(t)
	for _, cmd := range []string{"guest-ssh-add-authorized-keys", "guest-ssh-remove-authorized-keys"} {
		_, e := s.callFunc(cmd, s.args(s.user.Name, []string{"not a valid\nkey"}, ""))
		if want := "invalid OpenSSH public key: 'not a valid\nkey'"; e != want {
			t.Errorf("%s: error %q, want %q", cmd, e, want)
		}
	}
}

func TestQGASSHAddKeys(t *testing.T) {
	s := newSSHTest(t)
	s.add([]string{key2}, "")
	s.equal("algo key2 comments")
	// The first add created ~/.ssh for the user.
	assertOwnerMode(t, s.sshDir(), s.user.UID, s.user.GID, 0o700)

	s.add([]string{key1, key2}, "")
	// key2 came first, and shouldn't be duplicated.
	s.equal("algo key2 comments\n" + "algo key1 comments")
}

func TestQGASSHAddResetKeys(t *testing.T) {
	s := newSSHTest(t)
	s.add([]string{key1, key2}, "false")
	s.equal("algo key1 comments\n" + "algo key2 comments")

	// reset with key2 only
	s.add([]string{key2}, "true")
	s.equal("algo key2 comments")

	// empty should clear file
	s.add([]string{}, "true")
	s.equal("")
}

func TestQGASSHRemoveKeys(t *testing.T) {
	s := newSSHTest(t)
	const authkeys = "algo key1 comments\n" +
		// originally duplicated
		"algo key1 comments\n" +
		"# a commented line\n" +
		"algo some-key another\n"

	s.set(authkeys)
	s.remove([]string{key2})
	s.equal(authkeys)

	s.remove([]string{key1, key2})
	s.equal("# a commented line\n" + "algo some-key another\n")
}

func TestQGASSHGetKeys(t *testing.T) {
	s := newSSHTest(t)
	s.set("algo key1 comments\n" +
		"# a commented line\n" +
		"algo some-key another\n")

	res, e := s.callFunc("guest-ssh-get-authorized-keys", `{"username": "tester"}`)
	if e != "" {
		t.Fatal(e)
	}
	var got GuestAuthorizedKeys
	if err := json.Unmarshal([]byte(res), &got); err != nil {
		t.Fatalf("result %s: %v", res, err)
	}
	if len(got.Keys) != 2 {
		t.Fatalf("got %d keys (%q), want 2", len(got.Keys), got.Keys)
	}
	for _, k := range got.Keys {
		if !strings.HasPrefix(k, "algo ") {
			t.Errorf("key %q does not start with \"algo \"", k)
		}
	}
	// Beyond upstream: the exact wire form, last line first.
	if want := `{"keys": ["algo some-key another", "algo key1 comments"]}`; res != want {
		t.Errorf("result %s, want %s", res, want)
	}
}
