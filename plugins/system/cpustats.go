package system

import (
	"bufio"
	"context"
	"os"
	"strings"

	"github.com/qgad/qgad/internal/cscan"
)

const procStat = "/proc/stat"

// clkTck is sysconf(_SC_CLK_TCK), the unit of /proc/stat's counters. Linux
// reports USER_HZ, which is 100 on every architecture it supports, and Go
// has no sysconf; so it is a constant here.
const clkTck = 100

// cpuStats is GuestCpuStats for type "linux": the base member "type" comes
// first, then GuestLinuxCpuStats in schema order. Counters are in
// milliseconds; the optional ones are present when the kernel reports them.
type cpuStats struct {
	Type      string  `json:"type"`
	CPU       int64   `json:"cpu"`
	User      uint64  `json:"user"`
	Nice      uint64  `json:"nice"`
	System    uint64  `json:"system"`
	Idle      uint64  `json:"idle"`
	IOWait    *uint64 `json:"iowait,omitempty"`
	IRQ       *uint64 `json:"irq,omitempty"`
	SoftIRQ   *uint64 `json:"softirq,omitempty"`
	Steal     *uint64 `json:"steal,omitempty"`
	Guest     *uint64 `json:"guest,omitempty"`
	GuestNice *uint64 `json:"guestnice,omitempty"`
}

// getCPUStats reports the per-CPU lines ("cpu<N> …") of /proc/stat.
func (f *family) getCPUStats(ctx context.Context) ([]cpuStats, error) {
	file, err := os.Open(f.env.Path(procStat))
	if err != nil {
		return nil, errorWithErrno(errnoOf(err), "open(\"%s\")", procStat)
	}
	defer file.Close()
	out := []cpuStats{}
	r := bufio.NewReader(file)
	for {
		line, err := r.ReadString('\n')
		if line == "" && err != nil {
			break
		}
		st, verdict := parseCPULine(cscan.CString(line))
		if verdict == lineStop {
			f.env.Log.Info(`Parsing cpu stat from /proc/stat failed, see "man proc"`)
			break
		}
		if verdict == lineUse {
			out = append(out, st)
		}
	}
	return out, nil
}

type lineVerdict int

const (
	lineSkip lineVerdict = iota // not a cpu<N> line
	lineUse
	lineStop // a cpu<N> line with fewer than 4 counters ends the scan
)

// parseCPULine reproduces qemu-ga's
// sscanf(line, "%s %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu", name, …).
// The number of counters read decides which members are present; with
// exactly 6 counters qemu-ga reports softirq from an unset variable, which
// is 0 here.
func parseCPULine(line string) (cpuStats, lineVerdict) {
	sc := cscan.New(line)
	name, _ := sc.Word(0)
	if name == "" || !strings.HasPrefix(name, "cpu") || name == "cpu" {
		return cpuStats{}, lineSkip
	}
	var c [10]uint64
	n := 0
	for n < len(c) {
		v, ok := sc.Udec()
		if !ok {
			break
		}
		c[n] = v
		n++
	}
	if n < 4 {
		return cpuStats{}, lineStop
	}
	ms := func(ticks uint64) uint64 { return ticks * 1000 / clkTck }
	opt := func(ticks uint64) *uint64 { v := ms(ticks); return &v }
	st := cpuStats{
		Type:   "linux",
		CPU:    cscan.Atoi(name[3:]),
		User:   ms(c[0]),
		Nice:   ms(c[1]),
		System: ms(c[2]),
		Idle:   ms(c[3]),
	}
	if n >= 5 {
		st.IOWait = opt(c[4])
	}
	if n >= 6 {
		st.IRQ, st.SoftIRQ = opt(c[5]), opt(c[6])
	}
	if n >= 8 {
		st.Steal = opt(c[7])
	}
	if n >= 9 {
		st.Guest = opt(c[8])
	}
	if n >= 10 {
		st.GuestNice = opt(c[9])
	}
	return st, lineUse
}
