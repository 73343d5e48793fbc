package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/qgad/qgad/client"
)

// noReply are the commands that answer only on error.
func noReply(command string) bool {
	switch command {
	case "guest-shutdown", "guest-suspend-disk", "guest-suspend-ram", "guest-suspend-hybrid":
		return true
	}
	return false
}

// runRaw sends a command given by name (arguments from -a) or a whole
// request, and prints the agent's reply line as it came. An error reply
// exits 1.
func runRaw(e *env, name string, rest []string) error {
	fs := flag.NewFlagSet("qgactl", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	globalFlags(fs, e.opts)
	if err := fs.Parse(rest); err != nil || fs.NArg() > 0 {
		return usageError{"a raw command takes no further arguments (give its arguments with -a)"}
	}
	var req []byte
	command := name
	if strings.HasPrefix(strings.TrimSpace(name), "{") {
		req = []byte(name)
		var r struct {
			Execute string `json:"execute"`
		}
		_ = json.Unmarshal(req, &r) // the agent judges bad requests
		command = r.Execute
	} else {
		var args any
		if e.opts.args != "" {
			if !json.Valid([]byte(e.opts.args)) {
				return usageError{"-a: not JSON: " + e.opts.args}
			}
			args = json.RawMessage(e.opts.args)
		}
		var err error
		if req, err = client.Request(name, args); err != nil {
			return usageError{err.Error()}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.opts.timeout)
	defer cancel()
	c, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	xctx := ctx
	if noReply(command) {
		// Success is silence: wait only long enough for an error.
		var cancel context.CancelFunc
		xctx, cancel = context.WithTimeout(ctx, min(e.opts.timeout, client.DefaultNoReplyWait))
		defer cancel()
	}
	line, err := c.Exchange(xctx, req)
	if err != nil {
		if noReply(command) && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)) {
			fmt.Fprintf(e.stderr, "qgactl: no reply within %v: %s succeeded (it answers only on error)\n",
				min(e.opts.timeout, client.DefaultNoReplyWait).Round(time.Millisecond), command)
			return nil
		}
		return err
	}
	fmt.Fprintln(e.stdout, string(line))
	if _, err := client.Decode(line); err != nil {
		return exitError{1}
	}
	return nil
}
