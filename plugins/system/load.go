package system

import (
	"context"
	"os"

	"github.com/qgad/qgad/internal/cscan"
	"github.com/qgad/qgad/qapi"
)

const procLoadavg = "/proc/loadavg"

// loadAverage is GuestLoadAverage; the serializer prints the doubles with
// %.17g as qemu-ga does.
type loadAverage struct {
	Load1m  float64 `json:"load1m"`
	Load5m  float64 `json:"load5m"`
	Load15m float64 `json:"load15m"`
}

// getLoad is qemu-ga's getloadavg(3) call; glibc reads /proc/loadavg.
func (f *family) getLoad(ctx context.Context) (loadAverage, error) {
	v, err := getloadavg(f.env.Path(procLoadavg))
	if err != nil {
		return loadAverage{}, err
	}
	return loadAverage{Load1m: v[0], Load5m: v[1], Load15m: v[2]}, nil
}

// getloadavg follows glibc: read at most 64 bytes, drop the last one (the
// newline), parse three numbers with strtod. A short or malformed file fails
// without an errno, so the text has no ": <errno text>" suffix.
func getloadavg(path string) ([3]float64, error) {
	var out [3]float64
	file, err := os.Open(path)
	if err != nil {
		return out, errorWithErrno(errnoOf(err), "cannot query load average")
	}
	defer file.Close()
	buf := make([]byte, 64)
	n, err := file.Read(buf)
	if n <= 0 {
		if err != nil && errnoOf(err) != 0 {
			return out, errorWithErrno(errnoOf(err), "cannot query load average")
		}
		return out, qapi.Errorf("cannot query load average")
	}
	p := cscan.CString(string(buf[:n-1]))
	for i := range out {
		v, rest, ok := cscan.Strtod(p)
		if !ok {
			return out, qapi.Errorf("cannot query load average")
		}
		out[i], p = v, rest
	}
	return out, nil
}
