// Package freezetest gives tests real filesystems to freeze without any risk
// to the machine running them: small loop-mounted ext4 images under the
// test's temp dir, and fixture mount tables that can list nothing else.
//
// The tests need root, mkfs.ext4 (e2fsprogs), mount and fsfreeze
// (util-linux) and loop devices; CI runs them as root.
package freezetest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/freeze"
	"github.com/qgad/qgad/internal/mounts"
)

// loopMajor is the block major of loop devices.
const loopMajor = 7

// LoopFS creates a 64 MiB ext4 image in a temp dir, mounts it on a new
// directory name inside base and returns the mount point. Cleanup thaws it
// (first, so nothing stays blocked) and unmounts it.
func LoopFS(t testing.TB, base, name string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("freeze tests need root (loop mounts, FIFREEZE); CI runs them as root")
	}
	img := filepath.Join(t.TempDir(), name+".img")
	dir := filepath.Join(base, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 64<<20); err != nil {
		t.Fatal(err)
	}
	run(t, "mkfs.ext4", "-q", "-F", img)
	run(t, "mount", "-o", "loop", img, dir)
	t.Cleanup(func() {
		Thaw(dir)
		if err := unix.Unmount(dir, 0); err != nil {
			t.Logf("unmount %s: %v; detaching lazily", dir, err)
			_ = unix.Unmount(dir, unix.MNT_DETACH)
		}
	})
	return dir
}

func run(t testing.TB, argv ...string) {
	t.Helper()
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

// Thaw issues FITHAW on dir until it fails and reports whether it was frozen.
func Thaw(dir string) bool {
	return freeze.Thaw([]mounts.Mount{{Dir: dir}}) > 0
}

// IsFrozen reports whether the filesystem mounted on dir is frozen. It
// probes with FIFREEZE (EBUSY = already frozen) and undoes a probe freeze
// at once.
func IsFrozen(t testing.TB, dir string) bool {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	defer unix.Close(fd)
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), freeze.FIFREEZE, 0)
	switch errno {
	case unix.EBUSY:
		return true
	case 0:
		if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), freeze.FITHAW, 0); errno != 0 {
			t.Fatalf("undoing the probe freeze of %s: %v", dir, errno)
		}
		return false
	}
	t.Fatalf("probing %s: %v", dir, errno)
	return false
}

// RealLine returns this machine's mountinfo line for the mount on dir.
func RealLine(t testing.TB, dir string) string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var found string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text() + "\n"
		ms := mounts.ParseMountinfo(strings.NewReader(line), mounts.StatThrough("/"))
		if len(ms) == 1 && ms[0].Dir == dir {
			found = line // the last one is the mount on top
		}
	}
	if found == "" {
		t.Fatalf("%s is not in /proc/self/mountinfo", dir)
	}
	return found
}

// Line builds a mountinfo line, escaping names as the kernel does.
func Line(major, minor uint32, dir, fstype, source string) string {
	esc := strings.NewReplacer(" ", `\040`, "\t", `\011`, "\n", `\012`, `\`, `\134`)
	return fmt.Sprintf("900 1 %d:%d / %s rw,relatime - %s %s rw\n", major, minor, esc.Replace(dir), fstype, esc.Replace(source))
}

// WriteMountinfo writes <root>/proc/self/mountinfo from lines. It is the
// safety net of every freeze test: it refuses any entry whose mount point is
// not strictly inside base (the test's temp dir), so a mistake can never
// list a filesystem of this machine.
func WriteMountinfo(t testing.TB, root, base string, lines ...string) {
	t.Helper()
	text := strings.Join(lines, "")
	if err := checkInside(text, base); err != nil {
		t.Fatalf("unsafe fixture mount table: %v", err)
	}
	p := filepath.Join(root, "proc/self/mountinfo")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func checkInside(text, base string) error {
	base = filepath.Clean(base)
	if base == "/" || !filepath.IsAbs(base) {
		return fmt.Errorf("base %q must be an absolute temp dir", base)
	}
	// Every line that qemu-ga's parser would accept, whatever its device.
	for line := range strings.Lines(text) {
		ms := mounts.ParseMountinfo(strings.NewReader(line), func(string) (mounts.Device, error) {
			return mounts.Device{Block: true, Major: 1}, nil
		})
		for _, m := range ms {
			if !strings.HasPrefix(filepath.Clean(m.Dir), base+"/") {
				return fmt.Errorf("mount point %q is outside %s", m.Dir, base)
			}
		}
		if len(ms) == 0 && strings.TrimSpace(line) != "" {
			return errors.New("line not understood, refusing it: " + line)
		}
	}
	return nil
}

// Writer writes and fsyncs a file in a goroutine; the channel reports when
// it is done. On a frozen filesystem it blocks until the thaw.
func Writer(path string) <-chan error {
	done := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			done <- err
			return
		}
		if _, err := f.WriteString("written while frozen\n"); err != nil {
			f.Close()
			done <- err
			return
		}
		if err := f.Sync(); err != nil {
			f.Close()
			done <- err
			return
		}
		done <- f.Close()
	}()
	return done
}

// Blocked reports whether done stays silent for d.
func Blocked(done <-chan error, d time.Duration) bool {
	select {
	case <-done:
		return false
	case <-time.After(d):
		return true
	}
}

// Shutdown shuts an ext4 filesystem down (EXT4_IOC_SHUTDOWN, no log flush):
// from then on FIFREEZE on it fails with EIO, a freeze error that is neither
// EOPNOTSUPP nor EBUSY. Only ever used on a LoopFS.
func Shutdown(t testing.TB, dir string) {
	t.Helper()
	const ext4IOCShutdown = 0x8004587d // _IOR('X', 125, __u32)
	const noLogFlush = 2               // EXT4_GOING_FLAGS_NOLOGFLUSH
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || unix.Major(st.Dev) != loopMajor {
		t.Fatalf("refusing to shut down %s: not a loop-device filesystem", dir)
	}
	if err := unix.IoctlSetPointerInt(fd, ext4IOCShutdown, noLogFlush); err != nil {
		t.Fatalf("shutting down %s: %v", dir, err)
	}
}
