package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// DefaultChunkSize is the size of one guest-file-read or -write in
// ReadFile and WriteFile: big enough to keep round trips few, small enough
// that one reply line stays a few MiB.
const DefaultChunkSize = 1 << 20

// Transfer tunes ReadFile and WriteFile.
type Transfer struct {
	ChunkSize int // DefaultChunkSize when zero
	// Progress, when set, is called after every chunk with the bytes done
	// so far and the total (-1 when unknown).
	Progress func(done, total int64)
}

func (t *Transfer) chunk() int {
	if t == nil || t.ChunkSize <= 0 {
		return DefaultChunkSize
	}
	return t.ChunkSize
}

func (t *Transfer) progress(done, total int64) {
	if t != nil && t.Progress != nil {
		t.Progress(done, total)
	}
}

// closeHandle closes a guest file even when ctx has ended: a handle left
// open stays open in the agent for its lifetime.
func (c *Client) closeHandle(ctx context.Context, h int64) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return c.FileClose(ctx, h)
}

// ReadFile copies the guest file path to w, chunk by chunk, and returns
// the number of bytes copied.
func (c *Client) ReadFile(ctx context.Context, path string, w io.Writer, t *Transfer) (n int64, err error) {
	h, err := c.FileOpen(ctx, path, "r")
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := c.closeHandle(ctx, h); err == nil {
			err = cerr
		}
	}()
	total := int64(-1)
	if t != nil && t.Progress != nil {
		total = c.size(ctx, h)
	}
	for {
		r, err := c.FileRead(ctx, h, int64(t.chunk()))
		if err != nil {
			return n, err
		}
		if _, err := w.Write(r.Data); err != nil {
			return n, fmt.Errorf("copying %s: %w", path, err)
		}
		n += int64(len(r.Data))
		t.progress(n, total)
		if r.EOF || r.Count == 0 {
			return n, nil
		}
	}
}

// size learns a guest file's size by seeking to its end and back, or -1
// (pipes and /proc files cannot tell).
func (c *Client) size(ctx context.Context, h int64) int64 {
	end, err := c.FileSeek(ctx, h, 0, SeekEnd)
	if err != nil {
		return -1
	}
	if _, err := c.FileSeek(ctx, h, 0, SeekSet); err != nil {
		return -1
	}
	return end.Position
}

// WriteFile creates or truncates the guest file path and copies r into it,
// chunk by chunk; size is r's length for progress reports (-1 if unknown).
// It returns the number of bytes written.
func (c *Client) WriteFile(ctx context.Context, path string, r io.Reader, size int64, t *Transfer) (n int64, err error) {
	h, err := c.FileOpen(ctx, path, "w")
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := c.closeHandle(ctx, h); err == nil {
			err = cerr
		}
	}()
	buf := make([]byte, t.chunk())
	for {
		m, rerr := io.ReadFull(r, buf)
		if m > 0 {
			w, err := c.FileWrite(ctx, h, buf[:m])
			if err != nil {
				return n, err
			}
			if w.Count != int64(m) {
				return n, fmt.Errorf("writing %s: the agent wrote %d of %d bytes", path, w.Count, m)
			}
			n += int64(m)
			t.progress(n, size)
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			return n, nil
		}
		if rerr != nil {
			return n, fmt.Errorf("reading the data for %s: %w", path, rerr)
		}
	}
}
