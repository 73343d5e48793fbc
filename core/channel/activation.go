package channel

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// FromActivation returns the listening socket systemd passed (LISTEN_PID,
// LISTEN_FDS), or nil when the agent was not socket-activated. The method is
// derived from the socket's family; the LISTEN_* variables are unset so
// plugins and children do not see them.
func FromActivation() (Channel, string, error) {
	pid, err := strconv.Atoi(os.Getenv("LISTEN_PID"))
	if err != nil || pid != os.Getpid() {
		return nil, "", nil
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n <= 0 {
		return nil, "", nil
	}
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	if n > 1 {
		return nil, "", fmt.Errorf("qemu-ga only supports listening on one socket")
	}
	const fd = 3
	unix.CloseOnExec(fd)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil, "", fmt.Errorf("unsupported listen fd type")
	}
	switch sa.(type) {
	case *unix.SockaddrUnix:
		ln, err := net.FileListener(os.NewFile(fd, "listen-fd"))
		if err != nil {
			return nil, "", fmt.Errorf("socket activation: %w", err)
		}
		return &listener{desc: "socket-activated unix", ln: ln}, UnixListen, nil
	case *unix.SockaddrVM:
		if err := unix.SetNonblock(fd, true); err != nil {
			return nil, "", err
		}
		return &listener{desc: "socket-activated vsock", ln: &fdListener{fd: fd, f: os.NewFile(fd, "listen-fd")}}, VsockListen, nil
	}
	return nil, "", fmt.Errorf("unsupported listen fd type")
}
