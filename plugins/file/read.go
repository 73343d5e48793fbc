package file

import (
	"context"
	"io"
	"strconv"
	"sync"
	"syscall"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

type readArgs struct {
	Handle int64  `json:"handle"`
	Count  *int64 `json:"count"`
}

const (
	defaultReadCount = 4096
	maxReadCount     = 48 << 20 // GUEST_FILE_READ_COUNT_MAX
	// Reads up to this size get their whole buffer at once; larger ones
	// are sized by the bytes left in a regular file first.
	smallRead = 64 << 10
)

// The result is built by hand, in qemu-ga's member order (count, buf-b64,
// eof), around base64 encoded in place.
const (
	readHead     = `{"count": `
	readMid      = `, "buf-b64": "`
	readTailEOF  = `", "eof": true}`
	readTailMore = `", "eof": false}`
	readHeadMax  = len(readHead) + len("-9223372036854775808") + len(readMid)
)

func (f *family) read(_ context.Context, a readArgs) (any, error) {
	h, err := f.files.acquire(a.Handle)
	if err != nil {
		return nil, err
	}
	defer h.mu.Unlock()
	count := int64(defaultReadCount)
	if a.Count != nil {
		count = *a.Count
		if count < 0 || count > maxReadCount {
			return nil, qapi.Errorf("value '%d' is invalid for argument count", count)
		}
	}
	// qemu-ga flushes its stdio buffer here after a write; our writes are
	// not buffered, so only the state changes.
	if h.state == stateWriting {
		h.state = stateNew
	}
	res, err := readResult(h.fd, int(count), &f.bufs)
	if err != nil {
		return nil, qapi.Errorf("failed to read file: %s", runner.ErrText(err))
	}
	h.state = stateReading
	return res, nil
}

// readResult reads count bytes as one stdio fread would: read(2) until
// count bytes came, end of file (a read returning 0: eof is true) or an
// error, which loses what was read, as in qemu-ga: EAGAIN from an empty
// non-blocking FIFO fails the whole read.
// Buffers of streamed reads come from, and go back to, bufs (nil: none).
func readResult(fd, count int, bufs *sync.Pool) (any, error) {
	capacity := count
	if count > smallRead {
		if left, ok := bytesLeft(fd); ok && left < int64(count) {
			capacity = int(left) + 1 // +1 to see the end of file
		}
	}
	rb := newReadBuf(capacity, bufs)
	got, eof := 0, false
	for got < count {
		if got == rb.capacity { // the file grew, or is a /proc file of size 0
			rb = rb.grow(count, got)
		}
		n, err := syscall.Read(fd, rb.b[rb.raw+got:rb.raw+min(count, rb.capacity)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			eof = true
			break
		}
		got += n
	}
	return rb.result(got, eof), nil
}

// bytesLeft is the size of a regular file minus the offset, to size the
// buffer of a large read of a small file.
func bytesLeft(fd int) (int64, bool) {
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return 0, false
	}
	pos, err := syscall.Seek(fd, 0, io.SeekCurrent)
	if err != nil {
		return 0, false
	}
	return max(st.Size-pos, 0), true
}

// readBuf is the result of a read in the making: raw bytes are read to
// b[raw:raw+capacity], at the end of the room their base64 will take, so
// they can be encoded in place behind the JSON head.
type readBuf struct {
	b        []byte
	raw      int
	capacity int
	bufs     *sync.Pool // where b goes once a streamed result is sent
}

func newReadBuf(capacity int, bufs *sync.Pool) readBuf {
	enc := encodedLen(capacity)
	size := readHeadMax + enc + len(readTailMore)
	var b []byte
	if bufs != nil && capacity >= streamFrom {
		// Every byte of b[:end] is written before it is sent: a reused
		// buffer needs no clearing.
		if p, ok := bufs.Get().(*[]byte); ok && cap(*p) >= size {
			b = (*p)[:size]
		}
	}
	if b == nil {
		b = make([]byte, size)
	}
	return readBuf{b: b, raw: readHeadMax + enc - capacity, capacity: capacity, bufs: bufs}
}

// grow returns a buffer for capacity bytes holding the got bytes read so far.
func (rb readBuf) grow(capacity, got int) readBuf {
	nb := newReadBuf(capacity, rb.bufs)
	copy(nb.b[nb.raw:], rb.b[rb.raw:rb.raw+got])
	return nb
}

// result encodes the n bytes read and frames them as GuestFileRead: as
// one buffer, or from streamFrom bytes as a result encoded while it is sent.
func (rb readBuf) result(n int, eof bool) any {
	head := append(rb.b[:0], readHead...)
	head = strconv.AppendInt(head, int64(n), 10)
	head = append(head, readMid...)
	tail := readTailMore
	if eof {
		tail = readTailEOF
	}
	if n >= streamFrom {
		return &streamedRead{rb: rb, n: n, head: len(head), tail: tail}
	}
	// head is at most readHeadMax long and raw-len(head) >= (capacity+2)/3,
	// what encodeInPlace needs.
	end := encodeInPlace(rb.b, len(head), rb.raw, n)
	end += copy(rb.b[end:], tail)
	return qapi.RawJSON(rb.b[:end])
}

// Reads from streamFrom bytes are encoded streamChunk raw bytes at a time
// (768 KiB: 1 MiB of base64, a multiple of 3 so only the last chunk is
// padded), each chunk sent before the next is encoded: the core receives
// while the plugin encodes (sdk.Streamed).
const (
	streamFrom  = 1 << 20
	streamChunk = 768 << 10
)

// streamedRead is a GuestFileRead result whose base64 is produced, in
// place, by WriteTo.
type streamedRead struct {
	rb   readBuf
	n    int    // raw bytes read, at rb.b[rb.raw:]
	head int    // the JSON head is rb.b[:head]
	tail string // the JSON after the base64
}

func (s *streamedRead) Len() int { return s.head + encodedLen(s.n) + len(s.tail) }

// WriteTo encodes chunk after chunk and writes each: encoding a prefix in
// place keeps what encodeInPlace needs for the rest (the gap between the
// next raw byte and the next output byte shrinks by one per 3 bytes).
func (s *streamedRead) WriteTo(w io.Writer) (int64, error) {
	b := s.rb.b
	var total int64
	sent, d, src, left := 0, s.head, s.rb.raw, s.n
	for left > 0 {
		k := min(left, streamChunk)
		d = encodeInPlace(b, d, src, k)
		src, left = src+k, left-k
		if left == 0 {
			d += copy(b[d:], s.tail)
		}
		n, err := w.Write(b[sent:d])
		total += int64(n)
		if err != nil {
			return total, err
		}
		sent = d
	}
	// WriteTo runs once, after which nothing refers to b.
	if s.rb.bufs != nil {
		s.rb.bufs.Put(&b)
		s.rb.b = nil
	}
	return total, nil
}
