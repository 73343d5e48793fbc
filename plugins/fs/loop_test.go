package fs

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// loopRoot builds a test root whose /mnt is a freshly made ext4 image,
// loop-mounted for the test, and whose proc/self/mountinfo lists that mount
// (plus the extra lines given) and nothing else, so that FITRIM can reach no
// filesystem of this machine. It needs root, truncate, mkfs.ext4 and mount.
func loopRoot(t *testing.T, extra ...string) (root string, mountLine string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test loop-mounts an image and must run as root")
	}
	root = t.TempDir()
	img := filepath.Join(t.TempDir(), "fs.img")
	mnt := filepath.Join(root, "mnt")
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	run("truncate", "-s", "64M", img)
	run("mkfs.ext4", "-q", "-F", img)
	run("mount", "-o", "loop", img, mnt)
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", mnt, err, out)
		}
	})

	// Take the mount's own line from the real table, with its mount point
	// rewritten to the path inside the test root.
	self, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(self), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && f[4] == mnt {
			f[4] = "/mnt"
			mountLine = strings.Join(f, " ")
		}
	}
	if mountLine == "" {
		t.Fatalf("%s not found in /proc/self/mountinfo", mnt)
	}
	lines := append([]string{mountLine}, extra...)
	// Guard: every mount point must lie inside the test root.
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 5 || !strings.HasPrefix(f[4], "/") {
			t.Fatalf("refusing mountinfo line %q", l)
		}
		host := filepath.Join(root, f[4])
		if host != root && !strings.HasPrefix(host, root+string(filepath.Separator)) {
			t.Fatalf("refusing mountinfo line %q: mount point outside the test root", l)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "proc/self"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "proc/self/mountinfo"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, mountLine
}

func TestFstrimLoopMount(t *testing.T) {
	root, _ := loopRoot(t,
		// A directory of the root that is not a mount point: FITRIM would
		// hit the machine's filesystem, so it is refused.
		"90 1 7:250 / /notmounted rw - ext4 /dev/loop250 rw",
		"91 1 7:251 / /missing rw - ext4 /dev/loop251 rw",
	)
	if err := os.Mkdir(filepath.Join(root, "notmounted"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := newPlugin(t, root)
	tests := []struct {
		name    string
		args    string
		minimum int64
	}{
		{"default minimum", "", 0},
		{"explicit minimum", `{"minimum": 1048576}`, 1 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errText := call(t, p, "guest-fstrim", tc.args)
			if errText != "" {
				t.Fatalf("guest-fstrim: %s", errText)
			}
			var resp struct {
				Paths []struct {
					Path    string  `json:"path"`
					Trimmed *int64  `json:"trimmed"`
					Minimum *int64  `json:"minimum"`
					Error   *string `json:"error"`
				} `json:"paths"`
			}
			if err := json.Unmarshal([]byte(out), &resp); err != nil {
				t.Fatalf("%v in %s", err, out)
			}
			if len(resp.Paths) != 3 {
				t.Fatalf("want 3 entries, got %s", out)
			}
			// Reverse mount-table order.
			want := []struct{ path, err string }{
				{"/missing", "failed to open: No such file or directory"},
				{"/notmounted", "failed to trim: Operation not permitted"},
				{"/mnt", ""},
			}
			for i, w := range want {
				e := resp.Paths[i]
				gotErr := ""
				if e.Error != nil {
					gotErr = *e.Error
				}
				if e.Path != w.path || gotErr != w.err {
					t.Errorf("entry %d = %s %q, want %s %q", i, e.Path, gotErr, w.path, w.err)
				}
				if w.err != "" && (e.Trimmed != nil || e.Minimum != nil) {
					t.Errorf("entry %d has an error and trim results: %s", i, out)
				}
			}
			trimmed := resp.Paths[2]
			if trimmed.Trimmed == nil || trimmed.Minimum == nil {
				t.Fatalf("no trim results for the loop mount: %s", out)
			}
			if *trimmed.Minimum < tc.minimum || *trimmed.Trimmed < 0 || *trimmed.Trimmed > 64<<20 {
				t.Errorf("implausible trim results: minimum %d trimmed %d", *trimmed.Minimum, *trimmed.Trimmed)
			}
			if !strings.Contains(out, `"minimum": `) || !strings.Contains(out, `"trimmed": `) {
				t.Errorf("serialized result lacks members: %s", out)
			}
		})
	}
}

// The first FITRIM of a fresh mount discards its free space.
func TestFstrimTrimsFreeSpace(t *testing.T) {
	root, _ := loopRoot(t)
	var st unix.Statfs_t
	if err := unix.Statfs(filepath.Join(root, "mnt"), &st); err != nil {
		t.Fatal(err)
	}
	out, errText := call(t, newPlugin(t, root), "guest-fstrim", "")
	if errText != "" {
		t.Fatal(errText)
	}
	var resp struct {
		Paths []struct {
			Trimmed int64 `json:"trimmed"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil || len(resp.Paths) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	free := int64(st.Bfree) * st.Bsize
	if got := resp.Paths[0].Trimmed; got <= 0 || got > free {
		t.Errorf("trimmed %d bytes, free space is %d", got, free)
	}
}

func TestFsinfoLoopMount(t *testing.T) {
	root, line := loopRoot(t)
	var st unix.Statfs_t
	if err := unix.Statfs(filepath.Join(root, "mnt"), &st); err != nil {
		t.Fatal(err)
	}
	majmin := strings.Fields(line)[2] // no sysfs in this root: named after the device number
	used := (st.Blocks - st.Bfree) * uint64(st.Frsize)
	want := fmt.Sprintf(`[{"name": %q, "total-bytes": %d, "total-bytes-privileged": %d, "mountpoint": "/mnt", "disk": [], "used-bytes": %d, "type": "ext4"}]`,
		majmin, (st.Blocks-st.Bfree+st.Bavail)*uint64(st.Frsize), st.Blocks*uint64(st.Frsize), used)
	got, errText := call(t, newPlugin(t, root), "guest-get-fsinfo", "")
	if errText != "" || got != want {
		t.Errorf("got %s (error %q)\nwant %s", got, errText, want)
	}
}
