package cscan

import (
	"math"
	"strconv"
	"testing"
)

// Expected values come from glibc (strtol, strtoul, strtod, atoi).

func TestStrtol16(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		rest string
	}{
		{"8000000\n", 134217728, "\n"},
		{"0x10", 16, ""},
		{"  -1", -1, ""},
		{"ffffffffffffffffff", math.MaxInt64, ""},
		{"-8000000000000000", math.MinInt64, ""},
		{"-8000000000000001", math.MinInt64, ""},
		{"0x", 0, "x"},
		{"zz", 0, "zz"},
		{"+7f", 127, ""},
		{"\v\f12", 18, ""},
		{"10 20", 16, " 20"},
		{"0X1g", 1, "g"},
		{"", 0, ""},
	}
	for _, tc := range tests {
		got, rest, _ := Strtol(tc.in, 16)
		if got != tc.want || rest != tc.rest {
			t.Errorf("Strtol(%q, 16) = %d, rest %q; want %d, rest %q", tc.in, got, rest, tc.want, tc.rest)
		}
	}
}

func TestStrtoul(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		rest string
		ok   bool
	}{
		{"18446744073709551615", math.MaxUint64, "", true},
		{"18446744073709551616", math.MaxUint64, "", true},
		{"-1", math.MaxUint64, "", true},
		{"-18446744073709551616", math.MaxUint64, "", true},
		{"+5", 5, "", true},
		{" 42x", 42, "x", true},
		{"-", 0, "-", false},
		{"0x10", 0, "x10", true},
	}
	for _, tc := range tests {
		got, rest, ok := Strtoul(tc.in, 10)
		if got != tc.want || rest != tc.rest || ok != tc.ok {
			t.Errorf("Strtoul(%q) = %d, %q, %v; want %d, %q, %v", tc.in, got, rest, ok, tc.want, tc.rest, tc.ok)
		}
	}
}

func TestAtoi(t *testing.T) {
	for in, want := range map[string]int64{
		"7":          7,
		"foo":        0,
		"-12x":       -12,
		"2147483648": -2147483648,
		"4294967297": 1,
	} {
		if got := Atoi(in); got != want {
			t.Errorf("Atoi(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestStrtod(t *testing.T) {
	tests := []struct {
		in   string
		want string // %.17g of the value
		rest string
	}{
		{"0.08 0.50", "0.080000000000000002", " 0.50"},
		{"1e3x", "1000", "x"},
		{"  .5", "0.5", ""},
		{"5.", "5", ""},
		{"-0.25e-1", "-0.025000000000000001", ""},
		{"inf x", "+Inf", " x"},
		{"INFINITY", "+Inf", ""},
		{"nanq", "NaN", "q"},
		{"nan(123)", "NaN", ""},
		{"nan(", "NaN", "("},
		{"nan()x", "NaN", "x"},
		{"0x1.8p1", "3", ""},
		{"0x1A", "26", ""},
		{"0x1p", "1", "p"},
		{"0x", "0", "x"},
		{"e5", "0", "e5"},
		{".e5", "0", ".e5"},
		{"1e", "1", "e"},
		{"1e+", "1", "e+"},
		{"+.", "0", "+."},
		{"1.5e400", "+Inf", ""},
		{"-inf", "-Inf", ""},
		{"-nan", "NaN", ""},
		{"+Infinityx", "+Inf", "x"},
	}
	for _, tc := range tests {
		got, rest, _ := Strtod(tc.in)
		if s := strconv.FormatFloat(got, 'g', 17, 64); s != tc.want || rest != tc.rest {
			t.Errorf("Strtod(%q) = %s, rest %q; want %s, rest %q", tc.in, s, rest, tc.want, tc.rest)
		}
	}
}
