package network

import (
	"strings"
	"testing"
)

func TestGetRoutesFixtures(t *testing.T) {
	const cmd = "guest-network-get-route"
	tests := []struct {
		name    string
		root    string
		wantErr string
	}{
		// Gateways, masks, metric 4294967295 read as int (-1), malformed
		// and short lines skipped; IPv6 source routes, hex prefix lengths,
		// metric 0xffffffff (-1), flags with the top bit set sign-extended,
		// a truncated destination skipped.
		{name: "ipv4 and ipv6", root: "testdata/bridge-vlan"},
		// A kernel without IPv6: the IPv4 routes are read but dropped.
		{name: "ipv6 disabled", root: "testdata/no-ipv6", wantErr: `open("/proc/net/ipv6_route"): No such file or directory`},
		// qemu-ga aborts here; we report the first error.
		{name: "no route tables", root: "testdata/no-routes", wantErr: `open("/proc/net/route"): No such file or directory`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, gotErr := call(t, newFixture(t, tc.root), cmd)
			if gotErr != tc.wantErr {
				t.Fatalf("error = %q, want %q", gotErr, tc.wantErr)
			}
			if tc.wantErr != "" {
				return
			}
			if want := golden(t, tc.root, cmd); got != want {
				t.Errorf("result differs\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

func TestParseRoutes4Line(t *testing.T) {
	const header = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n"
	tests := []struct {
		name string
		line string
		want int // routes parsed
		dest string
		gw   string
	}{
		{"typical", "eth0\t0001A8C0\t0101A8C0\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0\n", 1, "192.168.1.0", "192.168.1.1"},
		{"0x prefixes and spaces", "eth0 0x0001A8C0 0X0101a8c0 3 0 0 0 0xFFFFFF 0 0 0", 1, "192.168.1.0", "192.168.1.1"},
		{"extra fields ignored", "eth0 0 0 1 0 0 0 0 0 0 0 junk", 1, "0.0.0.0", "0.0.0.0"},
		{"ten fields", "eth0 0 0 1 0 0 0 0 0 0", 0, "", ""},
		{"non-numeric metric", "eth0 0 0 1 0 0 x 0 0 0 0", 0, "", ""},
		{"empty", "\n", 0, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			routes, err := parseRoutes4(strings.NewReader(header + tc.line))
			if err != nil {
				t.Fatal(err)
			}
			if len(routes) != tc.want {
				t.Fatalf("parsed %d routes, want %d", len(routes), tc.want)
			}
			if tc.want == 1 && (routes[0].Destination != tc.dest || *routes[0].Gateway != tc.gw) {
				t.Errorf("destination %s gateway %s, want %s %s", routes[0].Destination, *routes[0].Gateway, tc.dest, tc.gw)
			}
		})
	}
}

func TestHexIPv6(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"00000000000000000000000000000000", "::", true},
		{"fe800000000000000000000000000001", "fe80::1", true},
		{"00000000000000000000ffffc0a80102", "::ffff:192.168.1.2", true},
		{"FE80000000000000020000FFFE000001", "fe80::200:ff:fe00:1", true},
		{"fe80000000000000000000000000000", "fe80::", true}, // 31 digits: the last byte is one digit
		{"fe8000000000000000000000000000", "", false},       // 30 digits: a byte is missing
		{"zz800000000000000000000000000001", "", false},
	}
	for _, tc := range tests {
		got, ok := hexIPv6(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("hexIPv6(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
