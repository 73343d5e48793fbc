package freezetest

import (
	"strings"
	"testing"
)

// The fixture-table guard is what keeps freeze tests off this machine's
// filesystems, so its refusals are tested on their own.
func TestCheckInside(t *testing.T) {
	const base = "/fixture/base"
	tests := []struct {
		name  string
		lines []string
		ok    bool
	}{
		{"empty table", nil, true},
		{"inside", []string{Line(7, 0, base+"/a", "ext4", "/dev/loop0")}, true},
		{"escaped name inside", []string{Line(7, 0, base+"/with space", "ext4", "/dev/loop0")}, true},
		{"root", []string{Line(254, 0, "/", "ext4", "/dev/vda")}, false},
		{"base itself", []string{Line(7, 0, base, "ext4", "/dev/loop0")}, false},
		{"sibling with the same prefix", []string{Line(7, 0, base+"x/a", "ext4", "/dev/loop0")}, false},
		{"dot-dot out", []string{Line(7, 0, base+"/../../../", "ext4", "/dev/loop0")}, false},
		{"one bad line among good", []string{Line(7, 0, base+"/a", "ext4", "/dev/loop0"), Line(8, 1, "/boot", "ext4", "/dev/sda1")}, false},
		{"btrfs outside", []string{Line(0, 31, "/home", "btrfs", "/dev/vda2")}, false},
		{"pseudo filesystem line", []string{Line(0, 21, "/proc", "proc", "proc")}, false},
		{"garbage", []string{"not a mountinfo line\n"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkInside(strings.Join(tt.lines, ""), base)
			if (err == nil) != tt.ok {
				t.Errorf("checkInside = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	if err := checkInside("", "/"); err == nil {
		t.Error("base / accepted")
	}
}
