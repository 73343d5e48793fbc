package mounts_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/freeze/freezetest"
	"github.com/qgad/qgad/internal/mounts"
	"github.com/qgad/qgad/internal/qgatest"
)

// TestCompareWithQemuGA compares this machine's mount list with the one
// Debian's qemu-ga 7.2 reports through guest-get-fsinfo (read-only). 7.2
// still lists later mounts of an already listed device (spec 6), so those
// may appear only on its side, and only when they share a device with one
// of ours. A loop filesystem and a bind mount of it are added (inside the
// test's temp dir) so there is a duplicate to compare.
func TestCompareWithQemuGA(t *testing.T) {
	base := t.TempDir()
	loop := freezetest.LoopFS(t, base, "loop")
	sub, bind := filepath.Join(loop, "sub"), filepath.Join(base, "bind")
	for _, d := range []string{sub, bind} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Mount(sub, bind, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind mount: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(bind, unix.MNT_DETACH) })

	ours, err := mounts.List("/")
	if err != nil {
		t.Fatal(err)
	}
	qga := qgatest.StartQemuGA(t)
	v := qga.MustCall(t, "guest-get-fsinfo", "")
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("guest-get-fsinfo returned %T", v)
	}
	type fs struct{ dir, typ string }
	var theirs []fs
	for _, e := range list {
		o := e.(interface{ Get(string) (any, bool) })
		dir, _ := o.Get("mountpoint")
		typ, _ := o.Get("type")
		theirs = append(theirs, fs{dir.(string), typ.(string)})
	}
	slices.Reverse(theirs) // fsinfo is in reverse mount-table order
	// Other tests running in parallel mount and unmount their own loop
	// filesystems under the temp dir: the two readings of the mount table
	// are not at the same instant, so only this test's mounts and the
	// machine's own are compared.
	tmp := filepath.Clean(os.TempDir()) + "/"
	foreign := func(dir string) bool {
		return strings.HasPrefix(dir, tmp) && !strings.HasPrefix(dir, base+"/")
	}
	theirs = slices.DeleteFunc(theirs, func(f fs) bool { return foreign(f.dir) })
	ours = slices.DeleteFunc(ours, func(m mounts.Mount) bool { return foreign(m.Dir) })
	if !slices.Contains(theirs, fs{bind, "ext4"}) || slices.ContainsFunc(ours, func(m mounts.Mount) bool { return m.Dir == bind }) {
		t.Errorf("the bind mount should be listed by qemu-ga 7.2 only: ours %v, qemu-ga %v", ours, theirs)
	}

	for _, m := range ours {
		if !slices.Contains(theirs, fs{m.Dir, m.Type}) {
			t.Errorf("ours has %s (%s), qemu-ga does not: %v", m.Dir, m.Type, theirs)
		}
	}
	var order []string
	for _, f := range theirs {
		i := slices.IndexFunc(ours, func(m mounts.Mount) bool { return m.Dir == f.dir })
		if i >= 0 {
			order = append(order, f.dir)
			continue
		}
		var st unix.Stat_t
		if err := unix.Stat(f.dir, &st); err != nil {
			t.Errorf("qemu-ga lists %s: %v", f.dir, err)
			continue
		}
		dup := slices.ContainsFunc(ours, func(m mounts.Mount) bool {
			return m.Major == unix.Major(st.Dev) && m.Minor == unix.Minor(st.Dev)
		})
		if !dup {
			t.Errorf("qemu-ga lists %s (%s), ours has neither it nor its device", f.dir, f.typ)
		}
	}
	var want []string
	for _, m := range ours {
		want = append(want, m.Dir)
	}
	if !slices.Equal(order, want) {
		t.Errorf("order: qemu-ga %v, ours %v", order, want)
	}
}
