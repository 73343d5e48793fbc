package sdk

// The direct channel: Execute without gRPC.
//
// A gRPC unary call between two processes costs ~150-250 µs on a small VM
// (six goroutines and ~20 thread hand-offs per call), several times what
// qemu-ga needs for a whole small command. So the core gives every plugin
// one end of a socketpair (fd 3, named by QGAD_EXEC_FD) besides go-plugin's
// gRPC connection. A plugin built on this SDK greets on it before its
// go-plugin handshake and then serves Execute there: one frame in, one
// frame out, read and answered on one thread. Describe and Status stay on
// gRPC, and so does Execute for plugins that do not greet (another SDK,
// another language) and for a call that finds the channel busy.
//
// A frame is a 4-byte big-endian length, then that many bytes: a kind byte
// and its payload.
//
//	'H' hello (plugin → core, once):  "qgad-exec/1"
//	'X' request (core → plugin):      an ExecuteRequest (proto)
//	'R' response (plugin → core):     an ExecuteResponse (proto)
//	'F' failure (plugin → core):      a gRPC code byte, then text: the
//	                                  response could not be sent

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/qgad/qgad/internal/rawio"
	"github.com/qgad/qgad/proto/pluginv1"
	"github.com/qgad/qgad/qapi"
)

// EnvExecFD names the plugin's file descriptor of the direct channel.
const EnvExecFD = "QGAD_EXEC_FD"

// ExecFD is the descriptor the core passes the channel as (ExtraFiles[0]).
const ExecFD = 3

const (
	kindHello    = 'H'
	kindRequest  = 'X'
	kindResponse = 'R'
	kindFailure  = 'F'
)

var helloText = []byte("qgad-exec/1")

// How long each side polls the channel before its thread sleeps: the core
// for the answer to the request it just sent, a plugin for the next
// request after its answer. A small command's answer comes within tens of
// microseconds, and so does the next request of a client that sends
// them back to back; waking a sleeping thread costs 15-50 µs on a small
// VM, so a short, bounded spin saves two wake-ups per call. The price is
// at most this much CPU time per call and side, none while the agent is
// idle. Longer spins (300 µs) caught more requests of clients that pace
// their calls, but the spinning plugin then competed for the CPU with the
// client and the core: guest-file-read's p90 went from ~255 to ~550 µs.
// Yielding the CPU while spinning lost the gain on small commands.
const (
	coreSpin   = 100 * time.Microsecond
	pluginSpin = 100 * time.Microsecond
)

// smallFrame is the size under which a frame is sent with one write.
const smallFrame = 64 << 10

// writeFrame writes one frame; pieces are the payload after the kind byte.
func writeFrame(w io.Writer, kind byte, pieces mem.BufferSlice) error {
	n := 1 + pieces.Len()
	if n > MaxMessageSize+1024 {
		return status.Errorf(codes.ResourceExhausted, "frame of %d bytes over the limit", n)
	}
	head := make([]byte, 5, 5+min(n, smallFrame))
	binary.BigEndian.PutUint32(head, uint32(n))
	head[4] = kind
	if n <= smallFrame {
		for _, p := range pieces {
			head = append(head, p.ReadOnlyData()...)
		}
		_, err := w.Write(head)
		return err
	}
	bufs := net.Buffers{head}
	for _, p := range pieces {
		bufs = append(bufs, p.ReadOnlyData())
	}
	_, err := bufs.WriteTo(w) // writev on a socket
	return err
}

// readFrame reads one frame. A frame over max is skipped (read and
// dropped) and reported as ResourceExhausted: the channel stays in step.
func readFrame(r *bufio.Reader, max int) (kind byte, payload []byte, err error) {
	var head [5]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return 0, nil, err
	}
	n := int(binary.BigEndian.Uint32(head[:4]))
	if n < 1 {
		return 0, nil, errors.New("direct channel: empty frame")
	}
	n-- // the kind byte is read
	if n > max {
		if _, err := r.Discard(n); err != nil {
			return 0, nil, err
		}
		return head[4], nil, status.Errorf(codes.ResourceExhausted, "frame of %d bytes over the limit of %d", n, max)
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(r, payload)
	return head[4], payload, err
}

// serveFrames answers Execute frames on f until the core closes its end.
// It runs on its own goroutine, reading and writing through rawio (see
// pluginSpin), so a request that follows its answer closely is taken
// without a thread wake-up.
func serveFrames(p *Plugin, fc io.ReadWriteCloser) error {
	defer fc.Close()
	var f io.ReadWriter = fc
	if sc, ok := fc.(syscall.Conn); ok {
		if rw, err := rawio.New(sc); err == nil {
			rw.Spin = rawio.Spinning(pluginSpin)
			f = rw
		}
	}
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		kind, payload, err := readFrame(r, MaxMessageSize)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && status.Code(err) != codes.ResourceExhausted {
			return fmt.Errorf("direct channel: %w", err)
		}
		var resp *pluginv1.ExecuteResponse
		var st Streamed
		switch {
		case err != nil:
			resp = &pluginv1.ExecuteResponse{Error: &pluginv1.Error{Class: qapi.ClassGeneric, Desc: "arguments over the size limit"}}
		case kind != kindRequest:
			return fmt.Errorf("direct channel: unexpected frame kind %q", kind)
		default:
			resp, st = executeFrame(p, payload)
		}
		if st != nil {
			if st.Len() > MaxMessageSize {
				err = writeFailure(f, codes.ResourceExhausted, fmt.Sprintf("result of %d bytes over the limit of %d", st.Len(), MaxMessageSize))
			} else {
				err = writeStreamed(f, st)
			}
			if err != nil {
				return fmt.Errorf("direct channel: %w", err)
			}
			continue
		}
		out, merr := executeCodec{}.Marshal(resp)
		switch {
		case merr != nil:
			err = writeFailure(f, codes.Internal, fmt.Sprintf("error while marshaling: %v", merr))
		case out.Len() > MaxMessageSize:
			err = writeFailure(f, codes.ResourceExhausted, fmt.Sprintf("result of %d bytes over the limit of %d", out.Len(), MaxMessageSize))
		default:
			err = writeFrame(f, kindResponse, out)
		}
		if err != nil {
			return fmt.Errorf("direct channel: %w", err)
		}
	}
}

// writeFailure tells the core that a response could not be sent, with the
// gRPC code the same failure has on gRPC.
func writeFailure(w io.Writer, code codes.Code, text string) error {
	return writeFrame(w, kindFailure, mem.BufferSlice{mem.SliceBuffer(append([]byte{byte(code)}, text...))})
}

// executeFrame runs one request; a Streamed result comes back as st.
func executeFrame(p *Plugin, payload []byte) (*pluginv1.ExecuteResponse, Streamed) {
	req := &pluginv1.ExecuteRequest{}
	if err := unmarshalExecute(payload, req); err != nil {
		return &pluginv1.ExecuteResponse{Error: &pluginv1.Error{Class: qapi.ClassGeneric, Desc: "malformed request: " + err.Error()}}, nil
	}
	// No deadline here: the core bounds the call and stops a plugin that
	// passes it, as it does on gRPC.
	res, st, qerr := p.execute(context.Background(), req.Command, req.Arguments)
	switch {
	case qerr != nil:
		return &pluginv1.ExecuteResponse{Error: &pluginv1.Error{Class: qerr.Class, Desc: qerr.Desc}}, nil
	case st != nil:
		return nil, st
	}
	return &pluginv1.ExecuteResponse{Result: res}, nil
}

// writeStreamed sends a Streamed result as an ExecuteResponse frame: the
// frame and proto headers first (the length is known), then the result as
// WriteTo produces it. A WriteTo that does not write exactly Len bytes
// leaves the channel out of step: the error closes it, and the core counts
// the call as a plugin failure.
func writeStreamed(w io.Writer, st Streamed) (err error) {
	n := st.Len()
	head := make([]byte, 5, 5+1+binary.MaxVarintLen64)
	head = protowire.AppendTag(head, 1, protowire.BytesType)
	head = protowire.AppendVarint(head, uint64(n))
	binary.BigEndian.PutUint32(head, uint32(len(head)-4+n))
	head[4] = kindResponse
	if _, err := w.Write(head); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("streaming a result: %v", r)
		}
	}()
	lw := &limitedWriter{w: w, left: int64(n)}
	if _, err := st.WriteTo(lw); err != nil {
		return err
	}
	if lw.left != 0 {
		return fmt.Errorf("streamed result %d bytes shorter than announced", lw.left)
	}
	return nil
}

// limitedWriter refuses to write past the announced length, so a result
// longer than it said never reaches the core as the start of a frame.
type limitedWriter struct {
	w    io.Writer
	left int64
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.left {
		return 0, fmt.Errorf("streamed result longer than announced")
	}
	k, err := l.w.Write(p)
	l.left -= int64(k)
	return k, err
}

// startDirect serves the direct channel if the core passed one. The
// descriptor is closed on exec and the variable dropped, so the family's
// child processes (guest-exec, hooks) do not inherit either.
func startDirect(p *Plugin, log interface{ Error(string, ...any) }) {
	if os.Getenv(EnvExecFD) != fmt.Sprint(ExecFD) {
		return
	}
	os.Unsetenv(EnvExecFD)
	syscall.CloseOnExec(ExecFD)
	if err := syscall.SetNonblock(ExecFD, true); err != nil {
		return
	}
	f := os.NewFile(ExecFD, "qgad-exec") // non-blocking: on the netpoller
	if f == nil {
		return
	}
	// Greet before go-plugin's handshake line: the core looks for the
	// hello right after the handshake, without waiting.
	if err := writeFrame(f, kindHello, mem.BufferSlice{mem.SliceBuffer(helloText)}); err != nil {
		log.Error("direct channel unusable", "error", err)
		f.Close()
		return
	}
	go func() {
		if err := serveFrames(p, f); err != nil {
			log.Error("direct channel closed", "error", err)
		}
	}()
}

// Direct is the core's end of a plugin's direct channel. One call runs at
// a time; a call that finds it busy goes over gRPC instead.
type Direct struct {
	mu     sync.Mutex
	conn   *net.UnixConn
	rw     *rawio.Conn
	r      *bufio.Reader
	broken bool // out of step after a failed call: not used again
}

// OpenDirect takes the core's end of the socketpair after the plugin's
// go-plugin handshake and checks for the plugin's hello, which a plugin
// built on this SDK sent before its handshake. No hello: nil, and the
// caller uses gRPC only.
func OpenDirect(f *os.File) *Direct {
	defer f.Close()
	want := 5 + len(helloText)
	buf := make([]byte, want)
	n, _, err := syscall.Recvfrom(int(f.Fd()), buf, syscall.MSG_DONTWAIT|syscall.MSG_PEEK)
	if err != nil || n != want || buf[4] != kindHello || string(buf[5:]) != string(helloText) ||
		binary.BigEndian.Uint32(buf) != uint32(1+len(helloText)) {
		return nil
	}
	c, err := net.FileConn(f) // a dup, non-blocking, on the netpoller
	if err != nil {
		return nil
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil
	}
	rw, err := rawio.New(uc)
	if err != nil {
		uc.Close()
		return nil
	}
	rw.Spin = rawio.Spinning(coreSpin)
	d := &Direct{conn: uc, rw: rw, r: bufio.NewReaderSize(rw, 64<<10)}
	if _, err := d.r.Discard(want); err != nil {
		uc.Close()
		return nil
	}
	return d
}

// Close closes the core's end; the plugin's serving goroutine ends.
func (d *Direct) Close() error { return d.conn.Close() }

// Execute runs one command over the channel. ok is false when the channel
// is busy or broken: the caller uses gRPC. Errors carry gRPC status codes
// (DeadlineExceeded, Canceled, Unavailable, ResourceExhausted, Internal),
// so callers treat both transports alike.
func (d *Direct) Execute(ctx context.Context, name string, args []byte) (result qapi.RawJSON, qerr *qapi.Error, err error, ok bool) {
	if !d.mu.TryLock() {
		return nil, nil, nil, false
	}
	defer d.mu.Unlock()
	if d.broken {
		return nil, nil, nil, false
	}
	deadline, _ := ctx.Deadline()
	_ = d.conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = d.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	resp, inStep, err := d.roundTrip(&pluginv1.ExecuteRequest{Command: name, Arguments: args})
	if err != nil {
		d.broken = !inStep
		switch {
		case errors.Is(ctx.Err(), context.Canceled):
			return nil, nil, status.FromContextError(ctx.Err()).Err(), true
		case ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
			// The socket's deadline is the context's; it may fire first.
			return nil, nil, status.Error(codes.DeadlineExceeded, err.Error()), true
		case inStep:
			return nil, nil, err, true
		default: // the plugin died or closed the channel
			return nil, nil, status.Error(codes.Unavailable, err.Error()), true
		}
	}
	if e := resp.GetError(); e != nil {
		return nil, &qapi.Error{Class: e.Class, Desc: e.Desc}, nil, true
	}
	return resp.Result, nil, nil, true
}

// roundTrip sends one request and reads its answer. inStep tells whether
// the channel can carry the next call after an error: it can when a whole
// answer frame was read.
func (d *Direct) roundTrip(req *pluginv1.ExecuteRequest) (resp *pluginv1.ExecuteResponse, inStep bool, err error) {
	out, err := executeCodec{}.Marshal(req)
	if err != nil {
		return nil, true, status.Errorf(codes.Internal, "error while marshaling: %v", err)
	}
	if err := writeFrame(d.rw, kindRequest, out); err != nil {
		return nil, false, err
	}
	kind, payload, err := readFrame(d.r, MaxMessageSize)
	if err != nil {
		return nil, status.Code(err) == codes.ResourceExhausted, err
	}
	switch kind {
	case kindResponse:
		resp = &pluginv1.ExecuteResponse{}
		if err := unmarshalExecute(payload, resp); err != nil {
			return nil, true, status.Errorf(codes.Internal, "malformed response: %v", err)
		}
		return resp, true, nil
	case kindFailure:
		if len(payload) == 0 {
			return nil, true, status.Error(codes.Internal, "empty failure frame")
		}
		return nil, true, status.Error(codes.Code(payload[0]), string(payload[1:]))
	default:
		return nil, false, status.Errorf(codes.Internal, "unexpected frame kind %q", kind)
	}
}
