// Package agent is qgad's core process: it owns the channel to the host,
// feeds the byte stream through qemu-ga's parser, dispatches requests in
// order, keeps the frozen gate, and supervises the plugins.
package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/qgad/qgad/core/channel"
	"github.com/qgad/qgad/core/dispatch"
	"github.com/qgad/qgad/core/host"
	"github.com/qgad/qgad/core/logging"
	"github.com/qgad/qgad/internal/memtrim"
)

// Version is qgad's version, reported by guest-info and -V.
const Version = "1.0.0"

// Config is what the agent needs from the command line and config file.
type Config struct {
	Method, Path string
	StateDir     string
	SysRoot      string
	RetryPath    bool
	Allow, Block []string
	Host         host.Options
	// WriteTimeout bounds one response write: a host that never reads must
	// not block the agent for ever.
	WriteTimeout time.Duration
}

// Agent is a running qgad core.
type Agent struct {
	cfg  Config
	log  hclog.Logger
	gate *logging.Gate
	// openDeferredLog opens the -l file after a thaw when the agent started
	// frozen.
	openDeferredLog func() error

	disp *dispatch.Dispatcher
	host *host.Host

	frozen   atomic.Bool
	thawedMu sync.Mutex
	thawed   *sync.Cond

	// startupErr carries a fatal error found after serving began (two
	// plugins claiming one command).
	startupErr chan error

	// trim gives memory back once the agent has been quiet for a moment.
	trim *memtrim.Idle

	startOnce sync.Once
}

// trimDelay is how long the agent must be quiet before it trims its memory.
const trimDelay = 2 * time.Second

// kickTrim (re)arms the idle trim: called on each request.
func (a *Agent) kickTrim() { a.trim.Kick(trimDelay) }

// New builds an agent. startFrozen is the result of the marker check.
func New(cfg Config, log hclog.Logger, gate *logging.Gate, deferredLog func() error, startFrozen bool) (*Agent, error) {
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	a := &Agent{cfg: cfg, log: log, gate: gate, openDeferredLog: deferredLog, startupErr: make(chan error, 1)}
	a.thawed = sync.NewCond(&a.thawedMu)
	a.trim = memtrim.NewIdle(trimDelay)
	a.frozen.Store(startFrozen)
	cfg.Host.Log = log
	cfg.Host.Frozen = a.Frozen
	cfg.Host.Stopped = a.kickTrim
	cfg.Host.Root = cfg.SysRoot
	cfg.Host.StateDir = cfg.StateDir
	h, refused := host.New(cfg.Host)
	for _, err := range refused {
		log.Error("refusing plugin", "reason", err)
	}
	a.host = h
	a.disp = &dispatch.Dispatcher{
		Registry: &dispatch.Registry{},
		Policy:   dispatch.Policy{Allow: cfg.Allow, Block: cfg.Block},
		Provider: h,
		State:    a,
		Version:  Version,
		Ready:    a.ready,
		Around:   a.aroundFreeze,
	}
	if err := a.disp.RegisterCore(); err != nil {
		return nil, err
	}
	return a, nil
}

// MarkerExists tells whether a previous instance exited while frozen. A
// stat error other than "does not exist" counts as frozen, as in qemu-ga.
func MarkerExists(stateDir string) bool {
	_, err := os.Stat(stateDir + "/" + MarkerName)
	return err == nil || !errors.Is(err, os.ErrNotExist)
}

// pluginStartDelay: plugins start this long after the channel opens, or at
// the first request that needs them, whichever comes first, so that their
// start-up (eight Go runtimes) does not slow the host's first sync.
const pluginStartDelay = 100 * time.Millisecond

// startPlugins starts plugin discovery once.
func (a *Agent) startPlugins() { a.startOnce.Do(a.StartPlugins) }

// ready waits, bounded, for plugin discovery, starting it if needed.
func (a *Agent) ready(ctx context.Context) error {
	a.startPlugins()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return a.host.Ready(ctx)
}

// StartPlugins launches the plugins and registers their commands as they
// describe themselves.
func (a *Agent) StartPlugins() {
	go func() {
		// Trim once discovery is done: plugin start-up was the last burst.
		if a.host.Ready(context.Background()) == nil {
			a.kickTrim()
		}
	}()
	a.host.Start(func(d host.Described) {
		if d.Err != nil {
			a.log.Error("plugin unavailable", "plugin", d.Family, "error", d.Err)
			return
		}
		for _, spec := range d.Info.Commands {
			args, ret, err := host.ParseSpec(spec)
			if err != nil {
				a.log.Error("plugin sent a bad schema", "plugin", d.Family, "error", err)
				continue
			}
			err = a.disp.Registry.Add(&dispatch.Command{
				Name: spec.Name, Family: d.Family, Args: args, Returns: ret, Doc: spec.Doc,
				SuccessResponse: spec.SuccessResponse, FamilyDisabled: d.Disabled,
			})
			if err != nil {
				select {
				case a.startupErr <- err:
				default:
				}
				return
			}
		}
	})
}

// Dispatcher exposes the dispatcher (for -b help and tests).
func (a *Agent) Dispatcher() *dispatch.Dispatcher { return a.disp }

// Host exposes the plugin host.
func (a *Agent) Host() *host.Host { return a.host }

// Stop stops the plugins.
func (a *Agent) Stop() { a.host.Stop() }

// WaitThawed blocks until the gate is open: SIGTERM and SIGINT wait for a
// thaw, as in qemu-ga.
func (a *Agent) WaitThawed() {
	a.thawedMu.Lock()
	for a.frozen.Load() {
		a.thawed.Wait()
	}
	a.thawedMu.Unlock()
}

// openChannel opens the configured channel, retrying every 5 s with -r.
func (a *Agent) openChannel(ctx context.Context) (channel.Channel, error) {
	for {
		ch, err := channel.Open(a.cfg.Method, a.cfg.Path)
		if err == nil {
			return ch, nil
		}
		if !a.cfg.RetryPath || errors.Is(err, channel.ErrNoPath) {
			return nil, err
		}
		a.log.Error("failed to open channel, retrying", "error", err)
		a.log.Info("waiting for channel path...")
		select {
		case <-time.After(5 * time.Second):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Run serves until ctx ends (a signal) or the channel fails without -r.
// pre is an already open channel (socket activation), or nil.
func (a *Agent) Run(ctx context.Context, pre channel.Channel, opened func() error) error {
	ch := pre
	if ch == nil {
		var err error
		if ch, err = a.openChannel(ctx); err != nil {
			return fmt.Errorf("failed to initialize guest agent channel: %w", err)
		}
	}
	if opened != nil {
		if err := opened(); err != nil {
			ch.Close()
			return err
		}
	}
	time.AfterFunc(pluginStartDelay, a.startPlugins)
	// Two plugins claiming one command stop the agent as soon as the second
	// describes itself: a startup error, found after serving began.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var fatalErr error
	go func() {
		select {
		case fatalErr = <-a.startupErr:
			cancel()
		case <-ctx.Done():
		}
	}()
	s := newServer(a)
	for {
		err := s.serve(ctx, ch)
		ch.Close()
		if ctx.Err() != nil {
			return fatalErr
		}
		if !a.cfg.RetryPath {
			a.log.Error("channel error, stopping", "error", err)
			return nil
		}
		a.log.Error("agent stopped unexpectedly, restarting...", "error", err)
		select {
		case <-time.After(5 * time.Second):
		case <-ctx.Done():
			return nil
		}
		if ch, err = a.openChannel(ctx); err != nil {
			return fmt.Errorf("failed to initialize guest agent channel: %w", err)
		}
	}
}
