package mounts

import (
	"strings"
	"testing"
)

// FuzzParseMountinfo checks that no input panics the parser and that the
// list never holds what qemu-ga would have dropped.
func FuzzParseMountinfo(f *testing.F) {
	f.Add("26 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n")
	f.Add("26 1 0:31 /@ / rw - btrfs /dev/vda2 rw\n")
	f.Add(`30 26 252:32 / /mnt/a\040b\\c\1 rw - ext4 /dev/x\040y rw` + "\n")
	stat := fakeStat(map[string]Device{
		"/dev/vda2": {Block: true, Major: 252, Minor: 2},
		"/dev/dir":  {Dir: true},
	})
	f.Fuzz(func(t *testing.T, in string) {
		got := ParseMountinfo(strings.NewReader(in), stat)
		checkInvariants(t, got)
		for _, m := range got {
			if m.Type == "" {
				t.Errorf("entry without a type: %#v", m)
			}
			if strings.ContainsAny(m.Type, " \t\n\v\f\r") {
				t.Errorf("white space in type: %#v", m)
			}
		}
	})
}
