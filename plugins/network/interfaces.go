package network

import (
	"context"
	"fmt"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

// getInterfaces is guest-network-get-interfaces: one entry per interface
// name in the order getifaddrs() first mentions it.
func (f *family) getInterfaces(ctx context.Context) ([]Interface, error) {
	recs, err := f.src.Addrs()
	if err != nil {
		return nil, qapi.Errorf("getifaddrs failed: %s", runner.ErrText(err))
	}
	out := []Interface{}
	index := map[string]int{}
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("guest-network-get-interfaces: %w", err)
		}
		i, seen := index[r.Name]
		if !seen {
			i = len(out)
			index[r.Name] = i
			out = append(out, Interface{Name: r.Name})
		}
		info := &out[i]
		if info.HardwareAddress == nil {
			hw, ok, err := f.src.HardwareAddr(r.Name)
			if err != nil {
				return nil, qapi.Errorf("failed to create socket: %s", runner.ErrText(err))
			}
			if ok {
				s := fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", hw[0], hw[1], hw[2], hw[3], hw[4], hw[5])
				info.HardwareAddress = &s
			}
		}
		var typ string
		switch r.Family {
		case familyInet:
			typ = "ipv4"
		case familyInet6:
			typ = "ipv6"
		default:
			continue
		}
		info.IPAddresses = append(info.IPAddresses, IPAddress{IPAddress: ntop(r.Addr), IPAddressType: typ, Prefix: int64(r.Prefix)})
		if info.Statistics == nil {
			if st, ok := f.interfaceStats(info.Name); ok {
				info.Statistics = &st
			}
		}
	}
	return out, nil
}
