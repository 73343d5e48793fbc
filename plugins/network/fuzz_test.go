package network

import (
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
)

// FuzzNetDev: any /proc/net/dev line, for any interface name, parses
// without a panic; a match serializes.
func FuzzNetDev(f *testing.F) {
	for _, s := range []string{
		"    lo: 1234 12 0 0 0 0 0 0 1234 12 0 0 0 0 0 0\n",
		"  eth0:9223372036854775807 -1 +2 3 4 5 6 7 8 9 10 11 12 13 14 15\n",
		"eth0: 1 2 3\n", "eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", "a:b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
	} {
		f.Add(s, "eth0")
		f.Add(s, "lo")
	}
	f.Fuzz(func(t *testing.T, line, name string) {
		if st, ok := parseNetDevLine(line, name); ok {
			qgatest.Serializable(t, st)
		}
	})
}

// FuzzRoutes: any /proc/net/route or /proc/net/ipv6_route content parses
// without a panic into routes that serialize.
func FuzzRoutes(f *testing.F) {
	for _, s := range []string{
		"Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n",
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n",
		"fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n",
		"x\ny 1 2 3\n", "\n\n", "eth0 zz 00 1 2 3 4 5 6 7 8\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		for _, parse := range []func(string) ([]Route, error){
			func(s string) ([]Route, error) { return parseRoutes4(strings.NewReader(s)) },
			func(s string) ([]Route, error) { return parseRoutes6(strings.NewReader(s)) },
		} {
			routes, err := parse(data)
			if err != nil {
				t.Fatalf("reading from a string: %v", err)
			}
			qgatest.Serializable(t, routes)
		}
	})
}
