package e2e

// Checks of the system and users families: what the guest is and who uses it.

import (
	"context"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/qgad/qgad/client"
)

func checkHostName(ctx context.Context, t *testing.T, g *guest) {
	var r struct {
		HostName string `json:"host-name"`
	}
	g.call(ctx, t, "guest-get-host-name", nil, &r)
	if r.HostName != guestHostname || r.HostName != g.sh(ctx, t, "hostname") {
		t.Errorf("host-name %q, want %q", r.HostName, guestHostname)
	}
	g.obs.HostName = r.HostName
}

func checkOSInfo(ctx context.Context, t *testing.T, g *guest) {
	var got client.OSInfo
	g.call(ctx, t, "guest-get-osinfo", nil, &got)
	want := client.OSInfo{
		KernelRelease: g.k.Release,
		KernelVersion: g.sh(ctx, t, "uname -v"),
		Machine:       "x86_64",
		ID:            "qgad-e2e",
		Name:          "qgad e2e guest",
		PrettyName:    "qgad e2e guest (Debian kernel, busybox initramfs)",
		Version:       "1 (busybox)",
		VersionID:     "1",
		Variant:       "Test Guest",
		VariantID:     "test",
	}
	if got != want {
		t.Errorf("osinfo\n got %+v\nwant %+v", got, want)
	}
	g.obs.OSInfo = got
}

func checkTimezone(ctx context.Context, t *testing.T, g *guest) {
	var got client.Timezone
	raw := g.call(ctx, t, "guest-get-timezone", nil, &got)
	requireMembers(t, "timezone", raw, "offset")
	if got.Zone != guestZoneAbbr || got.Offset != guestZoneOff {
		t.Errorf("timezone %s, want %s at %d (/etc/localtime is %s)", raw, guestZoneAbbr, guestZoneOff, guestZone)
	}
	g.obs.Timezone = got
}

func checkUsers(ctx context.Context, t *testing.T, g *guest) {
	var got []client.User
	g.call(ctx, t, "guest-get-users", nil, &got)
	if len(got) != len(wantUsers) {
		t.Fatalf("users %v, want %v", got, wantUsers)
	}
	for i, w := range wantUsers {
		if got[i].User != w.User || got[i].LoginTime != w.Login || got[i].Domain != "" {
			t.Errorf("user %d: %+v, want %s at %v", i, got[i], w.User, w.Login)
		}
	}
	g.obs.Users = got
}

// checkLoad: /proc/loadavg read before and after brackets the answer (it
// changes every 5 s, printed with two decimals).
func checkLoad(ctx context.Context, t *testing.T, g *guest) {
	if g.p.Legacy {
		notFound(ctx, t, g, "guest-get-load") // new in 10.0
		return
	}
	before := loadavg(t, g.sh(ctx, t, "cat /proc/loadavg"))
	var got client.LoadAverage
	g.call(ctx, t, "guest-get-load", nil, &got)
	after := loadavg(t, g.sh(ctx, t, "cat /proc/loadavg"))
	for i, v := range []float64{got.Load1m, got.Load5m, got.Load15m} {
		lo, hi := min(before[i], after[i])-0.01, max(before[i], after[i])+0.01
		if math.IsNaN(v) || v < lo || v > hi {
			t.Errorf("load %d: %v, /proc/loadavg said %v then %v", i, v, before[i], after[i])
		}
	}
}

func loadavg(t *testing.T, s string) [3]float64 {
	var l [3]float64
	f := strings.Fields(s)
	for i := range l {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			t.Fatalf("/proc/loadavg %q: %v", s, err)
		}
		l[i] = v
	}
	return l
}

// cpuFields are guest-get-cpustats' members in /proc/stat column order.
var cpuFields = []string{"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guestnice"}

// checkCPUStats: one entry per vCPU, each counter (ticks of 10 ms in
// /proc/stat, milliseconds in the answer) between the guest's own readings
// before and after.
func checkCPUStats(ctx context.Context, t *testing.T, g *guest) {
	read := `grep '^cpu[0-9]' /proc/stat`
	before := fields(g.sh(ctx, t, read))
	var got []map[string]any
	g.call(ctx, t, "guest-get-cpustats", nil, &got)
	after := fields(g.sh(ctx, t, read))
	if len(got) != 2 || len(before) != 2 || len(after) != 2 {
		t.Fatalf("cpustats for %d CPUs (guest has %d), want 2 (-smp 2): %v", len(got), len(before), got)
	}
	for i, e := range got {
		if e["type"] != "linux" || e["cpu"] != float64(i) {
			t.Errorf("entry %d: type %v cpu %v", i, e["type"], e["cpu"])
		}
		for j, f := range cpuFields {
			v, ok := e[f].(float64)
			if !ok {
				t.Errorf("cpu%d: %s missing (the kernel gives 10 counters)", i, f)
				continue
			}
			lo, hi := atou(t, before[i][j+1])*10, atou(t, after[i][j+1])*10
			if uint64(v) < lo || uint64(v) > hi {
				t.Errorf("cpu%d %s = %v ms, /proc/stat said %d..%d ms", i, f, v, lo, hi)
			}
		}
	}
	g.obs.CPUs = len(got)
}

// checkVcpus: every /sys/devices/system/cpu/cpuN, online unless its online
// file says 0, can-offline when it has that file.
func checkVcpus(ctx context.Context, t *testing.T, g *guest) {
	var got []client.LogicalProcessor
	g.call(ctx, t, "guest-get-vcpus", nil, &got)
	truth := fields(g.sh(ctx, t, `for c in /sys/devices/system/cpu/cpu[0-9]*; do echo ${c##*cpu} $(cat $c/online 2>/dev/null || echo -); done`))
	var want []client.LogicalProcessor
	for _, r := range truth {
		canOffline := r[1] != "-"
		want = append(want, client.LogicalProcessor{LogicalID: int64(atou(t, r[0])), Online: r[1] != "0", CanOffline: &canOffline})
	}
	sort.Slice(got, func(i, j int) bool { return got[i].LogicalID < got[j].LogicalID })
	sort.Slice(want, func(i, j int) bool { return want[i].LogicalID < want[j].LogicalID })
	if len(got) != 2 {
		t.Errorf("%d vCPUs, want 2 (-smp 2)", len(got))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("vcpus\n got %s\nwant %s", mustJSON(got), mustJSON(want))
	}
	g.obs.Vcpus = got
}

func checkMemoryBlocks(ctx context.Context, t *testing.T, g *guest) {
	var got []client.MemoryBlock
	g.call(ctx, t, "guest-get-memory-blocks", nil, &got)
	truth := fields(g.sh(ctx, t, `for m in /sys/devices/system/memory/memory[0-9]*; do echo ${m##*memory} $(cat $m/state) $(cat $m/removable 2>/dev/null || echo 0); done`))
	var want []client.MemoryBlock
	for _, r := range truth {
		canOffline := r[2][0] != '0'
		want = append(want, client.MemoryBlock{PhysIndex: atou(t, r[0]), Online: strings.HasPrefix(r[1], "online"), CanOffline: &canOffline})
	}
	sort.Slice(got, func(i, j int) bool { return got[i].PhysIndex < got[j].PhysIndex })
	sort.Slice(want, func(i, j int) bool { return want[i].PhysIndex < want[j].PhysIndex })
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("memory blocks\n got %s\nwant %s", mustJSON(got), mustJSON(want))
	}
	g.obs.MemBlocks = got
}

func checkMemoryBlockInfo(ctx context.Context, t *testing.T, g *guest) {
	var got client.MemoryBlockInfo
	g.call(ctx, t, "guest-get-memory-block-info", nil, &got)
	want, err := strconv.ParseUint(g.sh(ctx, t, "cat /sys/devices/system/memory/block_size_bytes"), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != want {
		t.Errorf("block size %d, the guest's sysfs says %d", got.Size, want)
	}
	g.obs.MemBlkInfo = got
}

// checkSSHKeys: root's authorized_keys in reverse order, without the
// comment and the blank line, stripped.
func checkSSHKeys(ctx context.Context, t *testing.T, g *guest) {
	var got struct {
		Keys []string `json:"keys"`
	}
	g.call(ctx, t, "guest-ssh-get-authorized-keys", map[string]string{"username": "root"}, &got)
	want := []string{sshKeys[1], sshKeys[0]}
	if !slices.Equal(got.Keys, want) {
		t.Errorf("keys %q, want %q", got.Keys, want)
	}
	g.obs.SSHKeys = got.Keys
}
