package file

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Ports of qemu's tests/unit/test-qga.c /qga/file-ops and
// /qga/file-write-read, run in that order on one agent whose working
// directory is the fixture directory, as upstream does.
func TestQGAFileOps(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tf := newTestFamilyIn(t, dir, dir)
	data := []byte(hello14)
	enc := base64.StdEncoding.EncodeToString(data)

	t.Run("file-ops", func(t *testing.T) {
		// open
		id := tf.callInt(t, "guest-file-open", `{"path": "foo", "mode": "w+"}`)
		// write
		r := tf.callObj(t, "guest-file-write", fmt.Sprintf(`{"handle": %d, "buf-b64": %q}`, id, enc))
		wantInt(t, r, "count", len(data))
		wantBool(t, r, "eof", false)
		// flush and close (responses not checked upstream)
		tf.call(t, "guest-file-flush", fmt.Sprintf(`{"handle": %d}`, id))
		tf.call(t, "guest-file-close", fmt.Sprintf(`{"handle": %d}`, id))
		// check the file's contents directly
		got, err := os.ReadFile(filepath.Join(dir, "foo"))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("foo = %q, %v; want %q", got, err, data)
		}
		// open again for reading
		id = tf.callInt(t, "guest-file-open", `{"path": "foo", "mode": "r"}`)
		r = tf.callObj(t, "guest-file-read", fmt.Sprintf(`{"handle": %d}`, id))
		wantInt(t, r, "count", len(data))
		wantBool(t, r, "eof", true)
		wantString(t, r, "buf-b64", enc)
		// read again: nothing left
		r = tf.callObj(t, "guest-file-read", fmt.Sprintf(`{"handle": %d}`, id))
		wantInt(t, r, "count", 0)
		wantBool(t, r, "eof", true)
		wantString(t, r, "buf-b64", "")
		// seek
		r = tf.callObj(t, "guest-file-seek", fmt.Sprintf(`{"handle": %d, "offset": %d, "whence": "set"}`, id, 6))
		wantInt(t, r, "position", 6)
		wantBool(t, r, "eof", false)
		// read the rest
		r = tf.callObj(t, "guest-file-read", fmt.Sprintf(`{"handle": %d}`, id))
		wantInt(t, r, "count", len(data)-6)
		wantBool(t, r, "eof", true)
		dec, err := base64.StdEncoding.DecodeString(r["buf-b64"].(string))
		if err != nil || !bytes.Equal(dec, data[6:]) {
			t.Fatalf("read after seek = %q, %v; want %q", dec, err, data[6:])
		}
		tf.call(t, "guest-file-close", fmt.Sprintf(`{"handle": %d}`, id))
	})

	t.Run("file-write-read", func(t *testing.T) {
		id := tf.callInt(t, "guest-file-open", `{"path": "foo", "mode": "w+"}`)
		r := tf.callObj(t, "guest-file-write", fmt.Sprintf(`{"handle": %d, "buf-b64": %q}`, id, enc))
		wantInt(t, r, "count", len(data))
		wantBool(t, r, "eof", false)
		// read at once: the write is flushed, the position is at the end
		r = tf.callObj(t, "guest-file-read", fmt.Sprintf(`{"handle": %d}`, id))
		wantInt(t, r, "count", 0)
		wantBool(t, r, "eof", true)
		wantString(t, r, "buf-b64", "")
		r = tf.callObj(t, "guest-file-seek", fmt.Sprintf(`{"handle": %d, "offset": %d, "whence": "set"}`, id, 0))
		wantInt(t, r, "position", 0)
		wantBool(t, r, "eof", false)
		r = tf.callObj(t, "guest-file-read", fmt.Sprintf(`{"handle": %d}`, id))
		wantInt(t, r, "count", len(data))
		wantBool(t, r, "eof", true)
		wantString(t, r, "buf-b64", enc)
		tf.call(t, "guest-file-close", fmt.Sprintf(`{"handle": %d}`, id))
	})

	// The shared fixture's handles came from one counter: 1000, 1001, 1002.
	if got := readFile(t, filepath.Join(dir, "qga.state")); got != "[global]\nfd_counter=1003\n" {
		t.Errorf("qga.state = %q", got)
	}
}

func (tf *testFamily) callInt(t *testing.T, name, args string) int64 {
	t.Helper()
	res := tf.call(t, name, args)
	var n int64
	if err := json.Unmarshal([]byte(res), &n); err != nil {
		t.Fatalf("%s %s = %s, want an integer", name, args, res)
	}
	return n
}

func (tf *testFamily) callObj(t *testing.T, name, args string) map[string]any {
	t.Helper()
	res := tf.call(t, name, args)
	var m map[string]any
	if err := json.Unmarshal([]byte(res), &m); err != nil {
		t.Fatalf("%s %s = %s, want an object", name, args, res)
	}
	return m
}

func wantInt(t *testing.T, m map[string]any, key string, want int) {
	t.Helper()
	if got, ok := m[key].(float64); !ok || got != float64(want) {
		t.Fatalf("%s = %v, want %d (in %v)", key, m[key], want, m)
	}
}

func wantBool(t *testing.T, m map[string]any, key string, want bool) {
	t.Helper()
	if got, ok := m[key].(bool); !ok || got != want {
		t.Fatalf("%s = %v, want %v (in %v)", key, m[key], want, m)
	}
}

func wantString(t *testing.T, m map[string]any, key, want string) {
	t.Helper()
	if got, ok := m[key].(string); !ok || got != want {
		t.Fatalf("%s = %v, want %q (in %v)", key, m[key], want, m)
	}
}
