package file

import (
	"context"
	"fmt"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

type handleArgs struct {
	Handle int64 `json:"handle"`
}

// closeHandle is guest-file-close. Unlike qemu-ga, whose table keeps a
// handle whose fclose failed (and then uses the freed stream), the handle is
// gone either way: Linux releases the descriptor even when close fails.
func (f *family) closeHandle(_ context.Context, a handleArgs) (sdk.Empty, error) {
	f.log.Info(fmt.Sprintf("guest-file-close called, handle: %d", a.Handle))
	h, err := f.files.acquire(a.Handle)
	if err != nil {
		return sdk.Empty{}, err
	}
	defer h.mu.Unlock()
	err = f.closeFD(h.fd)
	f.files.remove(h)
	if err != nil {
		return sdk.Empty{}, qapi.Errorf("failed to close handle: %s", runner.ErrText(err))
	}
	return sdk.Empty{}, nil
}

// flush is guest-file-flush. With unbuffered writes there is nothing to
// flush (fflush does not sync to disk either); what remains is the state
// change: after a flush a write on a pipe needs no seek.
func (f *family) flush(_ context.Context, a handleArgs) (sdk.Empty, error) {
	h, err := f.files.acquire(a.Handle)
	if err != nil {
		return sdk.Empty{}, err
	}
	defer h.mu.Unlock()
	h.state = stateNew
	return sdk.Empty{}, nil
}
