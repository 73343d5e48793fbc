package fsfreeze

import (
	"context"

	"github.com/qgad/qgad/internal/freeze"
	"github.com/qgad/qgad/internal/mounts"
	"github.com/qgad/qgad/qapi"
)

func (f *family) status(context.Context) (string, error) {
	if f.state.frozen() {
		return "frozen", nil
	}
	return "thawed", nil
}

func (f *family) freezeAll(ctx context.Context) (int64, error) {
	return f.freeze(ctx, nil)
}

type freezeListArgs struct {
	Mountpoints *[]string `json:"mountpoints"`
}

func (f *family) freezeList(ctx context.Context, a freezeListArgs) (int64, error) {
	if a.Mountpoints == nil {
		return f.freeze(ctx, nil)
	}
	// Present but empty freezes nothing: keep it distinct from absent.
	only := *a.Mountpoints
	if only == nil {
		only = []string{}
	}
	return f.freeze(ctx, only)
}

// freeze is qemu-ga's guest-fsfreeze-freeze-list (spec 3.7): hook, mount
// list, frozen state, FIFREEZE walk; zero frozen leaves the frozen state
// again without the thaw hook, a failure thaws everything (thaw hook
// included, its error ignored) and returns the freeze error.
func (f *family) freeze(ctx context.Context, only []string) (int64, error) {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	f.env.Log.Info("guest-fsfreeze called")
	if err := f.hook.run(ctx, f.env.Log, "freeze"); err != nil {
		return 0, err
	}
	ms, err := mounts.List(f.env.Root)
	if err != nil {
		return 0, err
	}
	f.enter()
	n, err := freeze.FreezeWith(ctx, ms, only, f.guard)
	if err != nil {
		_, _ = f.thawLocked(ctx)
		return 0, qapi.Errorf("%s", err.Error())
	}
	if n == 0 {
		f.leave()
	}
	return int64(n), nil
}

// enter takes the frozen state before the first FIFREEZE; a marker that
// cannot be written is only logged, as in qemu-ga.
func (f *family) enter() {
	if f.state.frozen() {
		return
	}
	f.env.Log.Warn("disabling logging due to filesystem freeze")
	if err := f.state.enter(); err != nil {
		f.env.Log.Warn("unable to create "+f.state.marker+", fsfreeze may not function properly", "error", err)
	}
}
