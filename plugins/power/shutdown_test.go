package power

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestShutdown(t *testing.T) {
	const viaShutdown = "shutdown [-h] [%s] [+0] [hypervisor initiated shutdown]"
	tests := []struct {
		name  string
		setup func(t *testing.T, r *fakeRoot)
		args  string
		calls []string
		err   string // "<root>" stands for the test root
	}{
		{
			name: "default mode runs poweroff without arguments",
			setup: func(t *testing.T, r *fakeRoot) {
				r.prog(t, "/sbin/poweroff", 0, nil)
				r.prog(t, "/sbin/shutdown", 0, nil)
			},
			calls: []string{"poweroff"},
		},
		{
			name:  "powerdown",
			setup: func(t *testing.T, r *fakeRoot) { r.prog(t, "/sbin/poweroff", 0, nil) },
			args:  `{"mode": "powerdown"}`,
			calls: []string{"poweroff"},
		},
		{
			name:  "halt",
			setup: func(t *testing.T, r *fakeRoot) { r.prog(t, "/sbin/halt", 0, nil); r.prog(t, "/sbin/poweroff", 0, nil) },
			args:  `{"mode": "halt"}`,
			calls: []string{"halt"},
		},
		{
			name:  "reboot",
			setup: func(t *testing.T, r *fakeRoot) { r.prog(t, "/sbin/reboot", 0, nil) },
			args:  `{"mode": "reboot"}`,
			calls: []string{"reboot"},
		},
		{
			name:  "powerdown falls back to shutdown -h -P",
			setup: func(t *testing.T, r *fakeRoot) { r.prog(t, "/sbin/shutdown", 0, nil) },
			calls: []string{strings.Replace(viaShutdown, "%s", "-P", 1)},
		},
		{
			name: "halt falls back to shutdown -h -H",
			setup: func(t *testing.T, r *fakeRoot) {
				r.prog(t, "/sbin/shutdown", 0, nil)
				r.prog(t, "/sbin/poweroff", 0, nil)
			},
			args:  `{"mode": "halt"}`,
			calls: []string{strings.Replace(viaShutdown, "%s", "-H", 1)},
		},
		{
			name:  "reboot falls back to shutdown -h -r",
			setup: func(t *testing.T, r *fakeRoot) { r.prog(t, "/sbin/shutdown", 0, nil) },
			args:  `{"mode": "reboot"}`,
			calls: []string{strings.Replace(viaShutdown, "%s", "-r", 1)},
		},
		{
			name: "a poweroff without execute permission is skipped",
			setup: func(t *testing.T, r *fakeRoot) {
				r.file(t, "/sbin/poweroff", "#!/bin/sh\nexit 0\n", 0o644)
				r.prog(t, "/sbin/shutdown", 0, nil)
			},
			calls: []string{strings.Replace(viaShutdown, "%s", "-P", 1)},
		},
		{
			name:  "invalid mode",
			setup: func(t *testing.T, r *fakeRoot) { r.prog(t, "/sbin/shutdown", 0, nil) },
			args:  `{"mode": "sleep"}`,
			err:   "mode is invalid (valid values are: halt|powerdown|reboot",
		},
		{
			name:  "empty mode is invalid",
			setup: func(t *testing.T, r *fakeRoot) { r.prog(t, "/sbin/poweroff", 0, nil) },
			args:  `{"mode": ""}`,
			err:   "mode is invalid (valid values are: halt|powerdown|reboot",
		},
		{
			name:  "mode must be a string",
			setup: func(t *testing.T, r *fakeRoot) {},
			args:  `{"mode": 1}`,
			err:   "Invalid parameter type for 'mode', expected: string",
		},
		{
			name: "failure with output",
			setup: func(t *testing.T, r *fakeRoot) {
				r.script(t, "/sbin/poweroff", "echo 'Failed to talk to init daemon.' >&2; exit 1")
			},
			calls: []string{"poweroff"},
			err:   "child process has failed to shutdown: Failed to talk to init daemon.\n",
		},
		{
			name:  "silent failure",
			setup: func(t *testing.T, r *fakeRoot) { r.prog(t, "/sbin/shutdown", 3, nil) },
			args:  `{"mode": "reboot"}`,
			calls: []string{strings.Replace(viaShutdown, "%s", "-r", 1)},
			err:   "child process has failed to shutdown: exit status 3",
		},
		{
			name:  "killed by a signal",
			setup: func(t *testing.T, r *fakeRoot) { r.script(t, "/sbin/halt", "kill -KILL $$") },
			args:  `{"mode": "halt"}`,
			calls: []string{"halt"},
			err:   "child process has terminated abnormally",
		},
		{
			name:  "nothing to run",
			setup: func(t *testing.T, r *fakeRoot) {},
			err:   "child process has failed to shutdown: failed to exec '<root>/sbin/shutdown': No such file or directory\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newFakeRoot(t)
			tc.setup(t, r)
			qe := call(t, r.plugin(t, nil), "guest-shutdown", tc.args)
			want := strings.ReplaceAll(tc.err, "<root>", r.dir)
			switch {
			case want == "" && qe != nil:
				t.Fatalf("unexpected error %q", qe.Desc)
			case want != "" && (qe == nil || qe.Class != "GenericError" || qe.Desc != want):
				t.Fatalf("error %v, want %q", qe, want)
			}
			if got := r.calls(t); !slices.Equal(got, tc.calls) {
				t.Fatalf("ran %q, want %q", got, tc.calls)
			}
		})
	}
}

// The wait for the shutdown program is bounded by the timeout option.
func TestShutdownTimeout(t *testing.T) {
	r := newFakeRoot(t)
	r.script(t, "/sbin/poweroff", "sleep 30")
	p := r.plugin(t, map[string]string{"timeout": "300ms"})
	begin := time.Now()
	qe := call(t, p, "guest-shutdown", "")
	if want := "child process has failed to shutdown: timed out after the deadline"; qe == nil || qe.Desc != want {
		t.Fatalf("error %v, want %q", qe, want)
	}
	if d := time.Since(begin); d > 10*time.Second {
		t.Fatalf("took %v despite a 300ms timeout", d)
	}
}
