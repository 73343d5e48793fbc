package client

import "context"

// The network family.

// NetworkGetInterfaces runs guest-network-get-interfaces.
func (c *Client) NetworkGetInterfaces(ctx context.Context) ([]NetworkInterface, error) {
	return call[[]NetworkInterface](ctx, c, "guest-network-get-interfaces", nil)
}

// NetworkGetRoute runs guest-network-get-route.
func (c *Client) NetworkGetRoute(ctx context.Context) ([]NetworkRoute, error) {
	return call[[]NetworkRoute](ctx, c, "guest-network-get-route", nil)
}
