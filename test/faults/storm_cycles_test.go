//go:build faults

package faults

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// The storm's dependent load: guest-file-* and guest-exec cycles that use
// what the previous call returned.

// fileCycle opens a file, reads it, and closes it or keeps the handle for
// later; it also reads one kept handle, which must be refused with
// qemu-ga's error if the file plugin restarted since it was opened.
func (st *storm) fileCycle(rng *rand.Rand) {
	if len(st.held) > 0 {
		st.useHeld(rng.IntN(len(st.held)), rng.IntN(3) == 0)
	}
	i := rng.IntN(len(st.files))
	before := st.gen()
	r := st.send(fmt.Sprintf(`"execute": "guest-file-open", "arguments": {"path": %q, "mode": "r"}`, st.files[i]))[0]
	after := st.gen()
	if r.Error != nil {
		if !st.faultError("file", r) {
			st.t.Errorf("guest-file-open: %s", r)
		}
		return
	}
	id, err := strconv.ParseInt(string(r.Return), 10, 64)
	if err != nil {
		st.t.Fatalf("guest-file-open returned %s", r)
	}
	if n := len(st.handles); n > 0 && id <= st.handles[n-1] {
		st.t.Errorf("handle %d handed out after handle %d", id, st.handles[n-1])
	}
	st.handles = append(st.handles, id)
	gen := before
	if after != before {
		gen = -1
	}
	h := held{id: id, gen: gen, file: i}
	sent := time.Now()
	if !st.read(h, 65536, true) {
		return
	}
	st.healthy("file", sent)
	if rng.IntN(3) == 0 && len(st.held) < 6 {
		st.held = append(st.held, h)
		return
	}
	st.closeHandle(h)
}

// read reads count bytes of h and checks the answer: its file's content
// when whole is set, an empty read at EOF otherwise; or, if the file plugin
// restarted since the open, qemu-ga's error. ok is false when the handle
// could not be used.
func (st *storm) read(h held, count int, whole bool) (ok bool) {
	st.t.Helper()
	before := st.gen()
	r := st.send(fmt.Sprintf(`"execute": "guest-file-read", "arguments": {"handle": %d, "count": %d}`, h.id, count))[0]
	after := st.gen()
	notFound := fmt.Sprintf("handle '%d' has not been found", h.id)
	switch {
	case r.Error != nil && r.Error.Desc == notFound:
		if h.gen >= 0 && h.gen == after {
			st.t.Errorf("handle %d refused although the file plugin did not restart", h.id)
		}
		st.stale++
		return false
	case r.Error != nil:
		if !st.faultError("file", r) {
			st.t.Errorf("guest-file-read of %d: %s", h.id, r)
		}
		return false
	}
	if h.gen >= 0 && h.gen < before {
		st.t.Errorf("handle %d of a file plugin that restarted since was served: %s", h.id, r)
	}
	var res struct {
		Count int    `json:"count"`
		Buf   string `json:"buf-b64"`
		EOF   bool   `json:"eof"`
	}
	if err := json.Unmarshal(r.Return, &res); err != nil {
		st.t.Fatalf("guest-file-read: %v: %s", err, r)
	}
	data, err := base64.StdEncoding.DecodeString(res.Buf)
	want := st.contents[h.file]
	if !whole {
		want = nil
	}
	if err != nil || string(data) != string(want) || res.Count != len(want) || !res.EOF {
		st.t.Errorf("guest-file-read of %d: got %d bytes (eof %v), want %d", h.id, res.Count, res.EOF, len(want))
	}
	return true
}

func (st *storm) closeHandle(h held) {
	r := st.send(fmt.Sprintf(`"execute": "guest-file-close", "arguments": {"handle": %d}`, h.id))[0]
	switch {
	case r.Error == nil && string(r.Return) == "{}":
	case r.Error != nil && r.Error.Desc == fmt.Sprintf("handle '%d' has not been found", h.id):
		st.stale++
	case st.faultError("file", r):
	default:
		st.t.Errorf("guest-file-close of %d: %s", h.id, r)
	}
}

// useHeld reads kept handle k (at EOF: an empty read), and maybe closes
// it; a handle refused after a restart is forgotten.
func (st *storm) useHeld(k int, closeIt bool) {
	h := st.held[k]
	stale := st.stale
	if !st.read(h, 16, false) {
		if st.stale > stale {
			st.held = slices.Delete(st.held, k, k+1)
		}
		return
	}
	if closeIt {
		st.held = slices.Delete(st.held, k, k+1)
		st.closeHandle(h)
	}
}

// execCycle runs /bin/true and polls guest-exec-status until it exited, as
// a host does (the exec family keeps unreported children, up to a limit).
// A restart of the exec plugin in between loses the child: qemu-ga's
// "PID <n> does not exist". ok tells whether the cycle completed.
func (st *storm) execCycle() (ok bool) {
	st.t.Helper()
	r := st.send(`"execute": "guest-exec", "arguments": {"path": "/bin/true"}`)[0]
	if r.Error != nil {
		if !st.faultError("exec", r) {
			st.t.Errorf("guest-exec: %s", r)
		}
		return false
	}
	st.mu.Lock()
	gen := st.execGen
	st.mu.Unlock()
	var started struct {
		PID int `json:"pid"`
	}
	if err := json.Unmarshal(r.Return, &started); err != nil || started.PID <= 0 {
		st.t.Fatalf("guest-exec returned %s", r)
	}
	for range 200 {
		sent := time.Now()
		r := st.send(fmt.Sprintf(`"execute": "guest-exec-status", "arguments": {"pid": %d}`, started.PID))[0]
		st.mu.Lock()
		restarted := st.execGen != gen
		st.mu.Unlock()
		switch {
		case r.Error != nil && r.Error.Desc == fmt.Sprintf("PID %d does not exist", started.PID):
			if !restarted {
				st.t.Errorf("exec child %d lost although the exec plugin did not restart", started.PID)
			}
			return false
		case r.Error != nil:
			if !st.faultError("exec", r) {
				st.t.Errorf("guest-exec-status: %s", r)
			}
			return false
		}
		var status struct {
			Exited   bool `json:"exited"`
			ExitCode *int `json:"exitcode"`
		}
		if err := json.Unmarshal(r.Return, &status); err != nil {
			st.t.Fatalf("guest-exec-status returned %s", r)
		}
		if status.Exited {
			if status.ExitCode == nil || *status.ExitCode != 0 {
				st.t.Errorf("/bin/true: %s", r)
			}
			st.healthy("exec", sent)
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	st.t.Errorf("/bin/true (pid %d) did not exit", started.PID)
	return false
}
