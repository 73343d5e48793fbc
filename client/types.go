package client

// Result types of the agent's commands, named after their QAPI types
// without the "Guest" prefix. Optional members the agent may leave out are
// pointers (absent = nil) where absence means something different from the
// zero value, and plain fields otherwise. base64 members are []byte: the
// encoding/json decoder and encoder convert them.

// AgentInfo is guest-info's result.
type AgentInfo struct {
	Version           string        `json:"version"`
	SupportedCommands []CommandInfo `json:"supported_commands"`
}

// CommandInfo is one command of guest-info.
type CommandInfo struct {
	Name            string `json:"name"`
	Enabled         bool   `json:"enabled"`
	SuccessResponse bool   `json:"success-response"`
}

// Command returns the named command's entry, or nil.
func (a *AgentInfo) Command(name string) *CommandInfo {
	for i := range a.SupportedCommands {
		if a.SupportedCommands[i].Name == name {
			return &a.SupportedCommands[i]
		}
	}
	return nil
}

// FileRead is guest-file-read's result.
type FileRead struct {
	Count int64  `json:"count"`
	Data  []byte `json:"buf-b64"`
	EOF   bool   `json:"eof"`
}

// FileWrite is guest-file-write's result.
type FileWrite struct {
	Count int64 `json:"count"`
	EOF   bool  `json:"eof"`
}

// FileSeek is guest-file-seek's result.
type FileSeek struct {
	Position int64 `json:"position"`
	EOF      bool  `json:"eof"`
}

// Whence is guest-file-seek's origin.
type Whence string

// Seek origins.
const (
	SeekSet Whence = "set"
	SeekCur Whence = "cur"
	SeekEnd Whence = "end"
)

// FstrimResponse is guest-fstrim's result.
type FstrimResponse struct {
	Paths []FstrimResult `json:"paths"`
}

// FstrimResult is one filesystem of guest-fstrim.
type FstrimResult struct {
	Path    string `json:"path"`
	Trimmed *int64 `json:"trimmed,omitempty"`
	Minimum *int64 `json:"minimum,omitempty"`
	Error   string `json:"error,omitempty"`
}

// NetworkInterface is one entry of guest-network-get-interfaces.
type NetworkInterface struct {
	Name            string          `json:"name"`
	HardwareAddress string          `json:"hardware-address,omitempty"`
	IPAddresses     []IPAddress     `json:"ip-addresses,omitempty"`
	Statistics      *InterfaceStats `json:"statistics,omitempty"`
}

// IPAddress is an address of a NetworkInterface.
type IPAddress struct {
	Address string `json:"ip-address"`
	Type    string `json:"ip-address-type"` // "ipv4" or "ipv6"
	Prefix  int64  `json:"prefix"`
}

// InterfaceStats are an interface's counters from /proc/net/dev.
type InterfaceStats struct {
	RxBytes   uint64 `json:"rx-bytes"`
	RxPackets uint64 `json:"rx-packets"`
	RxErrs    uint64 `json:"rx-errs"`
	RxDropped uint64 `json:"rx-dropped"`
	TxBytes   uint64 `json:"tx-bytes"`
	TxPackets uint64 `json:"tx-packets"`
	TxErrs    uint64 `json:"tx-errs"`
	TxDropped uint64 `json:"tx-dropped"`
}

// NetworkRoute is one entry of guest-network-get-route: IPv4 routes fill
// Gateway, Mask, MTU, Window and Irtt; IPv6 ones Source, Nexthop and the
// prefix lengths.
type NetworkRoute struct {
	Iface        string `json:"iface"`
	Destination  string `json:"destination"`
	Metric       int64  `json:"metric"`
	Gateway      string `json:"gateway,omitempty"`
	Mask         string `json:"mask,omitempty"`
	Irtt         int64  `json:"irtt,omitempty"`
	Flags        uint64 `json:"flags,omitempty"`
	Refcnt       int64  `json:"refcnt,omitempty"`
	Use          int64  `json:"use,omitempty"`
	Window       int64  `json:"window,omitempty"`
	MTU          int64  `json:"mtu,omitempty"`
	DesPrefixLen string `json:"desprefixlen,omitempty"`
	Source       string `json:"source,omitempty"`
	SrcPrefixLen string `json:"srcprefixlen,omitempty"`
	Nexthop      string `json:"nexthop,omitempty"`
	Version      int64  `json:"version"` // 4 or 6
}

// LogicalProcessor is a vCPU of guest-get-vcpus and guest-set-vcpus.
type LogicalProcessor struct {
	LogicalID  int64 `json:"logical-id"`
	Online     bool  `json:"online"`
	CanOffline *bool `json:"can-offline,omitempty"` // ignored by guest-set-vcpus
}

// MemoryBlock is a memory block of guest-get-memory-blocks and
// guest-set-memory-blocks.
type MemoryBlock struct {
	PhysIndex  uint64 `json:"phys-index"`
	Online     bool   `json:"online"`
	CanOffline *bool  `json:"can-offline,omitempty"` // ignored by guest-set-memory-blocks
}

// MemoryBlockResponse is one entry of guest-set-memory-blocks.
type MemoryBlockResponse struct {
	PhysIndex uint64 `json:"phys-index"`
	// Response: success, not-found, operation-not-supported or
	// operation-failed.
	Response  string `json:"response"`
	ErrorCode *int64 `json:"error-code,omitempty"`
}

// MemoryBlockInfo is guest-get-memory-block-info's result.
type MemoryBlockInfo struct {
	Size uint64 `json:"size"`
}

// DiskInfo is one entry of guest-get-disks.
type DiskInfo struct {
	Name         string       `json:"name"`
	Partition    bool         `json:"partition"`
	Dependencies []string     `json:"dependencies,omitempty"`
	Address      *DiskAddress `json:"address,omitempty"`
	Alias        string       `json:"alias,omitempty"`
	Smart        *DiskSmart   `json:"smart,omitempty"`
}

// DiskAddress locates a disk on its bus.
type DiskAddress struct {
	PCIController PCIAddress  `json:"pci-controller"`
	BusType       string      `json:"bus-type"`
	Bus           int64       `json:"bus"`
	Target        int64       `json:"target"`
	Unit          int64       `json:"unit"`
	Serial        string      `json:"serial,omitempty"`
	Dev           string      `json:"dev,omitempty"`
	CCWAddress    *CCWAddress `json:"ccw-address,omitempty"`
}

// PCIAddress is a PCI address; -1 members are unknown.
type PCIAddress struct {
	Domain   int64 `json:"domain"`
	Bus      int64 `json:"bus"`
	Slot     int64 `json:"slot"`
	Function int64 `json:"function"`
}

// CCWAddress is an s390 channel address.
type CCWAddress struct {
	Cssid   int64 `json:"cssid"`
	Ssid    int64 `json:"ssid"`
	Subchno int64 `json:"subchno"`
	Devno   int64 `json:"devno"`
}

// DiskSmart is a disk's health log; Type "nvme" fills the NVMe members.
type DiskSmart struct {
	Type                      string `json:"type"`
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

// FilesystemInfo is one entry of guest-get-fsinfo.
type FilesystemInfo struct {
	Name                 string        `json:"name"`
	Mountpoint           string        `json:"mountpoint"`
	Type                 string        `json:"type"`
	UsedBytes            *uint64       `json:"used-bytes,omitempty"`
	TotalBytes           *uint64       `json:"total-bytes,omitempty"`
	TotalBytesPrivileged *uint64       `json:"total-bytes-privileged,omitempty"`
	Disk                 []DiskAddress `json:"disk"`
}

// DiskStatsInfo is one entry of guest-get-diskstats.
type DiskStatsInfo struct {
	Name  string    `json:"name"`
	Major uint64    `json:"major"`
	Minor uint64    `json:"minor"`
	Stats DiskStats `json:"stats"`
}

// DiskStats are a block device's counters from /proc/diskstats; which are
// present depends on the kernel.
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

// CPUStats is one CPU of guest-get-cpustats, in milliseconds.
type CPUStats struct {
	Type      string  `json:"type"` // "linux"
	CPU       int64   `json:"cpu"`
	User      uint64  `json:"user"`
	Nice      uint64  `json:"nice"`
	System    uint64  `json:"system"`
	Idle      uint64  `json:"idle"`
	IOWait    *uint64 `json:"iowait,omitempty"`
	IRQ       *uint64 `json:"irq,omitempty"`
	SoftIRQ   *uint64 `json:"softirq,omitempty"`
	Steal     *uint64 `json:"steal,omitempty"`
	Guest     *uint64 `json:"guest,omitempty"`
	GuestNice *uint64 `json:"guestnice,omitempty"`
}

// LoadAverage is guest-get-load's result.
type LoadAverage struct {
	Load1m  float64 `json:"load1m"`
	Load5m  float64 `json:"load5m"`
	Load15m float64 `json:"load15m"`
}

// User is one logged-in user of guest-get-users.
type User struct {
	User      string  `json:"user"`
	LoginTime float64 `json:"login-time"` // seconds since the epoch
	Domain    string  `json:"domain,omitempty"`
}

// Timezone is guest-get-timezone's result.
type Timezone struct {
	Zone   string `json:"zone,omitempty"`
	Offset int64  `json:"offset"` // seconds east of UTC
}

// OSInfo is guest-get-osinfo's result.
type OSInfo struct {
	KernelRelease string `json:"kernel-release,omitempty"`
	KernelVersion string `json:"kernel-version,omitempty"`
	Machine       string `json:"machine,omitempty"`
	ID            string `json:"id,omitempty"`
	Name          string `json:"name,omitempty"`
	PrettyName    string `json:"pretty-name,omitempty"`
	Version       string `json:"version,omitempty"`
	VersionID     string `json:"version-id,omitempty"`
	Variant       string `json:"variant,omitempty"`
	VariantID     string `json:"variant-id,omitempty"`
}

// ExecStatus is guest-exec-status's result.
type ExecStatus struct {
	Exited       bool   `json:"exited"`
	ExitCode     *int64 `json:"exitcode,omitempty"`
	Signal       *int64 `json:"signal,omitempty"`
	OutData      []byte `json:"out-data,omitempty"`
	ErrData      []byte `json:"err-data,omitempty"`
	OutTruncated *bool  `json:"out-truncated,omitempty"`
	ErrTruncated *bool  `json:"err-truncated,omitempty"`
}
