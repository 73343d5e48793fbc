package e2e

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/client"
)

// observed are the answers that must not depend on the agent: both agents
// report them for the same guest, and compareObserved checks they agree.
type observed struct {
	HostName   string
	OSInfo     client.OSInfo
	Timezone   client.Timezone
	Users      []client.User
	Vcpus      []client.LogicalProcessor
	MemBlocks  []client.MemoryBlock
	MemBlkInfo client.MemoryBlockInfo
	Interfaces map[string][]string // name -> hardware address, then sorted addresses
	Fsinfo     []client.FilesystemInfo
	Disks      []client.DiskInfo
	Diskstats  []string // names, in order
	SSHKeys    []string
	CPUs       int
}

// stepReadOnly runs every read-only command of every family and checks the
// answers against what the guest really has (its files, /proc and /sys,
// read through the control port).
func stepReadOnly(ctx context.Context, t *testing.T, g *guest) {
	checks := []struct {
		name string
		fn   func(context.Context, *testing.T, *guest)
	}{
		{"guest-ping", checkPing},
		{"guest-info", checkInfo},
		{"guest-get-time", checkTime},
		{"guest-get-host-name", checkHostName},
		{"guest-get-osinfo", checkOSInfo},
		{"guest-get-timezone", checkTimezone},
		{"guest-get-users", checkUsers},
		{"guest-get-load", checkLoad},
		{"guest-get-cpustats", checkCPUStats},
		{"guest-get-vcpus", checkVcpus},
		{"guest-get-memory-blocks", checkMemoryBlocks},
		{"guest-get-memory-block-info", checkMemoryBlockInfo},
		{"guest-get-diskstats", checkDiskstats},
		{"guest-get-disks", checkDisks},
		{"guest-get-fsinfo", checkFsinfo},
		{"guest-network-get-interfaces", checkInterfaces},
		{"guest-network-get-route", checkRoutes},
		{"guest-fsfreeze-status", checkFreezeStatus},
		{"guest-ssh-get-authorized-keys", checkSSHKeys},
		{"guest-file-read", checkFileRead},
		{"guest-exec", checkExec},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { c.fn(ctx, t, g) })
	}
	if g.p.Plugin != "" {
		t.Run("plugin-sockets", func(t *testing.T) {
			// Every plugin listens in qgad's runtime directory, /run/qgad by
			// default, on tmpfs: never on a disk that can be frozen.
			g.callRaw(ctx, t, g.p.PluginCommand, nil) // one plugin running at least
			socks := strings.Fields(g.sh(ctx, t, `awk 'NR > 1 && $8 ~ /plugin/ { print $8 }' /proc/net/unix | sort -u`))
			if len(socks) == 0 {
				t.Fatalf("no plugin socket in /proc/net/unix")
			}
			for _, s := range socks {
				if !strings.HasPrefix(s, "/run/qgad/") {
					t.Errorf("plugin socket %s is outside /run/qgad", s)
				}
			}
			if fs := g.sh(ctx, t, "stat -f -c %T /run/qgad"); fs != "tmpfs" {
				t.Errorf("/run/qgad is on %s, want tmpfs", fs)
			}
		})
	}
}

func checkPing(ctx context.Context, t *testing.T, g *guest) {
	if raw := g.callRaw(ctx, t, "guest-ping", nil); string(raw) != "{}" {
		t.Errorf("guest-ping returned %s, want {}", raw)
	}
}

// checkInfo: every command of the agent's qemu-ga version, in its order,
// enabled, success-response false exactly for shutdown and suspend.
func checkInfo(ctx context.Context, t *testing.T, g *guest) {
	var info client.AgentInfo
	g.call(ctx, t, "guest-info", nil, &info)
	var names []string
	for _, c := range info.SupportedCommands {
		names = append(names, c.Name)
		wantEnabled := !(g.p.Legacy && c.Name == "guest-get-devices") // 7.2 on Linux: always disabled
		if c.Enabled != wantEnabled {
			t.Errorf("%s: enabled %v, want %v", c.Name, c.Enabled, wantEnabled)
		}
		noReply := c.Name == "guest-shutdown" || strings.HasPrefix(c.Name, "guest-suspend-")
		if c.SuccessResponse == noReply {
			t.Errorf("%s: success-response %v", c.Name, c.SuccessResponse)
		}
	}
	if !slices.Equal(names, g.p.Commands) {
		t.Errorf("supported_commands:\n got %v\nwant %v", names, g.p.Commands)
	}
	if info.Version == "" {
		t.Errorf("empty version")
	}
	if g.p.Legacy && !strings.HasPrefix(info.Version, "7.2") {
		t.Errorf("qemu-ga version %q, want 7.2.x", info.Version)
	}
}

// checkTime: the guest's clock, as `date +%s` in the guest reads it before
// and after.
func checkTime(ctx context.Context, t *testing.T, g *guest) {
	before := atou(t, g.sh(ctx, t, "date +%s"))
	var ns int64
	g.call(ctx, t, "guest-get-time", nil, &ns)
	after := atou(t, g.sh(ctx, t, "date +%s"))
	if s := uint64(ns / 1e9); s < before || s > after {
		t.Errorf("guest-get-time %d ns, the guest's clock said %d..%d s", ns, before, after)
	}
	if d := time.Since(time.Unix(0, ns)); d.Abs() > 2*time.Minute {
		t.Errorf("guest clock is %v away from the host's (QEMU's RTC starts at host time)", d)
	}
}

func notFound(ctx context.Context, t *testing.T, g *guest, name string) {
	e := g.callErr(ctx, t, name, nil)
	if want := "The command " + name + " has not been found"; e.Class != "CommandNotFound" || e.Desc != want {
		t.Errorf("%s: %v, want CommandNotFound %q", name, e, want)
	}
}

// checkFileRead: open, read and close a guest file read-only.
func checkFileRead(ctx context.Context, t *testing.T, g *guest) {
	var h int64
	g.call(ctx, t, "guest-file-open", map[string]string{"path": "/etc/os-release", "mode": "r"}, &h)
	var r client.FileRead
	g.call(ctx, t, "guest-file-read", map[string]int64{"handle": h, "count": 4096}, &r)
	if string(r.Data) != osRelease || r.Count != int64(len(osRelease)) || !r.EOF {
		t.Errorf("read %d bytes (eof %v): %q", r.Count, r.EOF, r.Data)
	}
	g.callRaw(ctx, t, "guest-file-close", map[string]int64{"handle": h})
}

// checkExec: a child's exit status and both output streams.
func checkExec(ctx context.Context, t *testing.T, g *guest) {
	st := g.exec(ctx, t, "/bin/sh", "-c", "echo out; echo err >&2; exit 3")
	if st.ExitCode == nil || *st.ExitCode != 3 || string(st.OutData) != "out\n" || string(st.ErrData) != "err\n" {
		t.Errorf("exec status %s", g.lastExecStatus)
	}
	m := members(t, "guest-exec-status", g.lastExecStatus)
	_, outT := m["out-truncated"]
	_, errT := m["err-truncated"]
	// 10.2: present with the data, with the real flag. Debian's 7.2 does
	// the same (upstream 7.2 did not, spec section 6: a backported fix).
	if !outT || !errT || string(m["out-truncated"]) != "false" || string(m["err-truncated"]) != "false" {
		t.Errorf("out-truncated and err-truncated must be present and false: %s", g.lastExecStatus)
	}
}

// compareObserved: what both agents said about the same guest.
func compareObserved(t *testing.T, a, b *observed) {
	if a == nil || b == nil {
		t.Fatal("one of the boots did not run: see the failures above")
	}
	va, vb := reflect.ValueOf(*a), reflect.ValueOf(*b)
	for i := range va.NumField() {
		name := va.Type().Field(i).Name
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if name == "Fsinfo" {
			x, y = fsinfoComparable(a.Fsinfo), fsinfoComparable(b.Fsinfo)
		}
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s differs:\n %s: %s\n %s: %s", name, profiles[0].Label, mustJSON(x), profiles[1].Label, mustJSON(y))
		}
	}
}

// fsinfoComparable drops what differs between boots (usage) and between
// versions (total-bytes-privileged is new in 9.1).
func fsinfoComparable(in []client.FilesystemInfo) []client.FilesystemInfo {
	out := slices.Clone(in)
	for i := range out {
		out[i].UsedBytes, out[i].TotalBytes, out[i].TotalBytesPrivileged = nil, nil, nil
	}
	return out
}
