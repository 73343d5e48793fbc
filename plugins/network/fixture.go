package network

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/qgad/qgad/sdk"
)

// fixtureSource stands for the kernel in a test root: links are the
// entries of <root>/sys/class/net (ordered by their "ifindex" file, with
// "address" as the hardware address), and addresses are listed in
// <root>/addrs.txt, since /proc has no complete list of IPv4 addresses.
// Each line of addrs.txt is
//
//	<interface> <address>/<prefix> [label <name>]
//
// in getifaddrs order (all IPv4 addresses, then IPv6); "#" starts a comment.
type fixtureSource struct {
	env sdk.Env
}

const fixtureAddrs = "/addrs.txt"

// Addrs implements Source.
func (s fixtureSource) Addrs() ([]IfAddr, error) {
	dir := s.env.Path("/sys/class/net")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	type link struct {
		name  string
		index int
	}
	var links []link
	for _, e := range entries {
		b, err := os.ReadFile(s.env.Path("/sys/class/net/" + e.Name() + "/ifindex"))
		if err != nil {
			return nil, fmt.Errorf("fixture link %s: %w", e.Name(), err)
		}
		idx, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("fixture link %s: ifindex: %w", e.Name(), err)
		}
		links = append(links, link{e.Name(), idx})
	}
	slices.SortFunc(links, func(a, b link) int { return a.index - b.index })
	var out []IfAddr
	for _, l := range links {
		out = append(out, IfAddr{Name: l.name, Family: familyPacket})
	}
	f, err := os.Open(s.env.Path(fixtureAddrs))
	if err != nil {
		if os.IsNotExist(err) {
			return out, nil
		}
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 2 && (len(fields) != 4 || fields[2] != "label") {
			return nil, fmt.Errorf("%s:%d: want \"<interface> <address>/<prefix> [label <name>]\"", fixtureAddrs, n)
		}
		if !slices.ContainsFunc(links, func(l link) bool { return l.name == fields[0] }) {
			return nil, fmt.Errorf("%s:%d: unknown interface %q", fixtureAddrs, n, fields[0])
		}
		p, err := netip.ParsePrefix(fields[1])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", fixtureAddrs, n, err)
		}
		rec := IfAddr{Name: fields[0], Family: familyInet, Addr: p.Addr(), Prefix: p.Bits()}
		if p.Addr().Is6() {
			rec.Family = familyInet6
		}
		if len(fields) == 4 {
			rec.Name = fields[3]
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}

// HardwareAddr implements Source from sys/class/net/<link>/address; like
// the ioctl, a name with an alias label means its link, and a link without
// an address reports zeros.
func (s fixtureSource) HardwareAddr(name string) ([6]byte, bool, error) {
	var hw [6]byte
	link, _, _ := strings.Cut(name, ":")
	b, err := os.ReadFile(s.env.Path("/sys/class/net/" + link + "/address"))
	if err != nil {
		return hw, false, nil
	}
	text := strings.TrimSpace(string(b))
	if text == "" {
		return hw, true, nil
	}
	raw, err := hex.DecodeString(strings.ReplaceAll(text, ":", ""))
	if err != nil {
		return hw, false, nil
	}
	copy(hw[:], raw)
	return hw, true, nil
}
