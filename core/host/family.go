package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/qgad/qgad/proto/pluginv1"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// family supervises one plugin: at most one running instance, restarted on
// demand after a crash, with back-off, until it failed too often.
type family struct {
	h        *Host
	name     string
	path     string
	disabled bool

	mu        sync.Mutex
	cur       *instance
	starting  chan struct{} // non-nil while a launch is under way
	failures  int           // consecutive failures (launch or crash)
	launchErr error         // why the last launch failed
	gaveUp    bool
	lastErr   error
	lastUsed  time.Time // end of the last call (or of the describe)
	calls     int       // calls in flight
	// bulk is set once the running instance moved a large request or
	// result: its heap grew to hold it, so it is stopped after bulkIdleStop
	// rather than the usual idle period (see stopIfIdle).
	bulk bool
}

// bulkCall is the request plus result size from which a call counts as a
// bulk transfer, and bulkIdleStop how long an instance that made one may
// stay idle. After a 48 MiB guest-file-read a Go plugin holds tens of MB
// even after returning what it can to the OS; starting it again costs
// ~30 ms, nothing next to such a transfer, and file tooling reads in a
// tight loop, so a few seconds of quiet mean the burst is over.
const (
	bulkCall     = 1 << 20
	bulkIdleStop = 5 * time.Second
)

type instance struct {
	client *plugin.Client
	remote *sdk.Remote
	done   chan struct{} // closed when the instance is stopped; ends its thread
}

func newFamily(h *Host, name, path string) *family {
	return &family{h: h, name: name, path: path}
}

// describe starts the plugin and asks for its commands. A disabled family
// is stopped again right after: its commands are listed but never run.
func (f *family) describe() Described {
	d := Described{Family: f.name, Disabled: f.disabled}
	var info *pluginv1.DescribeResponse
	// A plugin that dies while starting is tried again (with back-off)
	// until the family is given up on: its commands must not vanish
	// because of one bad start.
	for {
		var err error
		info, err = f.describeOnce()
		if err == nil {
			break
		}
		f.mu.Lock()
		gaveUp := f.gaveUp
		f.mu.Unlock()
		if gaveUp || f.h.isClosed() {
			d.Err = err
			return d
		}
	}
	if info.ProtocolVersion != sdk.ProtocolVersion {
		d.Err = fmt.Errorf("plugin %s speaks protocol %d, the core %d", f.name, info.ProtocolVersion, sdk.ProtocolVersion)
	}
	d.Info = info
	f.mu.Lock()
	f.lastUsed = time.Now()
	f.mu.Unlock()
	switch {
	case f.disabled:
		f.stop()
	case f.h.opts.IdleStop > describeGrace:
		// Started on first use: the command list is known now. Keep the
		// instance a moment for the call that may be waiting for it.
		f.mu.Lock()
		f.lastUsed = time.Now().Add(describeGrace - f.h.opts.IdleStop)
		f.mu.Unlock()
	}
	return d
}

// describeGrace is how long a plugin stays up after describing itself at
// startup when idle stop is on: a call that waited for it reuses it.
const describeGrace = 2 * time.Second

// stopIfIdle stops the plugin when no call ran for idle and it holds no
// state (the fsfreeze family says busy while frozen, file while handles
// are open, exec while children run). A call arriving meanwhile starts a
// new instance.
func (f *family) stopIfIdle(idle time.Duration) {
	f.mu.Lock()
	if f.bulk {
		idle = min(idle, bulkIdleStop)
	}
	inst := f.cur
	if inst == nil || f.calls > 0 || f.starting != nil || time.Since(f.lastUsed) < idle {
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	busy, err := inst.remote.Busy(ctx)
	cancel()
	if err != nil || busy {
		return
	}
	f.mu.Lock()
	if f.cur != inst || f.calls > 0 || time.Since(f.lastUsed) < idle {
		f.mu.Unlock()
		return
	}
	f.cur = nil
	f.bulk = false
	f.mu.Unlock()
	f.h.opts.Log.Debug("stopping idle plugin", "plugin", f.name)
	inst.kill()
	if f.h.opts.Stopped != nil {
		f.h.opts.Stopped()
	}
}

func (f *family) describeOnce() (*pluginv1.DescribeResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), f.h.opts.StartTimeout)
	defer cancel()
	inst, err := f.get(ctx)
	if err != nil {
		return nil, err
	}
	info, err := inst.remote.Describe(ctx)
	if err != nil {
		err = fmt.Errorf("plugin %s: describe: %w", f.name, err)
		f.mu.Lock()
		if f.cur == inst {
			f.dropLocked(err)
		}
		f.mu.Unlock()
		return nil, err
	}
	return info, nil
}

// get returns a running instance, launching one if needed (and waiting for
// a launch under way). Calls of a plugin still starting wait here, bounded
// by ctx. A launch that fails is reported to the calls that waited for it;
// the next call tries again, after the back-off.
func (f *family) get(ctx context.Context) (*instance, error) {
	f.mu.Lock()
	if f.gaveUp {
		err := f.lastErr
		f.mu.Unlock()
		return nil, fmt.Errorf("plugin %s failed %d times in a row and was given up on until the agent restarts (last error: %v)", f.name, f.h.opts.MaxFailures, err)
	}
	if f.cur != nil {
		if !f.cur.client.Exited() {
			inst := f.cur
			f.mu.Unlock()
			return inst, nil
		}
		// Died between calls: count it, and start a new one.
		f.dropLocked(fmt.Errorf("plugin %s exited", f.name))
	}
	if f.h.isClosed() {
		f.mu.Unlock()
		return nil, fmt.Errorf("plugin %s: agent is stopping", f.name)
	}
	if f.starting == nil {
		f.starting = make(chan struct{})
		f.launchErr = nil
		go f.launch(f.failures, f.starting)
	}
	ch := f.starting
	f.mu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
		return nil, fmt.Errorf("plugin %s is not ready: %w", f.name, ctx.Err())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cur == nil {
		if f.launchErr != nil {
			return nil, f.launchErr
		}
		return nil, fmt.Errorf("plugin %s is not running", f.name)
	}
	return f.cur, nil
}

// dropLocked forgets the current instance after a failure.
func (f *family) dropLocked(cause error) {
	if f.cur != nil {
		inst := f.cur
		f.cur = nil
		go inst.kill()
	}
	f.failures++
	f.lastErr = cause
	if f.failures >= f.h.opts.MaxFailures {
		f.gaveUp = true
		f.h.opts.Log.Error("giving up on plugin", "plugin", f.name, "failures", f.failures, "error", cause)
	}
}

// backoff is the wait before the n-th consecutive restart.
func backoff(n int) time.Duration {
	if n == 0 {
		return 0
	}
	d := 100 * time.Millisecond << min(n-1, 6)
	return min(d, 5*time.Second)
}

// launch starts an instance on a goroutine locked to its OS thread for the
// instance's life: Pdeathsig fires when the thread that forked the child
// exits, so the thread must outlive the plugin (golang/go#27505). With it,
// a plugin dies with the core even when the core is SIGKILLed.
func (f *family) launch(failures int, started chan struct{}) {
	time.Sleep(backoff(failures))
	result := make(chan error, 1)
	inst := &instance{done: make(chan struct{})}
	go func() {
		runtime.LockOSThread()
		// Never unlocked: the thread ends with this goroutine, after the
		// instance was stopped.
		client, remote, err := f.start()
		if err == nil {
			inst.client, inst.remote = client, remote
		}
		result <- err
		if err == nil {
			<-inst.done
		}
	}()
	err := <-result
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.failures++
		f.lastErr = err
		f.launchErr = err
		if f.failures >= f.h.opts.MaxFailures {
			f.gaveUp = true
		}
		f.h.opts.Log.Error("plugin failed to start", "plugin", f.name, "error", err)
	} else {
		f.cur = inst
		f.bulk = false
		f.h.opts.Log.Debug("plugin started", "plugin", f.name, "pid", inst.client.ReattachConfig().Pid)
	}
	f.starting = nil
	close(started)
}

func (f *family) start() (*plugin.Client, *sdk.Remote, error) {
	secure, err := secureConfig(f.h.opts.Families[f.name])
	if err != nil {
		return nil, nil, fmt.Errorf("plugin %s refused: %w", f.name, err)
	}
	coreEnd, pluginEnd, err := socketpair()
	if err != nil {
		return nil, nil, fmt.Errorf("plugin %s: direct channel: %w", f.name, err)
	}
	defer pluginEnd.Close() // the child has its copy once started
	cmd := exec.Command(f.path)
	cmd.Env = append(f.h.environ(f.name), fmt.Sprintf("%s=%d", sdk.EnvExecFD, sdk.ExecFD))
	cmd.ExtraFiles = []*os.File{pluginEnd} // fd 3 = sdk.ExecFD
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		Plugins:          plugin.PluginSet{sdk.PluginKey: &sdk.GRPCPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           f.h.opts.Log.Named(f.name),
		UnixSocketConfig: &plugin.UnixSocketConfig{TempDir: f.h.opts.RuntimeDir},
		GRPCDialOptions:  sdk.DialOptions(),
		StartTimeout:     f.h.opts.StartTimeout,
		SecureConfig:     secure,
	})
	rpc, err := client.Client()
	if err != nil {
		coreEnd.Close()
		client.Kill()
		return nil, nil, startError(f.name, f.path, err)
	}
	direct := sdk.OpenDirect(coreEnd) // after the handshake: the hello came before it
	raw, err := rpc.Dispense(sdk.PluginKey)
	if err != nil {
		if direct != nil {
			direct.Close()
		}
		client.Kill()
		return nil, nil, fmt.Errorf("plugin %s: %w", f.name, err)
	}
	remote, ok := raw.(*sdk.Remote)
	if !ok {
		client.Kill()
		return nil, nil, fmt.Errorf("plugin %s: unexpected plugin type %T", f.name, raw)
	}
	if direct != nil {
		remote.UseDirect(direct)
	}
	if rc := client.ReattachConfig(); rc != nil {
		f.h.limit(f.name, rc.Pid)
	}
	return client, remote, nil
}

// kill stops the instance: gracefully first (go-plugin's Kill), but a
// plugin that cannot answer (hung, or SIGSTOPped) would block that forever
// in its shutdown RPC, so a watchdog SIGKILLs it after a few seconds.
func (inst *instance) kill() {
	pid := 0
	if rc := inst.client.ReattachConfig(); rc != nil {
		pid = rc.Pid
	}
	watchdog := time.AfterFunc(3*time.Second, func() {
		if pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	inst.client.Kill()
	watchdog.Stop()
	inst.remote.Close()
	select {
	case <-inst.done:
	default:
		close(inst.done)
	}
}

func (f *family) pid() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cur == nil || f.cur.client.Exited() {
		return 0
	}
	if rc := f.cur.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

func (f *family) stop() {
	f.mu.Lock()
	inst := f.cur
	f.cur = nil
	f.mu.Unlock()
	if inst != nil {
		inst.kill()
	}
}

// execute runs one command with the family's deadline. A plugin that dies
// during the call, or passes the deadline (and is then killed), yields a
// GenericError naming it; the next call starts a new instance.
func (f *family) execute(ctx context.Context, command string, args []byte) (qapi.RawJSON, *qapi.Error, error) {
	timeout := f.h.callTimeout(f.name)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.calls--
		f.lastUsed = time.Now()
		f.mu.Unlock()
	}()
	inst, err := f.get(ctx)
	if err != nil {
		return nil, nil, err
	}
	res, qerr, err := inst.remote.Execute(ctx, command, args)
	if err == nil {
		f.mu.Lock()
		f.failures = 0
		if len(args)+len(res) >= bulkCall && f.cur == inst {
			f.bulk = true
		}
		f.mu.Unlock()
		res, qerr = f.vet(command, res, qerr)
		return res, qerr, nil
	}
	var cause error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded:
		cause = fmt.Errorf("plugin %s did not answer %s within %s and was restarted", f.name, command, timeout)
	case errors.Is(ctx.Err(), context.Canceled) || status.Code(err) == codes.Canceled:
		// The agent is stopping; the plugin is healthy.
		return nil, qapi.Errorf("%s was cancelled: the agent is stopping", command), nil
	case status.Code(err) == codes.ResourceExhausted:
		// An oversized result: the plugin is healthy, the answer is not.
		return nil, qapi.Errorf("plugin %s answered %s with a result over the size limit", f.name, command), nil
	case unsendable(err):
		// The plugin could not encode its answer (an error text that is
		// not UTF-8): the plugin is healthy, the answer is lost.
		return nil, qapi.Errorf("plugin %s could not send its answer to %s (%s)", f.name, command, strings.TrimPrefix(status.Convert(err).Message(), "grpc: ")), nil
	default:
		cause = fmt.Errorf("plugin %s failed during %s: %v", f.name, command, status.Convert(err).Message())
	}
	f.mu.Lock()
	if f.cur == inst {
		f.dropLocked(cause)
	}
	f.mu.Unlock()
	f.h.opts.Log.Error("plugin call failed", "plugin", f.name, "command", command, "error", cause)
	return nil, nil, cause
}

// socketpair returns the two ends of the plugin's direct channel (see
// sdk/direct.go), both close-on-exec: the child gets its end as fd 3
// through ExtraFiles, which clears the flag on that copy only.
func socketpair() (coreEnd, pluginEnd *os.File, err error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	for _, fd := range fds {
		_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_SNDBUF, 4<<20)
		_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<20)
	}
	return os.NewFile(uintptr(fds[0]), "qgad-exec-core"), os.NewFile(uintptr(fds[1]), "qgad-exec-plugin"), nil
}
