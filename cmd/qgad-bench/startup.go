package main

import (
	"context"
	"errors"
	"time"
)

// startupTrial starts a fresh agent and times process start (just before
// fork) to the response to req on the first connection that succeeds.
func startupTrial(s spec, base string, req []byte) (d time.Duration, err error) {
	a, err := startAgent(s, base)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, a.stop()) }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := a.dial(ctx)
	if err != nil {
		return 0, err
	}
	defer c.close()
	if _, err := c.callOK(req); err != nil {
		return 0, err
	}
	return time.Since(a.started), nil
}
