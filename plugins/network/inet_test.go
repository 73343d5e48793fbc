package network

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

func TestNtop(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0.0.0.0", "0.0.0.0"},
		{"192.168.100.2", "192.168.100.2"},
		{"::", "::"},
		{"::1", "::1"},
		{"1::", "1::"},
		{"fe80::5054:ff:feab:cdef", "fe80::5054:ff:feab:cdef"},
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},    // first of two equal runs
		{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},          // the longest run
		{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // a single zero word stays
		{"::ffff:192.168.1.2", "::ffff:192.168.1.2"},     // IPv4-mapped
		{"::10.1.2.3", "::10.1.2.3"},                     // IPv4-compatible (Go: ::a01:203)
		{"::0.0.1.1", "::101"},                           // seven zero words: not embedded
		{"::1:0:0:0", "::1:0:0:0"},                       // a later run must be longer to win
		{"::ffff:0:0", "::ffff:0.0.0.0"},                 // mapped, even 0.0.0.0
		{"ffff::ffff:ffff:ffff:ffff", "ffff::ffff:ffff:ffff:ffff"},
	}
	for _, tc := range tests {
		if got := ntop(netip.MustParseAddr(tc.in)); got != tc.want {
			t.Errorf("ntop(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// Apart from embedded IPv4, glibc and Go agree (RFC 5952): check at random.
func TestNtop6MatchesNetip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b [16]byte
		for i := range 8 {
			if r.IntN(2) == 0 { // plenty of zero words
				w := r.Uint32()
				b[2*i], b[2*i+1] = byte(w>>8), byte(w)
			}
		}
		a := netip.AddrFrom16(b)
		embedded := b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7]|b[8]|b[9] == 0 &&
			((b[10] == 0 && b[11] == 0 && b[12]|b[13] != 0) || (b[10] == 0xff && b[11] == 0xff))
		if embedded {
			continue
		}
		if got, want := ntop6(b), a.String(); got != want {
			t.Fatalf("ntop6(%x) = %s, netip says %s", b, got, want)
		}
	}
}
