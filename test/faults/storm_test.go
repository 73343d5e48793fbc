//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
)

// stormSeed fixes the storm's random choices (QGAD_FAULTS_SEED overrides).
const stormSeed = 20261125

// stormLength is how long faults are injected under load.
const stormLength = 45 * time.Second

// callTimeout is every family's call-timeout during the storm: a plugin
// left stopped is killed and restarted after it.
const callTimeout = 2 * time.Second

// signalFault injects a fault of kind into process pid.
func signalFault(rng *rand.Rand, pid int, kind string) {
	switch kind {
	case kindKill:
		syscall.Kill(pid, syscall.SIGKILL)
	case kindStopCont:
		syscall.Kill(pid, syscall.SIGSTOP)
		time.AfterFunc(time.Duration(100+rng.IntN(900))*time.Millisecond, func() { syscall.Kill(pid, syscall.SIGCONT) })
	case kindStopLeft:
		syscall.Kill(pid, syscall.SIGSTOP)
	}
}

// Fault kinds.
const (
	kindKill     = "plugin-sigkill"         // SIGKILL
	kindStopCont = "plugin-sigstop-sigcont" // SIGSTOP, SIGCONT 0.1-1 s later
	kindStopLeft = "plugin-sigstop-left"    // SIGSTOP until the call deadline kills it
)

var kinds = []string{kindKill, kindStopCont, kindStopLeft}

// mixed is one request of the steady load: its family, the request
// without id, and what a healthy plugin answers (ok checks a return; err,
// if set, is the command's own expected error text).
type mixed struct {
	family string
	req    string
	ok     func(json.RawMessage) bool
	err    string
}

func anyReturn(json.RawMessage) bool { return true }

func isObject(r json.RawMessage) bool { return strings.HasPrefix(string(r), "{") }

func isList(r json.RawMessage) bool { return strings.HasPrefix(string(r), "[") }

// stormFamilies are the families faulted under the mixed load on this
// machine's real root. fsfreeze is faulted in TestFsfreezePluginFaults,
// on a fixture root: the core answers guest-fsfreeze-status itself and the
// family's other commands would freeze or thaw this machine's filesystems.
var stormFamilies = []string{"exec", "file", "fs", "network", "power", "system", "users"}

// mix is the steady load: every family, read-only commands (and, for
// power, one its plugin refuses before doing anything), nothing that
// changes the machine. guest-exec and guest-file-* run in cycles that use
// what they return (execCycle, fileCycle).
var mix = []mixed{
	{family: "core", req: `"execute": "guest-ping"`, ok: func(r json.RawMessage) bool { return string(r) == "{}" }},
	{family: "system", req: `"execute": "guest-get-host-name"`, ok: isObject},
	{family: "system", req: `"execute": "guest-get-time"`, ok: anyReturn},
	{family: "system", req: `"execute": "guest-get-load"`, ok: isObject},
	{family: "system", req: `"execute": "guest-get-cpustats"`, ok: isList},
	{family: "system", req: `"execute": "guest-get-osinfo"`, ok: isObject},
	{family: "system", req: `"execute": "guest-get-timezone"`, ok: isObject},
	{family: "system", req: `"execute": "guest-get-vcpus"`, ok: isList},
	{family: "network", req: `"execute": "guest-network-get-interfaces"`, ok: isList},
	{family: "network", req: `"execute": "guest-network-get-route"`, ok: isList},
	{family: "fs", req: `"execute": "guest-get-diskstats"`, ok: isList},
	{family: "fs", req: `"execute": "guest-get-disks"`, ok: isList},
	{family: "fsfreeze", req: `"execute": "guest-fsfreeze-status"`, ok: func(r json.RawMessage) bool { return string(r) == `"thawed"` }},
	{family: "users", req: `"execute": "guest-get-users"`, ok: isList},
	{family: "exec", req: `"execute": "guest-exec-status", "arguments": {"pid": 1}`, err: "PID 1 does not exist"},
	{family: "power", req: `"execute": "guest-shutdown", "arguments": {"mode": "bogus"}`, err: "mode is invalid (valid values are: halt|powerdown|reboot"},
}

// storm is the state shared by the load and the fault injector.
type storm struct {
	t    *testing.T
	h    *host
	core int

	mu        sync.Mutex
	lastFault map[string]time.Time // family → when it was last faulted
	okSince   map[string]bool      // family answered well since its last fault
	fileGen   int                  // faults that restart the file plugin
	execGen   int                  // faults that restart the exec plugin
	injected  map[string]int       // kind → count
	pairs     map[string]bool      // "family/kind" pairs injected
	faultErrs int                  // calls that failed because of a fault
	slow      int                  // deadlines no fault explains
	events    []string             // the faults, for a failure's log
	start     time.Time

	nextID   int
	handles  []int64 // every handle handed out, in order
	held     []held  // handles kept open
	stale    int     // stale handles seen refused
	files    []string
	contents [][]byte
}

// held is an open handle and the file plugin generation it belongs to
// (-1 when a fault raced with its open).
type held struct {
	id   int64
	gen  int
	file int
}

// Each plugin process is SIGKILLed, SIGSTOPped and SIGCONTed, or left
// stopped, at random moments under a steady load of mixed commands: every
// request gets exactly one response, in order; the agent never exits; each
// plugin comes back; handles of a restarted file plugin are refused with
// qemu-ga's error; handle numbers never repeat.
func TestPluginFaultStorm(t *testing.T) {
	t.Parallel()
	seed := uint64(stormSeed)
	if s := os.Getenv("QGAD_FAULTS_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("QGAD_FAULTS_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("storm seed %d (set QGAD_FAULTS_SEED to replay another)", seed)

	var conf strings.Builder
	for _, f := range stormFamilies {
		fmt.Fprintf(&conf, "[family:%s]\ncall-timeout=%s\n", f, callTimeout)
	}
	a := startAgent(t, agentConfig{conf: conf.String()})
	st := &storm{
		t: t, h: dial(t, a.Sock), core: a.Cmd.Process.Pid,
		lastFault: map[string]time.Time{}, okSince: map[string]bool{},
		injected: map[string]int{}, pairs: map[string]bool{}, start: time.Now(),
	}
	defer st.h.Close()
	data := qgatest.TempDir(t)
	for i := range 4 {
		content := []byte(strings.Repeat(fmt.Sprintf("file %d line\n", i), 400))
		p := filepath.Join(data, fmt.Sprintf("f%d", i))
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		st.files, st.contents = append(st.files, p), append(st.contents, content)
	}

	load := rand.New(rand.NewPCG(seed, 1))
	inject := rand.New(rand.NewPCG(seed, 2))
	// Warm up: every family answers once before the first fault.
	for _, m := range mix {
		st.batch([]mixed{m})
	}
	st.fileCycle(load)
	st.execCycle()
	done := make(chan struct{})
	injectorDone := make(chan struct{})
	go func() {
		defer close(injectorDone)
		st.injector(inject, done)
	}()
	end := time.Now().Add(stormLength)
	for time.Now().Before(end) && !t.Failed() {
		switch load.IntN(8) {
		case 0, 1:
			st.fileCycle(load)
			continue
		case 2:
			st.execCycle()
			continue
		}
		b := make([]mixed, 1+load.IntN(6))
		for i := range b {
			b[i] = mix[load.IntN(len(mix))]
		}
		st.batch(b)
	}
	close(done)
	<-injectorDone
	// Let the pending SIGCONTs fire. Plugins left stopped stay so: the next
	// call to them times out and restarts them, as during the storm.
	time.Sleep(1100 * time.Millisecond)

	st.checkEnd()
	st.mu.Lock()
	defer st.mu.Unlock()
	total := 0
	for _, k := range kinds {
		total += st.injected[k]
	}
	t.Logf("%d faults (%v), %d calls failed because of them, %d stale handles refused, %d handles handed out",
		total, st.injected, st.faultErrs, st.stale, len(st.handles))
	for _, f := range stormFamilies {
		for _, k := range kinds {
			if !st.pairs[f+"/"+k] {
				t.Errorf("no %s fault was injected into plugin %s", k, f)
			}
		}
	}
	if st.slow > 3 {
		t.Errorf("%d calls missed their deadline with no fault to explain it", st.slow)
	}
	if t.Failed() {
		t.Logf("faults injected:\n%s", strings.Join(st.events, "\n"))
	}
	if !alive(st.core) || a.Cmd.ProcessState != nil {
		t.Fatalf("the agent exited")
	}
	for _, k := range kinds {
		report(t, k, st.injected[k], st.h.sent, st.h.recv)
	}
}

// injector faults a random plugin every 0.3-0.9 s, going through every
// (family, kind) pair in a shuffled order, then again. A family is only
// faulted after it answered well since its previous fault, so that it is
// never given up on (5 failures in a row) and each fault is one recovery.
func (st *storm) injector(rng *rand.Rand, done chan struct{}) {
	var queue []string
	for {
		select {
		case <-done:
			return
		case <-time.After(time.Duration(300+rng.IntN(600)) * time.Millisecond):
		}
		if len(queue) == 0 {
			for _, f := range stormFamilies {
				for _, k := range kinds {
					queue = append(queue, f+"/"+k)
				}
			}
			rng.Shuffle(len(queue), func(i, j int) { queue[i], queue[j] = queue[j], queue[i] })
		}
		for i, pair := range queue {
			family, kind, _ := strings.Cut(pair, "/")
			if st.fault(rng, family, kind) {
				queue = slices.Delete(queue, i, i+1)
				break
			}
		}
	}
}

// fault injects one fault if family is ready for it.
func (st *storm) fault(rng *rand.Rand, family, kind string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.okSince[family] {
		return false
	}
	pid := pluginPID(st.core, family)
	if pid == 0 {
		return false
	}
	st.okSince[family] = false
	st.lastFault[family] = time.Now()
	st.events = append(st.events, fmt.Sprintf("%6.2fs %s %s (pid %d)", time.Since(st.start).Seconds(), kind, family, pid))
	st.injected[kind]++
	st.pairs[family+"/"+kind] = true
	if family == "file" && kind != kindStopCont {
		st.fileGen++
	}
	if family == "exec" && kind != kindStopCont {
		st.execGen++
	}
	signalFault(rng, pid, kind)
	return true
}

// healthy records that family answered well since its last fault, if the
// request was sent after that fault: a plugin can answer, and then be
// stopped before its answer reaches the host; that answer says nothing
// of the plugin now.
func (st *storm) healthy(family string, sent time.Time) {
	st.mu.Lock()
	if sent.After(st.lastFault[family]) {
		st.okSince[family] = true
	}
	st.mu.Unlock()
}

func (st *storm) gen() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.fileGen
}

// outcome classifies a response: the family's healthy answer, a failure
// caused by a recent fault of that family, or a defect.
func (st *storm) outcome(m mixed, r *response, sent time.Time) (healthy bool) {
	st.t.Helper()
	if m.err == "" && r.Return != nil && m.ok(r.Return) || m.err != "" && r.Error != nil && r.Error.Desc == m.err {
		st.healthy(m.family, sent)
		return true
	}
	if st.faultError(m.family, r) {
		return false
	}
	st.t.Errorf("%s: unexpected answer %s", m.req, r)
	return false
}

// faultError tells whether r is the clear error of a plugin failure that
// a fault injected into family in the last few seconds explains.
func (st *storm) faultError(family string, r *response) bool {
	if r.Error == nil || r.Error.Class != "GenericError" || !strings.Contains(r.Error.Desc, "plugin "+family+" ") ||
		strings.Contains(r.Error.Desc, "given up") {
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	// Explained by a fault not yet followed by a good answer (a plugin
	// left stopped fails the next call, whenever it comes), or by one
	// injected moments ago (it raced with the calls in flight).
	since := time.Since(st.lastFault[family])
	if st.okSince[family] && since > callTimeout+6*time.Second {
		// A call past its deadline on a loaded machine is the agent doing
		// its job; a crash nobody caused is a defect.
		if strings.Contains(r.Error.Desc, "did not answer") {
			st.slow++
			st.t.Logf("unexplained deadline (machine load?), last fault on %s %s ago: %s", family, since.Round(time.Millisecond), r)
		} else {
			st.t.Errorf("plugin %s failed with no fault injected since its last good answer (last fault %s ago): %s", family, since.Round(time.Millisecond), r)
		}
	}
	st.faultErrs++
	return true
}

// send sends requests with fresh ids and returns the responses, checking
// that each comes back exactly once, in order.
func (st *storm) send(reqs ...string) []*response {
	st.t.Helper()
	lines := make([]string, len(reqs))
	ids := make([]string, len(reqs))
	for i, r := range reqs {
		st.nextID++
		ids[i] = strconv.Itoa(st.nextID)
		lines[i] = "{" + r + `, "id": ` + ids[i] + "}"
	}
	if err := st.h.send(lines...); err != nil {
		st.t.Fatalf("sending: %v", err)
	}
	out := make([]*response, len(reqs))
	for i := range reqs {
		r, err := st.h.read(30 * time.Second)
		if err != nil {
			st.t.Fatalf("response %d of %d (id %s, %s): %v", i+1, len(reqs), ids[i], reqs[i], err)
		}
		if string(r.ID) != ids[i] {
			st.t.Fatalf("response out of order: want id %s, got %s", ids[i], r)
		}
		out[i] = r
	}
	return out
}

func (st *storm) batch(b []mixed) {
	reqs := make([]string, len(b))
	for i, m := range b {
		reqs[i] = m.req
	}
	sent := time.Now()
	for i, r := range st.send(reqs...) {
		st.outcome(b[i], r, sent)
	}
}
