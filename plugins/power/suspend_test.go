package power

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Fake helpers for the suspend strategies. The systemd probe is
// "systemctl status <unit>"; exit 1-3 means the unit exists.
const (
	probeSuspend   = "status systemd-suspend"
	probeHibernate = "status systemd-hibernate"
	probeHybrid    = "status systemd-hybrid-sleep"
)

func systemctl(exits map[string]int) func(*testing.T, *fakeRoot) {
	return func(t *testing.T, r *fakeRoot) { r.prog(t, "/usr/bin/systemctl", 4, exits) }
}

func pmUtils(probe map[string]int, program string, code int) func(*testing.T, *fakeRoot) {
	return func(t *testing.T, r *fakeRoot) {
		r.prog(t, "/usr/sbin/pm-is-supported", 1, probe)
		if program != "" {
			r.prog(t, "/usr/sbin/"+program, code, nil)
		}
	}
}

// sysState copies a testdata tree holding sys/power/state into the root.
func sysState(fixture string) func(*testing.T, *fakeRoot) {
	return func(t *testing.T, r *fakeRoot) {
		b, err := os.ReadFile(filepath.Join("testdata", fixture, "sys/power/state"))
		if err != nil {
			t.Fatal(err)
		}
		r.file(t, "/sys/power/state", string(b), 0o644)
	}
}

func TestSuspend(t *testing.T) {
	type setup = func(*testing.T, *fakeRoot)
	tests := []struct {
		name    string
		command string
		setups  []setup
		calls   []string
		err     string
		state   string // expected content of /sys/power/state afterwards ("" = not checked)
	}{
		{
			name:    "systemd: probe exit 3, suspend succeeds",
			command: "guest-suspend-ram",
			setups:  []setup{systemctl(map[string]int{probeSuspend: 3, "suspend": 0}), pmUtils(map[string]int{"--suspend": 0}, "pm-suspend", 0)},
			calls:   []string{"systemctl [status] [systemd-suspend]", "systemctl [suspend]"},
		},
		{
			name:    "systemd: probe exit 1 counts as supported",
			command: "guest-suspend-disk",
			setups:  []setup{systemctl(map[string]int{probeHibernate: 1, "hibernate": 0})},
			calls:   []string{"systemctl [status] [systemd-hibernate]", "systemctl [hibernate]"},
		},
		{
			name:    "systemd: probe exit 2 counts as supported",
			command: "guest-suspend-hybrid",
			setups:  []setup{systemctl(map[string]int{probeHybrid: 2, "hybrid-sleep": 0})},
			calls:   []string{"systemctl [status] [systemd-hybrid-sleep]", "systemctl [hybrid-sleep]"},
		},
		{
			name:    "systemd: probe exit 0 or 4 means unsupported, pm-utils next",
			command: "guest-suspend-ram",
			setups:  []setup{systemctl(map[string]int{probeSuspend: 4}), pmUtils(map[string]int{"--suspend": 0}, "pm-suspend", 0)},
			calls:   []string{"systemctl [status] [systemd-suspend]", "pm-is-supported [--suspend]", "pm-suspend"},
		},
		{
			name:    "systemd fails, pm-utils succeeds",
			command: "guest-suspend-disk",
			setups:  []setup{systemctl(map[string]int{probeHibernate: 3, "hibernate": 1}), pmUtils(map[string]int{"--hibernate": 0}, "pm-hibernate", 0)},
			calls:   []string{"systemctl [status] [systemd-hibernate]", "systemctl [hibernate]", "pm-is-supported [--hibernate]", "pm-hibernate"},
		},
		{
			name:    "hybrid through pm-utils",
			command: "guest-suspend-hybrid",
			setups:  []setup{pmUtils(map[string]int{"--suspend-hybrid": 0}, "pm-suspend-hybrid", 0)},
			calls:   []string{"pm-is-supported [--suspend-hybrid]", "pm-suspend-hybrid"},
		},
		{
			name:    "systemd fails and nothing else claims support: its error (upstream reports success)",
			command: "guest-suspend-ram",
			setups:  []setup{systemctl(map[string]int{probeSuspend: 3, "suspend": 1}), pmUtils(nil, "", 0), sysState("state-freeze")},
			calls:   []string{"systemctl [status] [systemd-suspend]", "systemctl [suspend]", "pm-is-supported [--suspend]"},
			err:     "the helper program 'systemctl suspend' returned an unexpected exit status code (1)",
			state:   "freeze\n",
		},
		{
			name:    "systemd and pm-utils fail: the last failure",
			command: "guest-suspend-ram",
			setups:  []setup{systemctl(map[string]int{probeSuspend: 3, "suspend": 1}), pmUtils(map[string]int{"--suspend": 0}, "pm-suspend", 2)},
			calls:   []string{"systemctl [status] [systemd-suspend]", "systemctl [suspend]", "pm-is-supported [--suspend]", "pm-suspend"},
			err:     "the helper program 'pm-suspend' returned an unexpected exit status code (2)",
		},
		{
			name:    "systemd and pm-utils fail, sysfs succeeds",
			command: "guest-suspend-ram",
			setups:  []setup{systemctl(map[string]int{probeSuspend: 3, "suspend": 1}), pmUtils(map[string]int{"--suspend": 0}, "pm-suspend", 1), sysState("state-all")},
			calls:   []string{"systemctl [status] [systemd-suspend]", "systemctl [suspend]", "pm-is-supported [--suspend]", "pm-suspend"},
			state:   "mem",
		},
		{
			name:    "sysfs only, ram",
			command: "guest-suspend-ram",
			setups:  []setup{sysState("state-all")},
			state:   "mem",
		},
		{
			name:    "sysfs only, disk",
			command: "guest-suspend-disk",
			setups:  []setup{sysState("state-all")},
			state:   "disk",
		},
		{
			name:    "sysfs without the mode's word",
			command: "guest-suspend-disk",
			setups:  []setup{sysState("state-freeze")},
			err:     "the requested suspend mode is not supported by the guest",
			state:   "freeze\n",
		},
		{
			name:    "hybrid has no sysfs strategy",
			command: "guest-suspend-hybrid",
			setups:  []setup{sysState("state-all")},
			err:     "the requested suspend mode is not supported by the guest",
			state:   "freeze mem disk\n",
		},
		{
			name:    "nothing installed (the machine's own systemctl is never used)",
			command: "guest-suspend-ram",
			err:     "the requested suspend mode is not supported by the guest",
		},
		{
			name:    "pm-utils claims support but its program is missing",
			command: "guest-suspend-ram",
			setups:  []setup{pmUtils(map[string]int{"--suspend": 0}, "", 0)},
			calls:   []string{"pm-is-supported [--suspend]"},
			err:     "the helper program 'pm-suspend' was not found",
		},
		{
			name:    "pm-utils program cannot be executed",
			command: "guest-suspend-ram",
			setups: []setup{pmUtils(map[string]int{"--suspend": 0}, "", 0), func(t *testing.T, r *fakeRoot) {
				r.file(t, "/usr/sbin/pm-suspend", "#!/bin/sh\n", 0o644)
			}},
			calls: []string{"pm-is-supported [--suspend]"},
			err:   "failed to create child process, error 'Failed to execute child process \u201cpm-suspend\u201d (Permission denied)'",
		},
		{
			name:    "a helper killed by a signal failed",
			command: "guest-suspend-ram",
			setups: []setup{func(t *testing.T, r *fakeRoot) {
				r.script(t, "/bin/systemctl", `[ "$1" = status ] && exit 3; kill -KILL $$`)
			}},
			calls: []string{"systemctl [status] [systemd-suspend]", "systemctl [suspend]"},
			err:   "the helper program 'systemctl suspend' was terminated by signal 9",
		},
		{
			name:    "helpers are found in every bin directory of the root",
			command: "guest-suspend-disk",
			setups: []setup{func(t *testing.T, r *fakeRoot) {
				r.prog(t, "/sbin/systemctl", 0, nil) // probe exit 0: unsupported
				r.prog(t, "/bin/pm-is-supported", 0, nil)
				r.prog(t, "/usr/bin/pm-hibernate", 0, nil)
			}},
			calls: []string{"systemctl [status] [systemd-hibernate]", "pm-is-supported [--hibernate]", "pm-hibernate"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newFakeRoot(t)
			for _, s := range tc.setups {
				s(t, r)
			}
			qe := call(t, r.plugin(t, nil), tc.command, "")
			switch {
			case tc.err == "" && qe != nil:
				t.Fatalf("unexpected error %q", qe.Desc)
			case tc.err != "" && (qe == nil || qe.Class != "GenericError" || qe.Desc != tc.err):
				t.Fatalf("error %v, want %q", qe, tc.err)
			}
			if got := r.calls(t); !slices.Equal(got, tc.calls) {
				t.Fatalf("ran %q, want %q", got, tc.calls)
			}
			if tc.state != "" {
				b, err := os.ReadFile(filepath.Join(r.dir, "sys/power/state"))
				if err != nil || string(b) != tc.state {
					t.Fatalf("/sys/power/state = %q (%v), want %q", b, err, tc.state)
				}
			}
		})
	}
}

// A sysfs write error is reported with qemu-ga's text. /proc/<pid>/comm of
// another process reads back its name but refuses writes (EINVAL), so a
// process named "mem-..." stands in for a kernel refusing to suspend.
func TestSuspendSysfsWriteError(t *testing.T) {
	dir := t.TempDir()
	sleeper := filepath.Join(dir, "mem-disk-sleeper")
	sleepBin, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sleepBin, sleeper); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sleeper, "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	r := newFakeRoot(t)
	if err := os.MkdirAll(filepath.Join(r.dir, "sys/power"), 0o755); err != nil {
		t.Fatal(err)
	}
	comm := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/comm"
	if err := os.Symlink(comm, filepath.Join(r.dir, "sys/power/state")); err != nil {
		t.Fatal(err)
	}
	// Wait for the exec to be done, so comm holds the new name.
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(comm)
		if strings.HasPrefix(string(b), "mem-disk") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %q", comm, b)
		}
		time.Sleep(5 * time.Millisecond)
	}
	qe := call(t, r.plugin(t, nil), "guest-suspend-ram", "")
	if want := "suspend: cannot write to '/sys/power/state': Invalid argument"; qe == nil || qe.Desc != want {
		t.Fatalf("error %v, want %q", qe, want)
	}
}

// Helpers are bounded by the timeout option: a hanging probe counts as
// unsupported, a hanging suspend program is an error.
func TestSuspendTimeout(t *testing.T) {
	r := newFakeRoot(t)
	r.script(t, "/usr/bin/systemctl", `[ "$1" = status ] && exec sleep 30; exit 0`)
	r.script(t, "/usr/sbin/pm-is-supported", "exit 0")
	r.script(t, "/usr/sbin/pm-suspend", "sleep 30")
	p := r.plugin(t, map[string]string{"timeout": "2s"})
	begin := time.Now()
	qe := call(t, p, "guest-suspend-ram", "")
	if want := "the helper program 'pm-suspend' did not finish within 2s"; qe == nil || qe.Desc != want {
		t.Fatalf("error %v, want %q", qe, want)
	}
	if d := time.Since(begin); d > 20*time.Second {
		t.Fatalf("took %v", d)
	}
	want := []string{"systemctl [status] [systemd-suspend]", "pm-is-supported [--suspend]", "pm-suspend"}
	if got := r.calls(t); !slices.Equal(got, want) {
		t.Fatalf("ran %q, want %q", got, want)
	}
}
