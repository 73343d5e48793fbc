package fs

import "testing"

// The "vm" fixture is a guest with a virtio-blk disk (vda: vda1 /boot, vda2
// an LVM PV), an LVM root (dm-0 on vda2, alias vg0-root), a virtio-scsi disk
// at LUN 1 (sda) and an IDE disk (sdc) in an md RAID1 (md0), an NVMe
// namespace behind a PCIe root port (nvme0n1, with a SMART log page), a
// whole SATA disk on the second AHCI port (sdb), an unused loop device, a
// bind mount (duplicate device), a mount of a device sysfs does not know,
// and a /proc/diskstats with every counter layout.
func TestFixtureCommands(t *testing.T) {
	const root = "testdata/vm"
	for _, cmd := range []string{"guest-get-fsinfo", "guest-get-disks", "guest-get-diskstats", "guest-fstrim"} {
		t.Run(cmd, func(t *testing.T) {
			got, gotErr := call(t, newPlugin(t, root), cmd, "")
			if gotErr != "" {
				t.Fatalf("error %q", gotErr)
			}
			if want := golden(t, root, cmd); got != want {
				t.Errorf("result differs\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

func TestCommandErrors(t *testing.T) {
	loop := tree(t, map[string]string{
		"proc/self/mountinfo": "22 1 8:0 / / rw - ext4 /dev/sda rw\n",
		"sys/dev/block/8:0":   "-> 8:0",
	})
	notDir := tree(t, map[string]string{
		"proc/self/mountinfo":                     "22 1 253:1 / / rw - ext4 /dev/dm-1 rw\n",
		"sys/dev/block/253:1":                     "-> ../../devices/virtual/block/dm-1",
		"sys/devices/virtual/block/dm-1/dev":      "253:1\n",
		"sys/devices/virtual/block/dm-1/slaves":   "not a directory",
		"sys/devices/virtual/block/dm-1/size":     "8\n",
		"sys/devices/virtual/block/dm-1/uevent":   "MAJOR=253\nMINOR=1\nDEVNAME=dm-1\n",
		"sys/block/dm-1":                          "-> ../devices/virtual/block/dm-1",
		"sys/devices/virtual/block/dm-1/holders/": "",
	})
	tests := []struct {
		name    string
		root    string
		cmd     string
		args    string
		wantErr string
	}{
		{"fsinfo without mount tables", t.TempDir(), "guest-get-fsinfo", "", "failed to open mtab file: '/proc/self/mounts'"},
		{"fstrim without mount tables", t.TempDir(), "guest-fstrim", `{"minimum": 4096}`, "failed to open mtab file: '/proc/self/mounts'"},
		{"disks without /sys/block", t.TempDir(), "guest-get-disks", "", `Can't open directory "/sys/block": No such file or directory`},
		{"diskstats without /proc/diskstats", t.TempDir(), "guest-get-diskstats", "", `open("/proc/diskstats"): No such file or directory`},
		{"fsinfo on a symlink loop", loop, "guest-get-fsinfo", "", `realpath("/sys/dev/block/8:0"): Too many levels of symbolic links`},
		{"fsinfo on unreadable slaves", notDir, "guest-get-fsinfo", "", `opendir("/sys/devices/virtual/block/dm-1/slaves"): Not a directory`},
		{"fstrim with a bad minimum", t.TempDir(), "guest-fstrim", `{"minimum": "1"}`, "Invalid parameter type for 'minimum', expected: integer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, gotErr := call(t, newPlugin(t, tc.root), tc.cmd, tc.args)
			if gotErr != tc.wantErr {
				t.Errorf("got %q, error %q; want error %q", got, gotErr, tc.wantErr)
			}
		})
	}
	// Errors that qemu-ga ignores in guest-get-disks: the dm device is
	// listed, without dependencies.
	got, gotErr := call(t, newPlugin(t, notDir), "guest-get-disks", "")
	if want := `[{"name": "/dev/dm-1", "partition": false}]`; got != want || gotErr != "" {
		t.Errorf("guest-get-disks = %q, error %q; want %q", got, gotErr, want)
	}
}
