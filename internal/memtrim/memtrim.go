// Package memtrim gives memory back to the system when the agent goes
// idle. An agent runs in every VM of a fleet, so its idle footprint is paid
// thousands of times over.
//
// Most of a Go program's resident memory after startup is its own
// executable: code and read-only data touched once by package
// initialization (gRPC, protobuf registries) and never again. Those pages
// are clean, read-only private file mappings, so dropping them from our
// page tables (MADV_DONTNEED) is safe: the kernel maps them again from the
// page cache on the next touch. Writable mappings are never touched.
package memtrim

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Trim returns the heap's free pages and drops the executable's read-only
// pages from the process's resident set. It returns the bytes advised.
func Trim() int {
	// Twice: buffers that gRPC pools (sync.Pool) survive one collection
	// and are only freed by the second.
	debug.FreeOSMemory()
	debug.FreeOSMemory()
	exe, err := os.Executable()
	if err != nil {
		return 0
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0
	}
	defer f.Close()
	total := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		start, end, ok := readOnlyMapping(sc.Text(), exe)
		if !ok {
			continue
		}
		if err := madvise(start, end); err == nil {
			total += int(end - start)
		}
	}
	return total
}

// readOnlyMapping parses a /proc/self/maps line and reports a private,
// non-writable mapping of the file exe.
func readOnlyMapping(line, exe string) (start, end uintptr, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 6 || fields[5] != exe {
		return 0, 0, false
	}
	perms := fields[1]
	if len(perms) != 4 || perms[1] == 'w' || perms[3] != 'p' {
		return 0, 0, false
	}
	lo, hi, found := strings.Cut(fields[0], "-")
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(lo, 16, 64)
	e, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}

func madvise(start, end uintptr) error {
	_, _, errno := unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_DONTNEED)
	if errno != 0 {
		return errno
	}
	return nil
}

// Idle trims memory once the process has been quiet for a delay: Kick on
// every unit of work, and the trim runs delay after the last one.
type Idle struct {
	t *time.Timer
}

// NewIdle arms an idle trim that first fires delay from now.
func NewIdle(delay time.Duration) *Idle {
	return &Idle{t: time.AfterFunc(delay, func() { Trim() })}
}

// Kick postpones the trim to delay from now.
func (i *Idle) Kick(delay time.Duration) { i.t.Reset(delay) }
