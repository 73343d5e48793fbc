package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/qgad/qgad/core/dispatch"
	"github.com/qgad/qgad/internal/freeze"
	"github.com/qgad/qgad/internal/mounts"
	"github.com/qgad/qgad/qapi"
)

// MarkerName is qemu-ga's "a previous instance exited while frozen" file.
const MarkerName = "qga.state.isfrozen"

func (a *Agent) markerPath() string { return filepath.Join(a.cfg.StateDir, MarkerName) }

// Frozen reports the frozen gate (dispatch.State).
func (a *Agent) Frozen() bool { return a.frozen.Load() }

// enterFrozen closes the gate before any FIFREEZE: from here on only the
// six allowed commands run and nothing is logged to disk (spec 3.4).
func (a *Agent) enterFrozen() {
	if a.frozen.Swap(true) {
		return
	}
	a.log.Warn("disabling logging due to filesystem freeze")
	a.gate.Close()
}

// leaveFrozen opens the gate again after a thaw.
func (a *Agent) leaveFrozen() {
	if !a.frozen.Swap(false) {
		return
	}
	a.gate.Open()
	if a.openDeferredLog != nil {
		if err := a.openDeferredLog(); err != nil {
			a.log.Error("opening the deferred log file", "error", err)
		}
		a.openDeferredLog = nil
	}
	a.log.Info("logging re-enabled due to filesystem unfreeze")
	a.thawed.Broadcast()
}

// aroundFreeze keeps the core's gate in step with the fsfreeze family, and
// thaws without the plugin when it is dead or hung.
func (a *Agent) aroundFreeze(ctx context.Context, name string, run dispatch.RunFunc) (qapi.RawJSON, *qapi.Error) {
	switch name {
	case "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list":
		a.enterFrozen()
		res, qerr, err := run()
		if err != nil {
			// The plugin died mid-freeze: undo whatever it froze.
			a.emergencyThaw()
			return nil, qapi.Errorf("%v", err)
		}
		if qerr != nil || strings.TrimSpace(string(res)) == "0" {
			a.leaveFrozen()
		}
		return res, qerr
	case "guest-fsfreeze-thaw":
		res, qerr, err := run()
		if err != nil {
			n := a.emergencyThaw()
			return qapi.RawJSON(strconv.Itoa(n)), nil
		}
		a.syncFrozen(ctx)
		return res, qerr
	case "guest-fsfreeze-status":
		// The gate follows the family's state after every freeze and thaw
		// (and the marker at startup), so the core answers: KubeVirt polls
		// this every 5 s, and it must not start a stopped plugin or fail
		// while one restarts.
		if a.Frozen() {
			return qapi.RawJSON(`"frozen"`), nil
		}
		return qapi.RawJSON(`"thawed"`), nil
	}
	res, qerr, err := run()
	if err != nil {
		return nil, qapi.Errorf("%v", err)
	}
	return res, qerr
}

// syncFrozen reads the family's state after a thaw: a thaw whose hook
// failed still thawed, a thaw whose mount list failed did not.
func (a *Agent) syncFrozen(ctx context.Context) {
	res, qerr, err := a.host.Execute(ctx, a.fsfreezeFamily(), "guest-fsfreeze-status", []byte("{}"))
	if err != nil || qerr != nil {
		return
	}
	if string(res) == `"thawed"` {
		a.leaveFrozen()
	}
}

func (a *Agent) fsfreezeFamily() string {
	if c, ok := a.disp.Registry.Lookup("guest-fsfreeze-thaw"); ok {
		return c.Family
	}
	return "fsfreeze"
}

// emergencyThaw is the core's own thaw, for when the fsfreeze plugin cannot
// do it: the same FITHAW sweep over the same mount list, then the marker is
// removed and the gate opened.
func (a *Agent) emergencyThaw() int {
	list, err := mounts.List(a.cfg.SysRoot)
	n := 0
	if err == nil {
		n = freeze.Thaw(list)
	}
	if err := os.Remove(a.markerPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		a.log.Error("removing the frozen marker", "error", err)
	}
	a.leaveFrozen()
	a.log.Warn("thawed filesystems without the fsfreeze plugin", "count", n, "mount-list-error", err)
	return n
}
