package memtrim

import "testing"

func TestReadOnlyMapping(t *testing.T) {
	exe := "/usr/sbin/qgad"
	tests := []struct {
		line string
		ok   bool
	}{
		{"00400000-00b2c000 r-xp 00000000 fe:01 1234 /usr/sbin/qgad", true},
		{"00b2c000-01400000 r--p 0072c000 fe:01 1234 /usr/sbin/qgad", true},
		{"01400000-01450000 rw-p 01000000 fe:01 1234 /usr/sbin/qgad", false}, // data: never
		{"01450000-01480000 rw-p 00000000 00:00 0", false},                   // bss/heap
		{"7f0000000000-7f0000001000 r--p 00000000 fe:01 99 /usr/lib/x.so", false},
		{"00400000-00b2c000 r-xs 00000000 fe:01 1234 /usr/sbin/qgad", false}, // shared
		{"garbage", false},
	}
	for _, tt := range tests {
		_, _, ok := readOnlyMapping(tt.line, exe)
		if ok != tt.ok {
			t.Errorf("%q: got %v", tt.line, ok)
		}
	}
}

// Trim runs on the test binary itself and the program keeps working.
func TestTrimKeepsRunning(t *testing.T) {
	if n := Trim(); n <= 0 {
		t.Fatalf("Trim advised %d bytes of the test binary", n)
	}
	// Code paths touched after the trim fault their pages back in.
	if _, _, ok := readOnlyMapping("00400000-00b2c000 r-xp 0 fe:01 1 /x", "/x"); !ok {
		t.Fatal("after Trim the program misbehaves")
	}
}
