package dispatch

import (
	"context"

	"github.com/qgad/qgad/qapi"
)

// The core's own commands (spec 2.1): they never leave the core process so
// they answer at once, even while plugins start or restart.

type commandInfo struct {
	Name            string `json:"name"`
	Enabled         bool   `json:"enabled"`
	SuccessResponse bool   `json:"success-response"`
}

type agentInfo struct {
	Version           string        `json:"version"`
	SupportedCommands []commandInfo `json:"supported_commands"`
}

var syncArgs = []qapi.Field{qapi.Req("id", qapi.Int)}

// RegisterCore adds guest-sync-delimited, guest-sync, guest-ping and
// guest-info to the registry.
func (d *Dispatcher) RegisterCore() error {
	echo := func(_ context.Context, args *qapi.Object) (any, *qapi.Error) {
		v, _ := args.Get("id")
		return v, nil
	}
	cmds := []*Command{
		{Name: "guest-sync-delimited", Args: syncArgs, Returns: qapi.Int, core: echo,
			Doc: "Echo a number, preceded by a 0xFF byte so the client can find the start of the reply."},
		{Name: "guest-sync", Args: syncArgs, Returns: qapi.Int, core: echo,
			Doc: "Echo a number, so the client can discard stale replies."},
		{Name: "guest-ping", Returns: nil, Doc: "Check that the agent answers.",
			core: func(context.Context, *qapi.Object) (any, *qapi.Error) { return struct{}{}, nil }},
		{Name: "guest-info", Doc: "The agent's version and every command it knows, with its state.",
			Returns: qapi.Struct("GuestAgentInfo",
				qapi.Req("version", qapi.String),
				qapi.Req("supported_commands", qapi.List(qapi.Struct("GuestAgentCommandInfo",
					qapi.Req("name", qapi.String), qapi.Req("enabled", qapi.Bool), qapi.Req("success-response", qapi.Bool))))),
			core: d.info},
	}
	for _, c := range cmds {
		c.Family = "core"
		c.SuccessResponse = true
		if err := d.Registry.Add(c); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dispatcher) info(ctx context.Context, _ *qapi.Object) (any, *qapi.Error) {
	if d.Ready != nil {
		_ = d.Ready(ctx) // bounded: then list what is known
	}
	all := d.Registry.All()
	frozen := d.frozen()
	info := agentInfo{Version: d.Version, SupportedCommands: make([]commandInfo, 0, len(all))}
	for i := len(all) - 1; i >= 0; i-- {
		c := all[i]
		info.SupportedCommands = append(info.SupportedCommands, commandInfo{
			Name: c.Name, Enabled: d.Policy.Enabled(c, frozen), SuccessResponse: c.SuccessResponse,
		})
	}
	return info, nil
}
