package users

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// testUser is the account the mutating tests act on. As root it gets a
// made-up uid/gid so that chown is observable; otherwise the caller's own,
// which is all chown allows.
func testUser() passwdEntry {
	u := passwdEntry{Name: "tester", UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), Dir: "/home/tester"}
	if os.Geteuid() == 0 {
		u.UID, u.GID = 4242, 4343
	}
	return u
}

// newRoot makes a writable test root holding etc/passwd with testUser and
// its (empty) home directory, like qga-ssh-test's isolated $HOME.
func newRoot(t *testing.T) (root string, u passwdEntry) {
	t.Helper()
	root = t.TempDir()
	u = testUser()
	writeFile(t, filepath.Join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n"+
		u.Name+":x:"+itoa(u.UID)+":"+itoa(u.GID)+":Test User:"+u.Dir+":/bin/sh\n", 0o644)
	if err := os.MkdirAll(filepath.Join(root, u.Dir), 0o755); err != nil {
		t.Fatal(err)
	}
	return root, u
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

func newPlugin(t *testing.T, root string) *sdk.Plugin {
	t.Helper()
	return qgatest.NewPlugin(t, New, root)
}

// call runs a command through the same validation and serialization as
// the core. It returns the serialized result or the QMP error text.
func call(t *testing.T, p *sdk.Plugin, name, args string) (string, string) {
	t.Helper()
	res, err := p.Call(context.Background(), name, args)
	if err != nil {
		var qe *qapi.Error
		if !errors.As(err, &qe) {
			t.Fatalf("%s %s: non-QMP error %v", name, args, err)
		}
		if qe.Class != qapi.ClassGeneric {
			t.Errorf("%s: error class %s, want %s", name, qe.Class, qapi.ClassGeneric)
		}
		return "", qe.Desc
	}
	return res, ""
}

func writeFile(t *testing.T, path, contents string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(contents), mode); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assertOwnerMode checks a file's owner, group and permission bits.
func assertOwnerMode(t *testing.T, path string, uid, gid uint32, perm os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		t.Fatalf("%s: no Stat_t", path)
	}
	if sys.Uid != uid || sys.Gid != gid {
		t.Errorf("%s: owner %d:%d, want %d:%d", path, sys.Uid, sys.Gid, uid, gid)
	}
	if st.Mode().Perm() != perm {
		t.Errorf("%s: mode %v, want %v", path, st.Mode().Perm(), perm)
	}
}
