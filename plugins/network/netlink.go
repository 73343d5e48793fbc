package network

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// netlinkSource reads the kernel's interface and address tables the way
// glibc's getifaddrs() does: an RTM_GETLINK dump, then an RTM_GETADDR dump
// over all families, both with AF_UNSPEC; hardware addresses come from
// SIOCGIFHWADDR, as qemu-ga asks for them.
type netlinkSource struct{}

// Netlink attribute types (linux/if_link.h, linux/if_addr.h).
const (
	iflaIfname = 3
	ifaAddress = 1
	ifaLocal   = 2
	ifaLabel   = 3
)

// Addrs implements Source.
func (netlinkSource) Addrs() ([]IfAddr, error) {
	links, err := dump(syscall.RTM_GETLINK)
	if err != nil {
		return nil, err
	}
	names := map[uint32]string{}
	var out []IfAddr
	for _, m := range links {
		if m.Header.Type != syscall.RTM_NEWLINK || len(m.Data) < syscall.SizeofIfInfomsg {
			continue
		}
		index := binary.NativeEndian.Uint32(m.Data[4:8])
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			return nil, fmt.Errorf("parsing RTM_NEWLINK: %w", err)
		}
		for _, a := range attrs {
			if a.Attr.Type == iflaIfname {
				names[index] = cString(a.Value)
			}
		}
		if name, ok := names[index]; ok {
			out = append(out, IfAddr{Name: name, Family: familyPacket})
		}
	}
	addrs, err := dump(syscall.RTM_GETADDR)
	if err != nil {
		return nil, err
	}
	for _, m := range addrs {
		if m.Header.Type != syscall.RTM_NEWADDR || len(m.Data) < syscall.SizeofIfAddrmsg {
			continue
		}
		family, prefix := int(m.Data[0]), int(m.Data[1])
		name, ok := names[binary.NativeEndian.Uint32(m.Data[4:8])]
		if !ok {
			continue
		}
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			return nil, fmt.Errorf("parsing RTM_NEWADDR: %w", err)
		}
		var address, local []byte
		for _, a := range attrs {
			switch a.Attr.Type {
			case ifaAddress:
				address = a.Value
			case ifaLocal:
				local = a.Value
			case ifaLabel:
				name = cString(a.Value)
			}
		}
		// As glibc: the local address if there is one (the other end of a
		// point-to-point link is IFA_ADDRESS then), else IFA_ADDRESS.
		if local != nil {
			address = local
		}
		rec := IfAddr{Name: name, Family: family}
		switch {
		case family == familyInet && len(address) == 4:
			rec.Addr = netip.AddrFrom4([4]byte(address))
			rec.Prefix = min(prefix, 32)
		case family == familyInet6 && len(address) == 16:
			rec.Addr = netip.AddrFrom16([16]byte(address))
			rec.Prefix = min(prefix, 128)
		default:
			// Other families (MCTP, ...) or no address: a record without
			// an IP address, which only names the interface.
			rec.Family = 0
		}
		out = append(out, rec)
	}
	return out, nil
}

// dump runs one netlink dump request with family AF_UNSPEC.
func dump(req int) ([]syscall.NetlinkMessage, error) {
	tab, err := syscall.NetlinkRIB(req, syscall.AF_UNSPEC)
	if err != nil {
		return nil, err
	}
	msgs, err := syscall.ParseNetlinkMessage(tab)
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// ifreqHwaddr is struct ifreq with the ifr_hwaddr member of the union.
type ifreqHwaddr struct {
	Name   [unix.IFNAMSIZ]byte
	Family uint16
	Data   [14]byte
	_      [8]byte // the rest of the 24-byte union
}

// HardwareAddr implements Source with SIOCGIFHWADDR on an AF_INET stream
// socket, as qemu-ga does; the kernel strips an alias label (":1") itself.
func (netlinkSource) HardwareAddr(name string) ([6]byte, bool, error) {
	var hw [6]byte
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return hw, false, err
	}
	defer unix.Close(fd)
	var req ifreqHwaddr
	copy(req.Name[:unix.IFNAMSIZ-1], name)
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCGIFHWADDR, uintptr(unsafe.Pointer(&req)))
	if errno != 0 {
		return hw, false, nil
	}
	copy(hw[:], req.Data[:6])
	return hw, true, nil
}
