package fs

import (
	"testing"
	"unsafe"

	"github.com/qgad/qgad/sdk"
)

func TestNVMeAdminCmdLayout(t *testing.T) {
	// struct nvme_admin_cmd is 72 bytes; the ioctl number encodes it.
	if got := unsafe.Sizeof(nvmeAdminCmd{}); got != 72 || (nvmeIoctlAdminCmd>>16)&0x3fff != 72 {
		t.Errorf("sizeof(nvmeAdminCmd) = %d, ioctl size %d; want 72", got, (nvmeIoctlAdminCmd>>16)&0x3fff)
	}
	if got := unsafe.Sizeof(fstrimRange{}); got != 24 || (fitrimIoctl>>16)&0x3fff != 24 {
		t.Errorf("sizeof(fstrimRange) = %d; want 24", got)
	}
}

// On the real system a device that is not an NVMe namespace refuses the
// admin command, and the disk simply has no "smart" member.
func TestNVMeSmartNotNVMe(t *testing.T) {
	f := &family{env: sdk.TestEnv("/"), sys: sysfs{env: sdk.TestEnv("/")}}
	if s := f.nvmeSmart("/dev/null"); s != nil {
		t.Errorf("SMART log from /dev/null: %+v", s)
	}
	if s := f.nvmeSmart("/dev/qgad-no-such-device"); s != nil {
		t.Errorf("SMART log from a missing device: %+v", s)
	}
}

// In a test root the device file holds the log page; a short one is no log.
func TestNVMeSmartFixture(t *testing.T) {
	root := tree(t, map[string]string{"dev/short": "too short"})
	f := &family{env: sdk.TestEnv(root), sys: sysfs{env: sdk.TestEnv(root)}}
	if s := f.nvmeSmart("/dev/short"); s != nil {
		t.Errorf("SMART log from a short file: %+v", s)
	}
	f = &family{env: sdk.TestEnv("testdata/vm"), sys: sysfs{env: sdk.TestEnv("testdata/vm")}}
	s := f.nvmeSmart("/dev/nvme0n1")
	if s == nil || s.Type != "nvme" || s.Temperature != 321 || s.DataUnitsWrittenHi != 1 || s.NumberOfErrorLogEntriesLo != 1<<64-1 {
		t.Errorf("fixture SMART log decoded as %+v", s)
	}
}
