// Package network is the network family of qgad:
// guest-network-get-interfaces and guest-network-get-route, wire-compatible
// with qemu-ga 10.2 on Linux.
//
// Interfaces and addresses come from a Source: netlink (what glibc's
// getifaddrs() reads) in production, fixture files with a test root.
// Statistics and routes are read from /proc/net through env.Root.
package network

import (
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// Name is the family name.
const Name = "network"

// Version is the family's version, reported to the core.
const Version = "0.1.0"

// family holds what the handlers need; it is per-plugin, not global.
type family struct {
	env sdk.Env
	src Source
}

// New builds the family. Commands are listed in qemu-ga's schema order.
func New(env sdk.Env) (*sdk.Plugin, error) {
	var src Source = netlinkSource{}
	if env.Root != "" && env.Root != "/" {
		src = fixtureSource{env: env}
	}
	return NewWithSource(env, src), nil
}

// NewWithSource builds the family on an explicit interface source.
func NewWithSource(env sdk.Env, src Source) *sdk.Plugin {
	f := &family{env: env, src: src}
	return &sdk.Plugin{
		Name:    Name,
		Version: Version,
		Commands: []sdk.Command{
			{
				Name:    "guest-network-get-interfaces",
				Doc:     "List the network interfaces with their hardware address, IP addresses and counters.",
				Returns: qapi.List(interfaceType()),
				Run:     sdk.HandleNoArgs(f.getInterfaces),
			},
			{
				Name:    "guest-network-get-route",
				Doc:     "List the IPv4 and IPv6 routes of /proc/net/route and /proc/net/ipv6_route.",
				Returns: qapi.List(routeType()),
				Run:     sdk.HandleNoArgs(f.getRoutes),
			},
		},
	}
}
