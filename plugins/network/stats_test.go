package network

import "testing"

func TestParseNetDevLine(t *testing.T) {
	const counters = " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
	want := InterfaceStat{RxBytes: 1, RxPackets: 2, RxErrs: 3, RxDropped: 4, TxBytes: 9, TxPackets: 10, TxErrs: 11, TxDropped: 12}
	tests := []struct {
		name  string
		line  string
		iface string
		ok    bool
		want  InterfaceStat
	}{
		{"leading blanks", "    eth0:" + counters, "eth0", true, want},
		{"no blank after colon", "eth0:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "eth0", true, want},
		{"other interface", "  eth1:" + counters, "eth0", false, InterfaceStat{}},
		{"prefix of the name", "  eth0:" + counters, "eth", false, InterfaceStat{}},
		{"alias label never matches", "  eth0:" + counters, "eth0:1", false, InterfaceStat{}},
		{"header", "Inter-|   Receive  |  Transmit\n", "Inter-|   Receive  |  Transmit", false, InterfaceStat{}},
		{"fifteen counters", "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n", "eth0", false, InterfaceStat{}},
		{"saturating %lld", "eth0: 99999999999999999999 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "eth0", true,
			InterfaceStat{RxBytes: 1<<63 - 1, RxPackets: 2, RxErrs: 3, RxDropped: 4, TxBytes: 9, TxPackets: 10, TxErrs: 11, TxDropped: 12}},
		{"negative wraps", "eth0: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "eth0", true,
			InterfaceStat{RxBytes: 1<<64 - 1, RxPackets: 2, RxErrs: 3, RxDropped: 4, TxBytes: 9, TxPackets: 10, TxErrs: 11, TxDropped: 12}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseNetDevLine(tc.line, tc.iface)
			if ok != tc.ok || got != tc.want {
				t.Errorf("got %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
