package file

import (
	"syscall"
	"testing"
)

// hello14 is test-qga's data: "Hello World!\n" plus a NUL.
const hello14 = "Hello World!\n\x00"

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"unknown handle", []step{
			{"guest-file-read", `{"handle": 42}`, "error: handle '42' has not been found"},
			{"guest-file-write", `{"handle": 42, "buf-b64": ""}`, "error: handle '42' has not been found"},
			{"guest-file-seek", `{"handle": 42, "offset": 0, "whence": 0}`, "error: handle '42' has not been found"},
			{"guest-file-flush", `{"handle": 42}`, "error: handle '42' has not been found"},
			{"guest-file-close", `{"handle": 42}`, "error: handle '42' has not been found"},
			{"guest-file-read", `{"handle": -1}`, "error: handle '-1' has not been found"},
		}},
		{"handle is looked up before the other arguments", []step{
			{"guest-file-read", `{"handle": 7, "count": -1}`, "error: handle '7' has not been found"},
			{"guest-file-write", `{"handle": 7, "buf-b64": "!!"}`, "error: handle '7' has not been found"},
			{"guest-file-write", `{"handle": 7, "buf-b64": "QUJD", "count": 9}`, "error: handle '7' has not been found"},
			{"guest-file-seek", `{"handle": 7, "offset": 0, "whence": 9}`, "error: handle '7' has not been found"},
		}},
		{"read count", []step{
			{"guest-file-open", `{"path": "/f", "mode": "w+"}`, "1000"},
			{"guest-file-read", `{"handle": 1000, "count": -1}`, "error: value '-1' is invalid for argument count"},
			{"guest-file-read", `{"handle": 1000, "count": 50331649}`, "error: value '50331649' is invalid for argument count"},
			{"guest-file-read", `{"handle": 1000, "count": 9223372036854775807}`, "error: value '9223372036854775807' is invalid for argument count"},
			{"guest-file-read", `{"handle": 1000, "count": 0}`, `{"count": 0, "buf-b64": "", "eof": false}`},
			{"guest-file-read", `{"handle": 1000, "count": 50331648}`, `{"count": 0, "buf-b64": "", "eof": true}`},
		}},
		{"write data and count", []step{
			{"guest-file-open", `{"path": "/f", "mode": "w+"}`, "1000"},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QU JD"}`, "error: Base64 data contains invalid characters"},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD\r\n"}`, "error: Base64 data contains invalid characters"},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJ-"}`, "error: Base64 data contains invalid characters"},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJ\u00e9"}`, "error: Base64 data contains invalid characters"},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD", "count": 4}`, "error: value '4' is invalid for argument count"},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD", "count": -1}`, "error: value '-1' is invalid for argument count"},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "", "count": 1}`, "error: value '1' is invalid for argument count"},
			// the alphabet is checked before count
			{"guest-file-write", `{"handle": 1000, "buf-b64": "*", "count": 9}`, "error: Base64 data contains invalid characters"},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD", "count": 2}`, `{"count": 2, "eof": false}`},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD", "count": 0}`, `{"count": 0, "eof": false}`},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QU\nJD\n", "count": 3}`, `{"count": 3, "eof": false}`},
			{"guest-file-write", `{"handle": 1000, "buf-b64": ""}`, `{"count": 0, "eof": false}`},
			{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": "set"}`, `{"eof": false, "position": 0}`},
			{"guest-file-read", `{"handle": 1000}`, `{"count": 5, "buf-b64": "QUJBQkM=", "eof": true}`},
		}},
		{"seek whence and offsets", []step{
			{"guest-file-open", `{"path": "/f", "mode": "w+"}`, "1000"},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "SGVsbG8gV29ybGQhCgA="}`, `{"count": 14, "eof": false}`},
			{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": 3}`, "error: invalid whence code 3"},
			{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": -1}`, "error: invalid whence code -1"},
			{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": "top"}`, "error: Parameter 'whence' does not accept value 'top'"},
			{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": true}`, "error: Invalid parameter type for 'whence', expected: GuestFileWhence"},
			{"guest-file-seek", `{"handle": 1000, "offset": 2, "whence": 0}`, `{"eof": false, "position": 2}`},
			{"guest-file-seek", `{"handle": 1000, "offset": 3, "whence": 1}`, `{"eof": false, "position": 5}`},
			{"guest-file-seek", `{"handle": 1000, "offset": -4, "whence": 2}`, `{"eof": false, "position": 10}`},
			{"guest-file-seek", `{"handle": 1000, "offset": 1, "whence": "set"}`, `{"eof": false, "position": 1}`},
			{"guest-file-seek", `{"handle": 1000, "offset": 1, "whence": "cur"}`, `{"eof": false, "position": 2}`},
			{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": "end"}`, `{"eof": false, "position": 14}`},
			{"guest-file-seek", `{"handle": 1000, "offset": 100, "whence": "end"}`, `{"eof": false, "position": 114}`},
			{"guest-file-seek", `{"handle": 1000, "offset": -1, "whence": "set"}`, "error: failed to seek file: Invalid argument"},
			{"guest-file-seek", `{"handle": 1000, "offset": -200, "whence": "cur"}`, "error: failed to seek file: Invalid argument"},
			{"guest-file-seek", `{"handle": 1000, "offset": -15, "whence": "end"}`, "error: failed to seek file: Invalid argument"},
			// a failed seek leaves the position alone
			{"guest-file-read", `{"handle": 1000}`, `{"count": 0, "buf-b64": "", "eof": true}`},
		}},
		{"close", []step{
			{"guest-file-open", `{"path": "/f", "mode": "w"}`, "1000"},
			{"guest-file-flush", `{"handle": 1000}`, `{}`},
			{"guest-file-close", `{"handle": 1000}`, `{}`},
			{"guest-file-close", `{"handle": 1000}`, "error: handle '1000' has not been found"},
			{"guest-file-flush", `{"handle": 1000}`, "error: handle '1000' has not been found"},
			{"guest-file-open", `{"path": "/f", "mode": "r"}`, "1001"},
		}},
		{"directory", []step{
			{"guest-file-open", `{"path": "/", "mode": "r"}`, "1000"},
			{"guest-file-read", `{"handle": 1000}`, "error: failed to read file: Is a directory"},
			{"guest-file-read", `{"handle": 1000, "count": 0}`, `{"count": 0, "buf-b64": "", "eof": false}`},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD"}`, "error: failed to write to file: Bad file descriptor"},
			{"guest-file-write", `{"handle": 1000, "buf-b64": "QUJD", "count": 0}`, `{"count": 0, "eof": false}`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			newTestFamily(t).run(t, tt.steps)
		})
	}
}

// eof is what stdio's end-of-file indicator says after one fread.
func TestReadEOF(t *testing.T) {
	tf := newTestFamily(t)
	writeFile(t, tf.path("f"), hello14, 0o644)
	tf.run(t, []step{
		{"guest-file-open", `{"path": "/f"}`, "1000"},
		// exactly the bytes left: no end of file seen yet
		{"guest-file-read", `{"handle": 1000, "count": 14}`, `{"count": 14, "buf-b64": "SGVsbG8gV29ybGQhCgA=", "eof": false}`},
		{"guest-file-read", `{"handle": 1000}`, `{"count": 0, "buf-b64": "", "eof": true}`},
		// the indicator is cleared after every read: count 0 sees nothing
		{"guest-file-read", `{"handle": 1000, "count": 0}`, `{"count": 0, "buf-b64": "", "eof": false}`},
		{"guest-file-read", `{"handle": 1000}`, `{"count": 0, "buf-b64": "", "eof": true}`},
		{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": 0}`, `{"eof": false, "position": 0}`},
		{"guest-file-read", `{"handle": 1000, "count": 5}`, `{"count": 5, "buf-b64": "SGVsbG8=", "eof": false}`},
		{"guest-file-read", `{"handle": 1000, "count": 4096}`, `{"count": 9, "buf-b64": "IFdvcmxkIQoA", "eof": true}`},
		{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": 0}`, `{"eof": false, "position": 0}`},
		{"guest-file-read", `{"handle": 1000, "count": 15}`, `{"count": 14, "buf-b64": "SGVsbG8gV29ybGQhCgA=", "eof": true}`},
	})
}

// The read/write state: a write after a read is preceded by a seek to the
// current position, and a read after a write sees the data.
func TestReadWriteSwitch(t *testing.T) {
	tf := newTestFamily(t)
	writeFile(t, tf.path("f"), "0123456789", 0o644)
	tf.run(t, []step{
		{"guest-file-open", `{"path": "/f", "mode": "r+"}`, "1000"},
		{"guest-file-read", `{"handle": 1000, "count": 3}`, `{"count": 3, "buf-b64": "MDEy", "eof": false}`},
		{"guest-file-write", `{"handle": 1000, "buf-b64": "QUI="}`, `{"count": 2, "eof": false}`},
		{"guest-file-read", `{"handle": 1000, "count": 2}`, `{"count": 2, "buf-b64": "NTY=", "eof": false}`},
		{"guest-file-write", `{"handle": 1000, "buf-b64": "Qw=="}`, `{"count": 1, "eof": false}`},
		{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": "set"}`, `{"eof": false, "position": 0}`},
		{"guest-file-read", `{"handle": 1000}`, `{"count": 10, "buf-b64": "MDEyQUI1NkM4OQ==", "eof": true}`},
	})
	if got := readFile(t, tf.path("f")); got != "012AB56C89" {
		t.Errorf("contents = %q", got)
	}
}

// A failing close(2) is reported; the descriptor is released all the same
// on Linux, so the handle is gone too.
func TestCloseFailure(t *testing.T) {
	tf := newTestFamily(t)
	tf.closeFD = func(fd int) error {
		_ = syscall.Close(fd)
		return syscall.EIO
	}
	tf.run(t, []step{
		{"guest-file-open", `{"path": "/f", "mode": "w"}`, "1000"},
		{"guest-file-close", `{"handle": 1000}`, "error: failed to close handle: Input/output error"},
		{"guest-file-close", `{"handle": 1000}`, "error: handle '1000' has not been found"},
	})
}
