package main

import (
	"context"
	"flag"
	"io"
	"os"

	"github.com/qgad/qgad/client"
)

// transfer builds the client's transfer options with a progress bar.
func transfer(bar *progressBar) *client.Transfer {
	t := &client.Transfer{}
	if bar != nil {
		t.Progress = bar.update
	}
	return t
}

// runCat prints a guest file, read in chunks.
func runCat(ctx context.Context, e *env, fs *flag.FlagSet) error {
	if err := need(fs, 1, 1); err != nil {
		return err
	}
	c, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	// The bar needs the size: ReadFile learns it when asked for progress,
	// so ask only when a bar could be drawn (size unknown yet: -1).
	bar := e.progressFor(fs.Arg(0), -1, isTerminal(e.stdout))
	t := transfer(nil)
	if bar != nil {
		t.Progress = func(done, total int64) {
			if total < 0 || total >= progressThreshold {
				bar.update(done, total)
			}
		}
		defer bar.end()
	}
	_, err = c.ReadFile(ctx, fs.Arg(0), e.stdout, t)
	return err
}

// runPut copies a local file (or stdin) into a guest file, in chunks.
func runPut(ctx context.Context, e *env, fs *flag.FlagSet) error {
	if err := need(fs, 2, 2); err != nil {
		return err
	}
	local, remote := fs.Arg(0), fs.Arg(1)
	var r io.Reader = e.stdin
	size := int64(-1)
	if local != "-" {
		f, err := os.Open(local)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		r = f
	}
	c, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	bar := e.progressFor(remote, size, false)
	if bar != nil {
		defer bar.end()
	}
	n, err := c.WriteFile(ctx, remote, r, size, transfer(bar))
	if err != nil {
		return err
	}
	if e.opts.json {
		return e.printJSON(map[string]any{"path": remote, "bytes": n})
	}
	return nil
}
