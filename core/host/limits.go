package host

import (
	"errors"

	"github.com/qgad/qgad/core/cgroup"
)

// limit moves a freshly started plugin into its family's cgroup when the
// family has memory-max or cpu-max options. It never fails the start: where
// there is no cgroup v2 the caps cannot apply, and the log says so. The
// plugin ran its setup before this; it has served no command yet.
func (h *Host) limit(family string, pid int) {
	limits, err := cgroup.ParseLimits(h.opts.Families[family])
	if err != nil {
		h.opts.Log.Error("plugin limits not applied", "plugin", family, "error", err)
		return
	}
	if limits.Empty() || pid <= 0 {
		return
	}
	err = cgroup.New(h.opts.CgroupRoot).Place(family, pid, limits)
	switch {
	case errors.Is(err, cgroup.ErrUnavailable):
		h.opts.Log.Error("plugin limits not applied: no cgroup v2 hierarchy", "plugin", family, "root", cgroup.New(h.opts.CgroupRoot).Root)
	case err != nil:
		h.opts.Log.Error("plugin limits not applied", "plugin", family, "error", err)
	default:
		h.opts.Log.Debug("plugin limits applied", "plugin", family, "pid", pid, "memory.max", limits.MemoryMax, "cpu.max", limits.CPUMax)
	}
}
