package e2e

import (
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// measures are the timings of one boot, for the side-by-side table.
type measures struct {
	Boot          time.Duration // QEMU started -> first guest-sync-delimited reply
	AgentStart    time.Duration // the init's agent-start line -> first reply
	PingP50       time.Duration
	PingP90       time.Duration
	Freeze        time.Duration // guest-fsfreeze-freeze round trip
	Thaw          time.Duration // guest-fsfreeze-thaw round trip
	RestartFrozen time.Duration // agent-start line of the restart while frozen -> first reply
	Shutdown      time.Duration // guest-shutdown sent -> QEMU exited
}

// resultsTable renders the measures of both agents as Markdown.
func resultsTable(ps []*profile, res map[string]*measures, k *kernel, total time.Duration) string {
	qemu := "QEMU"
	if out, err := exec.Command("qemu-system-x86_64", "--version").Output(); err == nil {
		qemu = strings.TrimPrefix(strings.SplitN(string(out), "\n", 2)[0], "QEMU emulator version ")
		qemu = "QEMU " + qemu
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Guest: Debian kernel %s, busybox initramfs, `-accel tcg -smp 2 -m 512`, %s; host: %d CPUs, %s. Whole run %s. Reproduce: `make e2e`.\n\n",
		k.Release, qemu, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"), total.Round(time.Second))
	b.WriteString("| measure |")
	for _, p := range ps {
		fmt.Fprintf(&b, " %s |", p.Label)
	}
	b.WriteString("\n|---|")
	for range ps {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	rows := []struct {
		name string
		get  func(*measures) string
	}{
		{"boot to first reply (QEMU start to guest-sync-delimited answer)", func(m *measures) string { return dur(m.Boot) }},
		{"agent started by the init to its first reply", func(m *measures) string { return dur(m.AgentStart) }},
		{"guest-ping round trip, p50 (p90) of 200", func(m *measures) string {
			if m.PingP50 == 0 {
				return "–"
			}
			return dur(m.PingP50) + " (" + dur(m.PingP90) + ")"
		}},
		{"guest-fsfreeze-freeze (one ext4 disk)", func(m *measures) string { return dur(m.Freeze) }},
		{"guest-fsfreeze-thaw", func(m *measures) string { return dur(m.Thaw) }},
		{"same, restarted after kill -9 while frozen (starts frozen)", func(m *measures) string { return dur(m.RestartFrozen) }},
		{"guest-shutdown to QEMU exit", func(m *measures) string { return dur(m.Shutdown) }},
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s |", r.name)
		for _, p := range ps {
			v := "–"
			if m := res[p.Name]; m != nil {
				v = r.get(m)
			}
			fmt.Fprintf(&b, " %s |", v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}
