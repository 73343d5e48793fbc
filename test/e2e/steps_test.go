package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/client"
)

// stepWire: the handshake byte for byte, libvirt's and Proxmox's ways of
// talking, and a host that goes away mid-request and comes back.
func stepWire(ctx context.Context, t *testing.T, g *guest) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// The boot connection read every reply it caused: close it, so each
	// client below starts on a fresh connection.
	g.c.Close()
	g.c = nil
	defer func() {
		if g.c != nil {
			return
		}
		c, err := syncUntilUp(ctx, g.vm.AgentSck)
		if err != nil {
			t.Fatalf("reconnecting for the next steps: %v", err)
		}
		g.c = c
	}()

	t.Run("delimited-handshake", func(t *testing.T) {
		if err := checkDelimited(ctx, g.vm.AgentSck); err != nil {
			t.Error(err)
		}
	})

	t.Run("libvirt", func(t *testing.T) {
		l, err := dialLibvirt(ctx, g.vm.AgentSck)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if err := l.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		// What virDomainGetGuestInfo and the fs/net APIs run, strictly
		// typed as libvirt parses them.
		var info client.AgentInfo
		var ns int64
		var fsinfo []client.FilesystemInfo
		var ifaces []client.NetworkInterface
		var host struct {
			HostName string `json:"host-name"`
		}
		for _, c := range []struct {
			cmd string
			out any
		}{{"guest-info", &info}, {"guest-get-time", &ns}, {"guest-get-fsinfo", &fsinfo},
			{"guest-network-get-interfaces", &ifaces}, {"guest-get-host-name", &host}} {
			raw, err := l.Command(ctx, c.cmd)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, c.out); err != nil {
				t.Fatalf("%s: %s: %v", c.cmd, raw, err)
			}
			if c.cmd == "guest-get-fsinfo" {
				checkFsinfoSchema(t, raw)
			}
		}
		if len(info.SupportedCommands) != len(g.p.Commands) || ns <= 0 || len(fsinfo) != 1 || len(ifaces) < 2 || host.HostName != guestHostname {
			t.Errorf("libvirt-style answers: %d commands, time %d, %d file systems, %d interfaces, host %q",
				len(info.SupportedCommands), ns, len(fsinfo), len(ifaces), host.HostName)
		}
		// A command the agent does not have comes back as libvirt expects.
		if _, err := l.Command(ctx, "guest-no-such-command"); err == nil || !strings.Contains(err.Error(), "CommandNotFound") {
			t.Errorf("unknown command: %v", err)
		}
	})

	t.Run("proxmox", func(t *testing.T) {
		for seq, cmd := range []string{"guest-ping", "guest-info", "guest-get-osinfo", "guest-get-host-name",
			"guest-fsfreeze-status", "guest-get-fsinfo", "guest-network-get-interfaces", "guest-get-vcpus",
			"guest-get-memory-block-info", "guest-get-time"} {
			raw, err := pveExchange(ctx, g.vm.AgentSck, seq+1, cmd)
			if err != nil {
				t.Fatal(err)
			}
			var want string
			switch cmd {
			case "guest-ping":
				want = "{}"
			case "guest-fsfreeze-status":
				want = `"thawed"`
			case "guest-get-host-name":
				want = fmt.Sprintf(`{"host-name": %q}`, guestHostname)
			}
			if want != "" && string(raw) != want {
				t.Errorf("%s: %s, want %s", cmd, raw, want)
			}
		}
	})

	t.Run("reconnect", func(t *testing.T) {
		// A host that leaves in the middle of a request...
		conn, err := dial(ctx, g.vm.AgentSck)
		if err != nil {
			t.Fatal(err)
		}
		c := client.New(conn)
		if err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetTime(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.Write(ctx, []byte(`{"execute": "guest-get-osinfo", "arguments": {`)); err != nil {
			t.Fatal(err)
		}
		c.Close()
		// ...and one that comes back: the 0xFF of the handshake drops the
		// half request the agent still holds.
		c, err = syncUntilUp(ctx, g.vm.AgentSck)
		if err != nil {
			t.Fatal(err)
		}
		g.c = c
		if err := c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		if h, err := c.GetHostName(ctx); err != nil || h != guestHostname {
			t.Errorf("host name after reconnecting: %q, %v", h, err)
		}
	})
}

// stepPing measures guest-ping round trips on the session's connection.
func stepPing(ctx context.Context, t *testing.T, g *guest) {
	const n = 200
	d := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if err := g.c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	g.m.PingP50, g.m.PingP90 = d[n/2], d[n*9/10]
	t.Logf("guest-ping over virtio-serial: p50 %v, p90 %v", g.m.PingP50, g.m.PingP90)
}

// pluginPIDs lists the pids of a plugin executable, from /proc in the
// guest.
const pluginPIDs = `for d in /proc/[0-9]*; do [ "$(tr '\0' '\n' 2>/dev/null < $d/cmdline | head -n 1)" = %s ] && echo ${d#/proc/}; done; true`

// stepPluginRestart kills a plugin process inside the guest with guest-exec;
// the core starts it again on the next call of its family.
func stepPluginRestart(ctx context.Context, t *testing.T, g *guest) {
	g.callRaw(ctx, t, g.p.PluginCommand, nil) // running now
	st := g.exec(ctx, t, "/bin/sh", "-c", fmt.Sprintf(pluginPIDs, g.p.Plugin))
	pids := strings.Fields(string(st.OutData))
	if len(pids) != 1 {
		t.Fatalf("%s processes: %q, want one", g.p.Plugin, pids)
	}
	st = g.exec(ctx, t, "/bin/kill", "-9", pids[0])
	if st.ExitCode == nil || *st.ExitCode != 0 {
		t.Fatalf("kill -9 %s: %s", pids[0], g.lastExecStatus)
	}
	deadline := time.Now().Add(20 * time.Second)
	for g.sh(ctx, t, "test -e /proc/"+pids[0]+" && echo alive || echo gone") != "gone" {
		if time.Now().After(deadline) {
			t.Fatalf("plugin %s still there after kill -9", pids[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
	var failures []string
	for {
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		h, err := g.c.GetHostName(c)
		cancel()
		if err == nil {
			if h != guestHostname {
				t.Errorf("host name %q after the restart", h)
			}
			break
		}
		failures = append(failures, err.Error())
		if time.Now().After(deadline) {
			t.Fatalf("%s never worked again after its plugin was killed: %q", g.p.PluginCommand, failures)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(failures) > 0 {
		t.Logf("%d call(s) failed while the plugin restarted: %q", len(failures), failures)
	}
	newPIDs := strings.Fields(g.sh(ctx, t, fmt.Sprintf(pluginPIDs, g.p.Plugin)))
	if len(newPIDs) != 1 || newPIDs[0] == pids[0] {
		t.Errorf("plugin pids after the restart: %q (killed %s)", newPIDs, pids[0])
	}
	t.Run("whole-family", func(t *testing.T) {
		checkOSInfo(ctx, t, g)
		checkVcpus(ctx, t, g)
		checkInfo(ctx, t, g)
	})
}

// stepShutdown: guest-shutdown sends no reply, the guest runs its power
// program, and QEMU exits by itself with status 0.
func stepShutdown(ctx context.Context, t *testing.T, g *guest) {
	mark := g.vm.Con.Len()
	start := time.Now()
	if err := g.c.CallNoResponse(ctx, "guest-shutdown", nil, 3*time.Second); err != nil {
		t.Fatalf("guest-shutdown: %v", err)
	}
	wait, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := g.vm.WaitExit(wait); err != nil {
		t.Fatalf("QEMU after guest-shutdown: %v", err)
	}
	g.m.Shutdown = time.Since(start)
	want := strings.TrimSpace(g.p.PowerLine)
	found := false
	for _, l := range g.vm.Con.Since(mark) {
		found = found || strings.TrimSpace(l) == want
	}
	if !found {
		t.Errorf("console never showed %q", want)
	}
}
