package file

import (
	"context"
	"encoding/json"
	"syscall"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

type seekArgs struct {
	Handle int64 `json:"handle"`
	Offset int64 `json:"offset"`
	// GuestFileWhence: a json.Number (0, 1, 2) or a QGASeek name.
	Whence any `json:"whence"`
}

// seekResult is GuestFileSeek.
type seekResult struct {
	Position int64 `json:"position"`
	EOF      bool  `json:"eof"`
}

func (f *family) seek(_ context.Context, a seekArgs) (seekResult, error) {
	h, err := f.files.acquire(a.Handle)
	if err != nil {
		return seekResult{}, err
	}
	defer h.mu.Unlock()
	whence, err := parseWhence(a.Whence)
	if err != nil {
		return seekResult{}, err
	}
	pos, err := syscall.Seek(h.fd, a.Offset, whence)
	if err != nil {
		if err == syscall.ESPIPE {
			h.state = stateNew
		}
		return seekResult{}, qapi.Errorf("failed to seek file: %s", runner.ErrText(err))
	}
	h.state = stateNew
	// fseek clears the end-of-file indicator: eof is always false.
	return seekResult{Position: pos}, nil
}

// parseWhence maps GuestFileWhence to lseek's whence. The integer form
// takes any value (the schema says int), so it is checked here.
func parseWhence(w any) (int, error) {
	switch v := w.(type) {
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return 0, qapi.Errorf("Invalid parameter type for 'whence', expected: integer")
		}
		switch n {
		case 0, 1, 2: // QGA_SEEK_SET, _CUR, _END match SEEK_SET, _CUR, _END
			return int(n), nil
		}
		return 0, qapi.Errorf("invalid whence code %d", n)
	case string:
		switch v {
		case "set":
			return 0, nil
		case "cur":
			return 1, nil
		case "end":
			return 2, nil
		}
		return 0, qapi.Errorf("Parameter 'whence' does not accept value '%s'", v)
	}
	return 0, qapi.Errorf("Invalid parameter type for 'whence', expected: GuestFileWhence")
}
