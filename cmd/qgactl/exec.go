package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/qgad/qgad/client"
)

// execOptions are exec's own flags.
type execOptions struct {
	env    multiFlag
	stdin  bool
	merged bool
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func execFlags(fs *flag.FlagSet, e *env) {
	o := &e.exec
	fs.Var(&o.env, "env", "K=V: the program's environment (repeatable; given at all, it is the whole environment)")
	fs.BoolVar(&o.stdin, "stdin", false, "send qgactl's standard input to the program")
	fs.BoolVar(&o.merged, "merged", false, "merge the program's stderr into its stdout")
}

// runExec runs a program with guest-exec, waits for it, prints its output
// and exits with its status.
func runExec(ctx context.Context, e *env, fs *flag.FlagSet) error {
	if err := need(fs, 1, -1); err != nil {
		return err
	}
	o := e.exec
	req := client.ExecRequest{Path: fs.Arg(0), Args: fs.Args()[1:], Capture: client.CaptureSeparated}
	if len(req.Args) == 0 {
		req.Args = nil
	}
	if o.env != nil {
		req.Env = o.env
	}
	if o.merged {
		req.Capture = client.CaptureMerged
	}
	if o.stdin {
		in, err := io.ReadAll(e.stdin)
		if err != nil {
			return fmt.Errorf("reading standard input: %w", err)
		}
		req.Input = in
	}
	c, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	st, err := c.ExecWait(ctx, req, 0)
	if err != nil {
		return err
	}
	code := 0
	switch {
	case st.ExitCode != nil:
		code = int(*st.ExitCode)
	case st.Signal != nil:
		code = 128 + int(*st.Signal)
	}
	if e.opts.json {
		if err := e.printJSON(st); err != nil {
			return err
		}
	} else {
		if _, err := e.stdout.Write(st.OutData); err != nil {
			return err
		}
		if _, err := e.stderr.Write(st.ErrData); err != nil {
			return err
		}
		for _, s := range []struct {
			name string
			t    *bool
		}{{"stdout", st.OutTruncated}, {"stderr", st.ErrTruncated}} {
			if s.t != nil && *s.t {
				fmt.Fprintf(e.stderr, "qgactl: the program's %s was truncated by the agent (16 MiB)\n", s.name)
			}
		}
		if st.Signal != nil {
			fmt.Fprintf(e.stderr, "qgactl: the program was killed by signal %d\n", *st.Signal)
		}
	}
	if code != 0 {
		return exitError{code}
	}
	return nil
}
