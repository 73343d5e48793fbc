// Package fs is the filesystem and disk family of qgad: guest-fstrim,
// guest-get-disks, guest-get-fsinfo and guest-get-diskstats, wire-compatible
// with qemu-ga 10.2 on Linux.
//
// Everything is read through env.Root: the mount table (internal/mounts),
// sysfs, the udev database in /run/udev/data and /proc/diskstats. With a test
// root, sysfs directories are listed in the order real sysfs would list them
// (see sysfs.go) and the syscalls that act on a filesystem are confined to
// real mount points inside the root (see guard.go).
package fs

import (
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// Name is the family name.
const Name = "fs"

// Version is the family's version, reported to the core.
const Version = "0.1.0"

// family holds what the handlers need; it is per-plugin, not global.
type family struct {
	env sdk.Env
	sys sysfs
}

// New builds the family. Commands are listed in qemu-ga's schema order.
func New(env sdk.Env) (*sdk.Plugin, error) {
	f := &family{env: env, sys: sysfs{env: env}}
	return &sdk.Plugin{
		Name:    Name,
		Version: Version,
		Commands: []sdk.Command{
			{
				Name:    "guest-fstrim",
				Doc:     "Discard unused blocks (FITRIM) on every mounted local filesystem, last mounted first.",
				Args:    []qapi.Field{qapi.Opt("minimum", qapi.Int)},
				Returns: trimResponseType(),
				Run:     sdk.Handle(f.fstrim),
			},
			{
				Name:    "guest-get-disks",
				Doc:     "List the block devices of /sys/block and their partitions, with addresses, dependencies, aliases and NVMe SMART data.",
				Returns: qapi.List(diskInfoType()),
				Run:     sdk.HandleNoArgs(f.getDisks),
			},
			{
				Name:    "guest-get-fsinfo",
				Doc:     "List the mounted local filesystems, last mounted first, with their sizes and the disks beneath them.",
				Returns: qapi.List(filesystemInfoType()),
				Run:     sdk.HandleNoArgs(f.getFsinfo),
			},
			{
				Name:    "guest-get-diskstats",
				Doc:     "Return the I/O counters of /proc/diskstats.",
				Returns: qapi.List(diskStatsInfoType()),
				Run:     sdk.HandleNoArgs(f.getDiskstats),
			},
		},
	}, nil
}
