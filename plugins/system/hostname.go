package system

import (
	"context"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// hostNameMax is sysconf(_SC_HOST_NAME_MAX) on glibc/Linux, the size of the
// buffer qemu-ga passes to gethostname(2).
const hostNameMax = 64

type hostName struct {
	HostName string `json:"host-name"`
}

// getHostName reports gethostname(2), read fresh on each call (qemu-ga
// avoids glib's cached host name on purpose).
func (f *family) getHostName(ctx context.Context) (hostName, error) {
	name, err := f.nodename()
	if err != nil {
		return hostName{}, errorWithErrno(errnoOf(err), "cannot get hostname")
	}
	// glibc's gethostname fails when the name and its NUL do not fit the
	// buffer, so a 64-character host name is an error in qemu-ga too.
	if len(name)+1 > hostNameMax {
		return hostName{}, errorWithErrno(unix.ENAMETOOLONG, "cannot get hostname")
	}
	return hostName{HostName: name}, nil
}

// nodename is uname(2)'s nodename; under a test root it is the root's
// proc/sys/kernel/hostname instead.
func (f *family) nodename() (string, error) {
	if !f.live() {
		b, err := os.ReadFile(f.env.Path("/proc/sys/kernel/hostname"))
		if err != nil {
			return "", err
		}
		return strings.TrimSuffix(string(b), "\n"), nil
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", err
	}
	return unix.ByteSliceToString(u.Nodename[:]), nil
}
