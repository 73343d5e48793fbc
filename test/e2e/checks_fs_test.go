package e2e

// Checks of the fs and fsfreeze families: the virtio disk and its file system.

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/qgad/qgad/client"
)

// diskFields are guest-get-diskstats' members in /proc/diskstats order.
var diskFields = []string{"read-ios", "read-merges", "read-sectors", "read-ticks", "write-ios", "write-merges",
	"write-sectors", "write-ticks", "ios-pgr", "total-ticks", "weight-ticks", "discard-ios", "discard-merges",
	"discard-sectors", "discard-ticks", "flush-ios", "flush-ticks"}

// checkDiskstats: the lines of /proc/diskstats in order, and the counters
// of the disk (written to by the heartbeat) between two readings.
func checkDiskstats(ctx context.Context, t *testing.T, g *guest) {
	before := fields(g.sh(ctx, t, "cat /proc/diskstats"))
	var got []struct {
		Name  string            `json:"name"`
		Major uint64            `json:"major"`
		Minor uint64            `json:"minor"`
		Stats map[string]uint64 `json:"stats"`
	}
	g.call(ctx, t, "guest-get-diskstats", nil, &got)
	after := fields(g.sh(ctx, t, "cat /proc/diskstats"))
	if len(got) != len(before) {
		t.Fatalf("%d entries, /proc/diskstats has %d lines", len(got), len(before))
	}
	for i, e := range got {
		b, a := before[i], after[i]
		g.obs.Diskstats = append(g.obs.Diskstats, e.Name)
		if e.Name != b[2] || fmt.Sprint(e.Major) != b[0] || fmt.Sprint(e.Minor) != b[1] {
			t.Errorf("entry %d: %s %d:%d, /proc/diskstats has %s %s:%s", i, e.Name, e.Major, e.Minor, b[2], b[0], b[1])
			continue
		}
		if e.Name != "vda" {
			continue
		}
		if len(e.Stats) != len(diskFields) {
			t.Errorf("vda: %d counters, the kernel gives %d: %v", len(e.Stats), len(diskFields), e.Stats)
		}
		for j, f := range diskFields {
			v, ok := e.Stats[f]
			if f == "ios-pgr" || !ok {
				continue // in flight now: not monotonic
			}
			if lo, hi := atou(t, b[3+j]), atou(t, a[3+j]); v < lo || v > hi {
				t.Errorf("vda %s = %d, /proc/diskstats said %d..%d", f, v, lo, hi)
			}
		}
		if e.Stats["write-ios"] == 0 {
			t.Errorf("vda: no writes counted, though the heartbeat writes every 100 ms")
		}
	}
	if !slices.Contains(g.obs.Diskstats, "vda") {
		t.Errorf("vda missing: %v", g.obs.Diskstats)
	}
}

// checkDiskAddress: where the test put the disk, virtio-blk-pci at
// 0000:00:05.0, with its serial number from udev's database.
func checkDiskAddress(t *testing.T, what string, d client.DiskAddress) {
	t.Helper()
	want := client.DiskAddress{
		PCIController: client.PCIAddress{Domain: 0, Bus: 0, Slot: diskSlot, Function: 0},
		BusType:       "virtio", Serial: diskSerial, Dev: "/dev/vda",
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("%s address\n got %s\nwant %s", what, mustJSON(d), mustJSON(want))
	}
}

// checkDisks: every /sys/block entry of non-zero size, the disk with its
// PCI address.
func checkDisks(ctx context.Context, t *testing.T, g *guest) {
	var got []client.DiskInfo
	g.call(ctx, t, "guest-get-disks", nil, &got)
	truth := strings.Fields(g.sh(ctx, t, `for b in /sys/block/*; do [ "$(cat $b/size)" != 0 ] && echo /dev/${b##*/}; done; true`))
	var names []string
	for _, d := range got {
		names = append(names, d.Name)
		if d.Name == "/dev/vda" {
			if d.Partition || d.Address == nil {
				t.Errorf("/dev/vda: %s", mustJSON(d))
			} else {
				checkDiskAddress(t, "guest-get-disks /dev/vda", *d.Address)
			}
			if len(d.Dependencies) != 0 {
				t.Errorf("/dev/vda has dependencies %v", d.Dependencies)
			}
		}
	}
	sort.Strings(names)
	sort.Strings(truth)
	if !slices.Equal(names, truth) {
		t.Errorf("disks %v, the guest has %v", names, truth)
	}
	g.obs.Disks = got
}

// checkFsinfo: the only mounted block device is the ext4 disk on
// /mnt/data; libvirt rejects the answer unless name, mountpoint, type and
// disk are there, and each disk has bus, target, unit and a full
// pci-controller.
func checkFsinfo(ctx context.Context, t *testing.T, g *guest) {
	var got []client.FilesystemInfo
	raw := g.call(ctx, t, "guest-get-fsinfo", nil, &got)
	checkFsinfoSchema(t, raw)
	if len(got) != 1 {
		t.Fatalf("fsinfo %s, want only /mnt/data", raw)
	}
	fs := got[0]
	dev := g.sh(ctx, t, "cat /sys/block/vda/dev")
	if fs.Name != "vda" || fs.Mountpoint != "/mnt/data" || fs.Type != "ext4" {
		t.Errorf("fsinfo %s, want vda (%s) on /mnt/data, ext4", raw, dev)
	}
	if len(fs.Disk) != 1 {
		t.Fatalf("fsinfo disks %s, want one", mustJSON(fs.Disk))
	}
	checkDiskAddress(t, "guest-get-fsinfo /mnt/data", fs.Disk[0])
	st := strings.Fields(g.sh(ctx, t, "stat -f -c '%b %S' /mnt/data"))
	total := atou(t, st[0]) * atou(t, st[1])
	switch {
	case g.p.Legacy && fs.TotalBytesPrivileged != nil:
		t.Errorf("qemu-ga 7.2 has no total-bytes-privileged")
	case !g.p.Legacy && (fs.TotalBytesPrivileged == nil || *fs.TotalBytesPrivileged != total):
		t.Errorf("total-bytes-privileged %v, statvfs gives %d", fs.TotalBytesPrivileged, total)
	}
	if fs.UsedBytes == nil || fs.TotalBytes == nil || *fs.UsedBytes == 0 || *fs.UsedBytes > *fs.TotalBytes || *fs.TotalBytes > total {
		t.Errorf("used-bytes %v, total-bytes %v, file system size %d", fs.UsedBytes, fs.TotalBytes, total)
	}
	g.obs.Fsinfo = got
}

func checkFsinfoSchema(t *testing.T, raw json.RawMessage) {
	t.Helper()
	var entries []json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		t.Fatalf("fsinfo: %v", err)
	}
	for _, e := range entries {
		requireMembers(t, "fsinfo entry", e, "name", "mountpoint", "type", "disk")
		var disks []json.RawMessage
		json.Unmarshal(members(t, "fsinfo entry", e)["disk"], &disks)
		for _, d := range disks {
			requireMembers(t, "fsinfo disk", d, "pci-controller", "bus-type", "bus", "target", "unit")
			if pci, ok := members(t, "fsinfo disk", d)["pci-controller"]; ok {
				requireMembers(t, "pci-controller", pci, "domain", "bus", "slot", "function")
			}
		}
	}
}

func checkFreezeStatus(ctx context.Context, t *testing.T, g *guest) {
	var s string
	g.call(ctx, t, "guest-fsfreeze-status", nil, &s)
	if s != "thawed" {
		t.Errorf("status %q, want thawed", s)
	}
}
