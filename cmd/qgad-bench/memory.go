package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// memUsage is the memory of a process tree, in kB as the kernel reports it.
type memUsage struct {
	RSSKB int64 `json:"rss_kb"`
	PSSKB int64 `json:"pss_kb"`
	Procs int   `json:"procs"`
}

func (m memUsage) add(o memUsage) memUsage {
	return memUsage{RSSKB: m.RSSKB + o.RSSKB, PSSKB: m.PSSKB + o.PSSKB, Procs: m.Procs + o.Procs}
}

// parseSmapsRollup reads the Rss and Pss lines of /proc/PID/smaps_rollup.
func parseSmapsRollup(r io.Reader) (memUsage, error) {
	var m memUsage
	var seenRSS, seenPSS bool
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		var dst *int64
		switch string(key) {
		case "Rss":
			dst, seenRSS = &m.RSSKB, true
		case "Pss":
			dst, seenPSS = &m.PSSKB, true
		default:
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return memUsage{}, fmt.Errorf("smaps_rollup: malformed line %q", sc.Text())
		}
		v, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return memUsage{}, fmt.Errorf("smaps_rollup: %q: %w", sc.Text(), err)
		}
		*dst = v
	}
	if err := sc.Err(); err != nil {
		return memUsage{}, fmt.Errorf("smaps_rollup: %w", err)
	}
	if !seenRSS || !seenPSS {
		return memUsage{}, fmt.Errorf("smaps_rollup: no Rss or Pss line")
	}
	m.Procs = 1
	return m, nil
}

// parseStatPPID returns the parent pid from the contents of /proc/PID/stat.
// The command name may hold spaces and parentheses, so fields are counted
// from the last ')'.
func parseStatPPID(stat []byte) (int, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("stat: no command name in %q", truncate(stat, 80))
	}
	f := bytes.Fields(stat[i+1:])
	if len(f) < 2 {
		return 0, fmt.Errorf("stat: too few fields in %q", truncate(stat, 80))
	}
	return strconv.Atoi(string(f[1])) // state, then ppid
}

// procTree lists root and all its descendants found under procDir.
// Processes that vanish while it reads are skipped.
func procTree(procDir string, root int) ([]int, error) {
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(procDir, e.Name(), "stat"))
		if err != nil {
			continue
		}
		ppid, err := parseStatPPID(stat)
		if err != nil {
			continue
		}
		children[ppid] = append(children[ppid], pid)
	}
	tree := []int{root}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree, nil
}

// treeMemory sums RSS and PSS over root and its descendants.
func treeMemory(procDir string, root int) (memUsage, error) {
	pids, err := procTree(procDir, root)
	if err != nil {
		return memUsage{}, err
	}
	var total memUsage
	for i, pid := range pids {
		f, err := os.Open(filepath.Join(procDir, strconv.Itoa(pid), "smaps_rollup"))
		if err != nil {
			if i == 0 {
				return memUsage{}, fmt.Errorf("process %d: %w", pid, err)
			}
			continue // a child that just exited
		}
		m, err := parseSmapsRollup(f)
		f.Close()
		if err != nil {
			if i == 0 {
				return memUsage{}, fmt.Errorf("process %d: %w", pid, err)
			}
			continue
		}
		total = total.add(m)
	}
	return total, nil
}

// peakSampler samples a process tree's memory every interval and keeps the
// largest PSS (and the largest RSS) seen.
type peakSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	peak memUsage
	err  error
}

func startPeakSampler(procDir string, root int, interval time.Duration) *peakSampler {
	s := &peakSampler{stop: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.sample(procDir, root)
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *peakSampler) sample(procDir string, root int) {
	m, err := treeMemory(procDir, root)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.err = err
		return
	}
	s.peak.RSSKB = max(s.peak.RSSKB, m.RSSKB)
	s.peak.PSSKB = max(s.peak.PSSKB, m.PSSKB)
	s.peak.Procs = max(s.peak.Procs, m.Procs)
}

// finish stops sampling and returns the peak.
func (s *peakSampler) finish() (memUsage, error) {
	close(s.stop)
	s.wg.Wait()
	return s.peak, s.err
}
