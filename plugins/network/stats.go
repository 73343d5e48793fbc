package network

import (
	"bufio"
	"os"
	"strings"

	"github.com/qgad/qgad/internal/cscan"
)

const netDevPath = "/proc/net/dev"

// interfaceStats reads the counters of interface name from /proc/net/dev:
// receive bytes, packets, errs, drop (fields 1-4) and transmit bytes,
// packets, errs, drop (fields 9-12). ok is false when the file cannot be
// read or has no parsable line for name, in which case qemu-ga leaves
// "statistics" out.
func (f *family) interfaceStats(name string) (InterfaceStat, bool) {
	file, err := os.Open(f.env.Path(netDevPath))
	if err != nil {
		return InterfaceStat{}, false
	}
	defer file.Close()
	br := bufio.NewReader(file)
	for {
		line, err := br.ReadString('\n')
		if st, ok := parseNetDevLine(line, name); ok {
			return st, true
		}
		if err != nil {
			return InterfaceStat{}, false
		}
	}
}

// parseNetDevLine matches "<name>: <16 counters>" after leading white space;
// the name must be exactly the text before the first colon.
func parseNetDevLine(line, name string) (InterfaceStat, bool) {
	line = cscan.TrimLeftSpace(line)
	head, rest, found := strings.Cut(line, ":")
	if !found || head != name {
		return InterfaceStat{}, false
	}
	sc := cscan.New(rest)
	var v [16]uint64
	for i := range v {
		x, ok := sc.Sdec() // %lld
		if !ok {
			return InterfaceStat{}, false
		}
		v[i] = x
	}
	return InterfaceStat{
		RxBytes: v[0], RxPackets: v[1], RxErrs: v[2], RxDropped: v[3],
		TxBytes: v[8], TxPackets: v[9], TxErrs: v[10], TxDropped: v[11],
	}, true
}
