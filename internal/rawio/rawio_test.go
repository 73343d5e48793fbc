package rawio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// pair returns the two ends of a unix stream socketpair as net.Conns.
func pair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	var conns [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "end")
		c, err := net.FileConn(f) // a non-blocking dup on the netpoller
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = c
	}
	return conns[0], conns[1]
}

func TestConn(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 3<<20/16) // over the socket buffer and maxRaw
	tests := []struct {
		name string
		spin time.Duration
		data []byte
	}{
		{"small", 0, []byte("hello")},
		{"small spinning", 50 * time.Microsecond, []byte("hello")},
		{"large", 0, big},
		{"large spinning", time.Millisecond, big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := pair(t)
			wa, err := New(a.(syscall.Conn))
			if err != nil {
				t.Fatal(err)
			}
			rb, err := New(b.(syscall.Conn))
			if err != nil {
				t.Fatal(err)
			}
			rb.Spin = tt.spin
			done := make(chan error, 1)
			go func() {
				// Answer a request, as a plugin does: the reader's Write
				// arms its spin for the answer.
				if _, err := io.ReadFull(a, make([]byte, 2)); err != nil {
					done <- err
					return
				}
				n, err := wa.Write(tt.data)
				if err == nil && n != len(tt.data) {
					err = io.ErrShortWrite
				}
				a.Close()
				done <- err
			}()
			if _, err := rb.Write([]byte("go")); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rb) // ends on the io.EOF Read returns
			if err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.data) {
				t.Fatalf("read %d bytes, want the %d written", len(got), len(tt.data))
			}
		})
	}
}

// The connection's deadline still ends a read that waits in the netpoller,
// spinning or not.
func TestReadDeadline(t *testing.T) {
	for _, spin := range []time.Duration{0, 200 * time.Microsecond} {
		_, b := pair(t)
		rb, err := New(b.(syscall.Conn))
		if err != nil {
			t.Fatal(err)
		}
		rb.Spin = spin
		rb.armed.Store(true)
		b.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if _, err := rb.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("spin %v: read error %v, want the deadline", spin, err)
		}
	}
}

// A blocking descriptor is refused: a raw read on it could sleep in the
// kernel and stall the garbage collector.
func TestRefusesBlocking(t *testing.T) {
	r, w, err := os.Pipe() // os.Pipe's ends are non-blocking: make one blocking
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := New(r); err != nil {
		t.Fatalf("non-blocking pipe refused: %v", err)
	}
	fd, err := syscall.Dup(int(w.Fd())) // Fd() made w blocking
	if err != nil {
		t.Fatal(err)
	}
	bf := os.NewFile(uintptr(fd), "blocking")
	defer bf.Close()
	if _, err := New(bf); !errors.Is(err, errBlocking) {
		t.Fatalf("blocking descriptor: error %v, want errBlocking", err)
	}
}

func TestSpinning(t *testing.T) {
	got := Spinning(time.Millisecond)
	if want := map[bool]time.Duration{true: 0, false: time.Millisecond}[runtime.NumCPU() < 2]; got != want {
		t.Fatalf("Spinning = %v, want %v on %d CPUs", got, want, runtime.NumCPU())
	}
}
