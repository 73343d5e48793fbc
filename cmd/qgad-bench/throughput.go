package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

const (
	// maxReadChunk is guest-file-read's largest count (48 MiB).
	maxReadChunk = 48 << 20
	// maxWriteChunk is the largest guest-file-write that fits qemu-ga's
	// 64 MiB limit on the tokens of one request: 48 MiB of data is 64 MiB
	// of base64 alone, so the request's other ~100 bytes of tokens must
	// come off it (in whole 3-byte groups).
	maxWriteChunk = 48<<20 - 96
)

// openFile runs guest-file-open and returns the handle.
func openFile(c *conn, path, mode string) (int64, error) {
	p, err := json.Marshal(path)
	if err != nil {
		return 0, err
	}
	line, err := c.callOK([]byte(`{"execute": "guest-file-open", "arguments": {"path": ` + string(p) + `, "mode": "` + mode + `"}}` + "\n"))
	if err != nil {
		return 0, fmt.Errorf("guest-file-open %s: %w", path, err)
	}
	v := bytes.TrimSuffix(bytes.TrimPrefix(bytes.TrimSpace(line), []byte(`{"return": `)), []byte("}"))
	h, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("guest-file-open %s: response %q: %w", path, line, err)
	}
	return h, nil
}

func closeFile(c *conn, h int64) error {
	_, err := c.callOK([]byte(fmt.Sprintf(`{"execute": "guest-file-close", "arguments": {"handle": %d}}`+"\n", h)))
	if err != nil {
		return fmt.Errorf("guest-file-close: %w", err)
	}
	return nil
}

// ioResult is one throughput run: agent is the time spent waiting for the
// agent (requests out, responses in, open and close included); decode is
// the client's base64 decoding, timed apart.
type ioResult struct {
	bytes  int64
	agent  time.Duration
	decode time.Duration
}

// readResponse is the parsed part of a GuestFileRead line.
type readResponse struct {
	count int
	b64   []byte
	eof   bool
}

// parseReadResponse finds count, buf-b64 and eof in a response line
// without a JSON decoder (base64 holds no quotes or backslashes).
func parseReadResponse(line []byte) (readResponse, error) {
	var r readResponse
	if err := checkReturn(line); err != nil {
		return r, err
	}
	const countKey, bufKey = `"count": `, `"buf-b64": "`
	i := bytes.Index(line, []byte(countKey))
	if i < 0 {
		return r, fmt.Errorf("no count in %q", truncate(line, 200))
	}
	digits := line[i+len(countKey):]
	if j := bytes.IndexAny(digits, ",}"); j >= 0 {
		digits = digits[:j]
	}
	n, err := strconv.Atoi(string(digits))
	if err != nil {
		return r, fmt.Errorf("count in %q: %w", truncate(line, 200), err)
	}
	i = bytes.Index(line, []byte(bufKey))
	if i < 0 {
		return r, fmt.Errorf("no buf-b64 in %q", truncate(line, 200))
	}
	b64 := line[i+len(bufKey):]
	j := bytes.IndexByte(b64, '"')
	if j < 0 {
		return r, fmt.Errorf("unterminated buf-b64")
	}
	r.count, r.b64 = n, b64[:j]
	r.eof = bytes.Contains(b64[j:], []byte(`"eof": true`))
	return r, nil
}

// readRun reads the file at path (whose content is want) to its end in
// chunks of chunk bytes and checks every byte.
func readRun(c *conn, path string, want []byte, chunk int, scratch []byte) (ioResult, error) {
	res := ioResult{}
	t := time.Now()
	h, err := openFile(c, path, "r")
	res.agent += time.Since(t)
	if err != nil {
		return res, err
	}
	req := []byte(fmt.Sprintf(`{"execute": "guest-file-read", "arguments": {"handle": %d, "count": %d}}`+"\n", h, chunk))
	for {
		t := time.Now()
		line, err := c.call(req)
		res.agent += time.Since(t)
		if err != nil {
			return res, err
		}
		r, err := parseReadResponse(line)
		if err != nil {
			return res, err
		}
		t = time.Now()
		n, err := base64.StdEncoding.Decode(scratch, r.b64)
		res.decode += time.Since(t)
		if err != nil {
			return res, fmt.Errorf("decoding guest-file-read data: %w", err)
		}
		if n != r.count || res.bytes+int64(n) > int64(len(want)) || !bytes.Equal(scratch[:n], want[res.bytes:res.bytes+int64(n)]) {
			return res, fmt.Errorf("guest-file-read at offset %d returned wrong data (count %d, decoded %d)", res.bytes, r.count, n)
		}
		res.bytes += int64(n)
		if r.eof || n == 0 {
			break
		}
	}
	t = time.Now()
	err = closeFile(c, h)
	res.agent += time.Since(t)
	if err == nil && res.bytes != int64(len(want)) {
		err = fmt.Errorf("read %d bytes of %d", res.bytes, len(want))
	}
	return res, err
}

// writePayload is a guest-file-write request body split around the handle:
// head + handle + tail, written with one writev so the client copies
// nothing per request.
type writePayload struct {
	data []byte // the chunk's raw bytes, to check the file after
	tail []byte // `, "buf-b64": "...."}}\n`
}

func newWritePayload(data []byte) writePayload {
	tail := make([]byte, 0, base64.StdEncoding.EncodedLen(len(data))+32)
	tail = append(tail, `, "buf-b64": "`...)
	tail = base64.StdEncoding.AppendEncode(tail, data)
	tail = append(tail, "\"}}\n"...)
	return writePayload{data: data, tail: tail}
}

// writeRun writes size bytes to path in chunks (full is the chunk's
// payload, last the shorter final one, if any) and checks the file.
func writeRun(c *conn, path string, size int64, full, last writePayload) (ioResult, error) {
	res := ioResult{}
	t := time.Now()
	h, err := openFile(c, path, "w")
	res.agent += time.Since(t)
	if err != nil {
		return res, err
	}
	head := []byte(fmt.Sprintf(`{"execute": "guest-file-write", "arguments": {"handle": %d`, h))
	for res.bytes < size {
		p := full
		if size-res.bytes < int64(len(full.data)) {
			p = last
		}
		t := time.Now()
		line, err := c.call(head, p.tail)
		res.agent += time.Since(t)
		if err != nil {
			return res, err
		}
		if err := checkReturn(line); err != nil {
			return res, err
		}
		if !bytes.Contains(line, []byte(`"count": `+strconv.Itoa(len(p.data))+",")) {
			return res, fmt.Errorf("guest-file-write of %d bytes answered %q", len(p.data), truncate(line, 200))
		}
		res.bytes += int64(len(p.data))
	}
	t = time.Now()
	err = closeFile(c, h)
	res.agent += time.Since(t)
	if err != nil {
		return res, err
	}
	return res, checkWritten(path, size, full, last)
}

// checkWritten verifies the file holds the chunks writeRun sent.
func checkWritten(path string, size int64, full, last writePayload) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("checking the written file: %w", err)
	}
	defer f.Close()
	buf := make([]byte, len(full.data))
	var off int64
	for off < size {
		want := full.data
		if size-off < int64(len(full.data)) {
			want = last.data
		}
		if _, err := io.ReadFull(f, buf[:len(want)]); err != nil {
			return fmt.Errorf("checking the written file at %d: %w", off, err)
		}
		if !bytes.Equal(buf[:len(want)], want) {
			return fmt.Errorf("the written file differs in the chunk at %d", off)
		}
		off += int64(len(want))
	}
	if n, _ := f.Read(buf[:1]); n != 0 {
		return fmt.Errorf("the written file is longer than %d bytes", size)
	}
	return nil
}
