package sdk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"

	"github.com/qgad/qgad/qapi"
)

// directPair serves p on one end of a socketpair, as a plugin process
// does, and returns the core's end, as the core opens it.
func directPair(t testing.TB, p *Plugin) (*Direct, *os.File) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	core, plug := os.NewFile(uintptr(fds[0]), "core"), os.NewFile(uintptr(fds[1]), "plugin")
	if err := writeFrame(plug, kindHello, mem.BufferSlice{mem.SliceBuffer(helloText)}); err != nil {
		t.Fatal(err)
	}
	go serveFrames(p, plug)
	d := OpenDirect(core)
	if d == nil {
		t.Fatal("OpenDirect: no hello seen")
	}
	t.Cleanup(func() { d.Close() })
	return d, plug
}

func testPlugin(block chan struct{}) *Plugin {
	big := strings.Repeat("x", 3<<20)
	return &Plugin{Name: "test", Commands: []Command{
		{Name: "echo", Run: func(_ context.Context, args json.RawMessage) (any, error) { return qapi.RawJSON(args), nil }},
		{Name: "fail", Run: func(context.Context, json.RawMessage) (any, error) { return nil, qapi.Errorf("it failed") }},
		{Name: "latin1", Run: func(context.Context, json.RawMessage) (any, error) { return nil, qapi.Errorf("caf\xe9") }},
		{Name: "panic", Run: func(context.Context, json.RawMessage) (any, error) { panic("boom") }},
		{Name: "big", Run: func(context.Context, json.RawMessage) (any, error) { return qapi.RawJSON(`"` + big + `"`), nil }},
		{Name: "block", Run: func(context.Context, json.RawMessage) (any, error) { <-block; return nil, nil }},
		{Name: "streamed", Run: func(context.Context, json.RawMessage) (any, error) { return &pieces{s: `"` + big + `"`, n: 3}, nil }},
		{Name: "short", Run: func(context.Context, json.RawMessage) (any, error) { return &pieces{s: `"abc"`, n: 1, lie: 10}, nil }},
		{Name: "long", Run: func(context.Context, json.RawMessage) (any, error) { return &pieces{s: `"abcdef"`, n: 2, lie: -3}, nil }},
	}}
}

// pieces is a Streamed result written in n writes; lie adds to its Len.
type pieces struct {
	s      string
	n, lie int
}

func (p *pieces) Len() int { return len(p.s) + p.lie }

func (p *pieces) WriteTo(w io.Writer) (int64, error) {
	var total int64
	step := (len(p.s) + p.n - 1) / p.n
	for i := 0; i < len(p.s); i += step {
		k, err := io.WriteString(w, p.s[i:min(i+step, len(p.s))])
		total += int64(k)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func TestDirectExecute(t *testing.T) {
	d, _ := directPair(t, testPlugin(nil))
	bigArgs := `{"data": "` + strings.Repeat("y", 5<<20) + `"}`
	tests := []struct {
		name, command, args string
		want                string // result
		wantErr             string // qapi error desc
		wantCode            codes.Code
	}{
		{name: "result", command: "echo", args: `{"a": 1}`, want: `{"a": 1}`},
		{name: "big arguments", command: "echo", args: bigArgs, want: bigArgs},
		{name: "big result", command: "big", args: `{}`, want: `"` + strings.Repeat("x", 3<<20) + `"`},
		{name: "streamed result", command: "streamed", args: `{}`, want: `"` + strings.Repeat("x", 3<<20) + `"`},
		{name: "command error", command: "fail", args: `{}`, wantErr: "it failed"},
		{name: "unknown command", command: "nope", args: `{}`, wantErr: "The command nope has not been found"},
		{name: "panic", command: "panic", args: `{}`, wantErr: "command panic failed in plugin test: boom"},
		{name: "unencodable error text", command: "latin1", args: `{}`, wantCode: codes.Internal},
		{name: "still in step after it", command: "echo", args: `{}`, want: `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, qerr, err, ok := d.Execute(context.Background(), tc.command, []byte(tc.args))
			if !ok {
				t.Fatal("direct channel refused the call")
			}
			switch {
			case tc.wantCode != codes.OK:
				if status.Code(err) != tc.wantCode || !strings.Contains(err.Error(), "error while marshaling") {
					t.Fatalf("err = %v, want code %v", err, tc.wantCode)
				}
			case err != nil:
				t.Fatalf("transport error: %v", err)
			case tc.wantErr != "":
				if qerr == nil || qerr.Desc != tc.wantErr {
					t.Fatalf("qerr = %v, want %q", qerr, tc.wantErr)
				}
			case qerr != nil:
				t.Fatalf("qerr = %v", qerr)
			case !bytes.Equal(res, []byte(tc.want)):
				t.Fatalf("result of %d bytes, want %d", len(res), len(tc.want))
			}
		})
	}
}

func TestDirectDeadlineBreaksChannel(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	d, _ := directPair(t, testPlugin(block))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err, ok := d.Execute(ctx, "block", []byte(`{}`))
	if !ok || status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("err = %v (ok %v), want DeadlineExceeded", err, ok)
	}
	// Out of step now: later calls must go over gRPC.
	if _, _, _, ok := d.Execute(context.Background(), "echo", []byte(`{}`)); ok {
		t.Fatal("a broken channel took a call")
	}
}

func TestDirectBusyFallsBack(t *testing.T) {
	block := make(chan struct{})
	d, _ := directPair(t, testPlugin(block))
	first := make(chan error, 1)
	go func() {
		_, _, err, _ := d.Execute(context.Background(), "block", []byte(`{}`))
		first <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for d.mu.TryLock() { // wait until the first call holds the channel
		d.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatal("first call never started")
		}
		time.Sleep(time.Millisecond)
	}
	if _, _, _, ok := d.Execute(context.Background(), "echo", []byte(`{}`)); ok {
		t.Fatal("a busy channel took a second call")
	}
	close(block)
	if err := <-first; err != nil {
		t.Fatalf("first call: %v", err)
	}
}

func TestDirectPluginGone(t *testing.T) {
	d, plug := directPair(t, testPlugin(nil))
	plug.Close() // what the kernel does when the plugin dies
	_, _, err, ok := d.Execute(context.Background(), "echo", []byte(`{}`))
	if !ok || status.Code(err) != codes.Unavailable {
		t.Fatalf("err = %v (ok %v), want Unavailable", err, ok)
	}
}

func TestOpenDirectWithoutHello(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	plug := os.NewFile(uintptr(fds[1]), "plugin")
	defer plug.Close()
	// A plugin of another SDK: it never greets, or writes something else.
	plug.Write([]byte("\x00\x00\x00\x0cHqgad-exec/9"))
	if d := OpenDirect(os.NewFile(uintptr(fds[0]), "core")); d != nil {
		t.Fatal("OpenDirect accepted a wrong hello")
	}
}

func TestReadFrameOverLimitStaysInStep(t *testing.T) {
	var buf bytes.Buffer
	if err := writeFrame(&buf, kindResponse, mem.BufferSlice{mem.SliceBuffer(make([]byte, 100))}); err != nil {
		t.Fatal(err)
	}
	if err := writeFrame(&buf, kindResponse, mem.BufferSlice{mem.SliceBuffer([]byte("ok"))}); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(&buf)
	if _, _, err := readFrame(r, 10); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("err = %v, want ResourceExhausted", err)
	}
	kind, payload, err := readFrame(r, 10)
	if err != nil || kind != kindResponse || string(payload) != "ok" {
		t.Fatalf("next frame: %q %q %v", kind, payload, err)
	}
	if _, _, err := readFrame(r, 10); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last frame: %v", err)
	}
}

// A Streamed result shorter or longer than it announced cannot be framed:
// the plugin closes the channel and the call fails as a plugin failure;
// nothing of it passes for an answer.
func TestDirectStreamOfWrongLength(t *testing.T) {
	for _, command := range []string{"short", "long"} {
		d, _ := directPair(t, testPlugin(nil))
		res, _, err, ok := d.Execute(context.Background(), command, []byte(`{}`))
		if !ok || status.Code(err) != codes.Unavailable || res != nil {
			t.Fatalf("%s: res %q, err = %v (ok %v), want Unavailable", command, res, err, ok)
		}
	}
}

// Off the direct channel (gRPC, in-process calls) a Streamed result is the
// same bytes, written to memory first.
func TestStreamedMaterialized(t *testing.T) {
	got, err := testPlugin(nil).Call(context.Background(), "streamed", "")
	if err != nil || got != `"`+strings.Repeat("x", 3<<20)+`"` {
		t.Fatalf("Call: %d bytes, err %v", len(got), err)
	}
}

// The direct channel's own cost (framing, codec, two socket hops) for a
// small and a 48 MiB-read-sized result, in one process:
//
//	go test -run '^$' -bench Direct -cpuprofile cpu.out ./sdk
func BenchmarkDirectSmall(b *testing.B) { benchmarkDirect(b, "echo", []byte(`{"handle": 1}`)) }
func BenchmarkDirectBig(b *testing.B)   { benchmarkDirect(b, "big", []byte(`{}`)) }
func BenchmarkDirectStreamed(b *testing.B) {
	benchmarkDirect(b, "streamed", []byte(`{}`))
}

func benchmarkDirect(b *testing.B, command string, args []byte) {
	d, _ := directPair(b, testPlugin(nil))
	ctx := context.Background()
	for b.Loop() {
		res, qerr, err, ok := d.Execute(ctx, command, args)
		if !ok || err != nil || qerr != nil {
			b.Fatalf("%v %v %v", ok, err, qerr)
		}
		b.SetBytes(int64(len(res)))
	}
}
