package fs

import (
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
)

// udevDevice is what qemu-ga asks libudev about a sysfs device: its device
// node and its properties (ID_SERIAL, DM_NAME). It is read directly from the
// device's uevent file and udev's database, so no libudev (and no cgo) is
// needed, and fixtures can provide both.
type udevDevice struct {
	devnode string
	props   map[string]string
}

// udev looks a sysfs path up as udev_device_new_from_syspath() does: the path
// is resolved, and a device below /sys/devices must have a uevent file.
// Properties come from the uevent file, then from the database entry
// /run/udev/data/b<major>:<minor> ("E:KEY=value" lines). The device node is
// the database's "N:" entry if any, else /dev/ plus the uevent DEVNAME, else
// /dev/ plus the device's directory name.
func (s sysfs) udev(syspath string) (udevDevice, bool) {
	real, err := s.realpath(syspath)
	if err != nil {
		return udevDevice{}, false
	}
	fi, err := os.Stat(s.env.Path(real))
	if err != nil || !fi.IsDir() {
		return udevDevice{}, false
	}
	d := udevDevice{props: map[string]string{}}
	uevent, err := s.readFile(path.Join(real, "uevent"))
	if err != nil && strings.HasPrefix(real, "/sys/devices/") {
		return udevDevice{}, false
	}
	for _, line := range strings.Split(string(uevent), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && k != "" {
			d.props[k] = v
		}
	}
	major, minor, ok := s.devNumber(real, d.props)
	name := ""
	if ok {
		db, err := s.readFile(fmt.Sprintf("/run/udev/data/b%d:%d", major, minor))
		if err == nil {
			for _, line := range strings.Split(string(db), "\n") {
				switch {
				case strings.HasPrefix(line, "E:"):
					if k, v, ok := strings.Cut(line[2:], "="); ok && k != "" {
						d.props[k] = v
					}
				case strings.HasPrefix(line, "N:"):
					name = line[2:]
				}
			}
		}
	}
	if name == "" {
		name = d.props["DEVNAME"]
	}
	if name == "" {
		name = path.Base(real)
	}
	if !strings.HasPrefix(name, "/") {
		name = "/dev/" + name
	}
	d.devnode = name
	return d, true
}

// devNumber returns a device's major:minor, from its uevent properties or
// its "dev" file.
func (s sysfs) devNumber(real string, props map[string]string) (uint64, uint64, bool) {
	maj, errMaj := strconv.ParseUint(props["MAJOR"], 10, 32)
	min, errMin := strconv.ParseUint(props["MINOR"], 10, 32)
	if errMaj == nil && errMin == nil {
		return maj, min, true
	}
	b, err := s.readFile(path.Join(real, "dev"))
	if err != nil {
		return 0, 0, false
	}
	a, c, found := strings.Cut(strings.TrimSpace(string(b)), ":")
	if !found {
		return 0, 0, false
	}
	maj, errMaj = strconv.ParseUint(a, 10, 32)
	min, errMin = strconv.ParseUint(c, 10, 32)
	return maj, min, errMaj == nil && errMin == nil
}
