package users

import (
	"context"
	"encoding/binary"
	"os"
)

// glibc's x86_64 struct utmp (== struct utmpx): the file is an array of
// these records in native byte order.
const (
	utmpRecordSize = 384
	utTypeOff      = 0   // int16, then 2 bytes of padding
	utUserOff      = 44  // char ut_user[32], not necessarily NUL-terminated
	utTvSecOff     = 340 // int32 tv_sec
	utTvUsecOff    = 344 // int32 tv_usec
	userProcess    = 7   // USER_PROCESS
)

// utmpPath is where glibc's getutxent reads (_PATH_UTMP).
const utmpPath = "/var/run/utmp"

// GuestUser is one logged-in user. qemu-ga's "domain" member is Windows-only
// and never set here.
type GuestUser struct {
	User      string  `json:"user"`
	LoginTime float64 `json:"login-time"`
}

func (f *family) getUsers(context.Context) ([]GuestUser, error) {
	data, err := os.ReadFile(f.env.Path(utmpPath))
	if err != nil {
		// getutxent just returns no entry when utmp can't be read.
		return []GuestUser{}, nil
	}
	return parseUtmp(data), nil
}

// parseUtmp does what qemu-ga's guest-get-users loop does over getutxent():
// USER_PROCESS records only, one entry per user name in first-seen order,
// keeping the earliest login time. A trailing partial record is ignored, as
// glibc does.
func parseUtmp(data []byte) []GuestUser {
	users := []GuestUser{}
	index := map[string]int{}
	ne := binary.NativeEndian
	for off := 0; off+utmpRecordSize <= len(data); off += utmpRecordSize {
		rec := data[off : off+utmpRecordSize]
		if int16(ne.Uint16(rec[utTypeOff:])) != userProcess {
			continue
		}
		// qemu-ga strdup()s ut_user: a 32-byte name without NUL runs on
		// into ut_host, so read a C string up to the record's end.
		name := cString(rec[utUserOff:])
		sec := int32(ne.Uint32(rec[utTvSecOff:]))
		usec := int32(ne.Uint32(rec[utTvUsecOff:]))
		// Same double arithmetic as qemu-ga's ga_get_login_time.
		t := float64(sec) + float64(usec)/1000000
		if i, ok := index[name]; ok {
			if t < users[i].LoginTime {
				users[i].LoginTime = t
			}
			continue
		}
		index[name] = len(users)
		users = append(users, GuestUser{User: name, LoginTime: t})
	}
	return users
}

// cString returns b up to its first NUL byte.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
