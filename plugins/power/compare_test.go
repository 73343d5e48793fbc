package power

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// TestCompareWithQemuGA sends guest-shutdown requests that every qemu-ga
// version rejects before running anything (no valid mode appears in them,
// not even next to another error) to Debian's qemu-ga 7.2 on this machine
// and to qgad in-process, and wants the same error. Valid modes and the
// suspend commands are never sent to qemu-ga: they would act on this
// machine; the fake-root tests cover them.
func TestCompareWithQemuGA(t *testing.T) {
	q := qgatest.StartQemuGA(t)
	// qemu-ga's SIGTERM handler is not async-signal-safe (it quits the glib
	// main loop from the handler) and can deadlock when the signal arrives
	// while the loop handles our disconnect, as the harness's Stop does
	// right after closing. Disconnect first and let it settle: cleanups run
	// last-registered first, so this runs before Stop.
	t.Cleanup(func() {
		_ = q.C.Close()
		time.Sleep(300 * time.Millisecond)
	})
	// An empty fake root: had qgad wrongly accepted a request, it would
	// only fail to find <root>/sbin/shutdown.
	p, err := New(sdk.TestEnv(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range []string{
		`{"mode": "bogus"}`,
		`{"mode": ""}`,
		`{"mode": "Reboot"}`,
		`{"mode": 1}`,
		`{"mode": "bogus", "when": "now"}`,
	} {
		t.Run(args, func(t *testing.T) {
			_, want := q.Call(t, "guest-shutdown", args)
			if want == nil {
				t.Fatalf("qemu-ga accepted %s", args)
			}
			_, err := p.Call(context.Background(), "guest-shutdown", args)
			var got *qapi.Error
			if !errors.As(err, &got) || *got != *want {
				t.Fatalf("\nqgad:    %v\nqemu-ga: %v", err, want)
			}
			t.Logf("both: %s: %s", got.Class, got.Desc)
		})
	}
}
