package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/qgad/qgad/plugins/file"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// The gRPC hop of a plugin command, in one process: the file family served
// with the SDK's server options on a unix socket, called through the SDK's
// Remote with its dial options, as the core calls it. Profile with
//
//	go test -run '^$' -bench Hop -cpuprofile cpu.out ./cmd/qgad-bench

func BenchmarkHopFileRead4KiB(b *testing.B)  { benchmarkHopRead(b, 4<<10) }
func BenchmarkHopFileRead4MiB(b *testing.B)  { benchmarkHopRead(b, 4<<20) }
func BenchmarkHopFileRead48MiB(b *testing.B) { benchmarkHopRead(b, maxReadChunk) }

// hop serves p over gRPC and returns the core's handle on it, both ends
// with the SDK's options.
func hop(tb testing.TB, p *sdk.Plugin) *sdk.Remote {
	return hopWith(tb, p, sdk.ServerOptions(), sdk.DialOptions())
}

func hopWith(tb testing.TB, p *sdk.Plugin, sopts []grpc.ServerOption, dopts []grpc.DialOption) *sdk.Remote {
	tb.Helper()
	dir, err := os.MkdirTemp("", "hop") // a socket path must be short
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "plugin.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		tb.Fatal(err)
	}
	srv := grpc.NewServer(sopts...)
	g := &sdk.GRPCPlugin{Impl: p}
	if err := g.GRPCServer(nil, srv); err != nil {
		tb.Fatal(err)
	}
	go srv.Serve(ln)
	tb.Cleanup(srv.Stop)
	cc, err := grpc.NewClient("unix://"+sock, append(dopts, grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cc.Close() })
	raw, err := g.GRPCClient(context.Background(), nil, cc)
	if err != nil {
		tb.Fatal(err)
	}
	return raw.(*sdk.Remote)
}

// The SDK's gRPC options (its Execute codec, which sends and receives big
// byte fields without copies) are wire-compatible with gRPC's standard
// proto codec on either end, for results and arguments below and above
// the size where the codec takes over, and for errors.
func TestHopCodec(t *testing.T) {
	echo := &sdk.Plugin{Name: "echo", Commands: []sdk.Command{
		{Name: "echo", Run: func(_ context.Context, args json.RawMessage) (any, error) {
			return qapi.RawJSON(args), nil // arguments back as the result
		}},
		{Name: "fail", Run: func(_ context.Context, args json.RawMessage) (any, error) {
			return nil, qapi.Errorf("failed with %d bytes of arguments", len(args))
		}},
	}}
	stdMax := []grpc.CallOption{grpc.MaxCallRecvMsgSize(sdk.MaxMessageSize), grpc.MaxCallSendMsgSize(sdk.MaxMessageSize)}
	ends := []struct {
		name  string
		sopts []grpc.ServerOption
		dopts []grpc.DialOption
	}{
		{"sdk both", sdk.ServerOptions(), sdk.DialOptions()},
		{"sdk plugin, standard core", sdk.ServerOptions(), []grpc.DialOption{grpc.WithDefaultCallOptions(stdMax...)}},
		{"standard plugin, sdk core", []grpc.ServerOption{grpc.MaxRecvMsgSize(sdk.MaxMessageSize), grpc.MaxSendMsgSize(sdk.MaxMessageSize)}, sdk.DialOptions()},
	}
	for _, e := range ends {
		t.Run(e.name, func(t *testing.T) {
			r := hopWith(t, echo, e.sopts, e.dopts)
			ctx := context.Background()
			for _, size := range []int{2, 100, 64<<10 - 1, 64 << 10, 64<<10 + 1, 1 << 20, 20 << 20} {
				args := jsonString(size)
				res, qerr, err := r.Execute(ctx, "echo", args)
				if err != nil || qerr != nil {
					t.Fatalf("echo of %d bytes: %v %v", size, err, qerr)
				}
				if !bytes.Equal(res, args) {
					t.Fatalf("echo of %d bytes came back as %d different bytes", size, len(res))
				}
				res, qerr, err = r.Execute(ctx, "fail", args)
				if err != nil || res != nil || qerr == nil || qerr.Class != qapi.ClassGeneric || qerr.Desc != fmt.Sprintf("failed with %d bytes of arguments", size) {
					t.Fatalf("fail with %d bytes: %q %v %v", size, res, qerr, err)
				}
			}
		})
	}
}

// jsonString is a JSON string of n bytes (n >= 2).
func jsonString(n int) []byte {
	b := bytes.Repeat([]byte("abcdefghij"), n/10+1)[:n]
	b[0], b[n-1] = '"', '"'
	return b
}

func benchmarkHopRead(b *testing.B, size int) {
	root := b.TempDir()
	if err := os.WriteFile(filepath.Join(root, "f"), testData(int64(size)), 0o644); err != nil {
		b.Fatal(err)
	}
	p, err := file.New(sdk.TestEnv(root))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Close)
	r := hop(b, p)
	ctx := context.Background()
	call := func(name, args string) []byte {
		res, qerr, err := r.Execute(ctx, name, []byte(args))
		if err != nil || qerr != nil {
			b.Fatalf("%s %s: %v %v", name, args, err, qerr)
		}
		return res
	}
	h := string(call("guest-file-open", `{"path": "/f"}`))
	read := fmt.Sprintf(`{"handle": %s, "count": %d}`, h, size)
	rewind := fmt.Sprintf(`{"handle": %s, "offset": 0, "whence": 0}`, h)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if res := call("guest-file-read", read); len(res) < size {
			b.Fatalf("short result: %d bytes", len(res))
		}
		call("guest-file-seek", rewind)
	}
}
