// Package fsfreeze is the filesystem freeze family of qgad:
// guest-fsfreeze-status, -freeze, -freeze-list and -thaw, with qemu-ga's
// 2012 recovery design (all-or-nothing freeze, a thaw that always sweeps
// everything, a marker file that survives restarts) and its fsfreeze hook.
//
// The core owns the frozen gate (which commands run while frozen); this
// family only reports its own state and acts.
package fsfreeze

import (
	"fmt"
	"time"

	"github.com/qgad/qgad/internal/freeze"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// Name is the family name.
const Name = "fsfreeze"

// Version is the family's version, reported to the core.
const Version = "0.1.0"

// Options the core passes (sdk.Env.Options).
const (
	OptHook        = "hook"         // fsfreeze hook path (-F / fsfreeze-hook); empty = no hook
	OptHookTimeout = "hook-timeout" // Go duration; "0" = wait forever as qemu-ga does
)

// DefaultHookTimeout bounds one hook run unless the core says otherwise:
// qemu-ga waits forever, which lets a stuck hook hang the agent.
const DefaultHookTimeout = 60 * time.Second

// New builds the family. Commands are listed in qemu-ga's schema order.
func New(env sdk.Env) (*sdk.Plugin, error) {
	f, err := newFamily(env)
	if err != nil {
		return nil, err
	}
	return &sdk.Plugin{
		Name:    Name,
		Version: Version,
		Busy:    f.state.frozen,
		Commands: []sdk.Command{
			{
				Name:    "guest-fsfreeze-status",
				Doc:     "Report whether the agent has filesystems frozen (its own state, not the kernel's).",
				Returns: qapi.Enum("GuestFsfreezeStatus", "thawed", "frozen"),
				Run:     sdk.HandleNoArgs(f.status),
			},
			{
				Name:    "guest-fsfreeze-freeze",
				Doc:     "Run the freeze hook, then freeze every mounted block filesystem, children first; all or nothing. Returns how many froze.",
				Returns: qapi.Int,
				Run:     sdk.HandleNoArgs(f.freezeAll),
			},
			{
				Name:    "guest-fsfreeze-freeze-list",
				Doc:     "Like guest-fsfreeze-freeze, limited to the given mount points (all when absent, none when empty).",
				Args:    []qapi.Field{qapi.Opt("mountpoints", qapi.List(qapi.String))},
				Returns: qapi.Int,
				Run:     sdk.Handle(f.freezeList),
			},
			{
				Name:    "guest-fsfreeze-thaw",
				Doc:     "Thaw every mounted block filesystem, whoever froze it, then run the thaw hook. Returns how many thawed.",
				Returns: qapi.Int,
				Run:     sdk.HandleNoArgs(f.thaw),
			},
		},
	}, nil
}

// family holds what the handlers need; it is per-plugin, not global.
type family struct {
	env   sdk.Env
	hook  hook
	guard freeze.Guard // nil in production (root "/")
	state *state
}

func newFamily(env sdk.Env) (*family, error) {
	h, err := newHook(env)
	if err != nil {
		return nil, err
	}
	f := &family{env: env, hook: h, state: loadState(env.StateDir)}
	if env.Root != "" && env.Root != "/" {
		// Rooted at a fixture tree: never touch a filesystem outside it.
		if f.guard, err = freeze.InsideRoot(env.Root); err != nil {
			return nil, fmt.Errorf("fsfreeze: %w", err)
		}
	}
	return f, nil
}
