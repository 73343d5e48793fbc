package users

import (
	"path/filepath"
	"testing"
)

func TestFindPasswdEntry(t *testing.T) {
	const data = "# comment line\n" +
		"root:x:0:0:root:/root:/bin/bash\n" +
		"\n" +
		"  \tindented:x:10:20::/home/indented:/bin/sh\n" +
		"baduid:x:abc:1::/home/baduid:/bin/sh\n" +
		"short:x:7\n" +
		"nodir:x:30:40\n" +
		"shellcolon:x:50:60:g:/home/sc:/bin/sh:extra\n" +
		"dup:x:1:1::/first:/bin/sh\n" +
		"dup:x:2:2::/second:/bin/sh\n" +
		"+nis:x:3:3::/nis:/bin/sh\n" +
		"crlf:x:8:9::/home/crlf:/bin/sh\r\n" +
		"big:x:4294967296:5::/home/big:/bin/sh\n" +
		"last:x:70:80::/home/last:/bin/sh"
	tests := []struct {
		name string
		want passwdEntry
		ok   bool
	}{
		{name: "root", want: passwdEntry{"root", 0, 0, "/root"}, ok: true},
		{name: "indented", want: passwdEntry{"indented", 10, 20, "/home/indented"}, ok: true},
		{name: "baduid"},
		{name: "short"},
		{name: "nodir", want: passwdEntry{"nodir", 30, 40, ""}, ok: true},
		{name: "shellcolon", want: passwdEntry{"shellcolon", 50, 60, "/home/sc"}, ok: true},
		{name: "dup", want: passwdEntry{"dup", 1, 1, "/first"}, ok: true},
		{name: "+nis"},
		{name: "-nis"},
		{name: "crlf", want: passwdEntry{"crlf", 8, 9, "/home/crlf"}, ok: true},
		{name: "big", want: passwdEntry{"big", 0, 5, "/home/big"}, ok: true},
		{name: "last", want: passwdEntry{"last", 70, 80, "/home/last"}, ok: true},
		{name: ""},
		{name: "# comment line"},
		{name: "nobody"},
	}
	for _, tc := range tests {
		got, ok := findPasswdEntry([]byte(data), tc.name)
		if ok != tc.ok || got != tc.want {
			t.Errorf("findPasswdEntry(%q) = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLookupUserErrors(t *testing.T) {
	root, u := newRoot(t)
	tests := []struct {
		path, name, wantErr string
	}{
		{path: filepath.Join(root, "etc/passwd"), name: u.Name},
		{path: filepath.Join(root, "etc/passwd"), name: "nosuchuser", wantErr: "failed to lookup user 'nosuchuser': Success"},
		// Only the name before a NUL byte is looked up, and shown.
		{path: filepath.Join(root, "etc/passwd"), name: "tester\x00junk"},
		{path: filepath.Join(root, "missing/passwd"), name: "root", wantErr: "failed to lookup user 'root': Success"},
		{path: root, name: "root", wantErr: "failed to lookup user 'root': Is a directory"},
	}
	for _, tc := range tests {
		_, err := lookupUser(tc.path, tc.name)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.wantErr {
			t.Errorf("lookupUser(%q) error %q, want %q", tc.name, got, tc.wantErr)
		}
	}
}
