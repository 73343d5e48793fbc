package system

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/cscan"
	"github.com/qgad/qgad/qapi"
)

// memoryDir is written with its trailing slash, as in qemu-ga's messages.
const memoryDir = "/sys/devices/system/memory/"

// memoryBlock is GuestMemoryBlock as guest-get-memory-blocks returns it.
type memoryBlock struct {
	PhysIndex  uint64 `json:"phys-index"`
	Online     bool   `json:"online"`
	CanOffline bool   `json:"can-offline"`
}

// memBlockArg is GuestMemoryBlock as guest-set-memory-blocks receives it.
type memBlockArg struct {
	PhysIndex  uint64 `json:"phys-index"`
	Online     bool   `json:"online"`
	CanOffline *bool  `json:"can-offline"` // ignored, as by qemu-ga
}

type setMemoryBlocksArgs struct {
	MemBlks []memBlockArg `json:"mem-blks"`
}

// GuestMemoryBlockResponseType values.
const (
	memSuccess      = "success"
	memNotFound     = "not-found"
	memNotSupported = "operation-not-supported"
	memFailed       = "operation-failed"
)

// memBlockResponse is GuestMemoryBlockResponse.
type memBlockResponse struct {
	PhysIndex uint64 `json:"phys-index"`
	Response  string `json:"response"`
	ErrorCode *int64 `json:"error-code,omitempty"`
}

type memBlockInfo struct {
	Size uint64 `json:"size"`
}

// getMemoryBlocks lists the memory<N> directories of sysfs in directory
// order. A guest without the sysfs directory has no blocks to report.
func (f *family) getMemoryBlocks(ctx context.Context) ([]memoryBlock, error) {
	d, err := openDirFile(f.env.Path(memoryDir))
	if err != nil {
		if errno := errnoOf(err); errno != unix.ENOENT {
			return nil, errorWithErrno(errno, "Can't open directory\"%s\"", memoryDir)
		}
		return []memoryBlock{}, nil
	}
	defer d.Close()
	// ReadDir on an open directory keeps the kernel's order and reports
	// each entry's d_type, which qemu-ga tests with d_type & DT_DIR. A read
	// error ends the listing, as readdir(3) returning NULL ends qemu-ga's.
	entries, _ := d.ReadDir(-1)
	var out []memoryBlock
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "memory") || !hasDirBit(e.Type()) {
			continue
		}
		idx, _, _ := cscan.Strtoul(e.Name()[len("memory"):], 10)
		blk, err := f.readMemoryBlock(idx)
		if err != nil {
			return nil, err
		}
		out = append(out, blk)
	}
	if len(out) == 0 {
		return nil, qapi.Errorf("guest reported zero memory blocks!")
	}
	return out, nil
}

// hasDirBit is d_type & DT_DIR: true for directories, and also for block
// devices and sockets (DT_BLK 6 and DT_SOCK 12 share the bit).
func hasDirBit(t fs.FileMode) bool {
	blockDevice := t&fs.ModeDevice != 0 && t&fs.ModeCharDevice == 0
	return t&(fs.ModeDir|fs.ModeSocket) != 0 || blockDevice
}

// memBlockDirPath is qemu-ga's directory text for a block; the index is
// printed as a signed number, as qemu-ga's PRId64 does.
func memBlockDirPath(idx uint64) string {
	return fmt.Sprintf("%smemory%d/", memoryDir, int64(idx))
}

// readMemoryBlock is transfer_memory_block in the system-to-block direction.
func (f *family) readMemoryBlock(idx uint64) (memoryBlock, error) {
	blk := memoryBlock{PhysIndex: idx}
	dir := memBlockDirPath(idx)
	dirfd, err := openDir(f.env.Path(dir))
	if err != nil {
		return blk, errorWithErrno(errnoOf(err), "open(\"%s\")", dir)
	}
	defer unix.Close(dirfd)
	var state [10]byte
	if _, errno, err := readSysfsFile(dirfd, "state", state[:]); err != nil {
		if errno != unix.ENOENT {
			return blk, err
		}
		// Old kernels have no state file: always online, never removable.
		blk.Online, blk.CanOffline = true, false
		return blk, nil
	}
	blk.Online = bytes.HasPrefix(state[:], []byte("online"))
	var removable [1]byte
	if _, errno, err := readSysfsFile(dirfd, "removable", removable[:]); err != nil {
		if errno != unix.ENOENT {
			return blk, err
		}
		return blk, nil // no "removable": offlining is not supported
	}
	blk.CanOffline = removable[0] != '0'
	return blk, nil
}

// setMemoryBlocks answers each request separately; the command itself
// never fails.
func (f *family) setMemoryBlocks(ctx context.Context, a setMemoryBlocksArgs) ([]memBlockResponse, error) {
	out := make([]memBlockResponse, 0, len(a.MemBlks))
	for _, b := range a.MemBlks {
		out = append(out, f.writeMemoryBlock(b))
	}
	return out, nil
}

// writeMemoryBlock is transfer_memory_block in the block-to-system
// direction. error-code is the errno qemu-ga sees when it gives up, which
// leads to its quirks: "success" with an error-code when the sysfs memory
// directory cannot be opened for a reason other than ENOENT, or when a
// block without a state file is asked to go online (ENOENT); error-code 0
// for an empty state file.
func (f *family) writeMemoryBlock(b memBlockArg) memBlockResponse {
	r := memBlockResponse{PhysIndex: b.PhysIndex, Response: memSuccess}
	giveUp := func(response string, errno syscall.Errno) memBlockResponse {
		if response != "" {
			r.Response = response
		}
		code := int64(errno)
		r.ErrorCode = &code
		return r
	}

	top, err := openDir(f.env.Path(memoryDir))
	if err != nil {
		errno := errnoOf(err)
		if errno == unix.ENOENT {
			return giveUp(memNotSupported, errno)
		}
		return giveUp("", errno)
	}
	unix.Close(top)

	dirfd, err := openDir(f.env.Path(memBlockDirPath(b.PhysIndex)))
	if err != nil {
		errno := errnoOf(err)
		if errno == unix.ENOENT {
			return giveUp(memNotFound, errno)
		}
		return giveUp(memFailed, errno)
	}
	defer unix.Close(dirfd)

	var state [10]byte
	if _, errno, err := readSysfsFile(dirfd, "state", state[:]); err != nil {
		switch {
		case errno != unix.ENOENT:
			return giveUp(memFailed, errno)
		case !b.Online:
			return giveUp(memNotSupported, errno)
		}
		return giveUp("", errno)
	}
	if b.Online == bytes.HasPrefix(state[:], []byte("online")) {
		return r // already in the requested state
	}
	newState := "offline"
	if b.Online {
		newState = "online"
	}
	if errno, err := writeSysfsFile(dirfd, "state", []byte(newState)); err != nil {
		return giveUp(memFailed, errno)
	}
	return r
}

// getMemoryBlockInfo reports the size of a memory block, which sysfs gives
// in hexadecimal.
func (f *family) getMemoryBlockInfo(ctx context.Context) (memBlockInfo, error) {
	dirfd, err := openDir(f.env.Path(memoryDir))
	if err != nil {
		return memBlockInfo{}, errorWithErrno(errnoOf(err), "open(\"%s\")", memoryDir)
	}
	defer unix.Close(dirfd)
	var buf [20]byte
	n, _, err := readSysfsFile(dirfd, "block_size_bytes", buf[:])
	if err != nil {
		return memBlockInfo{}, err
	}
	// strtol(buf, NULL, 16) stored in a uint64: negative values wrap.
	size, _, _ := cscan.Strtol(cscan.CString(string(buf[:n])), 16)
	return memBlockInfo{Size: uint64(size)}, nil
}
