package e2e

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/qgad/qgad/client"
)

// frozenAllowed are the commands usable while frozen (spec 3.4).
var frozenAllowed = []string{"guest-fsfreeze-status", "guest-fsfreeze-thaw", "guest-info", "guest-ping", "guest-sync", "guest-sync-delimited"}

// hbBlocked is the heartbeat writer's report of a write that waited.
var hbBlocked = regexp.MustCompile(`^HB \S+ blocked (\d+)ms$`)

// stepFreeze freezes the ext4 disk while the guest's heartbeat writes to
// it, starts one more writer that must wait, kills the agent from inside
// the guest while frozen, checks the restarted agent comes up frozen, and
// thaws: the writers complete.
func stepFreeze(ctx context.Context, t *testing.T, g *guest) {
	thawed := false
	defer func() {
		if thawed {
			return
		}
		// Leave nothing frozen for the next steps: through the agent,
		// else from inside the guest.
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if _, err := g.c.FsfreezeThaw(c); err != nil {
			t.Logf("thaw after a failure: %v", err)
		}
		g.ctl.Run(c, "fsfreeze --unfreeze /mnt/data")
	}()
	checkFreezeStatus(ctx, t, g)
	hb := g.vm.Con.Len()

	start := time.Now()
	var n int64
	g.call(ctx, t, "guest-fsfreeze-freeze", nil, &n)
	g.m.Freeze = time.Since(start)
	if n != 1 {
		t.Errorf("guest-fsfreeze-freeze froze %d file systems, the guest has one (/mnt/data)", n)
	}
	checkFrozen(ctx, t, g, "after guest-fsfreeze-freeze")

	// tmpfs is never frozen: the marker file says when the write is done.
	g.sh(ctx, t, "rm -f /run/e2e/probe.done; (echo probe >> /mnt/data/probe && sync /mnt/data/probe && touch /run/e2e/probe.done) > /dev/null 2>&1 &")
	time.Sleep(time.Second)
	if probeDone(ctx, t, g) {
		t.Errorf("a write to /mnt/data completed while it was frozen")
	}

	// kill -9 the agent; the guest's init starts it again, on the same
	// state directory, while the disk stays frozen.
	mark := g.vm.Con.Len()
	pid := g.sh(ctx, t, "cat /run/e2e/agent.pid")
	g.sh(ctx, t, "kill -9 "+pid)
	killed := time.Now()
	waitCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	_, next, err := g.vm.Con.Wait(waitCtx, mark, prefix("E2E agent-exit rc=137"))
	if err != nil {
		t.Fatalf("the agent did not die of SIGKILL: %v", err)
	}
	_, started, err := g.vm.Con.Wait(waitCtx, next, prefix("E2E agent-start"))
	if err != nil {
		t.Fatalf("the guest did not restart the agent: %v", err)
	}
	// Same host connection: a restart in the guest is invisible to it.
	if err := resync(waitCtx, g.c); err != nil {
		t.Fatalf("restarted agent: %v", err)
	}
	g.m.RestartFrozen = time.Since(g.vm.Con.Time(started))
	t.Logf("killed while frozen: first reply of the new agent %v after the kill", time.Since(killed).Round(time.Millisecond))
	if newPID := g.sh(ctx, t, "cat /run/e2e/agent.pid"); newPID == pid {
		t.Errorf("agent pid %s unchanged: not restarted", pid)
	}
	checkFrozen(ctx, t, g, "after the agent was restarted while frozen")
	if probeDone(ctx, t, g) {
		t.Errorf("a write to /mnt/data completed while it was frozen")
	}

	start = time.Now()
	g.call(ctx, t, "guest-fsfreeze-thaw", nil, &n)
	g.m.Thaw = time.Since(start)
	thawed = true
	if n != 1 {
		t.Errorf("guest-fsfreeze-thaw thawed %d file systems, want 1 (/mnt/data)", n)
	}
	checkFreezeStatus(ctx, t, g)
	deadline := time.Now().Add(20 * time.Second)
	for !probeDone(ctx, t, g) {
		if time.Now().After(deadline) {
			t.Fatalf("the write blocked by the freeze did not complete after the thaw")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The heartbeat's write that waited through the freeze reports how long.
	line, _, err := g.vm.Con.Wait(waitCtx, hb, func(s string) bool { return hbBlocked.MatchString(s) })
	if err != nil {
		t.Errorf("the heartbeat writer never reported a blocked write: %v", err)
	} else if ms, _ := strconv.Atoi(hbBlocked.FindStringSubmatch(line)[1]); time.Duration(ms)*time.Millisecond < time.Second {
		t.Errorf("heartbeat %q: blocked less than the time the disk was frozen", line)
	} else {
		t.Logf("heartbeat: %s", line)
	}
	if g.sh(ctx, t, "test -e "+g.p.StateDir+"/qga.state.isfrozen && echo yes || echo no") != "no" {
		t.Errorf("%s/qga.state.isfrozen still exists after the thaw", g.p.StateDir)
	}
	t.Run("all-enabled-again", func(t *testing.T) { checkInfo(ctx, t, g) })
	t.Run("works-again", func(t *testing.T) { checkOSInfo(ctx, t, g) })
}

// checkFrozen: status frozen, only the six allowed commands enabled in
// guest-info, the others refused, the marker file in the state directory.
func checkFrozen(ctx context.Context, t *testing.T, g *guest, when string) {
	t.Helper()
	var s string
	g.call(ctx, t, "guest-fsfreeze-status", nil, &s)
	if s != "frozen" {
		t.Errorf("%s: status %q, want frozen", when, s)
	}
	var info client.AgentInfo
	g.call(ctx, t, "guest-info", nil, &info)
	var enabled, names []string
	for _, c := range info.SupportedCommands {
		names = append(names, c.Name)
		if c.Enabled {
			enabled = append(enabled, c.Name)
		}
	}
	slices.Sort(enabled)
	if !slices.Equal(enabled, frozenAllowed) {
		t.Errorf("%s: enabled commands %v, want only %v", when, enabled, frozenAllowed)
	}
	if !slices.Equal(names, g.p.Commands) {
		t.Errorf("%s: guest-info lists %v, want every command %v", when, names, g.p.Commands)
	}
	for _, name := range []string{"guest-get-osinfo", "guest-exec", "guest-fsfreeze-freeze"} {
		e := g.callErr(ctx, t, name, map[string]any{})
		if want := "Command " + name + " has been disabled: " + g.p.FrozenReason; e.Class != "CommandNotFound" || e.Desc != want {
			t.Errorf("%s: %s answered %v, want CommandNotFound %q", when, name, e, want)
		}
	}
	if g.sh(ctx, t, "test -e "+g.p.StateDir+"/qga.state.isfrozen && echo yes || echo no") != "yes" {
		t.Errorf("%s: no %s/qga.state.isfrozen", when, g.p.StateDir)
	}
}

func probeDone(ctx context.Context, t *testing.T, g *guest) bool {
	return g.sh(ctx, t, "test -e /run/e2e/probe.done && echo yes || echo no") == "yes"
}

// resync repeats the handshake on an existing connection until an agent
// answers (after a restart in the guest).
func resync(ctx context.Context, c *client.Client) error {
	for {
		attempt, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := c.Sync(attempt)
		cancel()
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
}
