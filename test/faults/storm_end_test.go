//go:build faults

package faults

import (
	"fmt"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// checkEnd: each plugin answers again, stale handles are refused with
// qemu-ga's text and live ones work, handle numbers never repeated, no
// stray response is left, and one plugin instance runs per family.
func (st *storm) checkEnd() {
	t := st.t
	for _, fam := range append([]string{"core"}, stormFamilies...) {
		if fam == "file" || fam == "exec" {
			continue // below
		}
		var probes []mixed
		for _, m := range mix {
			if m.family == fam {
				probes = append(probes, m)
			}
		}
		ok := waitFor(20*time.Second, func() bool {
			for _, m := range probes {
				r := st.send(m.req)[0]
				if !(m.err == "" && r.Return != nil && m.ok(r.Return) || m.err != "" && r.Error != nil && r.Error.Desc == m.err) {
					return false
				}
			}
			return true
		})
		if !ok {
			t.Errorf("plugin %s did not come back", fam)
		}
	}
	if !waitFor(20*time.Second, st.execCycle) {
		t.Errorf("plugin exec did not come back")
	}
	// The file plugin answers again (after a restart if it was left
	// stopped).
	if !waitFor(20*time.Second, func() bool {
		r := st.send(fmt.Sprintf(`"execute": "guest-file-open", "arguments": {"path": %q}`, st.files[0]))[0]
		if r.Error != nil {
			if !st.faultError("file", r) {
				t.Errorf("guest-file-open: %s", r)
			}
			return false
		}
		id, err := strconv.ParseInt(string(r.Return), 10, 64)
		if err != nil {
			t.Fatalf("guest-file-open: %s", r)
		}
		st.handles = append(st.handles, id)
		st.closeHandle(held{id: id})
		return true
	}) {
		t.Errorf("plugin file did not come back")
	}
	final := st.gen()
	for _, h := range st.held {
		r := st.send(fmt.Sprintf(`"execute": "guest-file-read", "arguments": {"handle": %d, "count": 16}`, h.id))[0]
		switch {
		case h.gen >= 0 && h.gen < final:
			if want := fmt.Sprintf("handle '%d' has not been found", h.id); r.Error == nil || r.Error.Class != "GenericError" || r.Error.Desc != want {
				t.Errorf("stale handle %d (opened before a file plugin restart): %s, want %q", h.id, r, want)
			}
			st.stale++
		case h.gen == final:
			if r.Error != nil {
				t.Errorf("live handle %d: %s", h.id, r)
			}
			st.closeHandle(h)
		}
	}
	st.held = nil
	// One more, deterministic: a handle, the file plugin killed, the
	// handle refused, and the next handle number still larger.
	r := st.send(fmt.Sprintf(`"execute": "guest-file-open", "arguments": {"path": %q}`, st.files[0]))[0]
	id, err := strconv.ParseInt(string(r.Return), 10, 64)
	if err != nil {
		t.Fatalf("guest-file-open: %s", r)
	}
	st.handles = append(st.handles, id)
	pid := pluginPID(st.core, "file")
	st.mu.Lock()
	st.lastFault["file"] = time.Now()
	st.injected[kindKill]++
	st.mu.Unlock()
	syscall.Kill(pid, syscall.SIGKILL)
	waitFor(5*time.Second, func() bool { return !alive(pid) })
	// The core may notice the death only when this call fails; the next
	// one reaches the new instance.
	want := fmt.Sprintf("handle '%d' has not been found", id)
	for try := 0; ; try++ {
		r = st.send(fmt.Sprintf(`"execute": "guest-file-read", "arguments": {"handle": %d}`, id))[0]
		if r.Error != nil && r.Error.Desc == want {
			st.stale++
			break
		}
		if try == 2 || !st.faultError("file", r) {
			t.Errorf("handle of a killed file plugin: %s, want %q", r, want)
			break
		}
	}
	r = st.send(fmt.Sprintf(`"execute": "guest-file-open", "arguments": {"path": %q}`, st.files[1]))[0]
	if id2, err := strconv.ParseInt(string(r.Return), 10, 64); err != nil || id2 <= id {
		t.Errorf("guest-file-open after the restart: %s (previous handle %d)", r, id)
	} else {
		st.handles = append(st.handles, id2)
		st.closeHandle(held{id: id2})
	}
	seen := map[int64]bool{}
	for _, h := range st.handles {
		if seen[h] {
			t.Errorf("handle %d handed out twice", h)
		}
		seen[h] = true
	}
	if !slices.IsSorted(st.handles) {
		t.Errorf("handles not increasing: %v", st.handles)
	}
	// Nothing left on the wire: no duplicate response.
	if r, err := st.h.read(500 * time.Millisecond); err == nil {
		t.Errorf("a response nobody asked for: %s", r)
	}
	for _, fam := range stormFamilies {
		n := 0
		for _, p := range children(st.core) {
			if p.name == "qgad-plugin-"+fam && p.state != 'T' && p.state != 't' {
				n++
			}
		}
		if n > 1 {
			t.Errorf("%d instances of plugin %s running", n, fam)
		}
	}
}
