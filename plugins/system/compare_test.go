package system

import (
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/sdk"
)

// These tests run the read-only commands on this machine, in-process with
// the root "/", and through Debian's qemu-ga 7.2, and compare the answers.
// Differences between 7.2 and 10.2 (spec section 6) are noted where they
// apply. Nothing here changes the machine.

// liveFamily serves the real machine with the test process's environment,
// which is also what qemu-ga inherits.
func liveFamily(t *testing.T, env map[string]string) *family {
	t.Helper()
	f := newFamily(sdk.TestEnv("/"))
	if env != nil {
		f.getenv = func(k string) (string, bool) {
			if v, ok := env[k]; ok {
				return v, v != unsetEnv
			}
			return os.LookupEnv(k)
		}
	}
	return f
}

// unsetEnv marks a variable removed from the environment.
const unsetEnv = "\x00unset"

// environ is the test process's environment with changes applied.
func environ(changes map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, changed := changes[k]; !changed {
			out = append(out, kv)
		}
	}
	for k, v := range changes {
		if v != unsetEnv {
			out = append(out, k+"="+v)
		}
	}
	return out
}

func startQemuGA(t *testing.T, env map[string]string) *qgatest.Agent {
	t.Helper()
	if _, err := os.Stat(qgatest.QemuGA); err != nil {
		t.Fatalf("%s is missing: apt-get install qemu-guest-agent", qgatest.QemuGA)
	}
	o := qgatest.Options{}
	if env != nil {
		o.Env = environ(env)
	}
	a := qgatest.Start(t, qgatest.QemuGA, o)
	// qemu-ga 7.2 can deadlock on SIGTERM under load (its signal handler
	// calls g_main_loop_quit, which takes a lock the interrupted main loop
	// may hold), so the reference agent is killed, before qgatest's own
	// cleanup would send SIGTERM (cleanups run last-registered first).
	t.Cleanup(func() {
		a.C.Close()
		a.Cmd.Process.Kill()
		a.Cmd.Wait()
	})
	return a
}

// qgaResult runs a command on qemu-ga and returns its "return" member as
// decoded JSON (numbers exact), failing on an error response.
func qgaResult(t *testing.T, a *qgatest.Agent, name string) any {
	t.Helper()
	line := a.Response(t, name, "")
	var resp struct {
		Return json.RawMessage `json:"return"`
		Error  *struct{ Class, Desc string }
	}
	if err := json.Unmarshal([]byte(line), &resp); err != nil {
		t.Fatalf("qemu-ga %s: %q: %v", name, line, err)
	}
	if resp.Error != nil {
		t.Fatalf("qemu-ga %s: %s: %s", name, resp.Error.Class, resp.Error.Desc)
	}
	return decode(t, string(resp.Return))
}

func ourResult(t *testing.T, f *family, name string) any {
	t.Helper()
	return decode(t, mustCall(t, f, name, ""))
}

func TestCompareWithQemuGA(t *testing.T) {
	qga := startQemuGA(t, nil)
	f := liveFamily(t, nil)

	for _, name := range []string{
		"guest-get-osinfo",
		"guest-get-host-name",
		"guest-get-timezone",
		"guest-get-vcpus", // same directory order included
		"guest-get-memory-block-info",
	} {
		t.Run(name, func(t *testing.T) {
			theirs := qgaResult(t, qga, name)
			ours := ourResult(t, f, name)
			if !reflect.DeepEqual(ours, theirs) {
				t.Errorf("ours   %v\nqemu-ga %v", ours, theirs)
			}
		})
	}

	t.Run("guest-get-memory-blocks", func(t *testing.T) {
		// A guest without sysfs memory blocks makes both fail alike.
		theirsLine := qga.Response(t, "guest-get-memory-blocks", "")
		ours := qgatest.PluginResponse(t, f.plugin(), "guest-get-memory-blocks", "")
		if ours != theirsLine {
			t.Errorf("ours    %s\nqemu-ga %s", ours, theirsLine)
		}
	})

	t.Run("guest-get-cpustats", func(t *testing.T) {
		start := time.Now()
		theirs := qgaResult(t, qga, "guest-get-cpustats").([]any)
		ours := ourResult(t, f, "guest-get-cpustats").([]any)
		// Counters only grow, each by at most the wall time that passed.
		slack := time.Since(start).Milliseconds() + 2*1000/clkTck
		if len(ours) != len(theirs) || len(ours) == 0 {
			t.Fatalf("ours %d cpus, qemu-ga %d", len(ours), len(theirs))
		}
		for i := range ours {
			o, q := ours[i].(map[string]any), theirs[i].(map[string]any)
			if !reflect.DeepEqual(keys(o), keys(q)) || o["cpu"] != q["cpu"] || o["type"] != q["type"] {
				t.Errorf("cpu entry %d: ours %v, qemu-ga %v", i, o, q)
				continue
			}
			for k, v := range q {
				if k == "cpu" || k == "type" {
					continue
				}
				a, b := num(t, o[k]), num(t, v)
				if a < b || a-b > slack {
					t.Errorf("cpu %v %s: ours %d, qemu-ga %d (slack %d ms)", o["cpu"], k, a, b, slack)
				}
			}
		}
	})

	t.Run("guest-get-load", func(t *testing.T) {
		// New in 10.0: qemu-ga 7.2 does not have it.
		if line := qga.Line(t, `{"execute": "guest-get-load"}`); !strings.Contains(line, "has not been found") {
			t.Errorf("qemu-ga 7.2 answered %s", line)
		}
		got := ourResult(t, f, "guest-get-load").(map[string]any)
		raw, err := os.ReadFile("/proc/loadavg")
		if err != nil {
			t.Fatal(err)
		}
		fields := strings.Fields(string(raw))
		for i, k := range []string{"load1m", "load5m", "load15m"} {
			v, err := got[k].(json.Number).Float64()
			want, _ := strconv.ParseFloat(fields[i], 64)
			if err != nil || v < 0 || math.Abs(v-want) > 1 {
				t.Errorf("%s = %v, /proc/loadavg says %v", k, got[k], want)
			}
		}
	})

	t.Run("guest-get-time", func(t *testing.T) {
		theirs := num(t, qgaResult(t, qga, "guest-get-time"))
		ours := num(t, ourResult(t, f, "guest-get-time"))
		if ours%1000 != 0 || ours < theirs || ours-theirs > int64(5*time.Second) {
			t.Errorf("ours %d, qemu-ga %d", ours, theirs)
		}
	})
}

// TestCompareOSRelease feeds every os-release case to both agents through
// QGA_OS_RELEASE (qemu-ga reads the file on each call).
func TestCompareOSRelease(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "os-release")
	qga := startQemuGA(t, map[string]string{osReleaseEnv: file})
	f := liveFamily(t, map[string]string{osReleaseEnv: file})
	for _, c := range osReleaseCases {
		t.Run(c.name, func(t *testing.T) {
			c.path(t, dir)
			theirs := qgaResult(t, qga, "guest-get-osinfo")
			ours := ourResult(t, f, "guest-get-osinfo")
			if !reflect.DeepEqual(ours, theirs) {
				t.Errorf("ours    %v\nqemu-ga %v", ours, theirs)
			}
		})
	}
}

// TestCompareTimezones runs qemu-ga under a list of TZ values.
func TestCompareTimezones(t *testing.T) {
	for _, tz := range []string{
		unsetEnv, "", "UTC", "Europe/Berlin", ":Asia/Tokyo", "America/New_York",
		"/usr/share/zoneinfo/Australia/Sydney", "Asia/../Asia/Tokyo", "Japan", "Foo/Bar",
		"EST5", "EST5EDT", "EST5EDT4", "EST5EDT,M3.2.0,M11.1.0", "CET-1CEST,M3.5.0,M10.5.0/3",
		"AEST-10AEDT,M10.1.0,M4.1.0/3", "<+0330>-3:30", "<-03>3", "IST-5:30", "GMT+2", "XYZ-14",
		"UTC0", "+05:30", "+0530", "-03", "Z", "5", "12:30", "ABC", "AB5",
	} {
		name := strconv.Quote(tz)
		if tz == unsetEnv {
			name = "unset"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"TZ": tz}
			qga := startQemuGA(t, env)
			theirs := qgaResult(t, qga, "guest-get-timezone")
			ours := ourResult(t, liveFamily(t, env), "guest-get-timezone")
			if !reflect.DeepEqual(ours, theirs) {
				t.Errorf("ours %v, qemu-ga %v", ours, theirs)
			}
		})
	}
}

func keys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v is not a number", v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	return i
}
