package file

import (
	"syscall"
	"testing"
)

// fifoWriter opens the write end of a FIFO, non-blocking.
func fifoWriter(t *testing.T, path string) int {
	t.Helper()
	fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("opening the FIFO for writing: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	return fd
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Reading a FIFO behaves like fread on a non-blocking stream, checked
// against qemu-ga 7.2: EAGAIN fails the read and loses what was read.
func TestFIFORead(t *testing.T) {
	tf := newTestFamily(t)
	fifo := tf.path("fifo")
	mkfifo(t, fifo)
	tf.run(t, []step{
		{"guest-file-open", `{"path": "/fifo", "mode": "r"}`, "1000"},
		// no writer: end of file
		{"guest-file-read", `{"handle": 1000}`, `{"count": 0, "buf-b64": "", "eof": true}`},
	})
	w := fifoWriter(t, fifo)
	tf.run(t, []step{
		{"guest-file-read", `{"handle": 1000}`, "error: failed to read file: Resource temporarily unavailable"},
	})
	if _, err := syscall.Write(w, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	tf.run(t, []step{
		{"guest-file-read", `{"handle": 1000, "count": 3}`, `{"count": 3, "buf-b64": "aGVs", "eof": false}`},
		// "lo" is read, then EAGAIN: the whole read fails
		{"guest-file-read", `{"handle": 1000}`, "error: failed to read file: Resource temporarily unavailable"},
	})
	if _, err := syscall.Write(w, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Close(w); err != nil {
		t.Fatal(err)
	}
	tf.run(t, []step{
		{"guest-file-read", `{"handle": 1000}`, `{"count": 5, "buf-b64": "aGVsbG8=", "eof": true}`},
		{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": 1}`, "error: failed to seek file: Illegal seek"},
		{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD"}`, "error: failed to write to file: Bad file descriptor"},
		{"guest-file-write", `{"handle": 1000, "buf-b64": ""}`, `{"count": 0, "eof": false}`},
		{"guest-file-flush", `{"handle": 1000}`, `{}`},
		{"guest-file-close", `{"handle": 1000}`, `{}`},
	})
}

// On a FIFO opened r+, the seek qemu-ga does between a read and a write
// fails; a flush or a failed seek resets the state so the next write works.
// (qemu-ga 7.2 agrees up to the last flush; see compareScript for what
// follows there.)
func TestFIFOReadWrite(t *testing.T) {
	tf := newTestFamily(t)
	mkfifo(t, tf.path("fifo"))
	tf.run(t, []step{
		{"guest-file-open", `{"path": "/fifo", "mode": "r+"}`, "1000"},
		{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD"}`, `{"count": 3, "eof": false}`},
		// reads "ABC", then EAGAIN (we are a writer ourselves)
		{"guest-file-read", `{"handle": 1000}`, "error: failed to read file: Resource temporarily unavailable"},
		{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD"}`, `{"count": 3, "eof": false}`},
		{"guest-file-flush", `{"handle": 1000}`, `{}`},
		{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD"}`, `{"count": 3, "eof": false}`},
		{"guest-file-read", `{"handle": 1000, "count": 2}`, `{"count": 2, "buf-b64": "QUI=", "eof": false}`},
		{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD"}`, "error: failed to seek file: Illegal seek"},
		{"guest-file-read", `{"handle": 1000, "count": 1}`, `{"count": 1, "buf-b64": "Qw==", "eof": false}`},
		{"guest-file-flush", `{"handle": 1000}`, `{}`},
		{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": "cur"}`, "error: failed to seek file: Illegal seek"},
		{"guest-file-close", `{"handle": 1000}`, `{}`},
	})
}
