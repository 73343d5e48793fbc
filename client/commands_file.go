package client

import "context"

// The file family: handles on guest files. ReadFile and WriteFile
// (transfer.go) copy whole files with them.

// FileOpen runs guest-file-open and returns the handle. mode is fopen's
// ("r", "w", "a", "r+", ... with an optional "b"); "" means "r".
func (c *Client) FileOpen(ctx context.Context, path, mode string) (int64, error) {
	args := map[string]string{"path": path}
	if mode != "" {
		args["mode"] = mode
	}
	return call[int64](ctx, c, "guest-file-open", args)
}

// FileClose runs guest-file-close.
func (c *Client) FileClose(ctx context.Context, handle int64) error {
	_, err := c.Call(ctx, "guest-file-close", map[string]int64{"handle": handle})
	return err
}

// FileRead runs guest-file-read for up to count bytes (the agent allows
// 48 MiB at most).
func (c *Client) FileRead(ctx context.Context, handle, count int64) (*FileRead, error) {
	return call[*FileRead](ctx, c, "guest-file-read", map[string]int64{"handle": handle, "count": count})
}

// FileWrite runs guest-file-write with data.
func (c *Client) FileWrite(ctx context.Context, handle int64, data []byte) (*FileWrite, error) {
	return call[*FileWrite](ctx, c, "guest-file-write", map[string]any{"handle": handle, "buf-b64": nonNil(data)})
}

// FileSeek runs guest-file-seek.
func (c *Client) FileSeek(ctx context.Context, handle, offset int64, whence Whence) (*FileSeek, error) {
	return call[*FileSeek](ctx, c, "guest-file-seek", map[string]any{"handle": handle, "offset": offset, "whence": whence})
}

// FileFlush runs guest-file-flush.
func (c *Client) FileFlush(ctx context.Context, handle int64) error {
	_, err := c.Call(ctx, "guest-file-flush", map[string]int64{"handle": handle})
	return err
}
