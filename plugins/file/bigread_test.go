package file

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/qgad/qgad/sdk"
)

type readResultJSON struct {
	Count int    `json:"count"`
	Buf   string `json:"buf-b64"`
	EOF   bool   `json:"eof"`
}

func (tf *testFamily) readJSON(t *testing.T, args string) readResultJSON {
	t.Helper()
	res := tf.call(t, "guest-file-read", args)
	var r readResultJSON
	if err := json.Unmarshal([]byte(res), &r); err != nil {
		t.Fatalf("guest-file-read %s = %.200s: %v", args, res, err)
	}
	return r
}

// Reads at the 4 MiB and 48 MiB boundaries, and large counts on a small
// file (whose buffer is sized by the bytes left).
func TestBigReads(t *testing.T) {
	const max = maxReadCount
	data := make([]byte, max+10)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	tf := newTestFamily(t)
	if err := os.WriteFile(tf.path("big"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	writeFile(t, tf.path("small"), hello14, 0o644)
	tf.run(t, []step{
		{"guest-file-open", `{"path": "/big"}`, "1000"},
		{"guest-file-open", `{"path": "/small"}`, "1001"},
	})
	tests := []struct {
		args    string
		want    []byte
		wantEOF bool
	}{
		{`{"handle": 1000, "count": 4194304}`, data[:4<<20], false},
		{`{"handle": 1000, "count": 4194305}`, data[4<<20 : 8<<20+1], false},
		{fmt.Sprintf(`{"handle": 1000, "count": %d}`, max), data[8<<20+1:], true},
		{fmt.Sprintf(`{"handle": 1001, "count": %d}`, max), []byte(hello14), true},
		{fmt.Sprintf(`{"handle": 1001, "count": %d}`, max), nil, true},
	}
	for _, tt := range tests {
		r := tf.readJSON(t, tt.args)
		got, err := base64.StdEncoding.DecodeString(r.Buf)
		if err != nil || r.Count != len(tt.want) || r.EOF != tt.wantEOF || !bytes.Equal(got, tt.want) {
			t.Fatalf("read %s: count %d eof %v (%v); want count %d eof %v", tt.args, r.Count, r.EOF, err, len(tt.want), tt.wantEOF)
		}
	}
	// The largest read, then the rest.
	tf.run(t, []step{{"guest-file-seek", `{"handle": 1000, "offset": 0, "whence": "set"}`, `{"eof": false, "position": 0}`}})
	if r := tf.readJSON(t, fmt.Sprintf(`{"handle": 1000, "count": %d}`, max)); r.Count != max || r.EOF || r.Buf != base64.StdEncoding.EncodeToString(data[:max]) {
		t.Fatalf("48 MiB read: count %d eof %v", r.Count, r.EOF)
	}
	if r := tf.readJSON(t, `{"handle": 1000}`); r.Count != 10 || !r.EOF || r.Buf != base64.StdEncoding.EncodeToString(data[max:]) {
		t.Fatalf("read after 48 MiB: count %d eof %v", r.Count, r.EOF)
	}
	// Exactly 48 MiB left, read with count 48 MiB: eof false, then true.
	tf.run(t, []step{{"guest-file-seek", `{"handle": 1000, "offset": 10, "whence": "set"}`, `{"eof": false, "position": 10}`}})
	if r := tf.readJSON(t, fmt.Sprintf(`{"handle": 1000, "count": %d}`, max)); r.Count != max || r.EOF {
		t.Fatalf("48 MiB read of the last 48 MiB: count %d eof %v", r.Count, r.EOF)
	}
	tf.run(t, []step{{"guest-file-read", `{"handle": 1000}`, `{"count": 0, "buf-b64": "", "eof": true}`}})
}

// /proc files claim size 0: a large read must grow its buffer past that.
// (Reads this process's own status; nothing is changed.)
func TestReadZeroSizeProcFile(t *testing.T) {
	env := sdk.TestEnv("/")
	env.StateDir = t.TempDir()
	p, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	if res, err := p.Call(ctx, "guest-file-open", `{"path": "/proc/self/status"}`); err != nil || res != "1000" {
		t.Fatalf("open: %s, %v", res, err)
	}
	res, err := p.Call(ctx, "guest-file-read", `{"handle": 1000, "count": 1000000}`)
	if err != nil {
		t.Fatal(err)
	}
	var r readResultJSON
	if err := json.Unmarshal([]byte(res), &r); err != nil {
		t.Fatal(err)
	}
	got, err := base64.StdEncoding.DecodeString(r.Buf)
	if err != nil || len(got) != r.Count || r.Count < 100 || !r.EOF || !strings.HasPrefix(string(got), "Name:") {
		t.Fatalf("read of /proc/self/status: count %d eof %v, %.40q, %v", r.Count, r.EOF, got, err)
	}
}
