package mounts

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/qapi"
)

// fakeStat answers from a table of sources; anything else does not exist.
func fakeStat(devs map[string]Device) StatFunc {
	return func(source string) (Device, error) {
		if d, ok := devs[source]; ok {
			return d, nil
		}
		return Device{}, os.ErrNotExist
	}
}

func TestParseMountinfo(t *testing.T) {
	tests := []struct {
		name  string
		input string
		devs  map[string]Device
		want  []Mount
	}{
		{
			name:  "plain ext4",
			input: "26 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n",
			want:  []Mount{{Dir: "/", Type: "ext4", Source: "/dev/vda1", Major: 252, Minor: 1}},
		},
		{
			name:  "pseudo filesystems skipped",
			input: "22 1 0:21 / /proc rw - proc proc rw\n25 24 0:23 / /dev/shm rw - tmpfs tmpfs rw\n",
			want:  nil,
		},
		{
			name:  "octal escapes and double backslash",
			input: `30 26 252:32 / /mnt/a\040b\011c\012d\134e\\f\101 rw - ext4 /dev/x\040y rw` + "\n",
			want:  []Mount{{Dir: "/mnt/a b\tc\nd\\e\\fA", Type: "ext4", Source: "/dev/x y", Major: 252, Minor: 32}},
		},
		{
			name:  "incomplete or out-of-range escapes kept verbatim",
			input: `30 26 252:32 / /mnt/\4xx\08\7\1777\ rw - ext4 /dev/z rw` + "\n",
			want:  []Mount{{Dir: `/mnt/\4xx\08\7` + "\x7f" + `7\`, Type: "ext4", Source: "/dev/z", Major: 252, Minor: 32}},
		},
		{
			name:  "decoded NUL ends the name as in C",
			input: `30 26 252:32 / /mnt/ab\000cd rw - ext4 /dev/z rw` + "\n",
			want:  []Mount{{Dir: "/mnt/ab", Type: "ext4", Source: "/dev/z", Major: 252, Minor: 32}},
		},
		{
			name:  "optional fields before the separator",
			input: "35 26 252:48 / /opt rw shared:34 master:1 propagate_from:2 - ext4 /dev/vdd rw\n",
			want:  []Mount{{Dir: "/opt", Type: "ext4", Source: "/dev/vdd", Major: 252, Minor: 48}},
		},
		{
			name:  "mount point looking like the separator",
			input: "35 26 252:48 / /a rw - x - ext4 /dev/vdd rw\n",
			want:  []Mount{{Dir: "/a", Type: "x", Source: "-", Major: 252, Minor: 48}},
		},
		{
			name:  "bind mount of the same device: first kept",
			input: "29 26 252:16 / /srv rw - xfs /dev/vdb rw\n31 26 252:16 /sub /var/lib/b rw - xfs /dev/vdb rw\n",
			want:  []Mount{{Dir: "/srv", Type: "xfs", Source: "/dev/vdb", Major: 252, Minor: 16}},
		},
		{
			name: "btrfs resolved through its source device",
			input: "26 1 0:31 /@ / rw - btrfs /dev/vda2 rw\n27 26 0:31 /@home /home rw - btrfs /dev/vda2 rw\n" +
				"28 26 0:33 / /data rw - btrfs /dev/missing rw\n29 26 0:34 / /w rw - btrfs /dev/chr rw\n",
			devs: map[string]Device{"/dev/vda2": {Block: true, Major: 252, Minor: 2}, "/dev/chr": {}},
			want: []Mount{{Dir: "/", Type: "btrfs", Source: "/dev/vda2", Major: 252, Minor: 2}},
		},
		{
			name:  "btrfs with a real major is not stat()ed",
			input: "26 1 8:3 / /b rw - btrfs /dev/sda3 rw\n",
			want:  []Mount{{Dir: "/b", Type: "btrfs", Source: "/dev/sda3", Major: 8, Minor: 3}},
		},
		{
			name:  "last line without newline is dropped (no %c after the source)",
			input: "26 1 252:1 / / rw - ext4 /dev/vda1",
			want:  nil,
		},
		{
			name:  "last line without newline but with super options is kept",
			input: "26 1 252:1 / / rw - ext4 /dev/vda1 rw",
			want:  []Mount{{Dir: "/", Type: "ext4", Source: "/dev/vda1", Major: 252, Minor: 1}},
		},
		{
			name: "malformed lines skipped",
			input: "garbage\n\n26 1 252 / / rw - ext4 /dev/a rw\n26 1 252:x / / rw - ext4 /dev/a rw\n" +
				"26 1 252:1 / / rw ext4 /dev/a rw\n26 1 252:1 / / rw -\n26 1 252:1 / / rw - ext4\n26 1 252:1 /\n" +
				"26 1 252:7 / /ok rw - ext4 /dev/ok rw\n",
			want: []Mount{{Dir: "/ok", Type: "ext4", Source: "/dev/ok", Major: 252, Minor: 7}},
		},
		{
			name:  "sscanf number quirks: signs and leading blanks",
			input: "  +26 -1 +8:-1 / /q rw - ext4 /dev/q rw\n",
			want:  []Mount{{Dir: "/q", Type: "ext4", Source: "/dev/q", Major: 8, Minor: 0xffffffff}},
		},
		{
			name:  "tabs separate fields like spaces",
			input: "26\t1\t252:9\t/\t/t\trw\t-\text4\t/dev/t\trw\n",
			want:  nil, // no " - " with spaces: qemu-ga's strstr() does not find the separator
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseMountinfo(strings.NewReader(tt.input), fakeStat(tt.devs))
			if !reflect.DeepEqual([]Mount(got), tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseMounts(t *testing.T) {
	tests := []struct {
		name  string
		input string
		devs  map[string]Device
		want  []Mount
	}{
		{
			name:  "block device",
			input: "/dev/vda1 / ext4 rw,relatime 0 0\n",
			devs:  map[string]Device{"/dev/vda1": {Block: true, Major: 252, Minor: 1}},
			want:  []Mount{{Dir: "/", Type: "ext4", Source: "/dev/vda1", Major: 252, Minor: 1}},
		},
		{
			name:  "sources not starting with / and cifs/smbfs skipped",
			input: "proc /proc proc rw 0 0\n//srv/share /mnt/s cifs rw 0 0\n/srv/x /mnt/t smbfs rw 0 0\nserver:/e /mnt/n nfs rw 0 0\n",
			want:  nil,
		},
		{
			name:  "directory sources are bind mounts",
			input: "/srv/src /srv/bind none rw,bind 0 0\n",
			devs:  map[string]Device{"/srv/src": {Dir: true}},
			want:  nil,
		},
		{
			name:  "unstattable and non-block sources are 0:0, only the first survives",
			input: "/dev/gone /a ext4 rw 0 0\n/etc/hostname /b ext4 rw 0 0\n",
			devs:  map[string]Device{"/etc/hostname": {}},
			want:  []Mount{{Dir: "/a", Type: "ext4", Source: "/dev/gone"}},
		},
		{
			name:  "glibc escapes only",
			input: `/dev/x\040y /m\011n\012o\134p\\q\101 ext4 rw 0 0` + "\n",
			want:  []Mount{{Dir: "/m\tn\no\\p\\q\\101", Type: "ext4", Source: "/dev/x y"}},
		},
		{
			name:  "comments, blank lines, leading and repeated blanks",
			input: "# comment\n  \t\n \t/dev/vdc\t /c  ext4 rw 0 0 \t\n",
			devs:  map[string]Device{"/dev/vdc": {Block: true, Major: 252, Minor: 32}},
			want:  []Mount{{Dir: "/c", Type: "ext4", Source: "/dev/vdc", Major: 252, Minor: 32}},
		},
		{
			name:  "missing fields are empty",
			input: "/dev/vdc\n",
			devs:  map[string]Device{"/dev/vdc": {Block: true, Major: 252, Minor: 32}},
			want:  []Mount{{Source: "/dev/vdc", Major: 252, Minor: 32}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseMounts(strings.NewReader(tt.input), fakeStat(tt.devs))
			if !reflect.DeepEqual([]Mount(got), tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// copyTree copies a fixture tree into a temp dir, where device nodes can be
// added.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
	return dst
}

// mknodBlock creates a block device node (no device behind it is opened).
// Needs root, as do the freeze tests.
func mknodBlock(t *testing.T, root, path string, major, minor uint32) {
	t.Helper()
	p := filepath.Join(root, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(p, unix.S_IFBLK|0o600, int(unix.Mkdev(major, minor))); err != nil {
		t.Fatalf("mknod %s (the tests run as root): %v", p, err)
	}
}

func TestList(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		nodes   map[string][2]uint32
		want    []Mount
	}{
		{
			name:    "mountinfo",
			fixture: "testdata/basic",
			want: []Mount{
				{Dir: "/", Type: "ext4", Source: "/dev/vda1", Major: 252, Minor: 1},
				{Dir: "/boot", Type: "ext2", Source: "/dev/vda2", Major: 252, Minor: 2},
				{Dir: "/srv/data disk", Type: "xfs", Source: "/dev/vdb", Major: 252, Minor: 16},
				{Dir: "/mnt/tab\tand\nnewline\\back\\slash", Type: "ext4", Source: "/dev/disk/by-label/odd label", Major: 252, Minor: 32},
				{Dir: "/opt", Type: "ext4", Source: "/dev/vdd", Major: 252, Minor: 48},
			},
		},
		{
			name:    "btrfs through device nodes in the root",
			fixture: "testdata/btrfs",
			nodes:   map[string][2]uint32{"/dev/vda2": {252, 2}, "/dev/vda1": {252, 1}},
			want: []Mount{
				{Dir: "/", Type: "btrfs", Source: "/dev/vda2", Major: 252, Minor: 2},
				{Dir: "/boot", Type: "ext4", Source: "/dev/vda1", Major: 252, Minor: 1},
			},
		},
		{
			name:    "fallback to mounts",
			fixture: "testdata/mtab",
			nodes:   map[string][2]uint32{"/dev/vda1": {252, 1}, "/dev/vdb": {252, 16}, "/dev/vdc": {252, 32}},
			want: []Mount{
				{Dir: "/", Type: "ext4", Source: "/dev/vda1", Major: 252, Minor: 1},
				{Dir: "/srv/data disk", Type: "xfs", Source: "/dev/vdb", Major: 252, Minor: 16},
				{Dir: "/mnt/gone", Type: "ext4", Source: "/dev/nonexistent"},
				{Dir: "/mnt/tabbed\\dir", Type: "ext4", Source: "/dev/vdc", Major: 252, Minor: 32},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := copyTree(t, tt.fixture)
			for p, mm := range tt.nodes {
				mknodBlock(t, root, p, mm[0], mm[1])
			}
			got, err := List(root)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestListNoTable(t *testing.T) {
	_, err := List(t.TempDir())
	var qe *qapi.Error
	if !errors.As(err, &qe) {
		t.Fatalf("want a qapi error, got %v", err)
	}
	if want := "failed to open mtab file: '/proc/self/mounts'"; qe.Desc != want || qe.Class != qapi.ClassGeneric {
		t.Errorf("got %s %q, want GenericError %q", qe.Class, qe.Desc, want)
	}
}

// TestListThisMachine reads the real table: it must parse and hold no
// pseudo filesystem and no duplicate device.
func TestListThisMachine(t *testing.T) {
	got, err := List("/")
	if err != nil {
		t.Fatalf("List(/): %v", err)
	}
	checkInvariants(t, got)
}

func checkInvariants(t *testing.T, ms []Mount) {
	t.Helper()
	seen := map[[2]uint32]bool{}
	for _, m := range ms {
		k := [2]uint32{m.Major, m.Minor}
		if seen[k] {
			t.Errorf("duplicate device %d:%d (%q)", m.Major, m.Minor, m.Dir)
		}
		seen[k] = true
		if m.Major == 0 {
			t.Errorf("major 0 kept: %#v", m)
		}
		if strings.IndexByte(m.Dir, 0) >= 0 || strings.IndexByte(m.Source, 0) >= 0 {
			t.Errorf("NUL in name: %#v", m)
		}
	}
}
