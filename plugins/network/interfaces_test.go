package network

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"

	"github.com/qgad/qgad/sdk"
)

func TestGetInterfacesFixtures(t *testing.T) {
	const cmd = "guest-network-get-interfaces"
	tests := []struct {
		name    string
		root    string
		wantErr string
	}{
		// lo, a bridge (br0) with an alias label (br0:1) over eth1, a VLAN
		// (br0.100) with IPv4-embedding IPv6 addresses, a tunnel without a
		// hardware address, an interface missing from /proc/net/dev
		// (dummy0), one with a malformed line (eth0) and InfiniBand's
		// 20-byte address (ib0).
		{name: "bridge and vlan", root: "testdata/bridge-vlan"},
		{name: "no interfaces", root: "testdata/no-routes", wantErr: "getifaddrs failed: No such file or directory"},
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

// stubSource scripts a Source: records, and per call hardware-address answers.
type stubSource struct {
	recs    []IfAddr
	addrErr error
	hw      []stubHW
	calls   int
}

type stubHW struct {
	ok  bool
	err error
}

func (s *stubSource) Addrs() ([]IfAddr, error) { return s.recs, s.addrErr }

func (s *stubSource) HardwareAddr(name string) ([6]byte, bool, error) {
	r := s.hw[min(s.calls, len(s.hw)-1)]
	s.calls++
	return [6]byte{0xde, 0xad, 0xbe, 0xef, 0, byte(s.calls)}, r.ok, r.err
}

func TestGetInterfacesSource(t *testing.T) {
	recs := []IfAddr{
		{Name: "eth0", Family: familyPacket},
		{Name: "eth0", Family: familyInet, Addr: netip.MustParseAddr("10.1.1.1"), Prefix: 8},
		{Name: "eth0", Family: familyInet6, Addr: netip.MustParseAddr("fe80::1"), Prefix: 64},
	}
	tests := []struct {
		name      string
		src       *stubSource
		want      string
		wantErr   string
		wantCalls int
	}{
		{
			name:      "hardware address from the first record",
			src:       &stubSource{recs: recs, hw: []stubHW{{ok: true}}},
			want:      `[{"name": "eth0", "ip-addresses": [{"ip-address-type": "ipv4", "ip-address": "10.1.1.1", "prefix": 8}, {"ip-address-type": "ipv6", "ip-address": "fe80::1", "prefix": 64}], "hardware-address": "de:ad:be:ef:00:01"}]`,
			wantCalls: 1,
		},
		{
			// qemu-ga asks again for every record until it gets an answer.
			name:      "hardware address retried per record",
			src:       &stubSource{recs: recs, hw: []stubHW{{ok: false}, {ok: false}, {ok: true}}},
			want:      `[{"name": "eth0", "ip-addresses": [{"ip-address-type": "ipv4", "ip-address": "10.1.1.1", "prefix": 8}, {"ip-address-type": "ipv6", "ip-address": "fe80::1", "prefix": 64}], "hardware-address": "de:ad:be:ef:00:03"}]`,
			wantCalls: 3,
		},
		{
			name:      "no hardware address",
			src:       &stubSource{recs: recs[:1], hw: []stubHW{{ok: false}}},
			want:      `[{"name": "eth0"}]`,
			wantCalls: 1,
		},
		{
			name:      "socket failure",
			src:       &stubSource{recs: recs, hw: []stubHW{{err: syscall.EMFILE}}},
			wantErr:   "failed to create socket: Too many open files",
			wantCalls: 1,
		},
		{
			name:    "getifaddrs failure",
			src:     &stubSource{addrErr: syscall.EACCES},
			wantErr: "getifaddrs failed: Permission denied",
		},
		{
			name:    "getifaddrs failure without errno",
			src:     &stubSource{addrErr: errors.New("netlink message truncated")},
			wantErr: "getifaddrs failed: netlink message truncated",
		},
		{
			name: "no interfaces",
			src:  &stubSource{},
			want: `[]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// No /proc/net/dev in the empty root: statistics are absent.
			p := NewWithSource(sdk.TestEnv(t.TempDir()), tc.src)
			got, gotErr := call(t, p, "guest-network-get-interfaces")
			if gotErr != tc.wantErr || got != tc.want {
				t.Errorf("got %q, error %q\nwant %q, error %q", got, gotErr, tc.want, tc.wantErr)
			}
			if tc.src.calls != tc.wantCalls {
				t.Errorf("HardwareAddr called %d times, want %d", tc.src.calls, tc.wantCalls)
			}
		})
	}
}
