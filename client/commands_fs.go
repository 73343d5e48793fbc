package client

import "context"

// The fsfreeze and fs families.

// FsfreezeStatus runs guest-fsfreeze-status: "thawed" or "frozen".
func (c *Client) FsfreezeStatus(ctx context.Context) (string, error) {
	return call[string](ctx, c, "guest-fsfreeze-status", nil)
}

// FsfreezeFreeze runs guest-fsfreeze-freeze and returns how many
// filesystems were frozen. Until FsfreezeThaw, the agent refuses every
// command but ping, info, sync, status and thaw.
func (c *Client) FsfreezeFreeze(ctx context.Context) (int64, error) {
	return call[int64](ctx, c, "guest-fsfreeze-freeze", nil)
}

// FsfreezeFreezeList runs guest-fsfreeze-freeze-list for the filesystems
// mounted on mountpoints (nil: all, like FsfreezeFreeze).
func (c *Client) FsfreezeFreezeList(ctx context.Context, mountpoints []string) (int64, error) {
	var args any
	if mountpoints != nil {
		args = map[string][]string{"mountpoints": mountpoints}
	}
	return call[int64](ctx, c, "guest-fsfreeze-freeze-list", args)
}

// FsfreezeThaw runs guest-fsfreeze-thaw and returns how many filesystems
// were thawed.
func (c *Client) FsfreezeThaw(ctx context.Context) (int64, error) {
	return call[int64](ctx, c, "guest-fsfreeze-thaw", nil)
}

// Fstrim runs guest-fstrim; minimum is the smallest free range to discard,
// in bytes (0: any).
func (c *Client) Fstrim(ctx context.Context, minimum int64) (*FstrimResponse, error) {
	args := map[string]int64{}
	if minimum != 0 {
		args["minimum"] = minimum
	}
	return call[*FstrimResponse](ctx, c, "guest-fstrim", args)
}

// GetDisks runs guest-get-disks.
func (c *Client) GetDisks(ctx context.Context) ([]DiskInfo, error) {
	return call[[]DiskInfo](ctx, c, "guest-get-disks", nil)
}

// GetFsinfo runs guest-get-fsinfo.
func (c *Client) GetFsinfo(ctx context.Context) ([]FilesystemInfo, error) {
	return call[[]FilesystemInfo](ctx, c, "guest-get-fsinfo", nil)
}

// GetDiskstats runs guest-get-diskstats.
func (c *Client) GetDiskstats(ctx context.Context) ([]DiskStatsInfo, error) {
	return call[[]DiskStatsInfo](ctx, c, "guest-get-diskstats", nil)
}
