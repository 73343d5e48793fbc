package fsfreeze

import (
	"context"

	"github.com/qgad/qgad/internal/freeze"
	"github.com/qgad/qgad/internal/mounts"
)

func (f *family) thaw(ctx context.Context) (int64, error) {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	return f.thawLocked(ctx)
}

// thawLocked is qemu-ga's guest-fsfreeze-thaw (spec 3.7): FITHAW sweep over
// the whole mount list whatever the state, leave the frozen state, then the
// thaw hook, whose error is the command's although everything is thawed. A
// mount-table failure returns the error and leaves the state frozen.
func (f *family) thawLocked(ctx context.Context) (int64, error) {
	ms, err := mounts.List(f.env.Root)
	if err != nil {
		return 0, err
	}
	n := freeze.ThawWith(ms, f.guard)
	f.leave()
	f.env.Log.Info("guest-fsthaw called")
	// Filesystems are thawed already: a client giving up must not cut the
	// hook short (it may be releasing application locks).
	if err := f.hook.run(context.WithoutCancel(ctx), f.env.Log, "thaw"); err != nil {
		return 0, err
	}
	return int64(n), nil
}

// leave ends the frozen state; a marker that cannot be removed is only
// logged, as in qemu-ga.
func (f *family) leave() {
	wasFrozen := f.state.frozen()
	if err := f.state.leave(); err != nil {
		f.env.Log.Warn("unable to delete "+f.state.marker+", fsfreeze may not function properly", "error", err)
	}
	if wasFrozen {
		f.env.Log.Warn("logging re-enabled due to filesystem unfreeze")
	}
}
