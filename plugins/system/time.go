package system

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// fakeClock is the clock of a test root (env.Root != "/"): guest-set-time
// writes the nanoseconds it would set into this file instead of calling
// settimeofday(2), and guest-get-time reads it back when it exists. Tests
// can therefore never change the machine's clock.
const fakeClock = "/run/qgad-fake-clock"

// hwclock is what qemu-ga runs to sync the RTC; under a test root it is the
// root's /sbin/hwclock (a fake script).
const hwclock = "/sbin/hwclock"

type setTimeArgs struct {
	Time *int64 `json:"time"`
}

// getTime is gettimeofday(2) in nanoseconds: microseconds × 1000, as
// qemu-ga computes it.
func (f *family) getTime(ctx context.Context) (int64, error) {
	if !f.live() {
		ns, err := f.readFakeClock()
		if err == nil {
			return ns, nil
		}
		if !os.IsNotExist(err) {
			return 0, errorWithErrno(errnoOf(err), "Failed to get time")
		}
	}
	return f.now().UnixMicro() * 1000, nil
}

// setTime sets the system clock to time (ns) and then the RTC from it
// (hwclock -w), or without time sets the system clock from the RTC
// (hwclock -s).
func (f *family) setTime(ctx context.Context, a setTimeArgs) (sdk.Empty, error) {
	flag := "-s"
	if a.Time != nil {
		ns := *a.Time
		sec, usec := ns/1e9, (ns%1e9)/1000
		var tv unix.Timeval
		if !setChecked(&tv.Sec, sec) {
			// Only reachable where time_t is 32 bits.
			return sdk.Empty{}, qapi.Errorf("Time %d is too large", ns)
		}
		setChecked(&tv.Usec, usec)
		// qemu-ga checks the calendar year in local time (g_date_set_time_t,
		// i.e. glibc's localtime_r; glib's zone is used here, which differs
		// only for odd TZ values and only within a day of the bounds).
		// qemu-ga appends a stale errno to this text; there is none here.
		_, off := f.localZone().Zone(time.Unix(sec, 0))
		if y := time.Unix(sec, 0).UTC().Add(time.Duration(off) * time.Second).Year(); y < 1970 || y >= 2070 {
			return sdk.Empty{}, qapi.Errorf("Invalid time")
		}
		if err := f.settimeofday(&tv); err != nil {
			return sdk.Empty{}, errorWithErrno(errnoOf(err), "Failed to set time to guest")
		}
		flag = "-w"
	}
	argv := []string{f.env.Path(hwclock), flag}
	if err := runner.Run(ctx, argv, nil, "set hardware clock to system time"); err != nil {
		return sdk.Empty{}, err
	}
	return sdk.Empty{}, nil
}

// setChecked stores v in a time_t/suseconds_t field of whatever width the
// platform has, and reports whether it fitted.
func setChecked[T ~int32 | ~int64](dst *T, v int64) bool {
	*dst = T(v)
	return int64(*dst) == v
}

// settimeofday sets the system clock, or under a test root the fake clock,
// after the validity checks the kernel makes (EINVAL).
func (f *family) settimeofday(tv *unix.Timeval) error {
	if f.live() {
		return unix.Settimeofday(tv)
	}
	sec, usec := int64(tv.Sec), int64(tv.Usec)
	if sec < 0 || usec < 0 || usec >= 1e6 {
		return syscall.EINVAL
	}
	ns := sec*1e9 + usec*1000
	return os.WriteFile(f.env.Path(fakeClock), []byte(strconv.FormatInt(ns, 10)+"\n"), 0o644)
}

func (f *family) readFakeClock() (int64, error) {
	b, err := os.ReadFile(f.env.Path(fakeClock))
	if err != nil {
		return 0, err
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, syscall.EINVAL
	}
	return ns, nil
}
