package network

import "net/netip"

// Address families of interface records.
const (
	familyPacket = 17 // AF_PACKET: a link record, no IP address
	familyInet   = 2  // AF_INET
	familyInet6  = 10 // AF_INET6
)

// IfAddr is one record of getifaddrs(3): first one per link (AF_PACKET, in
// ifindex order), then one per address (IPv4, then IPv6, in kernel order).
// An IPv4 address with a label ("eth0:1") carries the label as its name.
type IfAddr struct {
	Name   string
	Family int        // familyPacket, familyInet or familyInet6
	Addr   netip.Addr // the address of familyInet/familyInet6 records
	Prefix int        // prefix length of the netmask (0 if none)
}

// Source is where interface information comes from.
type Source interface {
	// Addrs returns the getifaddrs records in order.
	Addrs() ([]IfAddr, error)
	// HardwareAddr returns the first six bytes of what SIOCGIFHWADDR
	// reports for the interface (zeros when it has no address); ok is
	// false when that fails. err is returned only when the query itself
	// cannot be made (no socket), which fails the command.
	HardwareAddr(name string) (hw [6]byte, ok bool, err error)
}
