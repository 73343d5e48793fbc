package network

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/qgad/qgad/internal/cscan"
	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

const (
	routePath     = "/proc/net/route"
	ipv6RoutePath = "/proc/net/ipv6_route"
)

// getRoutes is guest-network-get-route: IPv4 routes, then IPv6, in file
// order. A table that cannot be opened makes the command fail with its
// error even if the other was read. When both fail qemu-ga aborts on an
// assertion; this reports the first error instead.
func (f *family) getRoutes(ctx context.Context) ([]Route, error) {
	out := []Route{}
	var firstErr error
	for _, t := range []struct {
		path  string
		parse func(io.Reader) ([]Route, error)
	}{{routePath, parseRoutes4}, {ipv6RoutePath, parseRoutes6}} {
		file, err := os.Open(f.env.Path(t.path))
		if err != nil {
			if firstErr == nil {
				firstErr = qapi.Errorf("open(\"%s\"): %s", t.path, runner.ErrText(err))
			}
			continue
		}
		routes, err := t.parse(file)
		file.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", t.path, err)
		}
		out = append(out, routes...)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return out, ctx.Err()
}

// eachLine calls fn for every line of r.
func eachLine(r io.Reader, fn func(line string)) error {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			fn(line)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// int32Of truncates a converted value to the C int it is stored in.
func int32Of(v uint64) int64 { return int64(int32(uint32(v))) }

// dottedQuad formats a /proc/net/route address, a hex word printed by a
// little-endian kernel, as qemu-ga does (low byte first).
func dottedQuad(v uint64) *string {
	s := fmt.Sprintf("%d.%d.%d.%d", v&0xff, v>>8&0xff, v>>16&0xff, v>>24&0xff)
	return &s
}

// parseRoutes4 parses /proc/net/route with qemu-ga's format
// "%s %X %X %x %d %d %d %X %d %d %d" (iface, destination, gateway, flags,
// refcnt, use, metric, mask, mtu, window, irtt), the header line skipped.
func parseRoutes4(r io.Reader) ([]Route, error) {
	var out []Route
	first := true
	err := eachLine(r, func(line string) {
		if first {
			first = false
			return
		}
		sc := cscan.New(line)
		iface, ok := sc.Word(0)
		if !ok {
			return
		}
		var v [10]uint64
		for i := range v {
			var x uint64
			switch i {
			case 0, 1, 2, 6: // destination, gateway, flags, mask: unsigned hex
				x, ok = sc.Hex()
				x = uint64(uint32(x))
			default: // refcnt, use, metric, mtu, window, irtt: int
				x, ok = sc.Sdec()
			}
			if !ok {
				return
			}
			v[i] = x
		}
		flags := v[2]
		refcnt, use, mtu, window, irtt := int32Of(v[3]), int32Of(v[4]), int32Of(v[7]), int32Of(v[8]), int32Of(v[9])
		out = append(out, Route{
			Iface:       iface,
			Destination: *dottedQuad(v[0]),
			Gateway:     dottedQuad(v[1]),
			Mask:        dottedQuad(v[6]),
			Metric:      int32Of(v[5]),
			Flags:       &flags,
			Refcnt:      &refcnt,
			Use:         &use,
			MTU:         &mtu,
			Window:      &window,
			Irtt:        &irtt,
			Version:     4,
		})
	})
	return out, err
}

// parseRoutes6 parses /proc/net/ipv6_route with qemu-ga's format
// "%32s %x %32s %x %32s %x %x %x %x %s" (destination, prefix length,
// source, prefix length, next hop, metric, refcnt, use, flags, iface). The
// hex numbers land in C ints: 0xffffffff is metric -1, and flags are
// sign-extended into the uint64 member.
func parseRoutes6(r io.Reader) ([]Route, error) {
	var out []Route
	err := eachLine(r, func(line string) {
		sc := cscan.New(line)
		var hexs [3]string
		var v [6]int64
		ok := true
		word := func(dst *string) {
			if ok {
				*dst, ok = sc.Word(32)
			}
		}
		num := func(dst *int64) {
			if ok {
				var x uint64
				x, ok = sc.Hex()
				*dst = int32Of(x)
			}
		}
		word(&hexs[0])
		num(&v[0])
		word(&hexs[1])
		num(&v[1])
		word(&hexs[2])
		for i := 2; i < 6; i++ {
			num(&v[i])
		}
		var iface string
		if ok {
			iface, ok = sc.Word(0)
		}
		if !ok {
			return
		}
		dest, good := hexIPv6(hexs[0])
		if !good {
			return
		}
		flags := uint64(v[5])
		refcnt, use := v[3], v[4]
		desLen, srcLen := strconv.FormatInt(v[0], 10), strconv.FormatInt(v[1], 10)
		rt := Route{
			Iface:        iface,
			Destination:  dest,
			Desprefixlen: &desLen,
			Srcprefixlen: &srcLen,
			Metric:       v[2],
			Flags:        &flags,
			Refcnt:       &refcnt,
			Use:          &use,
			Version:      6,
		}
		if s, ok := hexIPv6(hexs[1]); ok {
			rt.Source = &s
		}
		if s, ok := hexIPv6(hexs[2]); ok {
			rt.Nexthop = &s
		}
		out = append(out, rt)
	})
	return out, err
}

// hexIPv6 decodes the 32 hex digits of an ipv6_route address, two digits
// per byte (qemu-ga's "%02hhx" per byte), and formats it with inet_ntop.
func hexIPv6(s string) (string, bool) {
	var b [16]byte
	for i := range b {
		if 2*i >= len(s) {
			return "", false
		}
		hi, ok := cscan.Digit(s[2*i], 16)
		if !ok {
			return "", false
		}
		v := hi
		if 2*i+1 < len(s) {
			if lo, ok := cscan.Digit(s[2*i+1], 16); ok {
				v = hi<<4 | lo
			}
		}
		b[i] = byte(v)
	}
	return ntop6(b), true
}
