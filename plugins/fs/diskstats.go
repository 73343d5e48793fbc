package fs

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/qgad/qgad/internal/cscan"
	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

const diskstatsPath = "/proc/diskstats"

// getDiskstats is guest-get-diskstats: one entry per usable line of
// /proc/diskstats, in file order.
func (f *family) getDiskstats(ctx context.Context) ([]DiskStatsInfo, error) {
	file, err := os.Open(f.env.Path(diskstatsPath))
	if err != nil {
		return nil, qapi.Errorf("open(\"%s\"): %s", diskstatsPath, runner.ErrText(err))
	}
	defer file.Close()
	out, err := parseDiskstats(file)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", diskstatsPath, err)
	}
	return out, ctx.Err()
}

// parseDiskstats parses a diskstats table. qemu-ga's format is
// "%u %u %s" + 17 counters, some of them unsigned int (32-bit) and the rest
// unsigned long; the number of counters read decides the members:
// 4 (old partition lines), 11, 15 (+discard) and 17 (+flush); 5–10 counters
// give an entry with empty stats, fewer than 4 no entry.
func parseDiskstats(r io.Reader) ([]DiskStatsInfo, error) {
	// Width of each counter in bits, in line order: rd_ios, rd_merges,
	// rd_sectors, rd_ticks, wr_ios, wr_merges, wr_sectors are unsigned long;
	// wr_ticks, ios_pgr, tot_ticks, rq_ticks unsigned int; dc_ios, dc_merges,
	// dc_sectors unsigned long; dc_ticks unsigned int; fl_ios unsigned long;
	// fl_ticks unsigned int.
	widths := [17]int{64, 64, 64, 64, 64, 64, 64, 32, 32, 32, 32, 64, 64, 64, 32, 64, 32}
	out := []DiskStatsInfo{}
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			if e, ok := parseDiskstatsLine(line, widths); ok {
				out = append(out, e)
			}
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func parseDiskstatsLine(line string, widths [17]int) (DiskStatsInfo, bool) {
	sc := cscan.New(line)
	major, ok1 := sc.Udec()
	minor, ok2 := sc.Udec()
	name, ok3 := sc.Word(0)
	if !ok1 || !ok2 || !ok3 {
		return DiskStatsInfo{}, false
	}
	var v []uint64
	for _, w := range widths {
		x, ok := sc.Udec()
		if !ok {
			break
		}
		if w == 32 {
			x = uint64(uint32(x))
		}
		v = append(v, x)
	}
	if len(v) < 4 {
		return DiskStatsInfo{}, false
	}
	e := DiskStatsInfo{Name: name, Major: uint64(uint32(major)), Minor: uint64(uint32(minor))}
	p := func(i int) *uint64 { x := v[i]; return &x }
	s := &e.Stats
	switch {
	case len(v) == 4:
		s.ReadIOs, s.ReadSectors, s.WriteIOs, s.WriteSectors = p(0), p(1), p(2), p(3)
	case len(v) >= 11:
		s.ReadIOs, s.ReadMerges, s.ReadSectors, s.ReadTicks = p(0), p(1), p(2), p(3)
		s.WriteIOs, s.WriteMerges, s.WriteSectors, s.WriteTicks = p(4), p(5), p(6), p(7)
		s.IOsPgr, s.TotalTicks, s.WeightTicks = p(8), p(9), p(10)
		if len(v) >= 15 {
			s.DiscardIOs, s.DiscardMerges, s.DiscardSectors, s.DiscardTicks = p(11), p(12), p(13), p(14)
		}
		if len(v) >= 17 {
			s.FlushIOs, s.FlushTicks = p(15), p(16)
		}
	}
	return e, true
}
