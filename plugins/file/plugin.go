// Package file is the guest-file-* family of qgad: open, read, write, seek,
// flush and close files in the guest, wire-compatible with qemu-ga,
// including its persistent handle counter in <statedir>/qga.state.
package file

import (
	"fmt"
	"sync"
	"syscall"

	"github.com/hashicorp/go-hclog"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// Name is the family name.
const Name = "file"

// Version is the family's version, reported to the core.
const Version = "0.1.0"

// family holds the open handles and the id counter; it is per plugin.
type family struct {
	env   sdk.Env
	log   hclog.Logger
	ids   *counter
	files *handles
	// bufs holds read buffers a streamed read has finished with, so a
	// tool reading a file in 4 MiB steps does not allocate (and fault
	// in) a new one per call. A sync.Pool: a GC may drop them.
	bufs sync.Pool
	// fchmod and closeFD are syscall.Fchmod and syscall.Close; tests
	// replace them to make them fail.
	fchmod  func(fd int, mode uint32) error
	closeFD func(fd int) error
}

func newFamily(env sdk.Env) (*family, error) {
	log := env.Log
	if log == nil {
		log = hclog.NewNullLogger()
	}
	ids, err := loadCounter(env.StateDir, log)
	if err != nil {
		return nil, fmt.Errorf("file family: %w", err)
	}
	return &family{env: env, log: log, ids: ids, files: newHandles(), fchmod: syscall.Fchmod, closeFD: syscall.Close}, nil
}

// New builds the family. It reads (or creates) the handle counter in the
// state directory and fails when that is impossible, as qemu-ga does.
func New(env sdk.Env) (*sdk.Plugin, error) {
	f, err := newFamily(env)
	if err != nil {
		return nil, err
	}
	return f.plugin(), nil
}

func (f *family) plugin() *sdk.Plugin {
	handle := qapi.Req("handle", qapi.Int)
	return &sdk.Plugin{
		Name:    Name,
		Version: Version,
		// Commands in qemu-ga's schema order.
		Commands: []sdk.Command{
			{
				Name:    "guest-file-open",
				Doc:     "Open a file in the guest (mode as for fopen, default \"r\") and return its handle.",
				Args:    []qapi.Field{qapi.Req("path", qapi.String), qapi.Opt("mode", qapi.String)},
				Returns: qapi.Int,
				Run:     sdk.Handle(f.open),
			},
			{
				Name: "guest-file-close",
				Doc:  "Close an open file.",
				Args: []qapi.Field{handle},
				Run:  sdk.Handle(f.closeHandle),
			},
			{
				Name:    "guest-file-read",
				Doc:     "Read up to count bytes (default 4096, at most 48 MiB) from an open file, base64-encoded.",
				Args:    []qapi.Field{handle, qapi.Opt("count", qapi.Int)},
				Returns: guestFileReadType(),
				Run:     sdk.Handle(f.read),
			},
			{
				Name:    "guest-file-write",
				Doc:     "Write base64-encoded data (or its first count bytes) to an open file.",
				Args:    []qapi.Field{handle, qapi.Req("buf-b64", qapi.String), qapi.Opt("count", qapi.Int)},
				Returns: guestFileWriteType(),
				Run:     f.write,
			},
			{
				Name:    "guest-file-seek",
				Doc:     "Move the position of an open file, like fseek, and return the new position.",
				Args:    []qapi.Field{handle, qapi.Req("offset", qapi.Int), qapi.Req("whence", guestFileWhenceType())},
				Returns: guestFileSeekType(),
				Run:     sdk.Handle(f.seek),
			},
			{
				Name: "guest-file-flush",
				Doc:  "Flush the data written to an open file.",
				Args: []qapi.Field{handle},
				Run:  sdk.Handle(f.flush),
			},
		},
		Close: f.files.closeAll,
		// Open handles are lost when the plugin stops.
		Busy: func() bool { return f.files.len() > 0 },
	}
}

func guestFileReadType() *qapi.Type {
	return qapi.Struct("GuestFileRead",
		qapi.Req("count", qapi.Int),
		qapi.Req("buf-b64", qapi.String),
		qapi.Req("eof", qapi.Bool),
	)
}

func guestFileWriteType() *qapi.Type {
	return qapi.Struct("GuestFileWrite", qapi.Req("count", qapi.Int), qapi.Req("eof", qapi.Bool))
}

func guestFileSeekType() *qapi.Type {
	return qapi.Struct("GuestFileSeek", qapi.Req("position", qapi.Int), qapi.Req("eof", qapi.Bool))
}

// guestFileWhenceType is the alternate of an integer and the QGASeek enum.
func guestFileWhenceType() *qapi.Type {
	return qapi.Alternate("GuestFileWhence", qapi.Int, qapi.Enum("QGASeek", "set", "cur", "end"))
}
