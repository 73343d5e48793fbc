package mounts

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// statDevice classifies path the way qemu-ga's dev_major_minor() does.
func statDevice(path string) (Device, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return Device{}, fmt.Errorf("stat %s: %w", path, err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return Device{Dir: true}, nil
	case unix.S_IFBLK:
		return Device{Block: true, Major: unix.Major(st.Rdev), Minor: unix.Minor(st.Rdev)}, nil
	}
	return Device{}, nil
}
