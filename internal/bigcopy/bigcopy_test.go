package bigcopy

import (
	"bytes"
	"testing"
)

func TestAppend(t *testing.T) {
	src := make([]byte, 3*piece+17)
	for i := range src {
		src[i] = byte(i * 31)
	}
	tests := []struct {
		name      string
		dstLen    int
		dstCap    int
		srcLen    int
		wantAlloc bool
	}{
		{"small, room", 10, 100, 20, false},
		{"small, no room", 10, 10, 20, true},
		{"big, room", 5, 4 * piece, 3*piece + 17, false},
		{"big, no room", 5, 10, 3*piece + 17, true},
		{"small onto big full", 2 * piece, 2 * piece, 1, true},
		{"empty", 0, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := make([]byte, tc.dstLen, tc.dstCap)
			for i := range dst {
				dst[i] = byte(i)
			}
			want := append(append([]byte(nil), dst...), src[:tc.srcLen]...)
			got := Append(dst, src[:tc.srcLen])
			if !bytes.Equal(got, want) {
				t.Fatal("bytes differ")
			}
			if s := Append(dst[:tc.dstLen:tc.dstLen], string(src[:tc.srcLen])); !bytes.Equal(s, want) {
				t.Fatal("string source: bytes differ")
			}
			if moved := tc.dstCap > 0 && &got[:1][0] != &dst[:1][0]; moved != tc.wantAlloc && tc.dstCap > 0 {
				t.Fatalf("reallocated = %v, want %v", moved, tc.wantAlloc)
			}
		})
	}
}
