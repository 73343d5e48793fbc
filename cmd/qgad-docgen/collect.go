package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/qgad/qgad/core/dispatch"
	"github.com/qgad/qgad/core/host"
)

// collect starts the plugins in dirs, as the agent would, and returns
// every command — the core's and theirs — in registration order (qemu-ga's
// schema order, third-party commands last).
func collect(ctx context.Context, dirs []string) ([]*dispatch.Command, error) {
	// The plugins only describe themselves, but they get a root and a state
	// directory of their own so that starting them cannot touch the system.
	scratch, err := os.MkdirTemp("", "qgad-docgen")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)

	d := &dispatch.Dispatcher{Registry: &dispatch.Registry{}}
	if err := d.RegisterCore(); err != nil {
		return nil, err
	}
	h, refused := host.New(host.Options{Dirs: dirs, RuntimeDir: scratch, Root: scratch, StateDir: scratch})
	if len(refused) > 0 {
		return nil, errors.Join(refused...)
	}
	if len(h.Families()) == 0 {
		return nil, fmt.Errorf("no plugins in %v: run `make build` first", dirs)
	}
	var mu sync.Mutex
	var errs []error
	h.Start(func(desc host.Described) {
		mu.Lock()
		defer mu.Unlock()
		if desc.Err != nil {
			errs = append(errs, fmt.Errorf("plugin %s: %w", desc.Family, desc.Err))
			return
		}
		for _, spec := range desc.Info.Commands {
			args, ret, err := host.ParseSpec(spec)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			errs = append(errs, d.Registry.Add(&dispatch.Command{
				Name: spec.Name, Family: desc.Family, Args: args, Returns: ret,
				Doc: spec.Doc, SuccessResponse: spec.SuccessResponse,
			}))
		}
	})
	defer h.Stop()
	if err := h.Ready(ctx); err != nil {
		return nil, fmt.Errorf("waiting for the plugins: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return d.Registry.All(), nil
}
