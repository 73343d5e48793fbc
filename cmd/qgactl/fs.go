package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/qgad/qgad/client"
)

// runFreeze freezes every filesystem, or those mounted on the arguments.
func runFreeze(ctx context.Context, e *env, fs *flag.FlagSet) error {
	return query(ctx, e, fs, 0, -1, func(c *client.Client) (int64, error) {
		if fs.NArg() == 0 {
			return c.FsfreezeFreeze(ctx)
		}
		return c.FsfreezeFreezeList(ctx, fs.Args())
	}, func(n int64) error {
		_, err := fmt.Fprintf(e.stdout, "frozen: %d filesystems (thaw with: qgactl thaw)\n", n)
		return err
	})
}

// runThaw thaws every filesystem.
func runThaw(ctx context.Context, e *env, fs *flag.FlagSet) error {
	return query(ctx, e, fs, 0, 0, func(c *client.Client) (int64, error) {
		return c.FsfreezeThaw(ctx)
	}, func(n int64) error {
		_, err := fmt.Fprintf(e.stdout, "thawed: %d filesystems\n", n)
		return err
	})
}

// runFsinfo lists the guest's filesystems.
func runFsinfo(ctx context.Context, e *env, fs *flag.FlagSet) error {
	return query(ctx, e, fs, 0, 0, func(c *client.Client) ([]client.FilesystemInfo, error) {
		return c.GetFsinfo(ctx)
	}, func(list []client.FilesystemInfo) error {
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "MOUNTPOINT\tTYPE\tDEVICE\tUSED\tTOTAL\tDISKS")
		for _, f := range list {
			used, total := "-", "-"
			if f.UsedBytes != nil {
				used = humanBytes(*f.UsedBytes)
			}
			if f.TotalBytes != nil {
				total = humanBytes(*f.TotalBytes)
			}
			var disks []string
			for _, d := range f.Disk {
				name := d.Dev
				if name == "" {
					name = fmt.Sprintf("%d:%d:%d", d.Bus, d.Target, d.Unit)
				}
				disks = append(disks, d.BusType+":"+name)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Mountpoint, f.Type, f.Name, used, total, strings.Join(disks, ","))
		}
		return tw.Flush()
	})
}
