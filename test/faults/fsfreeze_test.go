//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/freeze/freezetest"
	"github.com/qgad/qgad/internal/qgatest"
)

// The fsfreeze plugin SIGKILLed, SIGSTOPped and SIGCONTed, or left
// stopped, at random moments while the host freezes and thaws: on a
// fixture root whose mount table lists only a loop-mounted ext4 inside the
// test's temp dir, so nothing of this machine can be frozen. Every request
// gets exactly one response, in order; the filesystem is never left
// frozen; the plugin comes back and a full freeze/thaw cycle works again.
func TestFsfreezePluginFaults(t *testing.T) {
	base := qgatest.TempDir(t)
	mnt := freezetest.LoopFS(t, base, "vol")
	freezetest.WriteMountinfo(t, base, base, freezetest.RealLine(t, mnt))
	a := startAgent(t, agentConfig{
		conf: fmt.Sprintf("[family:fsfreeze]\ncall-timeout=%s\n", callTimeout),
		args: []string{"--sysroot", base},
	})
	h := dial(t, a.Sock)
	defer h.Close()
	core := a.Cmd.Process.Pid

	var mu sync.Mutex
	injected := map[string]int{}
	id := 0
	answers := map[string]int{}
	// cycle freezes and thaws, pipelined, and checks ids and answer shapes.
	cycle := func() (clean bool) {
		reqs := []string{"guest-fsfreeze-freeze", "guest-fsfreeze-status", "guest-fsfreeze-thaw", "guest-fsfreeze-status"}
		lines := make([]string, len(reqs))
		for i, r := range reqs {
			lines[i] = fmt.Sprintf(`{"execute": %q, "id": %d}`, r, id+i)
		}
		if err := h.send(lines...); err != nil {
			t.Fatal(err)
		}
		clean = true
		for i, req := range reqs {
			r, err := h.read(30 * time.Second)
			if err != nil {
				t.Fatalf("response to %s: %v", req, err)
			}
			if string(r.ID) != fmt.Sprint(id+i) {
				t.Fatalf("response out of order: want id %d, got %s", id+i, r)
			}
			switch {
			case r.Error != nil:
				clean = false
				if strings.Contains(r.Error.Desc, "given up") {
					t.Errorf("%s: %s", req, r)
				}
				answers[req+" error"]++
			case strings.HasSuffix(req, "status"):
				var s string
				if json.Unmarshal(r.Return, &s) != nil || s != "frozen" && s != "thawed" {
					t.Errorf("%s: %s", req, r)
				}
				answers[req+" "+s]++
			default:
				var n int
				if json.Unmarshal(r.Return, &n) != nil || n < 0 || n > 1 {
					t.Errorf("%s: %s", req, r)
				}
				answers[req+" ok"]++
			}
		}
		id += len(reqs)
		return clean
	}
	if !cycle() {
		t.Fatalf("freeze/thaw cycle before any fault failed: %v", answers)
	}

	rng := rand.New(rand.NewPCG(stormSeed, 3))
	done := make(chan struct{})
	var inj sync.WaitGroup
	inj.Add(1)
	go func() {
		defer inj.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-time.After(time.Duration(400+rng.IntN(800)) * time.Millisecond):
			}
			pid := pluginPID(core, "fsfreeze")
			if pid == 0 {
				continue
			}
			kind := kinds[i%len(kinds)]
			mu.Lock()
			injected[kind]++
			mu.Unlock()
			signalFault(rng, pid, kind)
		}
	}()
	end := time.Now().Add(12 * time.Second)
	for time.Now().Before(end) && !t.Failed() {
		cycle()
	}
	close(done)
	inj.Wait()
	time.Sleep(1100 * time.Millisecond) // pending SIGCONTs

	// The plugin comes back: a whole cycle answers without error.
	if !waitFor(30*time.Second, cycle) {
		t.Errorf("no clean freeze/thaw cycle after the faults")
	}
	if freezetest.IsFrozen(t, mnt) {
		t.Errorf("%s left frozen", mnt)
	}
	mu.Lock()
	defer mu.Unlock()
	total := 0
	for _, k := range kinds {
		if injected[k] == 0 {
			t.Errorf("no %s fault injected", k)
		}
		total += injected[k]
	}
	t.Logf("faults %v; answers %v", injected, answers)
	if !alive(core) {
		t.Fatalf("the agent exited")
	}
	report(t, "fsfreeze-plugin-faults", total, h.sent, h.recv)
}
