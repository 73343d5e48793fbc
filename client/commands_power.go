package client

import "context"

// The power family. Its commands send nothing on success (the guest goes
// down or to sleep): they succeed when no error comes within NoReplyWait.

// ShutdownMode is guest-shutdown's mode.
type ShutdownMode string

// Shutdown modes; "" leaves the agent's default, powerdown.
const (
	Powerdown ShutdownMode = "powerdown"
	Halt      ShutdownMode = "halt"
	Reboot    ShutdownMode = "reboot"
)

// Shutdown runs guest-shutdown.
func (c *Client) Shutdown(ctx context.Context, mode ShutdownMode) error {
	args := map[string]string{}
	if mode != "" {
		args["mode"] = string(mode)
	}
	return c.CallNoResponse(ctx, "guest-shutdown", args, 0)
}

// SuspendDisk runs guest-suspend-disk (hibernate).
func (c *Client) SuspendDisk(ctx context.Context) error {
	return c.CallNoResponse(ctx, "guest-suspend-disk", nil, 0)
}

// SuspendRAM runs guest-suspend-ram (suspend to RAM).
func (c *Client) SuspendRAM(ctx context.Context) error {
	return c.CallNoResponse(ctx, "guest-suspend-ram", nil, 0)
}

// SuspendHybrid runs guest-suspend-hybrid.
func (c *Client) SuspendHybrid(ctx context.Context) error {
	return c.CallNoResponse(ctx, "guest-suspend-hybrid", nil, 0)
}
