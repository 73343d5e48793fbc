package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
)

// runFreeze freezes every filesystem, or those mounted on the arguments.
func runFreeze(ctx context.Context, e *env, fs *flag.FlagSet) error {
	c, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	var n int64
	if fs.NArg() == 0 {
		n, err = c.FsfreezeFreeze(ctx)
	} else {
		n, err = c.FsfreezeFreezeList(ctx, fs.Args())
	}
	if err != nil {
		return err
	}
	if e.opts.json {
		return e.printJSON(n)
	}
	_, err = fmt.Fprintf(e.stdout, "frozen: %d filesystems (thaw with: qgactl thaw)\n", n)
	return err
}

// runThaw thaws every filesystem.
func runThaw(ctx context.Context, e *env, fs *flag.FlagSet) error {
	if err := need(fs, 0, 0); err != nil {
		return err
	}
	c, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	n, err := c.FsfreezeThaw(ctx)
	if err != nil {
		return err
	}
	if e.opts.json {
		return e.printJSON(n)
	}
	_, err = fmt.Fprintf(e.stdout, "thawed: %d filesystems\n", n)
	return err
}

// runFsinfo lists the guest's filesystems.
func runFsinfo(ctx context.Context, e *env, fs *flag.FlagSet) error {
	if err := need(fs, 0, 0); err != nil {
		return err
	}
	c, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	list, err := c.GetFsinfo(ctx)
	if err != nil {
		return err
	}
	if e.opts.json {
		return e.printJSON(list)
	}
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
}
