package file

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"testing"
)

// The plugin side of guest-file-read/-write: handler, base64 and result
// serialization (Execute), without the core and the gRPC hop.

func BenchmarkRead4MiB(b *testing.B)  { benchmarkRead(b, 4<<20) }
func BenchmarkRead48MiB(b *testing.B) { benchmarkRead(b, maxReadCount) }

func BenchmarkWrite4MiB(b *testing.B)  { benchmarkWrite(b, 4<<20) }
func BenchmarkWrite48MiB(b *testing.B) { benchmarkWrite(b, maxReadCount) }

func benchFamily(b *testing.B) (*testFamily, context.Context) {
	b.Helper()
	f, err := newFamily(benchEnv(b))
	if err != nil {
		b.Fatal(err)
	}
	p := f.plugin()
	b.Cleanup(p.Close)
	return &testFamily{family: f, p: p, root: f.env.Root, stateDir: f.env.StateDir}, context.Background()
}

func benchmarkRead(b *testing.B, size int) {
	tf, ctx := benchFamily(b)
	if err := os.WriteFile(tf.path("f"), make([]byte, size), 0o644); err != nil {
		b.Fatal(err)
	}
	mustExecute(b, tf, "guest-file-open", `{"path": "/f"}`)
	read := []byte(fmt.Sprintf(`{"handle": 1000, "count": %d}`, size))
	rewind := []byte(`{"handle": 1000, "offset": 0, "whence": 0}`)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, qerr := tf.p.Execute(ctx, "guest-file-read", read); qerr != nil {
			b.Fatal(qerr)
		}
		if _, qerr := tf.p.Execute(ctx, "guest-file-seek", rewind); qerr != nil {
			b.Fatal(qerr)
		}
	}
}

func benchmarkWrite(b *testing.B, size int) {
	tf, ctx := benchFamily(b)
	mustExecute(b, tf, "guest-file-open", `{"path": "/f", "mode": "w"}`)
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	// As the core sends it: qemu-ga's member order and separators.
	write := []byte(`{"handle": 1000, "buf-b64": "` + base64.StdEncoding.EncodeToString(data) + `"}`)
	rewind := []byte(`{"handle": 1000, "offset": 0, "whence": 0}`)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, qerr := tf.p.Execute(ctx, "guest-file-write", write); qerr != nil {
			b.Fatal(qerr)
		}
		if _, qerr := tf.p.Execute(ctx, "guest-file-seek", rewind); qerr != nil {
			b.Fatal(qerr)
		}
	}
}

func mustExecute(b *testing.B, tf *testFamily, name, args string) {
	b.Helper()
	if _, qerr := tf.p.Execute(context.Background(), name, []byte(args)); qerr != nil {
		b.Fatalf("%s: %v", name, qerr)
	}
}
