package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
)

// runInfo prints the agent's version and its commands.
func runInfo(ctx context.Context, e *env, fs *flag.FlagSet) error {
	if err := need(fs, 0, 0); err != nil {
		return err
	}
	c, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	info, err := c.GuestInfo(ctx)
	if err != nil {
		return err
	}
	if e.opts.json {
		return e.printJSON(info)
	}
	enabled := 0
	for _, ci := range info.SupportedCommands {
		if ci.Enabled {
			enabled++
		}
	}
	fmt.Fprintf(e.stdout, "version %s, %d commands, %d enabled\n\n", info.Version, len(info.SupportedCommands), enabled)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COMMAND\tENABLED\tRESPONSE")
	for _, ci := range info.SupportedCommands {
		resp := "yes"
		if !ci.SuccessResponse {
			resp = "only on error"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", ci.Name, map[bool]string{true: "yes", false: "no"}[ci.Enabled], resp)
	}
	return tw.Flush()
}

// runPing checks that the agent answers.
func runPing(ctx context.Context, e *env, fs *flag.FlagSet) error {
	if err := need(fs, 0, 0); err != nil {
		return err
	}
	c, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Ping(ctx); err != nil {
		return err
	}
	if e.opts.json {
		return e.printJSON(struct{}{})
	}
	_, err = fmt.Fprintln(e.stdout, "ok")
	return err
}
