// Command qgad is a QEMU guest agent: a drop-in for qemu-ga whose command
// families run as plugins. It takes qemu-ga's command line and config file.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	sddaemon "github.com/coreos/go-systemd/v22/daemon"

	"github.com/qgad/qgad/core/agent"
	"github.com/qgad/qgad/core/channel"
	"github.com/qgad/qgad/core/config"
	"github.com/qgad/qgad/core/daemon"
	"github.com/qgad/qgad/core/host"
	"github.com/qgad/qgad/core/logging"
)

func main() {
	os.Exit(run())
}

// coreMemoryLimit is the core's default soft memory limit (GOMEMLIMIT
// overrides it): one 64 MiB request plus its parse is the largest thing the
// core holds, and a flood of them must not grow the heap without bound.
const coreMemoryLimit = 256 << 20

func run() int {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(coreMemoryLimit)
	}
	cfg, err := config.Parse(os.Args, os.Getenv)
	if err != nil {
		var ee *config.ExitError
		if errors.As(err, &ee) {
			fmt.Fprint(os.Stderr, ee.Diag)
			switch {
			case ee.Msg == "":
			case ee.Stdout:
				fmt.Println(ee.Msg)
			default:
				critical(ee.Msg)
			}
			return ee.Code
		}
		critical(err.Error())
		return 1
	}
	fmt.Fprint(os.Stderr, cfg.Diag)
	switch cfg.Action {
	case config.Help:
		config.UsageVersion(os.Stdout, os.Args[0], agent.Version)
		return 0
	case config.Version:
		fmt.Printf("QEMU Guest Agent %s (qgad)\n", agent.Version)
		return 0
	}

	// qemu-ga's startup order: socket activation, the path check, then -D.
	pre, method, err := channel.FromActivation()
	if err != nil {
		critical(err.Error())
		return 1
	}
	if pre != nil {
		cfg.UseActivatedSocket(method)
	}
	if !cfg.HasPath() && cfg.Action != config.ListCommands {
		critical("must specify a path for this channel")
		return 1
	}
	if cfg.Action == config.DumpConf {
		cfg.Dump(os.Stdout)
		return 0
	}
	if cfg.HasLogFile() && cfg.LogFile == "" {
		critical("unable to open specified log file: No such file or directory")
		return 1
	}
	if cfg.Action == config.Run && cfg.Daemon && !daemon.IsChild() {
		return daemon.Spawn()
	}

	startFrozen := agent.MarkerExists(cfg.StateDir)
	log, gate, deferredLog, err := logging.New(logging.Options{File: cfg.LogFile, Verbose: cfg.Verbose}, startFrozen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if startFrozen {
		log.Warn("previous instance appears to have exited with frozen filesystems; logging, pid file creation and unsafe commands stay disabled until guest-fsfreeze-thaw or removal of " + cfg.StateDir + "/" + agent.MarkerName)
	}
	runtimeDir, err := ensureRuntimeDir(cfg.RuntimeDir)
	if err != nil {
		log.Error("runtime directory", "error", err)
		return 1
	}
	families := cfg.Families
	if cfg.FsfreezeHook != "" {
		families = withOption(families, "fsfreeze", "hook", cfg.FsfreezeHook)
	}
	if cfg.HookTimeout > 0 {
		families = withOption(families, "fsfreeze", "hook-timeout", cfg.HookTimeout.String())
	}
	a, err := agent.New(agent.Config{
		Method: cfg.Method, Path: cfg.Path, StateDir: cfg.StateDir, SysRoot: cfg.SysRoot,
		RetryPath: cfg.RetryPath, Allow: cfg.AllowRPCs, Block: cfg.BlockRPCs,
		Host: host.Options{
			Dirs: cfg.PluginDirs, Disabled: cfg.DisabledFamilies, RuntimeDir: runtimeDir,
			Families: families, CallTimeout: cfg.CallTimeout, MemoryLimit: cfg.PluginMemoryLimit,
			IdleStop: cfg.IdleStop,
		},
	}, log, gate, deferredLog, startFrozen)
	if err != nil {
		log.Error("startup failed", "error", err)
		return 1
	}
	defer a.Stop()

	if cfg.Action == config.ListCommands {
		a.StartPlugins() // -b help lists every plugin's commands
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = a.Host().Ready(ctx)
		fmt.Print(a.Dispatcher().CommandNames())
		return 0
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		// qemu-ga ignores these while frozen; we stop once thawed.
		a.WaitThawed()
		cancel()
	}()

	var pid *daemon.PidFile
	opened := func() error {
		if daemon.IsChild() {
			if !startFrozen {
				// A locked pid file is another running agent: fatal.
				if pid, err = daemon.WritePidFile(cfg.PidFile); err != nil {
					return err
				}
			}
			daemon.Ready()
		}
		// Type=notify: ready once the channel is open (no-op outside systemd).
		_, _ = sddaemon.SdNotify(true, sddaemon.SdNotifyReady)
		return nil
	}
	err = a.Run(ctx, pre, opened)
	pid.Release()
	if err != nil {
		log.Error(err.Error())
		return 1
	}
	return 0
}

// critical prints a startup error in qemu-ga's log format.
func critical(msg string) {
	now := time.Now()
	fmt.Fprintf(os.Stderr, "%d.%06d: critical: %s\n", now.Unix(), now.Nanosecond()/1000, msg)
}

func withOption(m map[string]map[string]string, family, key, value string) map[string]map[string]string {
	if m == nil {
		m = map[string]map[string]string{}
	}
	if m[family] == nil {
		m[family] = map[string]string{}
	}
	if _, set := m[family][key]; !set {
		m[family][key] = value
	}
	return m
}

// ensureRuntimeDir creates the directory for plugin sockets, on tmpfs
// (/run), never on a disk that can be frozen.
func ensureRuntimeDir(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}
