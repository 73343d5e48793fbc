package client

import "context"

// The system family: time, vCPUs, memory blocks, host name, time zone, OS,
// CPU statistics, load.

// GetTime runs guest-get-time: the guest's clock in nanoseconds since the
// epoch.
func (c *Client) GetTime(ctx context.Context) (int64, error) {
	return call[int64](ctx, c, "guest-get-time", nil)
}

// SetTime runs guest-set-time: with ns, the guest's clock is set to it (and
// the RTC from it); with nil, the clock is set from the RTC.
func (c *Client) SetTime(ctx context.Context, ns *int64) error {
	args := map[string]int64{}
	if ns != nil {
		args["time"] = *ns
	}
	_, err := c.Call(ctx, "guest-set-time", args)
	return err
}

// GetVcpus runs guest-get-vcpus.
func (c *Client) GetVcpus(ctx context.Context) ([]LogicalProcessor, error) {
	return call[[]LogicalProcessor](ctx, c, "guest-get-vcpus", nil)
}

// SetVcpus runs guest-set-vcpus and returns how many of vcpus were
// processed before the first failure.
func (c *Client) SetVcpus(ctx context.Context, vcpus []LogicalProcessor) (int64, error) {
	return call[int64](ctx, c, "guest-set-vcpus", map[string]any{"vcpus": nonNil(vcpus)})
}

// GetMemoryBlocks runs guest-get-memory-blocks.
func (c *Client) GetMemoryBlocks(ctx context.Context) ([]MemoryBlock, error) {
	return call[[]MemoryBlock](ctx, c, "guest-get-memory-blocks", nil)
}

// SetMemoryBlocks runs guest-set-memory-blocks: one response per block.
func (c *Client) SetMemoryBlocks(ctx context.Context, blocks []MemoryBlock) ([]MemoryBlockResponse, error) {
	return call[[]MemoryBlockResponse](ctx, c, "guest-set-memory-blocks", map[string]any{"mem-blks": nonNil(blocks)})
}

// GetMemoryBlockInfo runs guest-get-memory-block-info.
func (c *Client) GetMemoryBlockInfo(ctx context.Context) (*MemoryBlockInfo, error) {
	return call[*MemoryBlockInfo](ctx, c, "guest-get-memory-block-info", nil)
}

// GetHostName runs guest-get-host-name.
func (c *Client) GetHostName(ctx context.Context) (string, error) {
	r, err := call[struct {
		HostName string `json:"host-name"`
	}](ctx, c, "guest-get-host-name", nil)
	return r.HostName, err
}

// GetTimezone runs guest-get-timezone.
func (c *Client) GetTimezone(ctx context.Context) (*Timezone, error) {
	return call[*Timezone](ctx, c, "guest-get-timezone", nil)
}

// GetOSInfo runs guest-get-osinfo.
func (c *Client) GetOSInfo(ctx context.Context) (*OSInfo, error) {
	return call[*OSInfo](ctx, c, "guest-get-osinfo", nil)
}

// GetCPUStats runs guest-get-cpustats.
func (c *Client) GetCPUStats(ctx context.Context) ([]CPUStats, error) {
	return call[[]CPUStats](ctx, c, "guest-get-cpustats", nil)
}

// GetLoad runs guest-get-load.
func (c *Client) GetLoad(ctx context.Context) (*LoadAverage, error) {
	return call[*LoadAverage](ctx, c, "guest-get-load", nil)
}

// nonNil makes a nil list an empty JSON array: the member is mandatory.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
