package users

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// utmpEntry is one struct utmp record to write into a fixture.
type utmpEntry struct {
	typ       int16
	pid       int32
	line, id  string
	user      string // written as is: 32 bytes fill ut_user without a NUL
	host      string
	sec, usec int32
}

// utmpBytes encodes records in glibc's x86_64 struct utmp layout.
func utmpBytes(entries ...utmpEntry) []byte {
	ne := binary.NativeEndian
	var out []byte
	for _, e := range entries {
		rec := make([]byte, utmpRecordSize)
		ne.PutUint16(rec[0:], uint16(e.typ))
		ne.PutUint32(rec[4:], uint32(e.pid))
		copy(rec[8:40], e.line)
		copy(rec[40:44], e.id)
		copy(rec[44:76], e.user)
		copy(rec[76:332], e.host)
		ne.PutUint32(rec[340:], uint32(e.sec))
		ne.PutUint32(rec[344:], uint32(e.usec))
		out = append(out, rec...)
	}
	return out
}

func userProc(user string, sec, usec int32) utmpEntry {
	return utmpEntry{typ: userProcess, pid: 100, line: "pts/0", id: "ts/0", user: user, sec: sec, usec: usec}
}

func TestParseUtmp(t *testing.T) {
	const (
		bootTime     = 2
		loginProcess = 6
		deadProcess  = 8
	)
	tests := []struct {
		name string
		data []byte
		want []GuestUser
	}{
		{name: "empty file", data: nil, want: []GuestUser{}},
		{
			name: "one user",
			data: utmpBytes(userProc("alice", 1700000000, 500000)),
			want: []GuestUser{{"alice", 1700000000.5}},
		},
		{
			name: "only USER_PROCESS records count",
			data: utmpBytes(
				utmpEntry{typ: bootTime, user: "reboot", sec: 1},
				utmpEntry{typ: loginProcess, user: "LOGIN", sec: 2},
				utmpEntry{typ: deadProcess, user: "carol", sec: 3},
				userProc("bob", 10, 0),
			),
			want: []GuestUser{{"bob", 10}},
		},
		{
			name: "first-seen order, earliest login kept",
			data: utmpBytes(
				userProc("bob", 300, 0),
				userProc("alice", 200, 0),
				userProc("bob", 100, 999999),
				userProc("alice", 250, 0),
			),
			want: []GuestUser{{"bob", 100.999999}, {"alice", 200}},
		},
		{
			name: "microseconds as qemu-ga's double arithmetic",
			data: utmpBytes(userProc("u", 1700000200, 1)),
			want: []GuestUser{{"u", float64(int32(1700000200)) + float64(int32(1))/1000000}},
		},
		{
			name: "negative seconds are signed 32-bit",
			data: utmpBytes(userProc("old", -1, 0)),
			want: []GuestUser{{"old", -1}},
		},
		{
			name: "32-byte user name runs on into ut_host like strdup",
			data: utmpBytes(utmpEntry{typ: userProcess, user: "abcdefghijklmnopqrstuvwxyz012345", host: "example.org", sec: 5}),
			want: []GuestUser{{"abcdefghijklmnopqrstuvwxyz012345example.org", 5}},
		},
		{
			name: "empty user name is a user too",
			data: utmpBytes(userProc("", 7, 0)),
			want: []GuestUser{{"", 7}},
		},
		{
			name: "trailing partial record ignored",
			data: append(utmpBytes(userProc("alice", 1, 0)), utmpBytes(userProc("bob", 2, 0))[:200]...),
			want: []GuestUser{{"alice", 1}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseUtmp(tc.data)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseUtmp = %#v, want %#v", got, tc.want)
			}
		})
	}
}

// TestGetUsersWire checks what goes on the wire, through the command layer.
func TestGetUsersWire(t *testing.T) {
	tests := []struct {
		name string
		utmp []byte // nil: no utmp file at all
		dir  bool   // utmp is a directory, so reading it fails
		want string
	}{
		{name: "no utmp file", want: `[]`},
		{name: "utmp is unreadable (a directory)", dir: true, want: `[]`},
		{name: "no user logged in", utmp: utmpBytes(utmpEntry{typ: 2, user: "reboot", sec: 1}), want: `[]`},
		{
			name: "doubles printed with %.17g",
			utmp: utmpBytes(userProc("root", 1700000000, 80000), userProc("alice", 1700000001, 0)),
			want: `[{"login-time": 1700000000.0799999, "user": "root"}, {"login-time": 1700000001, "user": "alice"}]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.dir {
				if err := os.MkdirAll(filepath.Join(root, "var/run/utmp"), 0o755); err != nil {
					t.Fatal(err)
				}
			} else if tc.utmp != nil {
				writeFile(t, filepath.Join(root, "var/run/utmp"), string(tc.utmp), 0o664)
			}
			res, e := call(t, newPlugin(t, root), "guest-get-users", "")
			if e != "" || res != tc.want {
				t.Errorf("got %s (error %q), want %s", res, e, tc.want)
			}
		})
	}
}

// TestGetUsersRealFixture reads a utmp file written by glibc's pututxline
// (contents in testdata/utmp-real/utmp.dump). The expected answer is what
// Debian's qemu-ga 7.2 returned for this very file.
func TestGetUsersRealFixture(t *testing.T) {
	root := filepath.Join("testdata", "utmp-real")
	if st, err := os.Stat(filepath.Join(root, utmpPath)); err != nil || st.Size() != 9*utmpRecordSize {
		t.Fatalf("fixture: %v (size must be 9 records)", err)
	}
	res, e := call(t, newPlugin(t, root), "guest-get-users", "")
	want := `[{"login-time": 1700000050.75, "user": "alice"}, {"login-time": 1700000200.000001, "user": "bob"}, ` +
		`{"login-time": 1700000300.123456, "user": "abcdefghijklmnopqrstuvwxyz012345example.org"}]`
	if e != "" || res != want {
		t.Errorf("got %s (error %q)\nwant %s", res, e, want)
	}
}
