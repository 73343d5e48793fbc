// Package host runs command-family plugins as hashicorp/go-plugin gRPC
// subprocesses: it discovers them, starts them concurrently, registers the
// commands they describe, routes calls to them with a deadline, and restarts
// the ones that die, with back-off and a bounded number of tries.
package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/qgad/qgad/proto/pluginv1"
	"github.com/qgad/qgad/qapi"
)

// Options configure the host.
type Options struct {
	Dirs        []string
	Disabled    []string // families the admin disabled: listed, not callable
	RuntimeDir  string   // plugin sockets; must be on tmpfs
	Root        string   // QGAD_ROOT for the families
	StateDir    string
	Families    map[string]map[string]string // per-family options
	CallTimeout time.Duration                // default per-call deadline
	// IdleStop stops a plugin that served no call for this long and does
	// not hold state (its Status says busy), also right after it described
	// itself at startup; the next call starts it again. 0 keeps plugins
	// running.
	IdleStop time.Duration
	// Stopped, if set, is called after an idle plugin was stopped (the
	// core trims its own memory once that burst of work is over).
	Stopped      func()
	StartTimeout time.Duration
	MaxFailures  int    // consecutive failures before giving up on a family
	MemoryLimit  string // GOMEMLIMIT for each plugin process ("" = none)
	// CgroupRoot is the cgroup v2 mount the families' memory-max and
	// cpu-max caps are applied under ("" = /sys/fs/cgroup).
	CgroupRoot string
	// Frozen tells whether filesystems are frozen; plugins started then are
	// told so (QGAD_FROZEN=1) and must not write to disk.
	Frozen func() bool
	Log    hclog.Logger
}

func (o *Options) fill() {
	if o.CallTimeout <= 0 {
		o.CallTimeout = 5 * time.Minute
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 10 * time.Second
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = 5
	}
	if o.Log == nil {
		o.Log = hclog.NewNullLogger()
	}
}

// Described is one family's command list as its plugin reported it.
type Described struct {
	Family   string
	Disabled bool
	Info     *pluginv1.DescribeResponse
	Err      error
}

// Host supervises the plugins.
type Host struct {
	opts     Options
	families map[string]*family
	order    []string
	all      chan struct{} // closed when every family has described itself
	readyBy  time.Time     // Ready waits no longer than this
	mu       sync.Mutex
	closed   bool
	silent   map[string]bool // commands without a success response
}

// New discovers plugins; it starts nothing yet.
func New(opts Options) (*Host, []error) {
	opts.fill()
	found, refused := Discover(opts.Dirs)
	h := &Host{opts: opts, families: map[string]*family{}, all: make(chan struct{})}
	for _, f := range found {
		fam := newFamily(h, f.Family, f.Path)
		for _, d := range opts.Disabled {
			if d == f.Family {
				fam.disabled = true
			}
		}
		h.families[f.Family] = fam
		h.order = append(h.order, f.Family)
	}
	sort.Strings(h.order)
	return h, refused
}

// readyWait bounds how long Ready waits after Start: plugins describe
// themselves in milliseconds (about half a second in a TCG guest); one that
// hangs in its handshake must not hold guest-info, and its commands appear
// when it does describe itself.
const readyWait = 3 * time.Second

// Families lists the discovered family names.
func (h *Host) Families() []string { return append([]string(nil), h.order...) }

// Start launches every plugin concurrently and calls onDescribed for each
// as it reports its commands. It returns at once.
func (h *Host) Start(onDescribed func(Described)) {
	h.readyBy = time.Now().Add(min(readyWait, h.opts.StartTimeout))
	if h.opts.IdleStop > 0 {
		go h.stopIdle()
	}
	var wg sync.WaitGroup
	for _, name := range h.order {
		fam := h.families[name]
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := fam.describe()
			h.noteSilent(d)
			onDescribed(d)
		}()
	}
	go func() {
		wg.Wait()
		close(h.all)
	}()
}

// Ready waits until every plugin has described itself, or ctx ends. It
// waits StartTimeout from Start at most: a plugin that hangs at start is
// tried again and again (StartTimeout each), and must not hold up the
// agent's answers that long; a late plugin's commands register when it
// succeeds.
func (h *Host) Ready(ctx context.Context) error {
	bound := time.NewTimer(time.Until(h.readyBy))
	defer bound.Stop()
	select {
	case <-h.all:
	case <-bound.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// ParseSpec decodes a command's schemas as the Base service sent them.
func ParseSpec(c *pluginv1.CommandSpec) (args []qapi.Field, ret *qapi.Type, err error) {
	if len(c.ArgsSchema) > 0 {
		if err := json.Unmarshal(c.ArgsSchema, &args); err != nil {
			return nil, nil, fmt.Errorf("argument schema of %s: %w", c.Name, err)
		}
	}
	if len(c.ReturnsSchema) > 0 {
		ret = &qapi.Type{}
		if err := json.Unmarshal(c.ReturnsSchema, ret); err != nil {
			return nil, nil, fmt.Errorf("return schema of %s: %w", c.Name, err)
		}
	}
	return args, ret, nil
}

// Execute runs a command in its family's plugin (dispatch.Provider).
func (h *Host) Execute(ctx context.Context, familyName, command string, args []byte) (qapi.RawJSON, *qapi.Error, error) {
	fam, ok := h.families[familyName]
	if !ok {
		return nil, nil, fmt.Errorf("no plugin provides %s", command)
	}
	return fam.execute(ctx, command, args)
}

// Stop kills every plugin (gracefully first, as go-plugin's Kill does).
func (h *Host) Stop() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, fam := range h.families {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fam.stop()
		}()
	}
	wg.Wait()
}

// stopIdle stops plugins that have been idle for IdleStop and hold no
// state, so an idle agent costs one process. Checked every second.
func (h *Host) stopIdle() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for range tick.C {
		if h.isClosed() {
			return
		}
		for _, fam := range h.families {
			fam.stopIfIdle(h.opts.IdleStop)
		}
	}
}

func (h *Host) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// PIDs returns the process ids of the running plugins (for tests and the
// benchmark's memory accounting).
func (h *Host) PIDs() map[string]int {
	out := map[string]int{}
	for name, fam := range h.families {
		if pid := fam.pid(); pid > 0 {
			out[name] = pid
		}
	}
	return out
}

// environ is the environment of a plugin process: the core's own (so
// QGA_OS_RELEASE and PATH reach the families), plus the family's settings.
func (h *Host) environ(family string) []string {
	env := os.Environ()
	env = append(env, "QGAD_ROOT="+h.opts.Root, "QGAD_STATEDIR="+h.opts.StateDir)
	// Where the plugin creates its gRPC socket: tmpfs, never a disk that
	// can be frozen. go-plugin sets this only with a custom runner.
	env = append(env, "PLUGIN_UNIX_SOCKET_DIR="+h.opts.RuntimeDir)
	for k, v := range h.opts.Families[family] {
		env = append(env, "QGAD_OPT_"+strings.ToUpper(strings.ReplaceAll(k, "-", "_"))+"="+v)
	}
	if h.opts.Frozen != nil && h.opts.Frozen() {
		env = append(env, "QGAD_FROZEN=1")
	}
	if h.opts.MemoryLimit != "" {
		env = append(env, "GOMEMLIMIT="+h.opts.MemoryLimit)
	}
	return env
}

func (h *Host) callTimeout(family string) time.Duration {
	if s, ok := h.opts.Families[family]["call-timeout"]; ok {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
	}
	return h.opts.CallTimeout
}

var errGaveUp = errors.New("gave up")
