package cscan

import (
	"math"
	"testing"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		in     string
		base   int
		signed bool
		want   uint64
		ok     bool
		pos    int // where the scanner stands afterwards
	}{
		{"  42 x", 10, false, 42, true, 4},
		{"+5", 10, false, 5, true, 2},
		{"-1", 10, false, math.MaxUint64, true, 2},
		{"-1", 10, true, math.MaxUint64, true, 2}, // -1 in two's complement
		{"18446744073709551615", 10, false, math.MaxUint64, true, 20},
		{"18446744073709551616", 10, false, math.MaxUint64, true, 20},
		{"-18446744073709551616", 10, false, math.MaxUint64, true, 21},
		{"9223372036854775807", 10, true, math.MaxInt64, true, 19},
		{"9223372036854775808", 10, true, math.MaxInt64, true, 19},
		{"-9223372036854775808", 10, true, 1 << 63, true, 20},
		{"-9223372036854775809", 10, true, 1 << 63, true, 20},
		{"ffffffffffffffffff", 16, false, math.MaxUint64, true, 18},
		{"0x1f/", 16, false, 31, true, 4},
		{"0X1F", 16, false, 31, true, 4},
		{"FF:", 16, false, 255, true, 2},
		{"-0x10", 16, false, math.MaxUint64 - 15, true, 5},
		{"0xg", 16, false, 0, true, 1},
		{"0x", 16, false, 0, true, 1},
		{"0x10", 10, false, 0, true, 1},
		{"ff", 10, false, 0, false, 0},
		{"\t\n x", 10, false, 0, false, 3}, // white space goes even on failure
		{"+", 10, false, 0, false, 0},
		{"- 1", 10, true, 0, false, 0},
		{"", 16, false, 0, false, 0},
	}
	for _, tc := range tests {
		sc := New(tc.in)
		got, ok := sc.Number(tc.base, tc.signed)
		if got != tc.want || ok != tc.ok || sc.Pos() != tc.pos {
			t.Errorf("Number(%q, %d, %v) = %d, %v at %d; want %d, %v at %d",
				tc.in, tc.base, tc.signed, got, ok, sc.Pos(), tc.want, tc.ok, tc.pos)
		}
	}
}

func TestWord(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
		ok    bool
		pos   int
	}{
		{" \tsda1 rest", 0, "sda1", true, 6},
		{"abcdef", 3, "abc", true, 3},
		{"ab cd", 3, "ab", true, 2},
		{"a\x00b c", 0, "a\x00b", true, 3},
		{"   ", 0, "", false, 3},
		{"", 0, "", false, 0},
	}
	for _, tc := range tests {
		sc := New(tc.in)
		got, ok := sc.Word(tc.width)
		if got != tc.want || ok != tc.ok || sc.Pos() != tc.pos {
			t.Errorf("Word(%q, %d) = %q, %v at %d; want %q, %v at %d",
				tc.in, tc.width, got, ok, sc.Pos(), tc.want, tc.ok, tc.pos)
		}
	}
}

// TestSequence scans like sscanf(s, "%x:%x/%d%s") from an offset.
func TestSequence(t *testing.T) {
	tests := []struct {
		in   string
		at   int
		want [3]uint64
		word string
		n    int // steps (conversion and its literal) that matched
		rest string
	}{
		{"pci0000:00/ 12 tail more", 3, [3]uint64{0, 0, 12}, "tail", 4, " more"},
		{"pci0000:00/-3x", 3, [3]uint64{0, 0, math.MaxUint64 - 2}, "x", 4, ""},
		{"pci0000 :00/1", 3, [3]uint64{0}, "", 0, " :00/1"},
		{"pci1:2/", 3, [3]uint64{1, 2}, "", 2, ""},
	}
	for _, tc := range tests {
		sc := At(tc.in, tc.at)
		var got [3]uint64
		var word string
		n := 0
		func() {
			var ok bool
			if got[0], ok = sc.Hex(); !ok || !sc.Literal(':') {
				return
			}
			n++
			if got[1], ok = sc.Hex(); !ok || !sc.Literal('/') {
				return
			}
			n++
			if got[2], ok = sc.Sdec(); !ok {
				return
			}
			n++
			if word, ok = sc.Word(0); !ok {
				return
			}
			n++
		}()
		if got != tc.want || word != tc.word || n != tc.n || sc.Rest() != tc.rest {
			t.Errorf("scanning %q from %d: %v %q, %d steps, rest %q; want %v %q, %d steps, rest %q",
				tc.in, tc.at, got, word, n, sc.Rest(), tc.want, tc.word, tc.n, tc.rest)
		}
	}
}

func TestDigit(t *testing.T) {
	tests := []struct {
		c    byte
		base int
		want uint64
		ok   bool
	}{
		{'0', 10, 0, true},
		{'9', 10, 9, true},
		{'a', 10, 0, false},
		{'a', 16, 10, true},
		{'F', 16, 15, true},
		{'g', 16, 0, false},
		{'z', 36, 35, true},
		{'/', 16, 0, false},
		{':', 16, 0, false},
		{0xff, 36, 0, false},
	}
	for _, tc := range tests {
		if got, ok := Digit(tc.c, tc.base); got != tc.want || ok != tc.ok {
			t.Errorf("Digit(%q, %d) = %d, %v; want %d, %v", tc.c, tc.base, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStrings(t *testing.T) {
	tests := []struct {
		in, trimmed, cstring string
	}{
		{" \t\n\v\f\rx y ", "x y ", " \t\n\v\f\rx y "},
		{"a\x00b", "a\x00b", "a"},
		{"\x00", "\x00", ""},
		{"\u00a0x", "\u00a0x", "\u00a0x"}, // not white space in the "C" locale
		{"", "", ""},
	}
	for _, tc := range tests {
		if got := TrimLeftSpace(tc.in); got != tc.trimmed {
			t.Errorf("TrimLeftSpace(%q) = %q, want %q", tc.in, got, tc.trimmed)
		}
		if got := CString(tc.in); got != tc.cstring {
			t.Errorf("CString(%q) = %q, want %q", tc.in, got, tc.cstring)
		}
	}
}
