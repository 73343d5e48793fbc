package fs

import (
	"encoding/json"
	"testing"

	"github.com/qgad/qgad/sdk"
)

func addrJSON(t *testing.T, d DiskAddress) string {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Paths without PCI: s390 channel I/O and virtio-mmio. No sysfs is read.
func TestNonPCIDiskAddress(t *testing.T) {
	tests := []struct {
		name    string
		syspath string
		ccw     bool
		ok      bool
		want    string
	}{
		{"ccw virtio-blk", "/sys/devices/css0/0.0.0002/0.0.0003/virtio1/block/vda", true, true,
			`{"pci-controller":{"domain":-1,"bus":-1,"slot":-1,"function":-1},"bus-type":"virtio","bus":0,"target":0,"unit":0,"ccw-address":{"cssid":0,"ssid":0,"subchno":2,"devno":3}}`},
		{"ccw virtio-scsi", "/sys/devices/css0/0.1.001a/0.1.ff00/virtio2/host0/target0:0:2/0:0:2:5/block/sdb", true, true,
			`{"pci-controller":{"domain":-1,"bus":-1,"slot":-1,"function":-1},"bus-type":"scsi","bus":0,"target":2,"unit":5,"ccw-address":{"cssid":0,"ssid":1,"subchno":26,"devno":65280}}`},
		{"ccw dasd", "/sys/devices/css0/0.0.0000/0.0.0100/block/dasda", true, true,
			`{"pci-controller":{"domain":-1,"bus":-1,"slot":-1,"function":-1},"bus-type":"unknown","bus":0,"target":0,"unit":0,"ccw-address":{"cssid":0,"ssid":0,"subchno":0,"devno":256}}`},
		{"ccw unparsable", "/sys/devices/css0/defunct/block/vda", true, false,
			`{"pci-controller":{"domain":-1,"bus":-1,"slot":-1,"function":-1},"bus-type":"unknown","bus":0,"target":0,"unit":0}`},
		{"virtio-mmio blk", "/sys/devices/platform/a003e00.virtio_mmio/virtio3/block/vda", false, true,
			`{"pci-controller":{"domain":-1,"bus":-1,"slot":-1,"function":-1},"bus-type":"virtio","bus":0,"target":0,"unit":0}`},
		{"virtio-mmio scsi", "/sys/devices/platform/a003c00.virtio_mmio/virtio1/host2/target2:1:3/2:1:3:4/block/sdc", false, true,
			`{"pci-controller":{"domain":-1,"bus":-1,"slot":-1,"function":-1},"bus-type":"scsi","bus":1,"target":3,"unit":4}`},
		{"virtio without block", "/sys/devices/platform/virtio0/foo", false, false,
			`{"pci-controller":{"domain":-1,"bus":-1,"slot":-1,"function":-1},"bus-type":"unknown","bus":0,"target":0,"unit":0}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDiskAddress()
			var ok bool
			if tc.ccw {
				ok = ccwDiskAddress(tc.syspath, &d)
			} else {
				ok = nonPCIVirtioDiskAddress(tc.syspath, &d)
			}
			if got := addrJSON(t, d); ok != tc.ok || got != tc.want {
				t.Errorf("got %v %s\nwant %v %s", ok, got, tc.ok, tc.want)
			}
		})
	}
}

// PCI paths, walking driver links in a small sysfs.
func TestPCIDiskAddress(t *testing.T) {
	const pci = "sys/devices/pci0000:00/"
	root := tree(t, map[string]string{
		pci + "0000:00:07.0/driver":                               "-> ../../../bus/pci/drivers/megaraid_sas",
		pci + "0000:00:08.0/driver":                               "-> ../../../bus/pci/drivers/sym53c8xx",
		pci + "0000:00:09.0/driver":                               "-> ../../../bus/pci/drivers/ata_piix",
		pci + "0000:00:0a.0/driver":                               "-> ../../../bus/pci/drivers/xhci_hcd",
		pci + "0000:00:0a.0/usb2/2-1/2-1:1.0/host4/":              "",
		pci + "0001:02:1c.4/0001:03:00.0/usb1/1-1/1-1:1.0/host5/": "",
		pci + "0000:00:0b.0/driver":                               "-> ../../../bus/pci/drivers/ahci",
		pci + "0000:00:0b.0/ata7/":                                "",
		pci + "0000:00:0c.0/":                                     "", // no driver, and no function below
		pci + "0001:02:1c.4/driver":                               "-> ../../../bus/pci/drivers/pcieport",
		pci + "0001:02:1c.4/0001:03:00.0/":                        "",
		pci + "0001:02:1c.4/0001:03:00.0/driver":                  "-> ../../../../bus/pci/drivers/ehci-pci",
	})
	sys := sysfs{env: sdk.TestEnv(root)}
	unknown := `"pci-controller":{"domain":-1,"bus":-1,"slot":-1,"function":-1},"bus-type":"unknown","bus":0,"target":0,"unit":0`
	tests := []struct {
		name    string
		syspath string
		ok      bool
		want    string
	}{
		{"unsupported controller", "/sys/devices/pci0000:00/0000:00:07.0/host3/target3:2:0/3:2:0:0/block/sdd", false, "{" + unknown + "}"},
		{"LSI SCSI", "/sys/devices/pci0000:00/0000:00:08.0/host2/target2:0:6/2:0:6:0/block/sde", true,
			`{"pci-controller":{"domain":0,"bus":0,"slot":8,"function":0},"bus-type":"scsi","bus":0,"target":0,"unit":6}`},
		{"LSI SCSI without target", "/sys/devices/pci0000:00/0000:00:08.0/host2/block/sde", false,
			`{"pci-controller":{"domain":0,"bus":0,"slot":8,"function":0},"bus-type":"unknown","bus":0,"target":0,"unit":0}`},
		{"IDE without target", "/sys/devices/pci0000:00/0000:00:09.0/ata1/host0/block/sdf", false,
			`{"pci-controller":{"domain":0,"bus":0,"slot":9,"function":0},"bus-type":"unknown","bus":0,"target":0,"unit":0}`},
		{"USB", "/sys/devices/pci0000:00/0000:00:0a.0/usb2/2-1/2-1:1.0/host4/target4:0:0/4:0:0:0/block/sdg", true,
			`{"pci-controller":{"domain":0,"bus":0,"slot":10,"function":0},"bus-type":"usb","bus":0,"target":0,"unit":0}`},
		{"USB behind a bridge", "/sys/devices/pci0000:00/0001:02:1c.4/0001:03:00.0/usb1/1-1/1-1:1.0/host5/target5:0:0/5:0:0:0/block/sdh", true,
			`{"pci-controller":{"domain":1,"bus":3,"slot":0,"function":0},"bus-type":"usb","bus":0,"target":0,"unit":0}`},
		{"SATA with the only port", "/sys/devices/pci0000:00/0000:00:0b.0/ata7/host6/target6:0:0/6:0:0:0/block/sdi", true,
			`{"pci-controller":{"domain":0,"bus":0,"slot":11,"function":0},"bus-type":"sata","bus":0,"target":0,"unit":0}`},
		{"SATA port not listed", "/sys/devices/pci0000:00/0000:00:0b.0/ata9/host8/target8:0:0/8:0:0:0/block/sdj", false,
			`{"pci-controller":{"domain":0,"bus":0,"slot":11,"function":0},"bus-type":"unknown","bus":0,"target":0,"unit":0}`},
		{"no driver", "/sys/devices/pci0000:00/0000:00:0c.0/block/sdk", false, "{" + unknown + "}"},
		{"not a PCI function", "/sys/devices/pci0000:00/block/sdl", false, "{" + unknown + "}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDiskAddress()
			ok, err := sys.pciDiskAddress(tc.syspath, &d)
			if err != nil {
				t.Fatal(err)
			}
			if got := addrJSON(t, d); ok != tc.ok || got != tc.want {
				t.Errorf("got %v %s\nwant %v %s", ok, got, tc.ok, tc.want)
			}
		})
	}
}

func TestHostNumbers(t *testing.T) {
	files := map[string]string{"d/ata_port/": "", "d/power/": "", "d/host/": ""}
	// More than maxHosts entries: only the first eight in readdir order count.
	for _, n := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"} {
		files["d/ata"+n+"/"] = ""
	}
	sys := sysfs{env: sdk.TestEnv(tree(t, files))}
	hosts, err := sys.hostNumbers("/d", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != maxHosts {
		t.Fatalf("got %d hosts %v, want %d", len(hosts), hosts, maxHosts)
	}
	for i := 1; i < len(hosts); i++ {
		if hosts[i-1] > hosts[i] {
			t.Fatalf("hosts not sorted: %v", hosts)
		}
	}
	if _, err := sys.hostNumbers("/missing", false); err == nil || err.Error() != `opendir("/missing"): No such file or directory` {
		t.Errorf("hostNumbers of a missing directory: %v", err)
	}
}
