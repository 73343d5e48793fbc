package fsfreeze

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/sdk"
)

// hook is the configured fsfreeze hook (spec 3.8).
type hook struct {
	path    string        // "" = disabled
	timeout time.Duration // 0 = none
}

func newHook(env sdk.Env) (hook, error) {
	h := hook{path: env.Option(OptHook, ""), timeout: DefaultHookTimeout}
	if s := env.Option(OptHookTimeout, ""); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return h, fmt.Errorf("fsfreeze: option %s=%q: want a Go duration such as 60s", OptHookTimeout, s)
		}
		h.timeout = d
	}
	return h, nil
}

// run runs "<hook> <arg>" through qemu-ga's child runner: one argument, a
// new session, stdin /dev/null, output captured into the error text. A hook
// that outlives the timeout is killed with its process group.
func (h hook) run(ctx context.Context, log hclog.Logger, arg string) error {
	if h.path == "" {
		return nil
	}
	log.Info(fmt.Sprintf("executing fsfreeze hook with arg '%s'", arg))
	if h.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.timeout)
		defer cancel()
	}
	return runner.Run(ctx, []string{h.path, arg}, nil, "execute fsfreeze hook")
}
