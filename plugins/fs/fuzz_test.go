package fs

import (
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
)

// FuzzDiskstats: any /proc/diskstats content parses without a panic into
// entries that serialize to printable ASCII.
func FuzzDiskstats(f *testing.F) {
	for _, s := range []string{
		" 253       0 vda 12 0 512 3 4 0 8 1 0 4 4 0 0 0 0 0 0\n",
		"   8       1 sda1 100 200 300 400\n",
		"   7       0 loop0 1 2 3 4 5 6\n",
		" 259 0 nvme0n1 18446744073709551615 4294967296 1 1 1 1 1 4294967295 1 1 1 1 1 1 1 1 1\n",
		"x y z\n", "1 2\n", "1 2 name\x00 1 2 3 4\n", " -1 -2 neg -3 -4 -5 -6\n", "1 2 caf\xc3\xa9 1 2 3 4\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		entries, err := parseDiskstats(strings.NewReader(data))
		if err != nil {
			t.Fatalf("reading from a string: %v", err)
		}
		qgatest.Serializable(t, entries)
	})
}
