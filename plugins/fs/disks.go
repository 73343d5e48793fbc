package fs

import (
	"context"
	"fmt"
	iofs "io/fs"
	"slices"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

// getDisks is guest-get-disks: every non-empty block device of /sys/block,
// each followed by its partitions, the whole list in reverse discovery order
// (qemu-ga prepends).
func (f *family) getDisks(ctx context.Context) ([]DiskInfo, error) {
	entries, err := f.sys.readDir("/sys/block")
	if err != nil {
		return nil, qapi.Errorf("Can't open directory \"/sys/block\": %s", runner.ErrText(err))
	}
	var out []DiskInfo
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("guest-get-disks: %w", err)
		}
		if e.Type() != iofs.ModeSymlink {
			continue
		}
		dir := "/sys/block/" + e.Name()
		size, err := f.sys.readFile(dir + "/size")
		if err != nil || string(size) == "0\n" {
			continue
		}
		u, ok := f.sys.udev(dir)
		if !ok {
			continue
		}
		disk := DiskInfo{Name: u.devnode}
		if alias := u.props["DM_NAME"]; alias != "" {
			disk.Alias = &alias
		}
		if real, err := f.sys.realpath(dir); err == nil && !isVirtual(real) {
			disk.Address = f.sys.diskAddress(dir)
		}
		disk.Dependencies = f.sys.dependencies(dir)
		if disk.Address != nil && disk.Address.BusType == "nvme" {
			disk.Smart = f.nvmeSmart(disk.Name)
		}
		out = append(out, disk)
		out = append(out, f.sys.partitions(e.Name(), dir, disk.Name)...)
	}
	slices.Reverse(out)
	if out == nil {
		out = []DiskInfo{}
	}
	return out, nil
}

// diskAddress is the address guest-get-fsinfo would report for the disk;
// errors are ignored, as qemu-ga does here.
func (s sysfs) diskAddress(dir string) *DiskAddress {
	info := FilesystemInfo{}
	_ = s.fsinfoForDevice(dir, &info)
	if len(info.Disk) == 0 {
		return nil
	}
	return &info.Disk[0]
}

// dependencies lists the device nodes of the disk's slaves, last first;
// nil (member absent) when there is no slaves directory.
func (s sysfs) dependencies(dir string) []string {
	entries, err := s.readDir(dir + "/slaves")
	if err != nil {
		return nil
	}
	deps := []string{}
	for _, e := range entries {
		if u, ok := s.udev(dir + "/slaves/" + e.Name()); ok {
			deps = slices.Insert(deps, 0, u.devnode)
		}
	}
	return deps
}

// partitions lists the partitions of disk name (subdirectories named
// <name><digit>… or <name>p<digit>…) in readdir order, each depending on
// the disk's node.
func (s sysfs) partitions(name, dir, diskNode string) []DiskInfo {
	entries, err := s.readDir(dir)
	if err != nil {
		return nil
	}
	var parts []DiskInfo
	for _, e := range entries {
		if !e.IsDir() || !isPartitionName(name, e.Name()) {
			continue
		}
		u, ok := s.udev(dir + "/" + e.Name())
		if !ok {
			continue
		}
		parts = append(parts, DiskInfo{Name: u.devnode, Partition: true, Dependencies: []string{diskNode}})
	}
	return parts
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isPartitionName matches "<disk><digit>…" and "<disk>p<digit>…".
func isPartitionName(disk, entry string) bool {
	if len(entry) <= len(disk) || entry[:len(disk)] != disk {
		return false
	}
	rest := entry[len(disk):]
	return isDigit(rest[0]) || (rest[0] == 'p' && len(rest) > 1 && isDigit(rest[1]))
}
