package users

import (
	"encoding/binary"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
)

// FuzzUtmp: any utmp content (records of arbitrary bytes, a partial
// trailing record) gives users that are unique, named, and serialize.
func FuzzUtmp(f *testing.F) {
	rec := func(typ int16, user string, sec, usec int32) []byte {
		b := make([]byte, utmpRecordSize)
		binary.NativeEndian.PutUint16(b[utTypeOff:], uint16(typ))
		copy(b[utUserOff:], user)
		binary.NativeEndian.PutUint32(b[utTvSecOff:], uint32(sec))
		binary.NativeEndian.PutUint32(b[utTvUsecOff:], uint32(usec))
		return b
	}
	f.Add(rec(userProcess, "root", 1700000000, 5))
	f.Add(append(rec(userProcess, "alice", 10, 0), rec(userProcess, "alice", 5, 999999)...))
	f.Add(append(rec(8, "dead", 1, 1), rec(userProcess, "caf\xc3\xa9\xff", -1, -1)...))
	f.Add(rec(userProcess, string(make([]byte, 40)), 0, 0))
	f.Add(rec(userProcess, "12345678901234567890123456789012", 1, 2)[:utmpRecordSize-1])
	f.Fuzz(func(t *testing.T, data []byte) {
		users := parseUtmp(data)
		if len(users) > len(data)/utmpRecordSize {
			t.Fatalf("%d users from %d records", len(users), len(data)/utmpRecordSize)
		}
		seen := map[string]bool{}
		for _, u := range users {
			if seen[u.User] {
				t.Fatalf("user %q listed twice", u.User)
			}
			seen[u.User] = true
		}
		qgatest.Serializable(t, users)
	})
}
