package fs

import "github.com/qgad/qgad/qapi"

// Result types, members declared in qemu-ga's schema order (which decides
// the order of members sharing a QDict bucket). Optional members whose zero
// value is meaningful are pointers, so that absent and 0 differ.

// TrimResult is GuestFilesystemTrimResult.
type TrimResult struct {
	Path    string  `json:"path"`
	Trimmed *int64  `json:"trimmed,omitempty"`
	Minimum *int64  `json:"minimum,omitempty"`
	Error   *string `json:"error,omitempty"`
}

// TrimResponse is GuestFilesystemTrimResponse.
type TrimResponse struct {
	Paths []TrimResult `json:"paths"`
}

// PCIAddress is GuestPCIAddress; -1 in every member means unknown.
type PCIAddress struct {
	Domain   int64 `json:"domain"`
	Bus      int64 `json:"bus"`
	Slot     int64 `json:"slot"`
	Function int64 `json:"function"`
}

// CCWAddress is GuestCCWAddress (s390 channel I/O).
type CCWAddress struct {
	Cssid   int64 `json:"cssid"`
	Ssid    int64 `json:"ssid"`
	Subchno int64 `json:"subchno"`
	Devno   int64 `json:"devno"`
}

// DiskAddress is GuestDiskAddress.
type DiskAddress struct {
	PCIController PCIAddress  `json:"pci-controller"`
	BusType       string      `json:"bus-type"`
	Bus           int64       `json:"bus"`
	Target        int64       `json:"target"`
	Unit          int64       `json:"unit"`
	Serial        *string     `json:"serial,omitempty"`
	Dev           *string     `json:"dev,omitempty"`
	CCWAddress    *CCWAddress `json:"ccw-address,omitempty"`
}

// FilesystemInfo is GuestFilesystemInfo.
type FilesystemInfo struct {
	Name                 string        `json:"name"`
	Mountpoint           string        `json:"mountpoint"`
	Type                 string        `json:"type"`
	UsedBytes            *uint64       `json:"used-bytes,omitempty"`
	TotalBytes           *uint64       `json:"total-bytes,omitempty"`
	TotalBytesPrivileged *uint64       `json:"total-bytes-privileged,omitempty"`
	Disk                 []DiskAddress `json:"disk"` // always present, [] when empty
}

// NVMeSmart is GuestNVMeSmart, the SMART / Health Information log page.
type NVMeSmart struct {
	CriticalWarning           int64  `json:"critical-warning"`
	Temperature               int64  `json:"temperature"`
	AvailableSpare            int64  `json:"available-spare"`
	AvailableSpareThreshold   int64  `json:"available-spare-threshold"`
	PercentageUsed            int64  `json:"percentage-used"`
	DataUnitsReadLo           uint64 `json:"data-units-read-lo"`
	DataUnitsReadHi           uint64 `json:"data-units-read-hi"`
	DataUnitsWrittenLo        uint64 `json:"data-units-written-lo"`
	DataUnitsWrittenHi        uint64 `json:"data-units-written-hi"`
	HostReadCommandsLo        uint64 `json:"host-read-commands-lo"`
	HostReadCommandsHi        uint64 `json:"host-read-commands-hi"`
	HostWriteCommandsLo       uint64 `json:"host-write-commands-lo"`
	HostWriteCommandsHi       uint64 `json:"host-write-commands-hi"`
	ControllerBusyTimeLo      uint64 `json:"controller-busy-time-lo"`
	ControllerBusyTimeHi      uint64 `json:"controller-busy-time-hi"`
	PowerCyclesLo             uint64 `json:"power-cycles-lo"`
	PowerCyclesHi             uint64 `json:"power-cycles-hi"`
	PowerOnHoursLo            uint64 `json:"power-on-hours-lo"`
	PowerOnHoursHi            uint64 `json:"power-on-hours-hi"`
	UnsafeShutdownsLo         uint64 `json:"unsafe-shutdowns-lo"`
	UnsafeShutdownsHi         uint64 `json:"unsafe-shutdowns-hi"`
	MediaErrorsLo             uint64 `json:"media-errors-lo"`
	MediaErrorsHi             uint64 `json:"media-errors-hi"`
	NumberOfErrorLogEntriesLo uint64 `json:"number-of-error-log-entries-lo"`
	NumberOfErrorLogEntriesHi uint64 `json:"number-of-error-log-entries-hi"`
}

// DiskSmart is the GuestDiskSmart union: the discriminator "type" (a bus
// type, always "nvme" today) first, as QAPI visits the base before the branch.
type DiskSmart struct {
	Type string `json:"type"`
	NVMeSmart
}

// DiskInfo is GuestDiskInfo. Dependencies is absent when nil and [] when
// empty (the slaves directory exists but is empty).
type DiskInfo struct {
	Name         string       `json:"name"`
	Partition    bool         `json:"partition"`
	Dependencies []string     `json:"dependencies,omitempty"`
	Address      *DiskAddress `json:"address,omitempty"`
	Alias        *string      `json:"alias,omitempty"`
	Smart        *DiskSmart   `json:"smart,omitempty"`
}

// DiskStats is GuestDiskStats; which members are present depends on how many
// counters the /proc/diskstats line has.
type DiskStats struct {
	ReadSectors    *uint64 `json:"read-sectors,omitempty"`
	ReadIOs        *uint64 `json:"read-ios,omitempty"`
	ReadMerges     *uint64 `json:"read-merges,omitempty"`
	WriteSectors   *uint64 `json:"write-sectors,omitempty"`
	WriteIOs       *uint64 `json:"write-ios,omitempty"`
	WriteMerges    *uint64 `json:"write-merges,omitempty"`
	DiscardSectors *uint64 `json:"discard-sectors,omitempty"`
	DiscardIOs     *uint64 `json:"discard-ios,omitempty"`
	DiscardMerges  *uint64 `json:"discard-merges,omitempty"`
	FlushIOs       *uint64 `json:"flush-ios,omitempty"`
	ReadTicks      *uint64 `json:"read-ticks,omitempty"`
	WriteTicks     *uint64 `json:"write-ticks,omitempty"`
	DiscardTicks   *uint64 `json:"discard-ticks,omitempty"`
	FlushTicks     *uint64 `json:"flush-ticks,omitempty"`
	IOsPgr         *uint64 `json:"ios-pgr,omitempty"`
	TotalTicks     *uint64 `json:"total-ticks,omitempty"`
	WeightTicks    *uint64 `json:"weight-ticks,omitempty"`
}

// DiskStatsInfo is GuestDiskStatsInfo.
type DiskStatsInfo struct {
	Name  string    `json:"name"`
	Major uint64    `json:"major"`
	Minor uint64    `json:"minor"`
	Stats DiskStats `json:"stats"`
}

// Schema types for the command reference.

var busTypes = []string{
	"ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd", "unknown",
	"ieee1394", "ssa", "fibre", "raid", "iscsi", "sas", "mmc", "virtual",
	"file-backed-virtual", "nvme",
}

func busTypeType() *qapi.Type { return qapi.Enum("GuestDiskBusType", busTypes...) }

func trimResponseType() *qapi.Type {
	return qapi.Struct("GuestFilesystemTrimResponse",
		qapi.Req("paths", qapi.List(qapi.Struct("GuestFilesystemTrimResult",
			qapi.Req("path", qapi.String),
			qapi.Opt("trimmed", qapi.Int),
			qapi.Opt("minimum", qapi.Int),
			qapi.Opt("error", qapi.String),
		))),
	)
}

func diskAddressType() *qapi.Type {
	return qapi.Struct("GuestDiskAddress",
		qapi.Req("pci-controller", qapi.Struct("GuestPCIAddress",
			qapi.Req("domain", qapi.Int),
			qapi.Req("bus", qapi.Int),
			qapi.Req("slot", qapi.Int),
			qapi.Req("function", qapi.Int),
		)),
		qapi.Req("bus-type", busTypeType()),
		qapi.Req("bus", qapi.Int),
		qapi.Req("target", qapi.Int),
		qapi.Req("unit", qapi.Int),
		qapi.Opt("serial", qapi.String),
		qapi.Opt("dev", qapi.String),
		qapi.Opt("ccw-address", qapi.Struct("GuestCCWAddress",
			qapi.Req("cssid", qapi.Int),
			qapi.Req("ssid", qapi.Int),
			qapi.Req("subchno", qapi.Int),
			qapi.Req("devno", qapi.Int),
		)),
	)
}

func filesystemInfoType() *qapi.Type {
	return qapi.Struct("GuestFilesystemInfo",
		qapi.Req("name", qapi.String),
		qapi.Req("mountpoint", qapi.String),
		qapi.Req("type", qapi.String),
		qapi.Opt("used-bytes", qapi.Uint64),
		qapi.Opt("total-bytes", qapi.Uint64),
		qapi.Opt("total-bytes-privileged", qapi.Uint64),
		qapi.Req("disk", qapi.List(diskAddressType())),
	)
}

func diskSmartType() *qapi.Type {
	fields := []qapi.Field{
		qapi.Req("type", busTypeType()),
		qapi.Req("critical-warning", qapi.Int),
		qapi.Req("temperature", qapi.Int),
		qapi.Req("available-spare", qapi.Int),
		qapi.Req("available-spare-threshold", qapi.Int),
		qapi.Req("percentage-used", qapi.Int),
	}
	for _, n := range []string{
		"data-units-read", "data-units-written", "host-read-commands",
		"host-write-commands", "controller-busy-time", "power-cycles",
		"power-on-hours", "unsafe-shutdowns", "media-errors",
		"number-of-error-log-entries",
	} {
		fields = append(fields, qapi.Req(n+"-lo", qapi.Uint64), qapi.Req(n+"-hi", qapi.Uint64))
	}
	// A flat union: its members are the base's plus the nvme branch's
	// (GuestNVMeSmart).
	return qapi.Struct("GuestDiskSmart", fields...)
}

func diskInfoType() *qapi.Type {
	return qapi.Struct("GuestDiskInfo",
		qapi.Req("name", qapi.String),
		qapi.Req("partition", qapi.Bool),
		qapi.Opt("dependencies", qapi.List(qapi.String)),
		qapi.Opt("address", diskAddressType()),
		qapi.Opt("alias", qapi.String),
		qapi.Opt("smart", diskSmartType()),
	)
}

func diskStatsInfoType() *qapi.Type {
	var stats []qapi.Field
	for _, n := range []string{
		"read-sectors", "read-ios", "read-merges", "write-sectors", "write-ios",
		"write-merges", "discard-sectors", "discard-ios", "discard-merges",
		"flush-ios", "read-ticks", "write-ticks", "discard-ticks", "flush-ticks",
		"ios-pgr", "total-ticks", "weight-ticks",
	} {
		stats = append(stats, qapi.Opt(n, qapi.Uint64))
	}
	return qapi.Struct("GuestDiskStatsInfo",
		qapi.Req("name", qapi.String),
		qapi.Req("major", qapi.Uint64),
		qapi.Req("minor", qapi.Uint64),
		qapi.Req("stats", qapi.Struct("GuestDiskStats", stats...)),
	)
}
