package network

import "github.com/qgad/qgad/qapi"

// Result types, members declared in qemu-ga's schema order (which decides
// the order of members sharing a QDict bucket).

// IPAddress is GuestIpAddress.
type IPAddress struct {
	IPAddress     string `json:"ip-address"`
	IPAddressType string `json:"ip-address-type"` // "ipv4" or "ipv6"
	Prefix        int64  `json:"prefix"`
}

// InterfaceStat is GuestNetworkInterfaceStat, from /proc/net/dev.
type InterfaceStat struct {
	RxBytes   uint64 `json:"rx-bytes"`
	RxPackets uint64 `json:"rx-packets"`
	RxErrs    uint64 `json:"rx-errs"`
	RxDropped uint64 `json:"rx-dropped"`
	TxBytes   uint64 `json:"tx-bytes"`
	TxPackets uint64 `json:"tx-packets"`
	TxErrs    uint64 `json:"tx-errs"`
	TxDropped uint64 `json:"tx-dropped"`
}

// Interface is GuestNetworkInterface. IPAddresses and Statistics are absent
// (not empty) for interfaces without addresses.
type Interface struct {
	Name            string         `json:"name"`
	HardwareAddress *string        `json:"hardware-address,omitempty"`
	IPAddresses     []IPAddress    `json:"ip-addresses,omitempty"`
	Statistics      *InterfaceStat `json:"statistics,omitempty"`
}

// Route is GuestNetworkRoute; IPv4 routes fill gateway, mask, irtt, window
// and mtu, IPv6 routes desprefixlen, source, srcprefixlen and nexthop.
type Route struct {
	Iface        string  `json:"iface"`
	Destination  string  `json:"destination"`
	Metric       int64   `json:"metric"`
	Gateway      *string `json:"gateway,omitempty"`
	Mask         *string `json:"mask,omitempty"`
	Irtt         *int64  `json:"irtt,omitempty"`
	Flags        *uint64 `json:"flags,omitempty"`
	Refcnt       *int64  `json:"refcnt,omitempty"`
	Use          *int64  `json:"use,omitempty"`
	Window       *int64  `json:"window,omitempty"`
	MTU          *int64  `json:"mtu,omitempty"`
	Desprefixlen *string `json:"desprefixlen,omitempty"`
	Source       *string `json:"source,omitempty"`
	Srcprefixlen *string `json:"srcprefixlen,omitempty"`
	Nexthop      *string `json:"nexthop,omitempty"`
	Version      int64   `json:"version"`
}

// Schema types for the command reference.

func interfaceType() *qapi.Type {
	stats := []qapi.Field{}
	for _, n := range []string{"rx-bytes", "rx-packets", "rx-errs", "rx-dropped", "tx-bytes", "tx-packets", "tx-errs", "tx-dropped"} {
		stats = append(stats, qapi.Req(n, qapi.Uint64))
	}
	return qapi.Struct("GuestNetworkInterface",
		qapi.Req("name", qapi.String),
		qapi.Opt("hardware-address", qapi.String),
		qapi.Opt("ip-addresses", qapi.List(qapi.Struct("GuestIpAddress",
			qapi.Req("ip-address", qapi.String),
			qapi.Req("ip-address-type", qapi.Enum("GuestIpAddressType", "ipv4", "ipv6")),
			qapi.Req("prefix", qapi.Int),
		))),
		qapi.Opt("statistics", qapi.Struct("GuestNetworkInterfaceStat", stats...)),
	)
}

func routeType() *qapi.Type {
	return qapi.Struct("GuestNetworkRoute",
		qapi.Req("iface", qapi.String),
		qapi.Req("destination", qapi.String),
		qapi.Req("metric", qapi.Int),
		qapi.Opt("gateway", qapi.String),
		qapi.Opt("mask", qapi.String),
		qapi.Opt("irtt", qapi.Int),
		qapi.Opt("flags", qapi.Uint64),
		qapi.Opt("refcnt", qapi.Int),
		qapi.Opt("use", qapi.Int),
		qapi.Opt("window", qapi.Int),
		qapi.Opt("mtu", qapi.Int),
		qapi.Opt("desprefixlen", qapi.String),
		qapi.Opt("source", qapi.String),
		qapi.Opt("srcprefixlen", qapi.String),
		qapi.Opt("nexthop", qapi.String),
		qapi.Req("version", qapi.Int),
	)
}
