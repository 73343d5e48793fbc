package network

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The production source against this machine's kernel, cross-checked with
// Go's net package (which parses the same netlink dumps independently).
func TestNetlinkSourceMatchesNet(t *testing.T) {
	recs, err := netlinkSource{}.Addrs()
	if err != nil {
		t.Fatalf("Addrs: %v", err)
	}
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatalf("net.Interfaces: %v", err)
	}
	// Link records come first, one per interface, in ifindex order.
	var links []string
	for _, r := range recs {
		if r.Family == familyPacket {
			links = append(links, r.Name)
		}
	}
	var want []string
	for _, ifi := range ifs {
		want = append(want, ifi.Name)
	}
	if !slices.Equal(links, want) {
		t.Errorf("links %v, net.Interfaces %v", links, want)
	}
	for i, r := range recs[:len(links)] {
		if r.Family != familyPacket {
			t.Fatalf("record %d (%+v) is not a link record but precedes one", i, r)
		}
	}
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			t.Fatalf("%s: Addrs: %v", ifi.Name, err)
		}
		var want, got []string
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				ones, _ := n.Mask.Size()
				want = append(want, n.IP.String()+"/"+strconv.Itoa(ones))
			}
		}
		for _, r := range recs {
			base, _, _ := strings.Cut(r.Name, ":")
			if base == ifi.Name && (r.Family == familyInet || r.Family == familyInet6) {
				got = append(got, r.Addr.String()+"/"+strconv.Itoa(r.Prefix))
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: addresses %v, net says %v", ifi.Name, got, want)
		}
		hw, ok, err := netlinkSource{}.HardwareAddr(ifi.Name)
		if err != nil || !ok {
			t.Errorf("%s: HardwareAddr: ok=%v err=%v", ifi.Name, ok, err)
			continue
		}
		var wantHW [6]byte
		copy(wantHW[:], ifi.HardwareAddr)
		if hw != wantHW {
			t.Errorf("%s: hardware address %x, net says %x", ifi.Name, hw, wantHW)
		}
	}
	if _, ok, err := (netlinkSource{}).HardwareAddr("qgad-no-such0"); ok || err != nil {
		t.Errorf("HardwareAddr of a missing interface: ok=%v err=%v", ok, err)
	}
}
