package e2e

// Checks of the network family: the -netdev user NIC and the routes.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/qgad/qgad/client"
)

// checkInterfaces: the interfaces in /sys/class/net with their MAC and the
// addresses `ip addr` shows; eth0 is the -netdev user NIC.
func checkInterfaces(ctx context.Context, t *testing.T, g *guest) {
	var got []client.NetworkInterface
	raw := g.call(ctx, t, "guest-network-get-interfaces", nil, &got)
	var entries []json.RawMessage
	json.Unmarshal(raw, &entries)
	for _, e := range entries {
		var ips []json.RawMessage
		json.Unmarshal(members(t, "interface", e)["ip-addresses"], &ips)
		for _, ip := range ips {
			requireMembers(t, "ip address", ip, "ip-address-type", "ip-address", "prefix")
		}
	}
	want := map[string][]string{}
	for _, name := range strings.Fields(g.sh(ctx, t, "ls /sys/class/net")) {
		want[name] = []string{g.sh(ctx, t, "cat /sys/class/net/"+name+"/address")}
	}
	for _, r := range fields(g.sh(ctx, t, "ip -o addr show")) {
		if r[2] == "inet" || r[2] == "inet6" {
			typ := map[string]string{"inet": "ipv4", "inet6": "ipv6"}[r[2]]
			want[r[1]] = append(want[r[1]], typ+" "+r[3])
		}
	}
	have := map[string][]string{}
	for _, i := range got {
		if _, dup := have[i.Name]; dup {
			t.Errorf("interface %s listed twice", i.Name)
		}
		have[i.Name] = []string{i.HardwareAddress}
		for _, a := range i.IPAddresses {
			have[i.Name] = append(have[i.Name], fmt.Sprintf("%s %s/%d", a.Type, a.Address, a.Prefix))
		}
		if len(i.IPAddresses) > 0 && i.Statistics == nil {
			t.Errorf("%s: no statistics", i.Name)
		}
	}
	for _, m := range []map[string][]string{want, have} {
		for _, v := range m {
			sort.Strings(v[1:])
		}
	}
	if !reflect.DeepEqual(have, want) {
		t.Errorf("interfaces\n got %v\nwant %v", have, want)
	}
	eth := want["eth0"]
	if len(eth) == 0 || eth[0] != guestMAC || !slices.Contains(eth, fmt.Sprintf("ipv4 %s/%d", guestIPv4, guestPrefix)) {
		t.Errorf("eth0 is %v, want %s with %s/%d", eth, guestMAC, guestIPv4, guestPrefix)
	}
	g.obs.Interfaces = have
}

// checkRoutes: /proc/net/route and /proc/net/ipv6_route, in file order;
// the use and refcnt counters may move between the readings.
func checkRoutes(ctx context.Context, t *testing.T, g *guest) {
	if g.p.Legacy {
		notFound(ctx, t, g, "guest-network-get-route") // new in 9.1
		return
	}
	var got []client.NetworkRoute
	g.call(ctx, t, "guest-network-get-route", nil, &got)
	var want []client.NetworkRoute
	for i, r := range fields(g.sh(ctx, t, "cat /proc/net/route")) {
		if i == 0 {
			continue // header
		}
		n := func(k int) int64 { v, _ := strconv.ParseInt(r[k], 10, 64); return v }
		flags, _ := strconv.ParseUint(r[3], 16, 64)
		want = append(want, client.NetworkRoute{Iface: r[0], Destination: hexIPv4(r[1]), Gateway: hexIPv4(r[2]),
			Flags: flags, Metric: n(6), Mask: hexIPv4(r[7]), MTU: n(8), Window: n(9), Irtt: n(10), Version: 4})
	}
	for _, r := range fields(g.sh(ctx, t, "cat /proc/net/ipv6_route")) {
		// qemu-ga scans these hex fields into C ints: 0xffffffff is metric
		// -1, and flags are sign-extended into the uint64 member.
		m, _ := strconv.ParseUint(r[5], 16, 32)
		f, _ := strconv.ParseUint(r[8], 16, 32)
		metric, flags := int64(int32(m)), uint64(int64(int32(f)))
		want = append(want, client.NetworkRoute{Iface: r[9], Destination: hexIPv6(r[0]), DesPrefixLen: hexDec(r[1]),
			Source: hexIPv6(r[2]), SrcPrefixLen: hexDec(r[3]), Nexthop: hexIPv6(r[4]), Metric: metric, Flags: flags, Version: 6})
	}
	for i := range got {
		got[i].Use, got[i].Refcnt = 0, 0
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routes\n got %s\nwant %s", mustJSON(got), mustJSON(want))
	}
	var dflt, subnet bool
	for _, r := range got {
		dflt = dflt || r.Version == 4 && r.Iface == "eth0" && r.Destination == "0.0.0.0" && r.Gateway == guestGateway
		subnet = subnet || r.Version == 4 && r.Iface == "eth0" && r.Destination == "10.0.2.0" && r.Mask == "255.255.255.0"
	}
	if !dflt || !subnet {
		t.Errorf("want the default route via %s and 10.0.2.0/24 on eth0: %s", guestGateway, mustJSON(got))
	}
}

// hexIPv4 converts /proc/net/route's little-endian hex word.
func hexIPv4(h string) string {
	v, _ := strconv.ParseUint(h, 16, 32)
	return fmt.Sprintf("%d.%d.%d.%d", v&0xff, v>>8&0xff, v>>16&0xff, v>>24)
}

func hexIPv6(h string) string {
	var b [16]byte
	for i := range b {
		v, _ := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		b[i] = byte(v)
	}
	return netip.AddrFrom16(b).String()
}

func hexDec(h string) string {
	v, _ := strconv.ParseUint(h, 16, 32)
	return strconv.FormatUint(v, 10)
}
