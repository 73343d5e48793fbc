// Package channel opens the byte stream to the host the way qemu-ga does
// (spec 1.1, 1.10): a virtio-serial or ISA serial port that stays open for
// the agent's life, or a unix or vsock socket that serves one client at a
// time, possibly handed over by systemd socket activation.
package channel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Methods, as qemu-ga's -m names them.
const (
	VirtioSerial = "virtio-serial"
	ISASerial    = "isa-serial"
	UnixListen   = "unix-listen"
	VsockListen  = "vsock-listen"
)

// Default paths of the device methods.
const (
	DefaultVirtioPath = "/dev/virtio-ports/org.qemu.guest_agent.0"
	DefaultISAPath    = "/dev/ttyS0"
)

// Conn is one client's byte stream. Read returns io.EOF when the client has
// gone (never for a port whose host merely detached: that read waits).
type Conn interface {
	io.ReadWriteCloser
	SetWriteDeadline(t time.Time) error
}

// Channel hands out client connections.
type Channel interface {
	// Accept waits for the next client. For device methods it returns the
	// port itself, again after the previous Conn was closed.
	Accept(ctx context.Context) (Conn, error)
	Close() error
	// Describe names the channel for logs.
	Describe() string
}

// ErrNoPath is qemu-ga's error for a listen method without -p.
var ErrNoPath = errors.New("must specify a path for this channel")

// Open opens a channel for method and path. It does not retry; see the
// agent for -r.
func Open(method, path string) (Channel, error) {
	switch method {
	case VirtioSerial:
		if path == "" {
			path = DefaultVirtioPath
		}
		return openPort(path, false)
	case ISASerial:
		if path == "" {
			path = DefaultISAPath
		}
		return openPort(path, true)
	case UnixListen:
		if path == "" {
			return nil, ErrNoPath
		}
		return listenUnix(path)
	case VsockListen:
		if path == "" {
			return nil, ErrNoPath
		}
		return listenVsock(path)
	}
	return nil, fmt.Errorf("unsupported channel method/type: %s", method)
}
