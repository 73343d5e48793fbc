//go:build faults

package faults

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// proc is what /proc says of a process.
type proc struct {
	pid, ppid int
	state     byte
	start     uint64 // start time, in clock ticks since boot
	name      string // basename of argv[0]
}

func readProc(pid int) (proc, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return proc{}, false
	}
	s := string(stat)
	end := strings.LastIndexByte(s, ')')
	if end < 0 {
		return proc{}, false
	}
	f := strings.Fields(s[end+2:])
	if len(f) < 20 {
		return proc{}, false
	}
	p := proc{pid: pid, state: f[0][0]}
	p.ppid, _ = strconv.Atoi(f[1])
	p.start, _ = strconv.ParseUint(f[19], 10, 64)
	cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	p.name = filepath.Base(string(bytes.SplitN(cmdline, []byte{0}, 2)[0]))
	return p, true
}

// children lists the live processes whose parent is pid.
func children(pid int) []proc {
	entries, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range entries {
		cpid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(cpid); ok && p.ppid == pid && p.state != 'Z' {
			out = append(out, p)
		}
	}
	return out
}

// pluginPID is the pid of family's current plugin process: the newest
// child of the core with its name that is neither stopped nor a zombie (an
// old instance may linger, stopped, until the core's watchdog kills it).
func pluginPID(core int, family string) int {
	var best proc
	for _, p := range children(core) {
		if p.name != "qgad-plugin-"+family || p.state == 'T' || p.state == 't' {
			continue
		}
		if best.pid == 0 || p.start > best.start || (p.start == best.start && p.pid > best.pid) {
			best = p
		}
	}
	return best.pid
}

// alive tells whether pid exists and is not a zombie.
func alive(pid int) bool {
	p, ok := readProc(pid)
	return ok && p.state != 'Z'
}

// memKB reads a Vm* line (VmRSS, VmHWM) of /proc/<pid>/status, in KiB.
func memKB(t *testing.T, pid int, field string) int {
	t.Helper()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatalf("reading status of %d: %v", pid, err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatalf("bad %s line %q", field, l)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// builtPlugins is where buildPlugins put the test plugins ("" = nowhere
// yet); TestMain removes it.
var builtPlugins string
