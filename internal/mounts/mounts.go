// Package mounts builds the list of mounted block-device filesystems exactly
// as qemu-ga does for fsfreeze, fstrim and fsinfo: from /proc/self/mountinfo,
// falling back to /proc/self/mounts, skipping pseudo and network filesystems
// and (as qemu-ga 10.0+) duplicate devices.
//
// It depends on nothing but the standard library and golang.org/x/sys so the
// core can use it for its emergency thaw.
package mounts

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/qgad/qgad/qapi"
)

// Mount is one entry of the list.
type Mount struct {
	Dir    string // mount point, unescaped
	Type   string // filesystem type
	Source string // mount source (device), unescaped
	Major  uint32
	Minor  uint32
}

// Paths of the mount tables, relative to the root the list is read through.
const (
	MountinfoPath = "/proc/self/mountinfo"
	MountsPath    = "/proc/self/mounts"
)

// Device is what stat(2) says about a mount source.
type Device struct {
	Dir   bool // a directory: the source of a bind mount
	Block bool // a block device; Major and Minor are its rdev
	Major uint32
	Minor uint32
}

// StatFunc stats a mount source (an absolute path as written in the table).
type StatFunc func(source string) (Device, error)

// List returns the mount list read through root ("/" in production), in
// mount-table order. The only error is qemu-ga's, when neither table opens.
func List(root string) ([]Mount, error) {
	stat := StatThrough(root)
	if f, err := os.Open(filepath.Join(root, MountinfoPath)); err == nil {
		defer f.Close()
		return ParseMountinfo(f, stat), nil
	}
	f, err := os.Open(filepath.Join(root, MountsPath))
	if err != nil {
		return nil, qapi.Errorf("failed to open mtab file: '%s'", MountsPath)
	}
	defer f.Close()
	return ParseMounts(f, stat), nil
}

// StatThrough stats sources inside root, so fixtures can stand in for /dev.
func StatThrough(root string) StatFunc {
	return func(source string) (Device, error) {
		return statDevice(filepath.Join(root, source))
	}
}

// readLines calls fn for every line of r, newline included. Like qemu-ga's
// getline loop, a read error simply ends the table. The C parsers see a
// line only up to a NUL byte.
func readLines(r io.Reader, fn func(line string)) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if n := strings.IndexByte(line, 0); n >= 0 {
			line = line[:n]
		}
		if line != "" {
			fn(line)
		}
		if err != nil {
			return
		}
	}
}

// list accumulates entries, dropping devices already present (qemu-ga 10.0+).
type list []Mount

func (l *list) add(m Mount) {
	for _, o := range *l {
		if o.Major == m.Major && o.Minor == m.Minor {
			return
		}
	}
	*l = append(*l, m)
}
