package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"slices"
	"strings"

	"github.com/qgad/qgad/internal/mounts"
	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

// getFsinfo is guest-get-fsinfo: one entry per mount of the common mount
// list, last mounted first.
func (f *family) getFsinfo(ctx context.Context) ([]FilesystemInfo, error) {
	ms, err := mounts.List(f.env.Root)
	if err != nil {
		return nil, err
	}
	out := make([]FilesystemInfo, 0, len(ms))
	for _, m := range ms {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("guest-get-fsinfo: %w", err)
		}
		info := FilesystemInfo{Mountpoint: m.Dir, Type: m.Type, Disk: []DiskAddress{}}
		devpath := fmt.Sprintf("/sys/dev/block/%d:%d", m.Major, m.Minor)
		if err := f.sys.fsinfoForDevice(devpath, &info); err != nil {
			return nil, err
		}
		f.fillSizes(m.Dir, &info)
		out = append(out, info)
	}
	slices.Reverse(out) // qemu-ga prepends
	return out, nil
}

// fillSizes sets the size members from statvfs(2) of the mount point; they
// stay absent when it fails.
func (f *family) fillSizes(dir string, info *FilesystemInfo) {
	st, ok := f.statvfs(dir)
	if !ok {
		return
	}
	frsize := uint64(st.Frsize)
	used := st.Blocks - st.Bfree
	total := (used + st.Bavail) * frsize
	usedBytes := used * frsize
	privileged := st.Blocks * frsize
	info.UsedBytes, info.TotalBytes, info.TotalBytesPrivileged = &usedBytes, &total, &privileged
}

// fsinfoForDevice is qemu-ga's build_guest_fsinfo_for_device(): it names the
// filesystem after the first device it resolves and collects the disks
// below it, recursing through the slaves of virtual (dm, md) devices.
func (s sysfs) fsinfoForDevice(devpath string, info *FilesystemInfo) error {
	syspath, err := s.realpath(devpath)
	if err != nil {
		if !errors.Is(err, iofs.ErrNotExist) {
			return qapi.Errorf("realpath(\"%s\"): %s", devpath, runner.ErrText(err))
		}
		// No such device here, as in containers: keep the major:minor name.
		if info.Name == "" {
			info.Name = path.Base(devpath)
		}
		return nil
	}
	if info.Name == "" {
		info.Name = path.Base(syspath)
	}
	if isVirtual(syspath) {
		return s.fsinfoForVirtualDevice(syspath, info)
	}
	d, keep, err := s.realDiskAddress(syspath)
	if keep {
		info.Disk = slices.Insert(info.Disk, 0, d) // qemu-ga prepends
	}
	return err
}

// isVirtual tells dm, md, loop and other software devices from hardware.
func isVirtual(syspath string) bool {
	return strings.Contains(syspath, "/devices/virtual/block/")
}

// fsinfoForVirtualDevice recurses into the devices a virtual device is
// built on (its slaves/ symlinks, in readdir order).
func (s sysfs) fsinfoForVirtualDevice(syspath string, info *FilesystemInfo) error {
	dir := syspath + "/slaves"
	entries, err := s.readDir(dir)
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) {
			return nil
		}
		return qapi.Errorf("opendir(\"%s\"): %s", dir, runner.ErrText(err))
	}
	for _, e := range entries {
		if e.Type() != iofs.ModeSymlink {
			continue
		}
		if err := s.fsinfoForDevice(dir+"/"+e.Name(), info); err != nil {
			return err
		}
	}
	return nil
}
