package freeze_test

// These tests really freeze, but only loop-mounted ext4 images under the
// test's temp dir (see freezetest); they need root.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/freeze"
	"github.com/qgad/qgad/internal/freeze/freezetest"
	"github.com/qgad/qgad/internal/mounts"
)

// setup mounts the named loop filesystems and returns their mount list, in
// the order given, read back through a fixture mountinfo that lists only them.
func setup(t *testing.T, names ...string) (base string, ms []mounts.Mount) {
	t.Helper()
	base = t.TempDir()
	var lines []string
	for _, n := range names {
		dir := freezetest.LoopFS(t, base, n)
		lines = append(lines, freezetest.RealLine(t, dir))
	}
	root := filepath.Join(base, "root")
	freezetest.WriteMountinfo(t, root, base, lines...)
	ms, err := mounts.List(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != len(names) {
		t.Fatalf("mount list %v, want %d entries", ms, len(names))
	}
	return base, ms
}

func TestFreezeThawBlocksWriters(t *testing.T) {
	_, ms := setup(t, "a")
	dir := ms[0].Dir
	n, err := freeze.Freeze(context.Background(), ms, nil)
	if err != nil || n != 1 {
		t.Fatalf("Freeze = %d, %v; want 1, nil", n, err)
	}
	if !freezetest.IsFrozen(t, dir) {
		t.Fatal("filesystem not frozen after Freeze")
	}
	done := freezetest.Writer(filepath.Join(dir, "f"))
	if !freezetest.Blocked(done, 300*time.Millisecond) {
		t.Fatal("a write completed on a frozen filesystem")
	}
	if got := freeze.Thaw(ms); got != 1 {
		t.Errorf("Thaw = %d, want 1", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("writer after thaw: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("writer still blocked after thaw")
	}
	if got := freeze.Thaw(ms); got != 0 {
		t.Errorf("second Thaw = %d, want 0", got)
	}
}

func TestFreezeCounts(t *testing.T) {
	tests := []struct {
		name       string
		only       func(ms []mounts.Mount) []string
		preFrozen  []int // indexes frozen by another process first
		want       int
		wantFrozen []bool
	}{
		{name: "all", want: 2, wantFrozen: []bool{true, true}},
		{name: "only the second", only: func(ms []mounts.Mount) []string { return []string{ms[1].Dir} }, want: 1, wantFrozen: []bool{false, true}},
		{name: "empty list freezes nothing", only: func([]mounts.Mount) []string { return []string{} }, want: 0, wantFrozen: []bool{false, false}},
		{name: "unknown names ignored", only: func(ms []mounts.Mount) []string { return []string{"/nowhere", ms[0].Dir + "/"} }, want: 0, wantFrozen: []bool{false, false}},
		{name: "already frozen is EBUSY: ignored, not counted", preFrozen: []int{0}, want: 1, wantFrozen: []bool{true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ms := setup(t, "a", "b")
			for _, i := range tt.preFrozen {
				if out, err := exec.Command("fsfreeze", "-f", ms[i].Dir).CombinedOutput(); err != nil {
					t.Fatalf("fsfreeze -f: %v %s", err, out)
				}
			}
			var only []string
			if tt.only != nil {
				only = tt.only(ms)
			}
			n, err := freeze.Freeze(context.Background(), ms, only)
			if err != nil || n != tt.want {
				t.Fatalf("Freeze = %d, %v; want %d, nil", n, err, tt.want)
			}
			for i, want := range tt.wantFrozen {
				if got := freezetest.IsFrozen(t, ms[i].Dir); got != want {
					t.Errorf("%s frozen = %v, want %v", ms[i].Dir, got, want)
				}
			}
			wantThawed := 0
			for _, f := range tt.wantFrozen {
				if f {
					wantThawed++
				}
			}
			if got := freeze.Thaw(ms); got != wantThawed {
				t.Errorf("Thaw = %d, want %d", got, wantThawed)
			}
		})
	}
}

func TestFreezeUnsupportedIgnored(t *testing.T) {
	base, ms := setup(t, "a")
	tmp := filepath.Join(base, "tmpfs")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", tmp, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(tmp, unix.MNT_DETACH) })
	// tmpfs answers EOPNOTSUPP; it comes last so it is processed first.
	list := append(ms, mounts.Mount{Dir: tmp, Type: "tmpfs"})
	n, err := freeze.Freeze(context.Background(), list, nil)
	if err != nil || n != 1 {
		t.Fatalf("Freeze = %d, %v; want 1, nil", n, err)
	}
	if got := freeze.Thaw(list); got != 1 {
		t.Errorf("Thaw = %d, want 1", got)
	}
}

// TestFreezeFailureRollsBack: the walk is in reverse, so "good" (listed
// second) freezes first, then "bad" fails and "good" must be thawed again.
func TestFreezeFailureRollsBack(t *testing.T) {
	tests := []struct {
		name    string
		break_  func(t *testing.T, base string, bad mounts.Mount) mounts.Mount
		wantErr func(dir string) string
		wantOp  string
	}{
		{
			name: "FIFREEZE fails with EIO",
			break_: func(t *testing.T, _ string, bad mounts.Mount) mounts.Mount {
				freezetest.Shutdown(t, bad.Dir)
				return bad
			},
			wantErr: func(dir string) string { return "failed to freeze " + dir + ": Input/output error" },
			wantOp:  "freeze",
		},
		{
			name: "mount point cannot be opened",
			break_: func(t *testing.T, base string, bad mounts.Mount) mounts.Mount {
				bad.Dir = filepath.Join(base, "gone")
				return bad
			},
			wantErr: func(dir string) string { return "failed to open " + dir + ": No such file or directory" },
			wantOp:  "open",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, ms := setup(t, "bad", "good")
			bad := tt.break_(t, base, ms[0])
			list := []mounts.Mount{bad, ms[1]}
			n, err := freeze.Freeze(context.Background(), list, nil)
			if err == nil {
				t.Fatalf("Freeze = %d, nil; want an error", n)
			}
			if want := tt.wantErr(bad.Dir); err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
			var fe *freeze.Error
			if !errors.As(err, &fe) || fe.Op != tt.wantOp || fe.Dir != bad.Dir {
				t.Errorf("error %#v, want a *freeze.Error for %s %s", err, tt.wantOp, bad.Dir)
			}
			if freezetest.IsFrozen(t, ms[1].Dir) {
				t.Error("the filesystem frozen before the failure was left frozen")
			}
		})
	}
}

func TestFreezeContextEnded(t *testing.T) {
	_, ms := setup(t, "a")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := freeze.Freeze(ctx, ms, nil)
	if err == nil || !errors.Is(err, context.Canceled) || n != 0 {
		t.Fatalf("Freeze = %d, %v; want 0 and context.Canceled", n, err)
	}
	if freezetest.IsFrozen(t, ms[0].Dir) {
		t.Error("frozen despite the ended context")
	}
}

func TestThaw(t *testing.T) {
	tests := []struct {
		name   string
		freeze func(t *testing.T, dir string)
		want   int
	}{
		{name: "not frozen", freeze: func(*testing.T, string) {}, want: 0},
		{
			name: "frozen by another process",
			freeze: func(t *testing.T, dir string) {
				if out, err := exec.Command("fsfreeze", "-f", dir).CombinedOutput(); err != nil {
					t.Fatalf("fsfreeze -f: %v %s", err, out)
				}
			},
			want: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, ms := setup(t, "a")
			tt.freeze(t, ms[0].Dir)
			// An unopenable entry is skipped silently.
			list := append([]mounts.Mount{{Dir: filepath.Join(base, "gone")}}, ms...)
			if got := freeze.Thaw(list); got != tt.want {
				t.Errorf("Thaw = %d, want %d", got, tt.want)
			}
			if freezetest.IsFrozen(t, ms[0].Dir) {
				t.Error("still frozen after Thaw")
			}
		})
	}
}

func TestInsideRootGuard(t *testing.T) {
	base, ms := setup(t, "a")
	plain := filepath.Join(base, "plain")
	link := filepath.Join(base, "link")
	if err := os.Mkdir(plain, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", link); err != nil {
		t.Fatal(err)
	}
	guard, err := freeze.InsideRoot(base)
	if err != nil {
		t.Fatal(err)
	}
	// The guard is called directly: nothing here issues an ioctl.
	tests := []struct {
		dir    string
		wantOK bool
	}{
		{ms[0].Dir, true},
		{"/", false},
		{base, false},
		{plain, false},
		{link, false},
		{filepath.Join(base, "gone"), false},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.dir, "/", "_"), func(t *testing.T) {
			fd, err := unix.Open(tt.dir, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				fd, err = unix.Open(base, unix.O_RDONLY|unix.O_CLOEXEC, 0)
				if err != nil {
					t.Fatal(err)
				}
			}
			defer unix.Close(fd)
			err = guard(tt.dir, fd)
			if (err == nil) != tt.wantOK {
				t.Errorf("guard(%s) = %v, want ok=%v", tt.dir, err, tt.wantOK)
			}
		})
	}
}
