package system

import (
	"testing"
)

// The expected values below were produced by qemu-ga's parsing loop
// compiled against glibc (sscanf "%s %lu …", atoi, ticks * 1000 / 100).
func TestGetCPUStats(t *testing.T) {
	tests := []struct {
		name string
		root string
		want string
	}{
		{
			name: "linux 2.6.33+, 10 counters",
			root: guestRoot,
			want: `[
			{"type": "linux", "cpu": 0, "user": 79640, "nice": 30, "system": 22300, "idle": 488270, "iowait": 320, "irq": 10, "softirq": 100, "steal": 140, "guest": 20, "guestnice": 10},
			{"type": "linux", "cpu": 1, "user": 84420, "nice": 0, "system": 29760, "idle": 469570, "iowait": 5530, "irq": 0, "softirq": 440, "steal": 240, "guest": 0, "guestnice": 0}]`,
		},
		{
			name: "linux 2.4, 4 counters",
			root: "testdata/cpustats/linux-2.4",
			want: `[
			{"type": "linux", "cpu": 0, "user": 1000, "nice": 0, "system": 2000, "idle": 5000},
			{"type": "linux", "cpu": 1, "user": 1000, "nice": 0, "system": 2000, "idle": 5000}]`,
		},
		{
			// 6 counters: qemu-ga reports softirq from an unset variable.
			name: "presence by counter count",
			root: "testdata/cpustats/counts",
			want: `[
			{"type": "linux", "cpu": 0, "user": 10, "nice": 20, "system": 30, "idle": 40},
			{"type": "linux", "cpu": 1, "user": 10, "nice": 20, "system": 30, "idle": 40, "iowait": 50},
			{"type": "linux", "cpu": 2, "user": 10, "nice": 20, "system": 30, "idle": 40, "iowait": 50, "irq": 60, "softirq": 0},
			{"type": "linux", "cpu": 3, "user": 10, "nice": 20, "system": 30, "idle": 40, "iowait": 50, "irq": 60, "softirq": 70},
			{"type": "linux", "cpu": 4, "user": 10, "nice": 20, "system": 30, "idle": 40, "iowait": 50, "irq": 60, "softirq": 70, "steal": 80},
			{"type": "linux", "cpu": 5, "user": 10, "nice": 20, "system": 30, "idle": 40, "iowait": 50, "irq": 60, "softirq": 70, "steal": 80, "guest": 90},
			{"type": "linux", "cpu": 6, "user": 10, "nice": 20, "system": 30, "idle": 40, "iowait": 50, "irq": 60, "softirq": 70, "steal": 80, "guest": 90, "guestnice": 100},
			{"type": "linux", "cpu": 7, "user": 10, "nice": 20, "system": 30, "idle": 40, "iowait": 50, "irq": 60, "softirq": 70, "steal": 80, "guest": 90, "guestnice": 100}]`,
		},
		{
			name: "a line with 3 counters stops the scan",
			root: "testdata/cpustats/short-line",
			want: `[{"type": "linux", "cpu": 0, "user": 1000, "nice": 0, "system": 1000, "idle": 1000, "iowait": 0, "irq": 0, "softirq": 0, "steal": 0, "guest": 0, "guestnice": 0}]`,
		},
		{
			// White space, "cpufoo" (atoi gives 0), strtoul's wrap-around and
			// saturation, a counter cut by junk, atoi's 32-bit truncation.
			name: "odd lines",
			root: "testdata/cpustats/odd",
			want: `[
			{"type": "linux", "cpu": 2, "user": 50, "nice": 60, "system": 70, "idle": 80, "iowait": 90, "irq": 100, "softirq": 110, "steal": 120, "guest": 130, "guestnice": 140},
			{"type": "linux", "cpu": 0, "user": 10, "nice": 20, "system": 30, "idle": 40},
			{"type": "linux", "cpu": 3, "user": 184467440737095506, "nice": 184467440737095506, "system": 184467440737095506, "idle": 184467440737094516, "iowait": 70},
			{"type": "linux", "cpu": 4, "user": 10, "nice": 20, "system": 30, "idle": 40},
			{"type": "linux", "cpu": -2147483648, "user": 10, "nice": 10, "system": 10, "idle": 10}]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := testFamily(t, tc.root, nil)
			sameJSON(t, mustCall(t, f, "guest-get-cpustats", ""), tc.want)
		})
	}
}

func TestGetCPUStatsMemberOrder(t *testing.T) {
	f := testFamily(t, "testdata/cpustats/linux-2.4", nil)
	got := mustCall(t, f, "guest-get-cpustats", "")
	want := `[{"cpu": 0, "idle": 5000, "system": 2000, "nice": 0, "type": "linux", "user": 1000}, ` +
		`{"cpu": 1, "idle": 5000, "system": 2000, "nice": 0, "type": "linux", "user": 1000}]`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestGetCPUStatsMissing(t *testing.T) {
	f := testFamily(t, t.TempDir(), nil)
	wantError(t, f, "guest-get-cpustats", "", `open("/proc/stat"): No such file or directory`)
}
