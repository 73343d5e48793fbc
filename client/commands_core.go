package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// The core's commands (qemu-ga's guest-sync*, guest-ping, guest-info).

// GuestSync runs guest-sync: the agent echoes id.
func (c *Client) GuestSync(ctx context.Context, id int64) (int64, error) {
	return call[int64](ctx, c, "guest-sync", map[string]int64{"id": id})
}

// GuestSyncDelimited runs guest-sync-delimited, whose reply is preceded by
// a 0xFF byte, and returns the echoed id. (Sync is the full handshake.)
func (c *Client) GuestSyncDelimited(ctx context.Context, id int64) (int64, error) {
	const command = "guest-sync-delimited"
	req, err := Request(command, map[string]int64{"id": id})
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.bind(ctx)()
	if c.resync {
		if err := c.sync(ctx); err != nil {
			return 0, fmt.Errorf("%s: %w", command, err)
		}
	}
	if _, err := c.conn.Write(req); err != nil {
		return 0, fmt.Errorf("%s: %w", command, c.ioError(ctx, "sending", err))
	}
	line, err := c.readLine()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", command, c.ioError(ctx, "waiting for the reply", err))
	}
	// The delimiter comes only with a reply from the handler; an error
	// (say, the command is blocked) has none.
	if len(line) > 0 && line[0] == 0xFF {
		line = line[1:]
	}
	raw, err := Decode(line)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("%s: decoding the reply: %w", command, err)
	}
	return n, nil
}

// Ping runs guest-ping.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.Call(ctx, "guest-ping", nil)
	return err
}

// GuestInfo runs guest-info: the agent's version and every command it
// knows, with whether it is enabled now.
func (c *Client) GuestInfo(ctx context.Context) (*AgentInfo, error) {
	return call[*AgentInfo](ctx, c, "guest-info", nil)
}
