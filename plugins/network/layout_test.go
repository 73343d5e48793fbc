package network

import (
	"testing"
	"unsafe"
)

func TestIfreqLayout(t *testing.T) {
	// struct ifreq is 40 bytes on 64-bit Linux, ifr_hwaddr at offset 16.
	var r ifreqHwaddr
	if unsafe.Sizeof(r) != 40 || unsafe.Offsetof(r.Family) != 16 || unsafe.Offsetof(r.Data) != 18 {
		t.Errorf("ifreqHwaddr: size %d, family at %d, data at %d", unsafe.Sizeof(r), unsafe.Offsetof(r.Family), unsafe.Offsetof(r.Data))
	}
}
