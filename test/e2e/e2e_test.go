// Package e2e boots a real Linux guest under QEMU (TCG) with qgad and its
// plugins inside, on a real virtio-serial port, and drives it from the host
// as libvirt, Proxmox and the client package do; then the same guest with
// Debian's qemu-ga 7.2, for reference. `make e2e` runs it; `make unit` leaves this package to it.
package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/client"
	"github.com/qgad/qgad/internal/qgatest"
)

// profile is what differs between the two agents under test.
type profile struct {
	Name     string // e2e_agent= and the argv file
	Label    string // column of the results table
	Commands []string
	// Legacy: qemu-ga 7.2's wire differences (spec section 6).
	Legacy bool
	// FrozenReason ends "Command X has been disabled: " while frozen.
	FrozenReason string
	// PowerLine is what the guest's power script prints for guest-shutdown.
	PowerLine string
	// Plugin is a plugin executable to kill ("" for qemu-ga).
	Plugin string
	// PluginCommand is one of that plugin's commands.
	PluginCommand string
	StateDir      string
}

// commands102 is qemu-ga 10.2's guest-info order on Linux (spec appendix B).
var commands102 = strings.Split("guest-network-get-route guest-get-load guest-get-cpustats guest-get-diskstats "+
	"guest-ssh-remove-authorized-keys guest-ssh-add-authorized-keys guest-ssh-get-authorized-keys guest-get-osinfo "+
	"guest-get-timezone guest-get-users guest-get-host-name guest-exec guest-exec-status guest-get-memory-block-info "+
	"guest-set-memory-blocks guest-get-memory-blocks guest-set-user-password guest-get-fsinfo guest-get-disks "+
	"guest-set-vcpus guest-get-vcpus guest-network-get-interfaces guest-suspend-hybrid guest-suspend-ram "+
	"guest-suspend-disk guest-fstrim guest-fsfreeze-thaw guest-fsfreeze-freeze-list guest-fsfreeze-freeze "+
	"guest-fsfreeze-status guest-file-flush guest-file-seek guest-file-write guest-file-read guest-file-close "+
	"guest-file-open guest-shutdown guest-info guest-set-time guest-get-time guest-ping guest-sync guest-sync-delimited", " ")

// commands72 is qemu-ga 7.2's (spec appendix B).
var commands72 = strings.Split("guest-get-cpustats guest-get-diskstats guest-ssh-remove-authorized-keys "+
	"guest-ssh-add-authorized-keys guest-ssh-get-authorized-keys guest-get-devices guest-get-osinfo guest-get-timezone "+
	"guest-get-users guest-get-host-name guest-exec guest-exec-status guest-get-memory-block-info guest-set-memory-blocks "+
	"guest-get-memory-blocks guest-set-user-password guest-get-fsinfo guest-get-disks guest-set-vcpus guest-get-vcpus "+
	"guest-network-get-interfaces guest-suspend-hybrid guest-suspend-ram guest-suspend-disk guest-fstrim "+
	"guest-fsfreeze-thaw guest-fsfreeze-freeze-list guest-fsfreeze-freeze guest-fsfreeze-status guest-file-flush "+
	"guest-file-seek guest-file-write guest-file-read guest-file-close guest-file-open guest-shutdown guest-info "+
	"guest-set-time guest-get-time guest-ping guest-sync guest-sync-delimited", " ")

var profiles = []*profile{
	{
		Name: "qgad", Label: "qgad", Commands: commands102,
		FrozenReason:  "the command is not allowed",
		PowerLine:     "E2E power poweroff ",
		Plugin:        "/usr/sbin/qgad-plugin-system",
		PluginCommand: "guest-get-host-name",
		StateDir:      "/var/lib/qgad",
	},
	{
		Name: "qemu-ga", Label: "qemu-ga 7.2", Commands: commands72, Legacy: true,
		FrozenReason: "the agent is in frozen state",
		PowerLine:    `E2E power shutdown -h -P +0 hypervisor initiated shutdown`,
		StateDir:     "/var/lib/qemu-ga",
	},
}

// guest is one booted VM with its agent and the views of it.
type guest struct {
	p   *profile
	vm  *vm
	c   *client.Client // the session's connection (replaced on reconnect)
	ctl *ctl
	k   *kernel
	m   *measures
	obs *observed
	// lastExecStatus is the raw guest-exec-status that reported the exit.
	lastExecStatus json.RawMessage
}

func TestGuest(t *testing.T) {
	for _, tool := range []string{"qemu-system-x86_64", "mkfs.ext4", "busybox", "ldd", "apt-cache", "apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: `make e2e` installs qemu-system-x86 busybox-static cpio e2fsprogs", tool)
		}
	}
	if _, err := os.Stat(qgatest.QemuGA); err != nil {
		t.Fatalf("%s is missing: `make e2e` installs qemu-guest-agent", qgatest.QemuGA)
	}
	begin := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	out := filepath.Join(qgatest.RepoRoot(t), "test", "e2e", "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	k, err := fetchKernel(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Dir(qgatest.Bin(t, "qgad"))
	im, err := buildImage(ctx, k, agentFiles{BinDir: bin, QemuGA: qgatest.QemuGA})
	if err != nil {
		t.Fatal(err)
	}
	initrd := filepath.Join(out, "initramfs.cpio")
	if err := writeInitramfs(im, initrd); err != nil {
		t.Fatal(err)
	}
	t.Logf("kernel %s, initramfs %s built in %v", k.Release, initrd, time.Since(begin).Round(time.Millisecond))

	res := map[string]*measures{}
	obs := map[string]*observed{}
	for _, p := range profiles {
		t.Run(p.Name, func(t *testing.T) {
			g := &guest{p: p, k: k, m: &measures{}, obs: &observed{}}
			res[p.Name], obs[p.Name] = g.m, g.obs
			runGuest(ctx, t, g, vmConfig{
				Kernel: k.Vmlinuz, Initrd: initrd, Agent: p.Name, SMP: 2, MemMiB: 512,
				Dir: qgatest.TempDir(t), ConsoleLog: filepath.Join(out, p.Name+"-console.log"),
			})
		})
	}
	t.Run("same-answers", func(t *testing.T) { compareObserved(t, obs[profiles[0].Name], obs[profiles[1].Name]) })

	table := resultsTable(profiles, res, k, time.Since(begin))
	t.Log("\n" + table)
	if err := os.WriteFile(filepath.Join(out, "results.md"), []byte(table), 0o644); err != nil {
		t.Error(err)
	}
}

// runGuest boots one guest and runs the steps in order; a failed step is
// reported and the next ones still run where they can.
func runGuest(ctx context.Context, t *testing.T, g *guest, cfg vmConfig) {
	v, err := startVM(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	g.vm = v
	t.Cleanup(v.Kill)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("console (full copy in %s):\n%s", cfg.ConsoleLog, v.Con.Tail(60))
		}
	})
	ok := t.Run("boot", func(t *testing.T) { stepBoot(ctx, t, g) })
	if !ok {
		t.Fatal("the guest did not come up")
	}
	defer func() {
		if g.c != nil {
			g.c.Close()
		}
		g.ctl.Close()
	}()
	t.Run("wire", func(t *testing.T) { stepWire(ctx, t, g) })
	t.Run("read-only", func(t *testing.T) { stepReadOnly(ctx, t, g) })
	t.Run("ping", func(t *testing.T) { stepPing(ctx, t, g) })
	t.Run("freeze", func(t *testing.T) { stepFreeze(ctx, t, g) })
	if g.p.Plugin != "" {
		t.Run("plugin-restart", func(t *testing.T) { stepPluginRestart(ctx, t, g) })
	}
	t.Run("shutdown", func(t *testing.T) { stepShutdown(ctx, t, g) })
}

// stepBoot: QEMU start to the first guest-sync-delimited reply over the
// virtio-serial port, with the agent started by the guest's init on its
// defaults.
func stepBoot(ctx context.Context, t *testing.T, g *guest) {
	bootCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	c, err := syncUntilUp(bootCtx, g.vm.AgentSck)
	if err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	g.m.Boot = up.Sub(g.vm.Started)
	g.c = c
	if _, pos, err := g.vm.Con.Wait(bootCtx, 0, prefix("E2E agent-start")); err == nil {
		g.m.AgentStart = up.Sub(g.vm.Con.Time(pos))
	}
	if g.ctl, err = dialCtl(bootCtx, g.vm.CtlSck); err != nil {
		t.Fatal(err)
	}
	// The init's markers: everything it set up worked.
	for _, mark := range []string{"E2E ports ", "E2E disk-mounted", "E2E net-up", "E2E agent-start"} {
		if _, _, err := g.vm.Con.Wait(bootCtx, 0, prefix(mark)); err != nil {
			t.Errorf("console never showed %q: %v", mark, err)
		}
	}
	for _, l := range g.vm.Con.Since(0) {
		if strings.HasPrefix(l, "E2E ") && strings.Contains(l, "-failed") {
			t.Errorf("guest init: %s", l)
		}
	}
	argv, err := g.ctl.Sh(bootCtx, "tr '\\0' ' ' < /proc/$(cat /run/e2e/agent.pid)/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(agentArgv[g.p.Name], " "); argv != want {
		t.Errorf("agent command line %q, want %q (defaults: no -m, no -p)", argv, want)
	}
	t.Logf("boot to first reply: %v (agent start to first reply %v)", g.m.Boot.Round(time.Millisecond), g.m.AgentStart.Round(time.Millisecond))
}

func prefix(p string) func(string) bool {
	return func(s string) bool { return strings.HasPrefix(s, p) }
}
