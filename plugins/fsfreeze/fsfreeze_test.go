package fsfreeze

// These tests really freeze, but only loop-mounted ext4 images inside the
// test's temp dir, through a fixture mount table that lists nothing else
// (see freezetest and newFixture). They need root.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/freeze/freezetest"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

func TestCommandTable(t *testing.T) {
	p, err := New(sdk.TestEnv(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range p.Commands {
		names = append(names, c.Name)
		if c.Returns == nil || c.Doc == "" || c.NoSuccessResponse {
			t.Errorf("%s: Returns %v, Doc %q, NoSuccessResponse %v", c.Name, c.Returns, c.Doc, c.NoSuccessResponse)
		}
	}
	want := []string{"guest-fsfreeze-status", "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list", "guest-fsfreeze-thaw"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("commands %v, want schema order %v", names, want)
	}
	if p.Name != Name || Name != "fsfreeze" {
		t.Errorf("name %q", p.Name)
	}
	st, _ := p.Lookup("guest-fsfreeze-status")
	if st.Returns.Kind != qapi.KindEnum || !reflect.DeepEqual(st.Returns.Enum, []string{"thawed", "frozen"}) {
		t.Errorf("status returns %+v", st.Returns)
	}
}

func TestArgumentErrors(t *testing.T) {
	// An empty mount table: even a validation bug could freeze nothing.
	root := t.TempDir()
	freezetest.WriteMountinfo(t, root, root)
	p, err := New(sdk.TestEnv(root))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, args, want string }{
		{"guest-fsfreeze-status", `{"foo": 1}`, "Parameter 'foo' is unexpected"},
		{"guest-fsfreeze-freeze", `{"mountpoints": []}`, "Parameter 'mountpoints' is unexpected"},
		{"guest-fsfreeze-thaw", `{"foo": 1}`, "Parameter 'foo' is unexpected"},
		{"guest-fsfreeze-freeze-list", `{"mountpoints": "/"}`, "Invalid parameter type for 'mountpoints', expected: array"},
		{"guest-fsfreeze-freeze-list", `{"mountpoints": [1]}`, "Invalid parameter type for 'mountpoints[0]', expected: string"},
	}
	for _, tt := range tests {
		t.Run(tt.name+tt.args, func(t *testing.T) {
			res, e := call(t, p, tt.name, tt.args)
			if e != tt.want {
				t.Errorf("got %q, error %q; want error %q", res, e, tt.want)
			}
		})
	}
}

func TestFreezeThaw(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.hook(t, "")
	f.start(t)
	f.checkState(t, "thawed", false, false)

	f.mustCall(t, "guest-fsfreeze-freeze", "", "2")
	f.checkState(t, "frozen", true, true)
	st, err := os.Stat(f.marker())
	if err != nil || st.Size() != 0 || st.Mode().Perm() != 0o600 {
		t.Errorf("marker %v, %v: want an empty 0600 file", st, err)
	}
	if !f.p.Busy() {
		t.Error("Busy() = false while frozen")
	}
	done := freezetest.Writer(filepath.Join(f.mnts[1], "file"))
	if !freezetest.Blocked(done, 300*time.Millisecond) {
		t.Fatal("a write completed on a frozen filesystem")
	}

	f.mustCall(t, "guest-fsfreeze-thaw", "", "2")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("writer: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("writer still blocked after thaw")
	}
	f.checkState(t, "thawed", false, false)
	if f.p.Busy() {
		t.Error("Busy() = true after thaw")
	}
	if got, want := f.hookCalls(t), []string{"1 freeze", "1 thaw"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hook calls %q, want %q", got, want)
	}
	// Thaw is always allowed and sweeps again; the hook runs again too.
	f.mustCall(t, "guest-fsfreeze-thaw", "", "0")
	if got := len(f.hookCalls(t)); got != 3 {
		t.Errorf("%d hook calls, want 3", got)
	}
}

// TestMarkerBeforeFreeze puts the state dir on the filesystem being frozen:
// had the marker been written after FIFREEZE, the freeze would hang on it.
func TestMarkerBeforeFreeze(t *testing.T) {
	f := newFixture(t, "a")
	f.env.StateDir = filepath.Join(f.mnts[0], "state")
	if err := os.Mkdir(f.env.StateDir, 0o755); err != nil {
		t.Fatal(err)
	}
	f.start(t)
	res := make(chan string, 1)
	go func() {
		r, e := call(t, f.p, "guest-fsfreeze-freeze", "")
		res <- r + e
	}()
	select {
	case r := <-res:
		if r != "1" {
			t.Fatalf("freeze = %q, want 1", r)
		}
	case <-time.After(20 * time.Second):
		freezetest.Thaw(f.mnts[0])
		t.Fatal("freeze blocked: the marker was written after the filesystem froze")
	}
	if _, err := os.Stat(f.marker()); err != nil {
		t.Errorf("marker: %v", err)
	}
	f.mustCall(t, "guest-fsfreeze-thaw", "", "1")
	f.checkState(t, "thawed", false)
}

func TestFreezeList(t *testing.T) {
	tests := []struct {
		name       string
		args       func(mnts []string) string
		want       string
		wantFrozen []bool
	}{
		{name: "absent: all", args: func([]string) string { return `{}` }, want: "3", wantFrozen: []bool{true, true, true}},
		{name: "empty: none", args: func([]string) string { return `{"mountpoints": []}` }, want: "0", wantFrozen: []bool{false, false, false}},
		{name: "one", args: func(m []string) string { return `{"mountpoints": [` + q(m[1]) + `]}` }, want: "1", wantFrozen: []bool{false, true, false}},
		{
			name: "escaped name, unknown names ignored",
			args: func(m []string) string {
				return `{"mountpoints": ["/nowhere", ` + q(m[2]) + `, ` + q(m[0]+"/") + `]}`
			},
			want: "1", wantFrozen: []bool{false, false, true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "a", "b", "with space")
			f.hook(t, "")
			f.start(t)
			f.mustCall(t, "guest-fsfreeze-freeze-list", tt.args(f.mnts), tt.want)
			status := "frozen"
			wantCalls := []string{"1 freeze"}
			if tt.want == "0" {
				// Nothing frozen: back to thawed, and no thaw hook.
				status = "thawed"
			}
			f.checkState(t, status, tt.wantFrozen...)
			f.mustCall(t, "guest-fsfreeze-thaw", "", tt.want)
			wantCalls = append(wantCalls, "1 thaw")
			if got := f.hookCalls(t); !reflect.DeepEqual(got, wantCalls) {
				t.Errorf("hook calls %q, want %q", got, wantCalls)
			}
			f.checkState(t, "thawed", false, false, false)
		})
	}
}

func q(s string) string { return strconv.Quote(s) }

// TestFreezeFailure: the table is walked in reverse, so "good" (listed
// second) is frozen first, then "bad" fails; everything must be thawed, the
// thaw hook run (its error ignored) and the freeze error returned.
func TestFreezeFailure(t *testing.T) {
	tests := []struct {
		name     string
		bad      string // "!" = listed but not mounted
		shutdown bool
		hookBody string
		wantErr  func(bad string) string
	}{
		{
			name: "FIFREEZE fails", bad: "bad", shutdown: true,
			wantErr: func(bad string) string { return "failed to freeze " + bad + ": Input/output error" },
		},
		{
			name: "FIFREEZE fails, thaw hook fails too", bad: "bad", shutdown: true,
			hookBody: `[ "$1" = thaw ] && { echo thaw hook broken; exit 1; }; exit 0`,
			wantErr:  func(bad string) string { return "failed to freeze " + bad + ": Input/output error" },
		},
		{
			name: "open fails", bad: "!gone",
			wantErr: func(bad string) string { return "failed to open " + bad + ": No such file or directory" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.bad, "good")
			if tt.shutdown {
				freezetest.Shutdown(t, f.mnts[0])
			}
			f.hook(t, tt.hookBody)
			f.start(t)
			res, e := f.call(t, "guest-fsfreeze-freeze", "")
			if want := tt.wantErr(f.mnts[0]); e != want {
				t.Fatalf("freeze = %q, error %q; want error %q", res, e, want)
			}
			f.checkState(t, "thawed")
			if freezetest.IsFrozen(t, f.mnts[1]) {
				t.Error("the filesystem frozen before the failure was left frozen")
			}
			if got, want := f.hookCalls(t), []string{"1 freeze", "1 thaw"}; !reflect.DeepEqual(got, want) {
				t.Errorf("hook calls %q, want %q", got, want)
			}
		})
	}
}

func TestFreezeHookFailure(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		missing bool
		timeout string
		wantErr func(hook string) string
	}{
		{
			name: "fails with output",
			body: `echo "cannot quiesce $1" >&2; exit 3`,
			wantErr: func(string) string {
				return "child process has failed to execute fsfreeze hook: cannot quiesce freeze\n"
			},
		},
		{
			name:    "fails silently",
			body:    `exit 3`,
			wantErr: func(string) string { return "child process has failed to execute fsfreeze hook: exit status 3" },
		},
		{
			name:    "killed by a signal",
			body:    `kill -9 $$`,
			wantErr: func(string) string { return "child process has terminated abnormally" },
		},
		{
			name:    "missing",
			missing: true,
			wantErr: func(h string) string {
				return "child process has failed to execute fsfreeze hook: failed to exec '" + h + "': No such file or directory\n"
			},
		},
		{
			name:    "hangs past the timeout",
			body:    `sleep 30; exit 0`,
			timeout: "300ms",
			wantErr: func(string) string {
				return "child process has failed to execute fsfreeze hook: timed out after the deadline"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "a")
			h := f.hook(t, tt.body)
			if tt.missing {
				h += ".missing"
				setOption(f.env, OptHook, h)
			}
			if tt.timeout != "" {
				setOption(f.env, OptHookTimeout, tt.timeout)
			}
			f.start(t)
			start := time.Now()
			res, e := f.call(t, "guest-fsfreeze-freeze", "")
			if want := tt.wantErr(h); e != want {
				t.Errorf("freeze = %q, error %q; want error %q", res, e, want)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("freeze took %v", d)
			}
			f.checkState(t, "thawed", false)
			// The freeze hook failed: the thaw hook is not run.
			if calls := f.hookCalls(t); len(calls) > 1 {
				t.Errorf("hook calls %q, want at most the freeze", calls)
			}
		})
	}
}

func TestHookInvocation(t *testing.T) {
	f := newFixture(t, "a")
	// Record stdin's target and content, and the session: a new one.
	f.hook(t, `{ readlink /proc/self/fd/0; cat; awk '{print $6}' /proc/$$/stat; echo $$; } >>'`+f.calls+`'`)
	f.start(t)
	f.mustCall(t, "guest-fsfreeze-freeze", "", "1")
	f.mustCall(t, "guest-fsfreeze-thaw", "", "1")
	calls := f.hookCalls(t)
	if len(calls) != 8 {
		t.Fatalf("hook recorded %q", calls)
	}
	for i, arg := range []string{"freeze", "thaw"} {
		c := calls[i*4 : i*4+4]
		if c[0] != "1 "+arg || c[1] != "/dev/null" || c[2] != c[3] {
			t.Errorf("call %d: %q; want one argument %q, stdin /dev/null, session leader", i, c, arg)
		}
	}
}

func TestThawHookError(t *testing.T) {
	f := newFixture(t, "a")
	f.hook(t, `[ "$1" = thaw ] && { echo "app refused to resume"; exit 1; }; exit 0`)
	f.start(t)
	f.mustCall(t, "guest-fsfreeze-freeze", "", "1")
	res, e := f.call(t, "guest-fsfreeze-thaw", "")
	if want := "child process has failed to execute fsfreeze hook: app refused to resume\n"; e != want {
		t.Errorf("thaw = %q, error %q; want error %q", res, e, want)
	}
	// The error is reported, but everything is thawed all the same.
	f.checkState(t, "thawed", false)
}

func TestThawForeignFreeze(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.start(t)
	if out, err := exec.Command("fsfreeze", "-f", f.mnts[1]).CombinedOutput(); err != nil {
		t.Fatalf("fsfreeze -f: %v %s", err, out)
	}
	// The agent is not frozen, but thaw sweeps everything regardless.
	f.checkState(t, "thawed", false, true)
	f.mustCall(t, "guest-fsfreeze-thaw", "", "1")
	f.checkState(t, "thawed", false, false)
}

func TestFreezeWhatOthersFroze(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.start(t)
	if out, err := exec.Command("fsfreeze", "-f", f.mnts[0]).CombinedOutput(); err != nil {
		t.Fatalf("fsfreeze -f: %v %s", err, out)
	}
	// EBUSY is neither an error nor counted.
	f.mustCall(t, "guest-fsfreeze-freeze", "", "1")
	f.checkState(t, "frozen", true, true)
	f.mustCall(t, "guest-fsfreeze-thaw", "", "2")
	f.checkState(t, "thawed", false, false)
}

func TestRestartWhileFrozen(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.hook(t, "")
	f.start(t)
	f.mustCall(t, "guest-fsfreeze-freeze", "", "2")
	// A new instance (the plugin or the agent restarted) finds the marker.
	f.start(t)
	f.checkState(t, "frozen", true, true)
	if !f.p.Busy() {
		t.Error("Busy() = false after restarting frozen")
	}
	f.mustCall(t, "guest-fsfreeze-thaw", "", "2")
	f.checkState(t, "thawed", false, false)
	if got, want := f.hookCalls(t), []string{"1 freeze", "1 thaw"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hook calls %q, want %q", got, want)
	}
}

func TestStatusFromMarker(t *testing.T) {
	tests := []struct {
		name   string
		marker func(t *testing.T, path string)
		want   string
	}{
		{name: "none", marker: func(*testing.T, string) {}, want: "thawed"},
		{name: "present", marker: func(t *testing.T, p string) { writeFile(t, p, "") }, want: "frozen"},
		{
			// qemu-ga: a stat() failure other than ENOENT also means frozen.
			name: "unreadable",
			marker: func(t *testing.T, p string) {
				dir := filepath.Dir(p)
				writeFile(t, filepath.Join(filepath.Dir(dir), "notadir"), "")
				if err := os.Remove(dir); err != nil {
					t.Fatal(err)
				}
				// stat(<dir>/marker) now fails with ENOTDIR.
				if err := os.Symlink("notadir", dir); err != nil {
					t.Fatal(err)
				}
			},
			want: "frozen",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			freezetest.WriteMountinfo(t, root, root)
			env := sdk.TestEnv(root)
			env.StateDir = filepath.Join(root, "state")
			if err := os.Mkdir(env.StateDir, 0o755); err != nil {
				t.Fatal(err)
			}
			tt.marker(t, filepath.Join(env.StateDir, MarkerName))
			p, err := New(env)
			if err != nil {
				t.Fatal(err)
			}
			if res, e := call(t, p, "guest-fsfreeze-status", ""); res != `"`+tt.want+`"` {
				t.Errorf("status = %q, error %q; want %q", res, e, tt.want)
			}
			// Thaw over an empty table ends the frozen state.
			if res, e := call(t, p, "guest-fsfreeze-thaw", ""); res != "0" {
				t.Errorf("thaw = %q, error %q; want 0", res, e)
			}
			if res, _ := call(t, p, "guest-fsfreeze-status", ""); res != `"thawed"` {
				t.Errorf("status after thaw = %q", res)
			}
		})
	}
}

func TestMountTableMissing(t *testing.T) {
	root := t.TempDir()
	env := sdk.TestEnv(root)
	writeFile(t, filepath.Join(root, MarkerName), "")
	f := &fixture{env: env, calls: filepath.Join(t.TempDir(), "calls")}
	f.hook(t, "")
	f.start(t)
	const want = "failed to open mtab file: '/proc/self/mounts'"
	// Thaw fails and the family stays frozen (qemu-ga: no state change, no hook).
	if res, e := f.call(t, "guest-fsfreeze-thaw", ""); e != want {
		t.Errorf("thaw = %q, error %q; want %q", res, e, want)
	}
	f.mustCall(t, "guest-fsfreeze-status", "", `"frozen"`)
	if err := os.Remove(f.marker()); err != nil {
		t.Fatal(err)
	}
	f.start(t)
	// Freeze fails after the hook ran, before anything else.
	if res, e := f.call(t, "guest-fsfreeze-freeze", ""); e != want {
		t.Errorf("freeze = %q, error %q; want %q", res, e, want)
	}
	f.mustCall(t, "guest-fsfreeze-status", "", `"thawed"`)
	if got, want := f.hookCalls(t), []string{"1 freeze"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hook calls %q, want %q", got, want)
	}
}

func TestMarkerUnwritable(t *testing.T) {
	f := newFixture(t, "a")
	f.env.StateDir = filepath.Join(f.base, "missing")
	f.start(t)
	// qemu-ga only warns: the freeze goes ahead, the state is kept in memory.
	f.mustCall(t, "guest-fsfreeze-freeze", "", "1")
	f.mustCall(t, "guest-fsfreeze-status", "", `"frozen"`)
	f.mustCall(t, "guest-fsfreeze-thaw", "", "1")
	f.mustCall(t, "guest-fsfreeze-status", "", `"thawed"`)
}

func TestFreezeCancelled(t *testing.T) {
	f := newFixture(t, "a")
	f.start(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.p.Call(ctx, "guest-fsfreeze-freeze", "")
	if err == nil || !strings.Contains(err.Error(), "failed to freeze "+f.mnts[0]) {
		t.Errorf("freeze with an ended context: %v", err)
	}
	f.checkState(t, "thawed", false)
}

func TestOptions(t *testing.T) {
	tests := []struct {
		timeout string
		want    time.Duration
		wantErr bool
	}{
		{"", DefaultHookTimeout, false},
		{"0", 0, false},
		{"90s", 90 * time.Second, false},
		{"soon", 0, true},
		{"-1s", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.timeout, func(t *testing.T) {
			env := sdk.TestEnv(t.TempDir())
			if tt.timeout != "" {
				setOption(env, OptHookTimeout, tt.timeout)
			}
			h, err := newHook(env)
			if (err != nil) != tt.wantErr || (!tt.wantErr && h.timeout != tt.want) {
				t.Errorf("newHook = %+v, %v; want timeout %v, error %v", h, err, tt.want, tt.wantErr)
			}
			if _, err := New(env); (err != nil) != tt.wantErr {
				t.Errorf("New error %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
