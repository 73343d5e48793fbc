// Package system is qgad's system family: the clock (guest-get-time,
// guest-set-time), host and OS identification (guest-get-host-name,
// guest-get-osinfo, guest-get-timezone), load and CPU statistics
// (guest-get-load, guest-get-cpustats) and the hotplug switches of vCPUs and
// memory blocks, wire-compatible with qemu-ga 10.2.
//
// The family reads and changes the system through env.Root ("/" in
// production); under any other root it never touches the machine: the clock
// is the root's run/qgad-fake-clock file, hwclock is the root's
// /sbin/hwclock, and the kernel's uname strings come from the root's
// proc/sys/kernel/{hostname,osrelease,version}.
package system

import (
	"os"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// Name is the family name.
const Name = "system"

// Version is the family's version, reported to the core.
const Version = "0.1.0"

// family holds what the handlers need; it is per-plugin, not global.
type family struct {
	env sdk.Env
	// getenv reads the process environment (TZ, TZDIR, QGA_OS_RELEASE),
	// which the core passes through to the plugin; tests replace it.
	getenv func(key string) (string, bool)
	now    func() time.Time
}

// live reports whether the family serves the real machine.
func (f *family) live() bool { return f.env.Root == "" || f.env.Root == "/" }

// New builds the family. Commands are listed in qemu-ga's schema order.
func New(env sdk.Env) (*sdk.Plugin, error) {
	return newFamily(env).plugin(), nil
}

func newFamily(env sdk.Env) *family {
	if env.Log == nil {
		env.Log = hclog.NewNullLogger()
	}
	return &family{env: env, getenv: os.LookupEnv, now: time.Now}
}

func (f *family) plugin() *sdk.Plugin {
	return &sdk.Plugin{
		Name:    Name,
		Version: Version,
		Commands: []sdk.Command{
			{
				Name:    "guest-get-time",
				Doc:     "Get the guest's wall-clock time in nanoseconds since the epoch (microsecond resolution).",
				Returns: qapi.Int,
				Run:     sdk.HandleNoArgs(f.getTime),
			},
			{
				Name: "guest-set-time",
				Doc:  "Set the guest's clock to time (ns since the epoch) and the RTC from it; without time, set the clock from the RTC.",
				Args: []qapi.Field{qapi.Opt("time", qapi.Int)},
				Run:  sdk.Handle(f.setTime),
			},
			{
				Name:    "guest-get-vcpus",
				Doc:     "List the guest's logical processors and whether each is online and can be taken offline.",
				Returns: qapi.List(logicalProcessorType()),
				Run:     sdk.HandleNoArgs(f.getVcpus),
			},
			{
				Name:    "guest-set-vcpus",
				Doc:     "Bring logical processors online or offline; returns how many were processed before the first failure.",
				Args:    []qapi.Field{qapi.Req("vcpus", qapi.List(logicalProcessorType()))},
				Returns: qapi.Int,
				Run:     sdk.Handle(f.setVcpus),
			},
			{
				Name:    "guest-get-memory-blocks",
				Doc:     "List the guest's memory blocks and whether each is online and can be taken offline.",
				Returns: qapi.List(memoryBlockType()),
				Run:     sdk.HandleNoArgs(f.getMemoryBlocks),
			},
			{
				Name:    "guest-set-memory-blocks",
				Doc:     "Bring memory blocks online or offline; one response per requested block.",
				Args:    []qapi.Field{qapi.Req("mem-blks", qapi.List(memoryBlockType()))},
				Returns: qapi.List(memoryBlockResponseType()),
				Run:     sdk.Handle(f.setMemoryBlocks),
			},
			{
				Name:    "guest-get-memory-block-info",
				Doc:     "Get the size of a memory block in bytes.",
				Returns: qapi.Struct("GuestMemoryBlockInfo", qapi.Req("size", qapi.Uint64)),
				Run:     sdk.HandleNoArgs(f.getMemoryBlockInfo),
			},
			{
				Name:    "guest-get-host-name",
				Doc:     "Get the guest's host name.",
				Returns: qapi.Struct("GuestHostName", qapi.Req("host-name", qapi.String)),
				Run:     sdk.HandleNoArgs(f.getHostName),
			},
			{
				Name: "guest-get-timezone",
				Doc:  "Get the guest's time zone abbreviation and its offset east of UTC in seconds, now.",
				Returns: qapi.Struct("GuestTimezone",
					qapi.Opt("zone", qapi.String),
					qapi.Req("offset", qapi.Int)),
				Run: sdk.HandleNoArgs(f.getTimezone),
			},
			{
				Name:    "guest-get-osinfo",
				Doc:     "Get the kernel (uname) and operating system (os-release) identification.",
				Returns: osInfoType(),
				Run:     sdk.HandleNoArgs(f.getOSInfo),
			},
			{
				Name:    "guest-get-cpustats",
				Doc:     "Get per-CPU time statistics from /proc/stat, in milliseconds.",
				Returns: qapi.List(cpuStatsType()),
				Run:     sdk.HandleNoArgs(f.getCPUStats),
			},
			{
				Name: "guest-get-load",
				Doc:  "Get the 1, 5 and 15 minute load averages.",
				Returns: qapi.Struct("GuestLoadAverage",
					qapi.Req("load1m", qapi.Number),
					qapi.Req("load5m", qapi.Number),
					qapi.Req("load15m", qapi.Number)),
				Run: sdk.HandleNoArgs(f.getLoad),
			},
		},
	}
}

func logicalProcessorType() *qapi.Type {
	return qapi.Struct("GuestLogicalProcessor",
		qapi.Req("logical-id", qapi.Int),
		qapi.Req("online", qapi.Bool),
		qapi.Opt("can-offline", qapi.Bool))
}

func memoryBlockType() *qapi.Type {
	return qapi.Struct("GuestMemoryBlock",
		qapi.Req("phys-index", qapi.Uint64),
		qapi.Req("online", qapi.Bool),
		qapi.Opt("can-offline", qapi.Bool))
}

func memoryBlockResponseType() *qapi.Type {
	return qapi.Struct("GuestMemoryBlockResponse",
		qapi.Req("phys-index", qapi.Uint64),
		qapi.Req("response", qapi.Enum("GuestMemoryBlockResponseType",
			memSuccess, memNotFound, memNotSupported, memFailed)),
		qapi.Opt("error-code", qapi.Int))
}

func osInfoType() *qapi.Type {
	var fields []qapi.Field
	for _, name := range []string{"kernel-release", "kernel-version", "machine",
		"id", "name", "pretty-name", "version", "version-id", "variant", "variant-id"} {
		fields = append(fields, qapi.Opt(name, qapi.String))
	}
	return qapi.Struct("GuestOSInfo", fields...)
}

func cpuStatsType() *qapi.Type {
	fields := []qapi.Field{
		qapi.Req("type", qapi.Enum("GuestCpuStatsType", "linux")),
		qapi.Req("cpu", qapi.Int),
	}
	for _, name := range []string{"user", "nice", "system", "idle"} {
		fields = append(fields, qapi.Req(name, qapi.Uint64))
	}
	for _, name := range []string{"iowait", "irq", "softirq", "steal", "guest", "guestnice"} {
		fields = append(fields, qapi.Opt(name, qapi.Uint64))
	}
	return qapi.Struct("GuestCpuStats", fields...)
}
