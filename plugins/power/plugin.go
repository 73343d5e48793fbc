// Package power is the shutdown and suspend family: guest-shutdown and
// guest-suspend-disk/-ram/-hybrid (spec 2.5). None of them answers on
// success.
package power

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// Name is the family name.
const Name = "power"

// Version is the family's version.
const Version = "1.0.0"

// DefaultTimeout bounds each helper program (shutdown binary, systemctl,
// pm-utils); libvirt itself waits 60 s for guest-shutdown.
const DefaultTimeout = 60 * time.Second

// family is one plugin instance's state.
type family struct {
	env     sdk.Env
	timeout time.Duration
}

// New builds the family. Option timeout (a Go duration or whole seconds,
// default 60s) bounds each helper program the commands run.
func New(env sdk.Env) (*sdk.Plugin, error) {
	timeout, err := parseTimeout(env.Option("timeout", DefaultTimeout.String()))
	if err != nil {
		return nil, fmt.Errorf("power: option timeout: %w", err)
	}
	f := &family{env: env, timeout: timeout}
	suspend := func(m suspendMode) sdk.Func {
		return sdk.HandleNoArgs(func(ctx context.Context) (sdk.Empty, error) {
			return sdk.Empty{}, f.suspend(ctx, m)
		})
	}
	return &sdk.Plugin{
		Name:    Name,
		Version: Version,
		Commands: []sdk.Command{
			{
				Name:              "guest-shutdown",
				Doc:               "Power down, halt or reboot the guest. No response on success.",
				Args:              []qapi.Field{qapi.Opt("mode", qapi.String)},
				NoSuccessResponse: true,
				Run:               sdk.Handle(f.shutdown),
			},
			{
				Name:              "guest-suspend-disk",
				Doc:               "Suspend the guest to disk (hibernate). No response on success.",
				NoSuccessResponse: true,
				Run:               suspend(modeDisk),
			},
			{
				Name:              "guest-suspend-ram",
				Doc:               "Suspend the guest to RAM. No response on success.",
				NoSuccessResponse: true,
				Run:               suspend(modeRAM),
			},
			{
				Name:              "guest-suspend-hybrid",
				Doc:               "Save the guest to disk and suspend it to RAM. No response on success.",
				NoSuccessResponse: true,
				Run:               suspend(modeHybrid),
			},
		},
	}, nil
}

// parseTimeout accepts a Go duration ("90s", "2m") or whole seconds ("90").
func parseTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		n, nerr := strconv.Atoi(s)
		if nerr != nil {
			return 0, fmt.Errorf("%q is neither a duration nor a number of seconds", s)
		}
		d = time.Duration(n) * time.Second
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return d, nil
}
