package sdk

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Builder constructs a family from its environment.
type Builder func(env Env) (*Plugin, error)

// Serve runs a plugin process: the main of every plugin.
func Serve(build Builder) {
	log := hclog.New(&hclog.LoggerOptions{
		Level:      hclog.Trace, // the core filters by its own level
		Output:     os.Stderr,
		JSONFormat: true, // the core re-emits these lines tagged with the plugin's name
	})
	env := EnvFromOS(log)
	p, err := build(env)
	if err != nil {
		fmt.Fprintf(os.Stderr, "plugin setup failed: %v\n", err)
		os.Exit(1)
	}
	go watchParent(os.Getppid())
	startDirect(p, log)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         plugin.PluginSet{PluginKey: &GRPCPlugin{Impl: p}},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, ServerOptions()...)...)
		},
		Logger: log,
	})
	if p.Close != nil {
		p.Close()
	}
}

// ServeMulti is the main of a multi-call binary: the family is chosen by
// the executable's name (qgad-plugin-<family>, usually a symlink) or by the
// first argument. Built-in families share one binary so their code pages are
// shared in memory.
func ServeMulti(families map[string]Builder) {
	name := strings.TrimPrefix(filepath.Base(os.Args[0]), "qgad-plugin-")
	if b, ok := families[name]; ok {
		Serve(b)
		return
	}
	if len(os.Args) > 1 {
		if b, ok := families[os.Args[1]]; ok {
			Serve(b)
			return
		}
	}
	fmt.Fprintf(os.Stderr, "usage: qgad-plugin-<family> (one of: %s)\n", strings.Join(slices.Sorted(maps.Keys(families)), ", "))
	os.Exit(1)
}

// watchParent ends the plugin when the core goes away, even by SIGKILL:
// go-plugin has no parent-death watch, and an orphaned plugin would keep
// state (open files, frozen filesystems' fds) alive.
func watchParent(ppid int) {
	for {
		time.Sleep(250 * time.Millisecond)
		if os.Getppid() != ppid {
			os.Exit(2)
		}
	}
}
