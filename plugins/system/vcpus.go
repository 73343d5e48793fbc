package system

import (
	"context"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/cscan"
	"github.com/qgad/qgad/qapi"
)

const cpuDir = "/sys/devices/system/cpu"

// logicalProcessor is GuestLogicalProcessor as guest-get-vcpus returns it
// (can-offline is always filled in).
type logicalProcessor struct {
	LogicalID  int64 `json:"logical-id"`
	Online     bool  `json:"online"`
	CanOffline bool  `json:"can-offline"`
}

// vcpuArg is GuestLogicalProcessor as guest-set-vcpus receives it.
type vcpuArg struct {
	LogicalID  int64 `json:"logical-id"`
	Online     bool  `json:"online"`
	CanOffline *bool `json:"can-offline"` // ignored, as by qemu-ga
}

type setVcpusArgs struct {
	Vcpus []vcpuArg `json:"vcpus"`
}

// getVcpus lists cpu<N> entries of sysfs in directory order, as qemu-ga does
// (unsorted: the kernel's order, e.g. cpu1 before cpu0).
func (f *family) getVcpus(ctx context.Context) ([]logicalProcessor, error) {
	names, err := readDirNames(f.env.Path(cpuDir))
	if err != nil {
		return nil, errorWithErrno(errnoOf(err), "failed to list entries: %s", cpuDir)
	}
	// qemu-ga asserts (and dies) on a guest without CPUs; an empty list is
	// the honest answer instead.
	out := []logicalProcessor{}
	for _, name := range names {
		id, ok := cpuNumber(name)
		if !ok {
			continue
		}
		vcpu := logicalProcessor{LogicalID: id}
		online, canOffline, err := f.readVcpu(id)
		if err != nil {
			return nil, err
		}
		vcpu.Online, vcpu.CanOffline = online, canOffline
		out = append(out, vcpu)
	}
	return out, nil
}

// setVcpus changes the online state of each listed vCPU in order and returns
// how many were processed before the first failure; a failure of the first
// one is the command's error.
func (f *family) setVcpus(ctx context.Context, a setVcpusArgs) (int64, error) {
	var processed int64
	for _, v := range a.Vcpus {
		err := ctx.Err()
		if err != nil {
			err = qapi.Errorf("guest-set-vcpus: %v", err)
		} else {
			err = f.writeVcpu(v.LogicalID, v.Online)
		}
		if err != nil {
			if processed == 0 {
				return 0, err
			}
			break
		}
		processed++
	}
	return processed, nil
}

// vcpuDirPath is qemu-ga's directory text, trailing slash included, which
// also appears in its messages ("…/cpu3//online").
func vcpuDirPath(id int64) string {
	return fmt.Sprintf("%s/cpu%d/", cpuDir, id)
}

// readVcpu is transfer_vcpu in the system-to-vcpu direction.
func (f *family) readVcpu(id int64) (online, canOffline bool, err error) {
	dir := vcpuDirPath(id)
	dirfd, err := openDir(f.env.Path(dir))
	if err != nil {
		return false, false, errorWithErrno(errnoOf(err), "open(\"%s\")", dir)
	}
	defer unix.Close(dirfd)
	fd, err := openAt(dirfd, "online", unix.O_RDONLY)
	if err != nil {
		if errno := errnoOf(err); errno != unix.ENOENT {
			return false, false, errorWithErrno(errno, "open(\"%s/online\")", dir)
		}
		// No "online" switch: the CPU cannot be taken offline (cpu0).
		return true, false, nil
	}
	defer unix.Close(fd)
	status, err := readVcpuStatus(fd, dir)
	if err != nil {
		return false, false, err
	}
	return status != '0', true, nil
}

// writeVcpu is transfer_vcpu in the vcpu-to-system direction.
func (f *family) writeVcpu(id int64, online bool) error {
	dir := vcpuDirPath(id)
	dirfd, err := openDir(f.env.Path(dir))
	if err != nil {
		return errorWithErrno(errnoOf(err), "open(\"%s\")", dir)
	}
	defer unix.Close(dirfd)
	fd, err := openAt(dirfd, "online", unix.O_RDWR)
	if err != nil {
		if errno := errnoOf(err); errno != unix.ENOENT {
			return errorWithErrno(errno, "open(\"%s/online\")", dir)
		}
		if !online {
			return qapi.Errorf("logical processor #%d can't be offlined", id)
		}
		return nil // already online, and it always is
	}
	defer unix.Close(fd)
	status, err := readVcpuStatus(fd, dir)
	if err != nil {
		return err
	}
	if online == (status != '0') {
		return nil
	}
	want := byte('0')
	if online {
		want = '1'
	}
	if _, err := pwrite(fd, []byte{want}); err != nil {
		return errorWithErrno(errnoOf(err), "pwrite(\"%s/online\")", dir)
	}
	return nil
}

func readVcpuStatus(fd int, dir string) (byte, error) {
	var b [1]byte
	n, err := pread(fd, b[:])
	switch {
	case err != nil:
		return 0, errorWithErrno(errnoOf(err), "pread(\"%s/online\")", dir)
	case n == 0:
		return 0, qapi.Errorf("pread(\"%s/online\"): unexpected EOF", dir)
	}
	return b[0], nil
}

// cpuNumber is qemu-ga's sscanf(name, "cpu%" PRId64, &id) != 0: "cpu"
// followed by an optionally signed decimal number ("cpu7", "cpu7abc");
// "cpufreq" and "cpuidle" do not match. A bare "cpu" makes sscanf return EOF,
// which qemu-ga takes for a match with an unset id; sysfs has no such entry,
// and it is skipped here.
func cpuNumber(name string) (int64, bool) {
	rest, ok := strings.CutPrefix(name, "cpu")
	if !ok {
		return 0, false
	}
	id, _, ok := cscan.Strtol(rest, 10)
	return id, ok
}

// readDirNames lists a directory in the order the kernel returns entries
// (getdents order, as readdir(3) gives them to qemu-ga); os.ReadDir would
// sort them by name.
func readDirNames(path string) ([]string, error) {
	d, err := openDirFile(path)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Readdirnames(-1)
}

// openDirFile opens a directory like opendir(3), so that a non-directory
// fails with ENOTDIR right away.
func openDirFile(path string) (*os.File, error) {
	fd, err := openDir(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}
