package system

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestGetTime(t *testing.T) {
	root := copyRoot(t, guestRoot)
	f := testFamily(t, root, nil)
	// No fake clock yet: the (fixed) wall clock, in microseconds × 1000.
	if got, want := mustCall(t, f, "guest-get-time", ""), "1768478400123456000"; got != want {
		t.Errorf("get-time = %s, want %s", got, want)
	}
	writeFile(t, root, "run/qgad-fake-clock", "1234567890123456000\n")
	if got, want := mustCall(t, f, "guest-get-time", ""), "1234567890123456000"; got != want {
		t.Errorf("get-time with the fake clock = %s, want %s", got, want)
	}
	writeFile(t, root, "run/qgad-fake-clock", "garbage\n")
	wantError(t, f, "guest-get-time", "", "Failed to get time: Invalid argument")
}

func TestSetTime(t *testing.T) {
	const exec = "child process has failed to set hardware clock to system time: "
	tests := []struct {
		name    string
		tz      string // TZ of the plugin's environment ("" = unset)
		mutate  func(t *testing.T, root string)
		args    string
		wantErr string // "%s" is replaced by the root
		clock   string // fake clock afterwards ("" = must not exist)
		log     string // hwclock calls
	}{
		{
			name:  "set: microseconds kept, RTC written",
			args:  `{"time": 1768478400123456789}`,
			clock: "1768478400123456000\n",
			log:   "-w\n",
		},
		{
			name:   "no time: clock from RTC",
			mutate: func(t *testing.T, root string) { writeFile(t, root, "run/rtc", "1700000000000000000\n") },
			args:   `{}`,
			clock:  "1700000000000000000\n",
			log:    "-s\n",
		},
		{
			name:   "arguments absent",
			mutate: func(t *testing.T, root string) { writeFile(t, root, "run/rtc", "5\n") },
			args:   "",
			clock:  "5\n",
			log:    "-s\n",
		},
		{
			name:    "year 2070",
			args:    `{"time": 3155760000000000000}`,
			wantErr: "Invalid time",
		},
		{
			name:    "before 1970",
			args:    `{"time": -1000000000}`,
			wantErr: "Invalid time",
		},
		{
			name:    "1970 in UTC is 1969 west of it",
			tz:      "EST5",
			args:    `{"time": 1800000000000}`,
			wantErr: "Invalid time",
		},
		{
			name:  "1970 east of UTC",
			tz:    "CET-1",
			args:  `{"time": 1800000000000}`,
			clock: "1800000000000\n",
			log:   "-w\n",
		},
		{
			// -1000 ns: 0 s and -1 µs, which settimeofday refuses.
			name:    "negative microseconds",
			args:    `{"time": -1000}`,
			wantErr: "Failed to set time to guest: Invalid argument",
		},
		{
			name:    "clock not settable",
			mutate:  func(t *testing.T, root string) { os.RemoveAll(filepath.Join(root, "run")) },
			args:    `{"time": 1768478400000000000}`,
			wantErr: "Failed to set time to guest: No such file or directory",
		},
		{
			name: "hwclock fails with output",
			mutate: func(t *testing.T, root string) {
				writeFile(t, root, "run/hwclock.fail", "hwclock: Cannot access the Hardware Clock via any known method.\n")
			},
			args:    `{"time": 1768478400000000000}`,
			wantErr: exec + "hwclock: Cannot access the Hardware Clock via any known method.\n",
			clock:   "1768478400000000000\n",
			log:     "-w\n",
		},
		{
			name:    "hwclock fails silently",
			mutate:  func(t *testing.T, root string) { writeFile(t, root, "run/hwclock.fail", "") },
			args:    `{}`,
			wantErr: exec + "exit status 3",
			log:     "-s\n",
		},
		{
			name:    "no hwclock",
			mutate:  func(t *testing.T, root string) { os.Remove(filepath.Join(root, "sbin/hwclock")) },
			args:    `{"time": 1768478400000000000}`,
			wantErr: exec + "failed to exec '%s/sbin/hwclock': No such file or directory\n",
			clock:   "1768478400000000000\n",
		},
		{
			name:    "schema: time must be an integer",
			args:    `{"time": "now"}`,
			wantErr: "Invalid parameter type for 'time', expected: integer",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			if tc.tz != "" {
				env["TZ"] = tc.tz
			}
			f, root := mutatedFamily(t, env, tc.mutate)
			if tc.wantErr != "" {
				wantError(t, f, "guest-set-time", tc.args, strings.ReplaceAll(tc.wantErr, "%s", root))
			} else if got := mustCall(t, f, "guest-set-time", tc.args); got != "{}" {
				t.Errorf("result %s, want {}", got)
			}
			checkFile(t, root, "run/qgad-fake-clock", tc.clock)
			checkFile(t, root, "run/hwclock.log", tc.log)
			if tc.log == "-w\n" && tc.wantErr == "" {
				// hwclock -w copied the new clock into the RTC.
				checkFile(t, root, "run/rtc", tc.clock)
			}
		})
	}
}

// checkFile checks root/rel holds want, or does not exist when want is "".
func checkFile(t *testing.T, root, rel, want string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	switch {
	case want == "" && os.IsNotExist(err):
	case want == "":
		t.Errorf("%s exists (%q), want none", rel, b)
	case err != nil:
		t.Errorf("%s: %v", rel, err)
	case string(b) != want:
		t.Errorf("%s = %q, want %q", rel, b, want)
	}
}

// TestSetTimeThenGetTime reads back what set-time wrote.
func TestSetTimeThenGetTime(t *testing.T) {
	f := testFamily(t, copyRoot(t, guestRoot), nil)
	const ns = 1700000000987654321
	mustCall(t, f, "guest-set-time", `{"time": `+strconv.Itoa(ns)+`}`)
	if got, want := mustCall(t, f, "guest-get-time", ""), "1700000000987654000"; got != want {
		t.Errorf("get-time = %s, want %s", got, want)
	}
}
