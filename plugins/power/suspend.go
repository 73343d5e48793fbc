package power

import (
	"context"
	"os"
	"strings"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

// suspendMode is qemu-ga's SuspendMode.
type suspendMode int

const (
	modeDisk suspendMode = iota
	modeRAM
	modeHybrid
)

// modeNames are the per-mode words each strategy uses.
type modeNames struct {
	systemdUnit string // probed with "systemctl status <unit>"
	systemctl   string // "systemctl <verb>"
	pmFlag      string // "pm-is-supported <flag>"
	pmProgram   string
	sysfs       string // word in /sys/power/state; "" if the mode has none
}

func (m suspendMode) names() modeNames {
	switch m {
	case modeDisk:
		return modeNames{"systemd-hibernate", "hibernate", "--hibernate", "pm-hibernate", "disk"}
	case modeRAM:
		return modeNames{"systemd-suspend", "suspend", "--suspend", "pm-suspend", "mem"}
	default:
		return modeNames{"systemd-hybrid-sleep", "hybrid-sleep", "--suspend-hybrid", "pm-suspend-hybrid", ""}
	}
}

// sysPowerState is the kernel's suspend interface, as named in error texts.
const sysPowerState = "/sys/power/state"

// strategy tries one way of suspending. supported reports whether it
// claimed the mode; err is then the outcome of its attempt.
type strategy func(ctx context.Context, n modeNames) (supported bool, err error)

// suspend tries systemd, pm-utils and sysfs in order, like qemu-ga 8.1+.
// Unlike qemu-ga, when a strategy claimed support and failed and no later
// one succeeded, the last such failure is returned instead of a silent
// success.
func (f *family) suspend(ctx context.Context, m suspendMode) error {
	n := m.names()
	supported := false
	var failure error
	for _, try := range []strategy{f.systemd, f.pmUtils, f.sysfs} {
		ok, err := try(ctx, n)
		if !ok {
			continue
		}
		if err == nil {
			return nil
		}
		supported, failure = true, err
	}
	if !supported {
		return qapi.Errorf("the requested suspend mode is not supported by the guest")
	}
	return failure
}

// systemd: "systemctl status <unit>" exiting 1, 2 or 3 (LSB: loaded but not
// running) means the sleep unit exists.
func (f *family) systemd(ctx context.Context, n modeNames) (bool, error) {
	if !f.runHelper(ctx, "systemctl", "status", n.systemdUnit).exited(1, 2, 3) {
		return false, nil
	}
	return true, f.action(ctx, "systemctl "+n.systemctl, "systemctl", n.systemctl)
}

// pmUtils: "pm-is-supported <flag>" exiting 0 means supported.
func (f *family) pmUtils(ctx context.Context, n modeNames) (bool, error) {
	if !f.runHelper(ctx, "pm-is-supported", n.pmFlag).exited(0) {
		return false, nil
	}
	return true, f.action(ctx, n.pmProgram, n.pmProgram)
}

// sysfs: the mode's word among the first 31 bytes of /sys/power/state
// means supported; writing the word suspends.
func (f *family) sysfs(_ context.Context, n modeNames) (bool, error) {
	if n.sysfs == "" {
		return false, nil
	}
	path := f.env.Path(sysPowerState)
	r, err := os.Open(path)
	if err != nil {
		return false, nil
	}
	buf := make([]byte, 31)
	k, _ := r.Read(buf) // one read(2), as qemu-ga does
	_ = r.Close()
	if k <= 0 || !strings.Contains(string(buf[:k]), n.sysfs) {
		return false, nil
	}
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err == nil {
		_, err = w.Write([]byte(n.sysfs))
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return true, qapi.Errorf("suspend: cannot write to '%s': %s", sysPowerState, runner.ErrText(err))
	}
	return true, nil
}
