package fs

import (
	"path"
	"slices"
	"strings"

	"github.com/qgad/qgad/internal/cscan"
	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

// Drivers whose PCI function a disk's bus type is derived from; the sysfs
// path is walked from the root complex down until one of them is found.
var knownDrivers = []string{"ata_piix", "sym53c8xx", "virtio-pci", "ahci", "nvme", "xhci_hcd", "ehci-pci"}

// maxHosts is how many ataN/hostN entries qemu-ga collects (in readdir
// order) before sorting them.
const maxHosts = 8

// newDiskAddress is qemu-ga's starting point: PCI controller unknown (-1),
// bus type unknown, bus/target/unit 0.
func newDiskAddress() DiskAddress {
	return DiskAddress{PCIController: PCIAddress{-1, -1, -1, -1}, BusType: "unknown"}
}

// realDiskAddress builds the GuestDiskAddress of a non-virtual block device
// (syspath is resolved). It reports whether the disk is worth listing: bus
// information was derived, or udev knows its node or serial. The disk comes
// back even when err is set (a sysfs directory could not be read), as
// qemu-ga keeps it in that case too.
func (s sysfs) realDiskAddress(syspath string) (DiskAddress, bool, error) {
	d := newDiskAddress()
	if u, ok := s.udev(syspath); ok {
		dev := u.devnode
		d.Dev = &dev
		if serial := u.props["ID_SERIAL"]; serial != "" {
			d.Serial = &serial
		}
	}
	var hw bool
	var err error
	switch {
	case strings.Contains(syspath, "/devices/pci"):
		hw, err = s.pciDiskAddress(syspath, &d)
	case strings.Contains(syspath, "/devices/css"):
		hw = ccwDiskAddress(syspath, &d)
	case strings.Contains(syspath, "/virtio"):
		hw = nonPCIVirtioDiskAddress(syspath, &d)
	}
	return d, hw || d.Dev != nil || d.Serial != nil, err
}

// scsiTarget parses the "/target<h>:<c>:<t>/<h>:<c>:<t>:<l>" component of a
// SCSI device path and returns channel, target id and LUN.
func scsiTarget(syspath string) ([3]uint64, bool) {
	var tgt [3]uint64
	i := strings.Index(syspath, "/target")
	if i < 0 {
		return tgt, false
	}
	sc := cscan.New(syspath[i+len("/target"):])
	for k, sep := range []byte{':', ':', '/', ':', ':', ':'} {
		v, ok := sc.Udec()
		if !ok || !sc.Literal(sep) {
			return tgt, false
		}
		if k >= 4 {
			tgt[k-4] = v
		}
	}
	v, ok := sc.Udec()
	if !ok {
		return tgt, false
	}
	tgt[2] = v
	return tgt, true
}

// pciFunction parses "<domain>:<bus>:<slot>.<function>" (hex) at sc.
func pciFunction(sc *cscan.Scanner, pci *[4]uint64) bool {
	for k, sep := range []byte{':', ':', '.', 0} {
		v, ok := sc.Hex()
		if !ok {
			return false
		}
		pci[k] = v
		if sep != 0 && !sc.Literal(sep) {
			return false
		}
	}
	return true
}

// pciDiskAddress fills d for a device below a PCI function, following
// qemu-ga's per-driver rules.
func (s sysfs) pciDiskAddress(syspath string, d *DiskAddress) (bool, error) {
	const marker = "/devices/pci"
	i := strings.Index(syspath, marker)
	// "/devices/pci<domain>:<bus>/<domain>:<bus>:<slot>.<function>"
	sc := cscan.At(syspath, i+len(marker))
	var pci [4]uint64
	if _, ok := sc.Hex(); !ok || !sc.Literal(':') {
		return false, nil
	}
	if _, ok := sc.Hex(); !ok || !sc.Literal('/') {
		return false, nil
	}
	if !pciFunction(&sc, &pci) {
		return false, nil
	}
	var driver string
	for {
		link, err := s.readlink(path.Join(syspath[:sc.Pos()], "driver"))
		if err == nil {
			driver = path.Base(link)
			if slices.Contains(knownDrivers, driver) {
				break
			}
		}
		// Not a disk controller: maybe a bridge; descend to the next function.
		next := sc
		if !next.Literal('/') || !pciFunction(&next, &pci) {
			return false, nil
		}
		sc = next
	}

	tgt, hasTgt := scsiTarget(syspath)
	ata := true
	h := strings.Index(syspath, "/ata")
	off := len("/ata")
	if h < 0 {
		ata = false
		h = strings.Index(syspath, "/host")
		off = len("/host")
	}
	var host uint64
	var hosts []uint64
	hasHost := false
	if h >= 0 {
		hs := cscan.New(syspath[h+off:])
		if v, ok := hs.Udec(); ok {
			host, hasHost = uint32Of(v), true
			var err error
			if hosts, err = s.hostNumbers(syspath[:h], ata); err != nil {
				return false, err
			}
		}
	}

	d.PCIController = PCIAddress{
		Domain:   int64(uint32Of(pci[0])),
		Bus:      int64(uint32Of(pci[1])),
		Slot:     int64(uint32Of(pci[2])),
		Function: int64(uint32Of(pci[3])),
	}
	switch driver {
	case "ata_piix": // one host per IDE bus; target*:0:<unit>:0
		if !hasHost || !hasTgt {
			return false, nil
		}
		idx := slices.Index(hosts, host)
		if idx < 0 {
			return false, nil
		}
		d.BusType, d.Bus, d.Unit = "ide", int64(idx), int64(uint32Of(tgt[1]))
	case "sym53c8xx": // LSI SCSI: target*:0:<unit>:0
		if !hasTgt {
			return false, nil
		}
		d.BusType, d.Unit = "scsi", int64(uint32Of(tgt[1]))
	case "virtio-pci":
		if hasTgt { // virtio-scsi: target*:0:0:<unit>
			d.BusType, d.Unit = "scsi", int64(uint32Of(tgt[2]))
		} else { // virtio-blk: one disk per device
			d.BusType = "virtio"
		}
	case "ahci": // one host per unit
		if !hasHost || !hasTgt {
			return false, nil
		}
		idx := slices.Index(hosts, host)
		if idx < 0 {
			return false, nil
		}
		d.BusType, d.Unit = "sata", int64(idx)
	case "nvme":
		d.BusType = "nvme"
	case "ehci-pci", "xhci_hcd":
		d.BusType = "usb"
	}
	return true, nil
}

// uint32Of truncates a scanned value to the C unsigned int it is stored in.
func uint32Of(v uint64) uint64 { return uint64(uint32(v)) }

// hostNumbers lists the ataN (or hostN) entries of dir: the first maxHosts
// in readdir order, sorted.
func (s sysfs) hostNumbers(dir string, ata bool) ([]uint64, error) {
	entries, err := s.readDir(dir)
	if err != nil {
		return nil, qapi.Errorf("opendir(\"%s\"): %s", dir, runner.ErrText(err))
	}
	prefix := "host"
	if ata {
		prefix = "ata"
	}
	var hosts []uint64
	for _, e := range entries {
		if len(hosts) == maxHosts {
			break
		}
		name, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		sc := cscan.New(name)
		if v, ok := sc.Udec(); ok {
			hosts = append(hosts, uint32Of(v))
		}
	}
	slices.Sort(hosts)
	return hosts, nil
}

// nonPCIVirtioDiskAddress fills d for a virtio disk that is not on PCI
// (virtio-mmio, s390 CCW).
func nonPCIVirtioDiskAddress(syspath string, d *DiskAddress) bool {
	if !strings.Contains(syspath, "/virtio") || !strings.Contains(syspath, "/block") {
		return false
	}
	if tgt, ok := scsiTarget(syspath); ok { // virtio-scsi: target*:0:<target>:<unit>
		d.BusType = "scsi"
		d.Bus, d.Target, d.Unit = int64(uint32Of(tgt[0])), int64(uint32Of(tgt[1])), int64(uint32Of(tgt[2]))
	} else {
		d.BusType = "virtio"
	}
	return true
}

// ccwDiskAddress fills d's ccw-address from
// "/devices/css<n>/<cssid>.<ssid>.<subchno>/<x>.<y>.<devno>/".
func ccwDiskAddress(syspath string, d *DiskAddress) bool {
	const marker = "/devices/css"
	i := strings.Index(syspath, marker)
	sc := cscan.At(syspath, i+len(marker))
	var v [4]uint64
	n := 0
	scan := func(sep byte) bool {
		x, ok := sc.Hex()
		if !ok {
			return false
		}
		v[n] = x
		n++
		return sep == 0 || sc.Literal(sep)
	}
	skip := func(sep byte) bool {
		_, ok := sc.Hex()
		return ok && sc.Literal(sep)
	}
	_ = skip('/') && scan('.') && scan('.') && scan('/') && skip('.') && skip('.') && scan(0)
	if n < 4 {
		return false
	}
	d.CCWAddress = &CCWAddress{
		Cssid:   int64(uint32Of(v[0])),
		Ssid:    int64(uint32Of(v[1])),
		Subchno: int64(uint32Of(v[2])),
		Devno:   int64(uint32Of(v[3])),
	}
	if strings.Contains(syspath[i:], "/virtio") {
		nonPCIVirtioDiskAddress(syspath, d)
	}
	return true
}
