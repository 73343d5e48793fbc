package fs

import (
	"encoding/binary"
	"io"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// NVMe admin command Get Log Page for the SMART / Health Information log,
// as qemu-ga issues it.
const (
	nvmeIoctlAdminCmd  = 0xC0484E41 // _IOWR('N', 0x41, struct nvme_admin_cmd)
	nvmeAdmGetLogPage  = 0x02
	nvmeNSIDBroadcast  = 0xFFFFFFFF
	nvmeLogSmartInfo   = 0x02
	nvmeSmartLogLength = 512
)

// nvmeAdminCmd is struct nvme_admin_cmd (struct nvme_passthru_cmd).
type nvmeAdminCmd struct {
	Opcode      uint8
	Flags       uint8
	Rsvd1       uint16
	NSID        uint32
	Cdw2        uint32
	Cdw3        uint32
	Metadata    uint64
	Addr        uint64
	MetadataLen uint32
	DataLen     uint32
	Cdw10       uint32
	Cdw11       uint32
	Cdw12       uint32
	Cdw13       uint32
	Cdw14       uint32
	Cdw15       uint32
	TimeoutMs   uint32
	Result      uint32
}

// nvmeSmart reads the SMART log of the NVMe disk at devnode; nil when the
// device cannot be opened or the command fails. The command only reads.
// In a test root, whose /dev holds plain files, the file's first 512 bytes
// stand for the log page the controller would return.
func (f *family) nvmeSmart(devnode string) *DiskSmart {
	file, err := os.OpenFile(f.env.Path(devnode), os.O_RDONLY, 0)
	if err != nil {
		f.env.Log.Debug("failed to open device", "dev", devnode, "error", err)
		return nil
	}
	defer file.Close()
	page := make([]byte, nvmeSmartLogLength)
	if f.sys.testRoot() {
		if _, err := io.ReadFull(file, page); err != nil {
			return nil
		}
	} else if err := nvmeGetSmartLog(file, page); err != nil {
		f.env.Log.Debug("failed to get smart", "dev", devnode, "error", err)
		return nil
	}
	return decodeSmartLog(page)
}

// nvmeGetSmartLog fills page with the controller's SMART log.
func nvmeGetSmartLog(file *os.File, page []byte) error {
	cmd := nvmeAdminCmd{
		Opcode:  nvmeAdmGetLogPage,
		NSID:    nvmeNSIDBroadcast,
		Addr:    uint64(uintptr(unsafe.Pointer(&page[0]))),
		DataLen: uint32(len(page)),
		// Log identifier, Retain Asynchronous Event, number of dwords - 1.
		Cdw10: nvmeLogSmartInfo | 1<<15 | uint32(len(page)/4-1)<<16,
	}
	conn, err := file.SyscallConn()
	if err != nil {
		return err
	}
	var errno unix.Errno
	err = conn.Control(func(fd uintptr) {
		_, _, errno = unix.Syscall(unix.SYS_IOCTL, fd, nvmeIoctlAdminCmd, uintptr(unsafe.Pointer(&cmd)))
	})
	// The kernel writes into page through the address in cmd.
	runtime.KeepAlive(page)
	if err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}

// decodeSmartLog decodes the little-endian SMART / Health Information log
// page (NVMe base specification, log identifier 02h).
func decodeSmartLog(p []byte) *DiskSmart {
	le := binary.LittleEndian
	u128 := func(off int) (lo, hi uint64) { return le.Uint64(p[off:]), le.Uint64(p[off+8:]) }
	s := &DiskSmart{Type: "nvme"}
	n := &s.NVMeSmart
	n.CriticalWarning = int64(p[0])
	n.Temperature = int64(le.Uint16(p[1:]))
	n.AvailableSpare = int64(p[3])
	n.AvailableSpareThreshold = int64(p[4])
	n.PercentageUsed = int64(p[5])
	n.DataUnitsReadLo, n.DataUnitsReadHi = u128(32)
	n.DataUnitsWrittenLo, n.DataUnitsWrittenHi = u128(48)
	n.HostReadCommandsLo, n.HostReadCommandsHi = u128(64)
	n.HostWriteCommandsLo, n.HostWriteCommandsHi = u128(80)
	n.ControllerBusyTimeLo, n.ControllerBusyTimeHi = u128(96)
	n.PowerCyclesLo, n.PowerCyclesHi = u128(112)
	n.PowerOnHoursLo, n.PowerOnHoursHi = u128(128)
	n.UnsafeShutdownsLo, n.UnsafeShutdownsHi = u128(144)
	n.MediaErrorsLo, n.MediaErrorsHi = u128(160)
	n.NumberOfErrorLogEntriesLo, n.NumberOfErrorLogEntriesHi = u128(176)
	return s
}
