package file

import (
	"context"
	"encoding/json"
	"github.com/qgad/qgad/internal/glibb64"
	"io"
	"syscall"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

// writeResult is GuestFileWrite.
type writeResult struct {
	Count int64 `json:"count"`
	EOF   bool  `json:"eof"`
}

// write is guest-file-write. Its arguments are decoded by hand (see
// parseWriteArgs), so it takes the raw JSON.
//
// Data is written with write(2) at once, where qemu-ga's fwrite may keep up
// to a stdio buffer (4 KiB) until the next flush, read, seek or close. No
// result on the handle differs; other readers of the file just see the
// data sooner, and an I/O error is reported by the write that causes it.
func (f *family) write(_ context.Context, raw json.RawMessage) (any, error) {
	a, err := parseWriteArgs(raw)
	if err != nil {
		return nil, err
	}
	h, err := f.files.acquire(a.handle)
	if err != nil {
		return nil, err
	}
	defer h.mu.Unlock()
	// stdio needs a seek between a read and a write; the seek fails on a
	// pipe, and that error is part of the protocol.
	if h.state == stateReading {
		if _, err := syscall.Seek(h.fd, 0, io.SeekCurrent); err != nil {
			return nil, qapi.Errorf("failed to seek file: %s", runner.ErrText(err))
		}
		h.state = stateNew
	}
	data, err := glibb64.Decode(a.buf)
	if err != nil {
		return nil, err
	}
	count := int64(len(data))
	if a.count != nil {
		if *a.count < 0 || *a.count > count {
			return nil, qapi.Errorf("value '%d' is invalid for argument count", *a.count)
		}
		count = *a.count
	}
	if err := writeAll(h.fd, data[:count]); err != nil {
		return nil, qapi.Errorf("failed to write to file: %s", runner.ErrText(err))
	}
	h.state = stateWriting
	return writeResult{Count: count}, nil
}

// writeAll writes p in full; like fwrite, zero bytes means no system call
// (so even a read-only handle accepts an empty write).
func writeAll(fd int, p []byte) error {
	for len(p) > 0 {
		n, err := syscall.Write(fd, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		p = p[n:]
	}
	return nil
}
