package power

import (
	"context"
	"errors"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// TestCompareWithQemuGA sends guest-shutdown requests that qemu-ga rejects
// before it runs anything, to qgad in-process (root "/") and to Debian's
// qemu-ga 7.2 on this machine, and wants the same error. Valid modes and
// the suspend commands are never sent to either: they would act on this
// machine; the fake-root tests cover them.
func TestCompareWithQemuGA(t *testing.T) {
	q := qgatest.StartQemuGA(t)
	p, err := New(sdk.TestEnv("/"))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range []string{
		`{"mode": "bogus"}`,
		`{"mode": ""}`,
		`{"mode": "Reboot"}`,
		`{"mode": 1}`,
		`{"mode": null}`,
		`{"mode": "halt", "when": "now"}`,
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
