package fs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/qgad/qgad/sdk"
)

func TestRealpath(t *testing.T) {
	root := tree(t, map[string]string{
		"sys/devices/pci0000:00/0000:00:05.0/virtio2/block/vda/vda1/size": "8\n",
		"sys/dev/block/252:1": "-> ../../devices/pci0000:00/0000:00:05.0/virtio2/block/vda/vda1",
		"sys/block/vda":       "-> ../devices/pci0000:00/0000:00:05.0/virtio2/block/vda",
		"sys/abs":             "-> /sys/block/vda",
		"sys/escape":          "-> ../../../../../sys/block",
		"sys/chain1":          "-> chain2",
		"sys/chain2":          "-> chain1",
		"sys/dangling":        "-> nowhere",
		"sys/file":            "x",
	})
	sys := sysfs{env: sdk.TestEnv(root)}
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{"/sys/dev/block/252:1", "/sys/devices/pci0000:00/0000:00:05.0/virtio2/block/vda/vda1", nil},
		{"/sys/block/vda/vda1", "/sys/devices/pci0000:00/0000:00:05.0/virtio2/block/vda/vda1", nil},
		{"/sys/block/vda/vda1/../..", "/sys/devices/pci0000:00/0000:00:05.0/virtio2/block", nil},
		{"/sys/abs/vda1", "/sys/devices/pci0000:00/0000:00:05.0/virtio2/block/vda/vda1", nil}, // absolute links stay in the root
		{"/sys/escape/vda", "/sys/devices/pci0000:00/0000:00:05.0/virtio2/block/vda", nil},    // ".." stops at the root
		{"/../../sys/./block//vda", "/sys/devices/pci0000:00/0000:00:05.0/virtio2/block/vda", nil},
		{"/", "/", nil},
		{"/sys/chain1", "", syscall.ELOOP},
		{"/sys/dangling", "", syscall.ENOENT},
		{"/sys/dev/block/8:0", "", syscall.ENOENT},
		{"/sys/file/x", "", syscall.ENOTDIR},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := sys.realpath(tc.in)
			if got != tc.want || !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("realpath(%s) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// On the real system realpath must agree with the kernel's own resolution.
func TestRealpathMatchesSystem(t *testing.T) {
	sys := sysfs{env: sdk.TestEnv("/")}
	links, err := filepath.Glob("/sys/dev/block/*")
	if err != nil || len(links) == 0 {
		t.Fatalf("no block devices in /sys/dev/block (%v)", err)
	}
	for _, l := range links {
		want, err := filepath.EvalSymlinks(l)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := sys.realpath(l); got != want || err != nil {
			t.Errorf("realpath(%s) = %q, %v; want %q", l, got, err, want)
		}
	}
}

// kernfsCompare must reproduce the order in which sysfs lists directories,
// which is what qemu-ga's readdir loops see.
func TestKernfsOrderMatchesSysfs(t *testing.T) {
	dirs := []string{"/sys/block", "/sys/dev/block", "/sys/devices/pci0000:00", "/sys/devices/virtual/block"}
	blocks, _ := filepath.Glob("/sys/block/*")
	dirs = append(dirs, blocks...)
	for _, d := range dirs {
		f, err := os.Open(d)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := f.Readdirnames(-1) // getdents order
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		sorted := slices.Clone(raw)
		slices.SortFunc(sorted, kernfsCompare)
		if !slices.Equal(raw, sorted) {
			t.Errorf("%s: sysfs lists %v, kernfs order gives %v", d, raw, sorted)
		}
	}
}

func TestUdev(t *testing.T) {
	dev := "sys/devices/pci0000:00/0000:00:05.0/virtio2/block/"
	root := tree(t, map[string]string{
		dev + "vda/uevent":          "MAJOR=252\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n",
		dev + "vdb/uevent":          "MAJOR=252\nMINOR=16\nDEVNAME=vdb\nDEVTYPE=disk\n",
		dev + "vdc/uevent":          "DEVTYPE=disk\n",
		dev + "vdc/dev":             "252:32\n",
		dev + "vdd/dev":             "252:48\n", // no uevent: not a device
		dev + "vda/slaves/.gitkeep": "",
		"sys/block/vda":             "-> ../devices/pci0000:00/0000:00:05.0/virtio2/block/vda",
		"sys/class/block/":          "",
		"run/udev/data/b252:0":      "S:disk/by-id/virtio-X\nE:ID_SERIAL=X\nE:DEVTYPE=partition\nG:systemd\n",
		"run/udev/data/b252:16":     "N:vdb-renamed\nE:ID_SERIAL=\n",
		"run/udev/data/b252:32":     "N:/dev/disk/vdc\nE:DM_NAME=vg-lv\n",
	})
	sys := sysfs{env: sdk.TestEnv(root)}
	tests := []struct {
		path    string
		ok      bool
		devnode string
		props   map[string]string
	}{
		{"/sys/block/vda", true, "/dev/vda", map[string]string{"ID_SERIAL": "X", "DEVTYPE": "partition", "DEVNAME": "vda"}},
		{"/" + dev + "vdb", true, "/dev/vdb-renamed", map[string]string{"ID_SERIAL": ""}},
		{"/" + dev + "vdc", true, "/dev/disk/vdc", map[string]string{"DM_NAME": "vg-lv"}},
		{"/" + dev + "vdd", false, "", nil},
		{"/sys/block/vda/slaves/.gitkeep", false, "", nil},
		{"/sys/block/missing", false, "", nil},
		{"/sys/class/block", true, "/dev/block", map[string]string{}}, // outside /sys/devices a directory suffices
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			u, ok := sys.udev(tc.path)
			if ok != tc.ok || u.devnode != tc.devnode {
				t.Fatalf("udev(%s) = %q, %v; want %q, %v", tc.path, u.devnode, ok, tc.devnode, tc.ok)
			}
			for k, v := range tc.props {
				if got, has := u.props[k]; !has || got != v {
					t.Errorf("property %s = %q (present %v), want %q", k, got, has, v)
				}
			}
		})
	}
}

func TestIsPartitionName(t *testing.T) {
	tests := []struct {
		disk, entry string
		want        bool
	}{
		{"sda", "sda1", true},
		{"sda", "sda12", true},
		{"nvme0n1", "nvme0n1p1", true},
		{"mmcblk0", "mmcblk0p2", true},
		{"sda", "sda", false},
		{"sda", "sdaa", false},
		{"sda", "sdap", false},
		{"sda", "sdapx", false},
		{"sda", "queue", false},
		{"vd", "vda1", false},
	}
	for _, tc := range tests {
		if got := isPartitionName(tc.disk, tc.entry); got != tc.want {
			t.Errorf("isPartitionName(%s, %s) = %v, want %v", tc.disk, tc.entry, got, tc.want)
		}
	}
}
