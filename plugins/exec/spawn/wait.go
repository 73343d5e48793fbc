package spawn

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// WaitExit blocks until process pid has exited, without reaping it. Until it
// is reaped its pid, and so the id of the process group it leads, cannot be
// reused, so killing that group stays safe until the caller reaps it.
func WaitExit(pid int) error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, syscall.EINTR) {
			if err != nil {
				return fmt.Errorf("waiting for pid %d: %w", pid, err)
			}
			return nil
		}
	}
}
