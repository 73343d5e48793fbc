//go:build faults

package faults

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
)

// The state directory full, then read-only, while guest-file-open must
// persist the handle counter: a clear error, qga.state never corrupt (its
// writes are atomic: temp file, fsync, rename), no temp file left behind,
// and handle numbers still never repeat once the disk is back.
func TestStateDirFullOrReadOnly(t *testing.T) {
	base := qgatest.TempDir(t)
	state := filepath.Join(base, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	// A 256 KiB tmpfs inside the test's own temp dir. Its cleanup is
	// registered before the agent's, so it runs after the agent stopped.
	if err := syscall.Mount("tmpfs", state, "tmpfs", 0, "size=256k,mode=0700"); err != nil {
		t.Fatalf("mounting a tmpfs on %s: %v", state, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(state, 0); err != nil {
			syscall.Unmount(state, syscall.MNT_DETACH)
		}
	})
	a := startAgent(t, agentConfig{dir: state})
	h := dial(t, a.Sock)
	defer h.Close()
	data := filepath.Join(base, "data")
	if err := os.WriteFile(data, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	stateFile := filepath.Join(state, "qga.state")
	counter := func() int64 {
		t.Helper()
		b, err := os.ReadFile(stateFile)
		m := stateFormat.FindSubmatch(b)
		if err != nil || m == nil {
			t.Fatalf("qga.state: %q, %v", b, err)
		}
		n, _ := strconv.ParseInt(string(m[1]), 10, 64)
		return n
	}
	var handles []int64
	open := func() (int64, *response) {
		r := h.call(fmt.Sprintf(`{"execute": "guest-file-open", "arguments": {"path": %q}}`, data), 10*time.Second)
		if r.Error != nil {
			return 0, r
		}
		id, err := strconv.ParseInt(string(r.Return), 10, 64)
		if err != nil {
			t.Fatalf("guest-file-open: %s", r)
		}
		handles = append(handles, id)
		h.mustReturn(fmt.Sprintf(`{"execute": "guest-file-close", "arguments": {"handle": %d}}`, id), 10*time.Second)
		return id, nil
	}
	for range 5 {
		if _, r := open(); r != nil {
			t.Fatalf("guest-file-open on a healthy disk: %s", r)
		}
	}
	if c := counter(); c != handles[len(handles)-1]+1 {
		t.Errorf("qga.state says %d after handle %d", c, handles[len(handles)-1])
	}

	// qga.state is read all along: it must always be complete and valid.
	stop := make(chan struct{})
	var watch sync.WaitGroup
	var reads int
	watch.Add(1)
	go func() {
		defer watch.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := os.ReadFile(stateFile)
			if err != nil || !stateFormat.Match(b) {
				t.Errorf("qga.state read as %q, %v", b, err)
				return
			}
			reads++
		}
	}()

	faults := 0
	fail := func(why string) {
		t.Helper()
		faults++
		saved := counter()
		for range 3 {
			_, r := open()
			if r == nil || r.Error.Class != "GenericError" || r.Error.Desc != "failed to commit persistent state to disk" {
				t.Errorf("%s: guest-file-open answered %v, want the commit error", why, r)
			}
		}
		if c := counter(); c != saved {
			t.Errorf("%s: qga.state changed from %d to %d", why, saved, c)
		}
		left, _ := filepath.Glob(stateFile + ".*")
		if len(left) > 0 {
			t.Errorf("%s: temporary files left behind: %v", why, left)
		}
		h.ping(2 * time.Second)
	}

	// Disk full.
	fill, err := os.Create(filepath.Join(state, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := fill.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the tmpfs: %v", err)
			}
			break
		}
	}
	fill.Close()
	fail("disk full")
	if err := os.Remove(filepath.Join(state, "fill")); err != nil {
		t.Fatal(err)
	}
	id, r := open()
	if r != nil {
		t.Fatalf("guest-file-open with space again: %s", r)
	}
	t.Logf("handle after the disk-full errors: %d", id)

	// Read-only state directory.
	if err := syscall.Mount("", state, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("remounting read-only: %v", err)
	}
	fail("read-only")
	if err := syscall.Mount("", state, "", syscall.MS_REMOUNT, "size=256k,mode=0700"); err != nil {
		t.Fatalf("remounting read-write: %v", err)
	}
	if _, r := open(); r != nil {
		t.Fatalf("guest-file-open writable again: %s", r)
	}
	close(stop)
	watch.Wait()
	for i := 1; i < len(handles); i++ {
		if handles[i] <= handles[i-1] {
			t.Errorf("handle %d after %d", handles[i], handles[i-1])
		}
	}
	if c := counter(); c != handles[len(handles)-1]+1 {
		t.Errorf("qga.state says %d after handle %d", c, handles[len(handles)-1])
	}
	t.Logf("handles %v; qga.state read %d times, always valid", handles, reads)
	report(t, "state-dir-full-or-read-only", faults, h.sent, h.recv)
}
