// Command qgactl is a host-side client for qgad and qemu-ga, built on the
// client package: it connects to the agent's unix socket, performs the
// 0xFF + guest-sync-delimited handshake, and runs one command.
//
//	qgactl -s SOCK info                     the agent's version and commands
//	qgactl -s SOCK ping
//	qgactl -s SOCK exec -- CMD ARGS...      run a program, print its output, exit with its status
//	qgactl -s SOCK cat PATH                 print a guest file
//	qgactl -s SOCK put LOCAL REMOTE         copy a file into the guest
//	qgactl -s SOCK freeze [MOUNTPOINT...]   freeze filesystems (all without mount points)
//	qgactl -s SOCK thaw
//	qgactl -s SOCK fsinfo
//	qgactl -s SOCK guest-info               any command by name, -a for its arguments
//	qgactl -s SOCK '{"execute": "guest-file-open", "arguments": {"path": "/etc/hostname"}}'
//	qgactl completion bash|zsh
//
// --json prints the agent's results as JSON for scripts. The socket may also
// come from $QGACTL_SOCKET. Exit status: 0 success, 1 failure (an agent
// error or a connection problem), 2 bad usage; exec exits with the guest
// program's status (128+N when signal N killed it).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/qgad/qgad/client"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// options are the flags every subcommand accepts, before or after its name.
type options struct {
	sock    string
	timeout time.Duration
	json    bool
	args    string // -a: arguments of a command given by name
}

// env is what a subcommand works with.
type env struct {
	opts   *options
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	exec   execOptions // exec's own flags
}

// usageError is bad usage: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError carries a subcommand's chosen exit status.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// subcommand is one verb of qgactl.
type subcommand struct {
	name, args, help string
	run              func(ctx context.Context, e *env, fs *flag.FlagSet) error
	flags            func(fs *flag.FlagSet, e *env) // its own flags
}

func subcommands() []subcommand {
	return []subcommand{
		{name: "info", help: "show the agent's version and its commands", run: runInfo},
		{name: "ping", help: "check that the agent answers", run: runPing},
		{name: "exec", args: "[--env K=V]... [--stdin] [--merged] -- CMD [ARG...]", help: "run a program in the guest, print its output, exit with its status", run: runExec, flags: execFlags},
		{name: "cat", args: "PATH", help: "print a guest file", run: runCat},
		{name: "put", args: "LOCAL REMOTE", help: "copy a local file (- for stdin) to a guest file", run: runPut},
		{name: "freeze", args: "[MOUNTPOINT...]", help: "freeze the guest's filesystems (those mounted on MOUNTPOINTs)", run: runFreeze},
		{name: "thaw", help: "thaw the guest's filesystems", run: runThaw},
		{name: "fsinfo", help: "list the guest's filesystems", run: runFsinfo},
		{name: "completion", args: "bash|zsh", help: "print a shell completion script", run: runCompletion},
	}
}

func globalFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.sock, "s", o.sock, "the agent's unix socket (default $QGACTL_SOCKET)")
	fs.DurationVar(&o.timeout, "timeout", o.timeout, "deadline of the whole exchange")
	fs.BoolVar(&o.json, "json", o.json, "print results as JSON")
	fs.StringVar(&o.args, "a", o.args, "arguments (a JSON object) of a command given by name")
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "usage: qgactl [-s SOCK] [--json] [--timeout D] SUBCOMMAND [ARGS]\n"+
		"       qgactl [-s SOCK] [-a ARGS_JSON] COMMAND | REQUEST_JSON\n\nsubcommands:\n")
	for _, s := range subcommands() {
		fmt.Fprintf(w, "  %-11s %s\n", s.name, s.help)
		if s.args != "" {
			fmt.Fprintf(w, "  %-11s   %s %s\n", "", s.name, s.args)
		}
	}
	fmt.Fprintf(w, "\nCOMMAND is any agent command (guest-info, guest-get-osinfo, ...), run with\n"+
		"the -a arguments; REQUEST_JSON is a whole request. Both print the agent's reply.\n\nflags:\n")
	fs := flag.NewFlagSet("qgactl", flag.ContinueOnError)
	globalFlags(fs, &options{timeout: 30 * time.Second})
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &options{sock: os.Getenv("QGACTL_SOCKET"), timeout: 30 * time.Second}
	top := flag.NewFlagSet("qgactl", flag.ContinueOnError)
	top.SetOutput(io.Discard)
	globalFlags(top, o)
	if err := top.Parse(argv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0
		}
		fmt.Fprintln(stderr, "qgactl:", err)
		usage(stderr)
		return 2
	}
	if top.NArg() == 0 {
		usage(stderr)
		return 2
	}
	e := &env{opts: o, stdin: stdin, stdout: stdout, stderr: stderr}
	name, rest := top.Arg(0), top.Args()[1:]
	err := dispatch(e, name, rest)
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "qgactl:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "qgactl:", err)
		return 1
	}
}

func dispatch(e *env, name string, rest []string) error {
	for _, s := range subcommands() {
		if s.name != name {
			continue
		}
		fs := flag.NewFlagSet("qgactl "+name, flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		globalFlags(fs, e.opts)
		if s.flags != nil {
			s.flags(fs, e)
		}
		fs.Usage = func() {
			fmt.Fprintf(e.stderr, "usage: qgactl %s %s\n", name, s.args)
			fs.PrintDefaults()
		}
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return exitError{2}
		}
		if name == "completion" {
			return s.run(context.Background(), e, fs)
		}
		ctx, cancel := context.WithTimeout(context.Background(), e.opts.timeout)
		defer cancel()
		return s.run(ctx, e, fs)
	}
	if strings.HasPrefix(strings.TrimSpace(name), "{") || strings.HasPrefix(name, "guest-") || strings.HasPrefix(name, "__") {
		return runRaw(e, name, rest)
	}
	return usageError{fmt.Sprintf("unknown subcommand %q (commands of the agent start with guest-)", name)}
}

// connect dials the agent and synchronizes.
func (e *env) connect(ctx context.Context) (*client.Client, error) {
	if e.opts.sock == "" {
		return nil, usageError{"no socket: give -s SOCK or set QGACTL_SOCKET"}
	}
	return client.Dial(ctx, e.opts.sock)
}

// need checks a subcommand's positional arguments.
func need(fs *flag.FlagSet, min, max int) error {
	if n := fs.NArg(); n < min || (max >= 0 && n > max) {
		fs.Usage()
		return exitError{2}
	}
	return nil
}

// query is the shape of a subcommand that makes one agent call: check the
// number of positional arguments (min to max, max -1 for no limit),
// connect, call, and print the result as JSON with --json, else with human.
func query[T any](ctx context.Context, e *env, fs *flag.FlagSet, min, max int,
	call func(*client.Client) (T, error), human func(T) error) error {
	if err := need(fs, min, max); err != nil {
		return err
	}
	c, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	v, err := call(c)
	if err != nil {
		return err
	}
	if e.opts.json {
		return e.printJSON(v)
	}
	return human(v)
}
