package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/qgad/qgad/client"
)

// runInfo prints the agent's version and its commands.
func runInfo(ctx context.Context, e *env, fs *flag.FlagSet) error {
	return query(ctx, e, fs, 0, 0, func(c *client.Client) (*client.AgentInfo, error) {
		return c.GuestInfo(ctx)
	}, func(info *client.AgentInfo) error {
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
	})
}

// runPing checks that the agent answers.
func runPing(ctx context.Context, e *env, fs *flag.FlagSet) error {
	return query(ctx, e, fs, 0, 0, func(c *client.Client) (struct{}, error) {
		return struct{}{}, c.Ping(ctx)
	}, func(struct{}) error {
		_, err := fmt.Fprintln(e.stdout, "ok")
		return err
	})
}
