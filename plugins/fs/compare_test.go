package fs

import (
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// Comparison with Debian's qemu-ga 7.2 on this machine, for the read-only
// commands. Expected differences (spec section 6): 7.2 has no
// total-bytes-privileged and no USB bus type, and keeps duplicate mounts.
// Other tests may attach loop devices meanwhile, so results are compared on
// a snapshot during which qemu-ga's own answer did not change.

// rawReturn runs cmd on qemu-ga and returns the serialized "return" value.
func rawReturn(t *testing.T, a *qgatest.Agent, cmd string) string {
	t.Helper()
	line := a.Line(t, `{"execute": "`+cmd+`"}`)
	v, ok := strings.CutPrefix(line, `{"return": `)
	if !ok || !strings.HasSuffix(v, "}") {
		t.Fatalf("%s: qemu-ga answered %s", cmd, line)
	}
	return strings.TrimSuffix(v, "}")
}

// stableCompare calls qemu-ga, then us, then qemu-ga again, until qemu-ga's
// two answers agree, and returns both normalized results.
func stableCompare(t *testing.T, a *qgatest.Agent, p *sdk.Plugin, cmd string, norm func(string) string) (theirs, ours string) {
	t.Helper()
	for range 10 {
		before := norm(rawReturn(t, a, cmd))
		got, errText := call(t, p, cmd, "")
		if errText != "" {
			t.Fatalf("%s: %s", cmd, errText)
		}
		after := norm(rawReturn(t, a, cmd))
		if before == after {
			return before, norm(got)
		}
	}
	t.Fatalf("%s: qemu-ga's answer kept changing", cmd)
	return "", ""
}

func TestCompareQemuGA(t *testing.T) {
	a := qgatest.StartQemuGA(t)
	p := newPlugin(t, "/")

	t.Run("guest-get-disks", func(t *testing.T) {
		// 7.2 is built with libudev here; the whole answer must match.
		theirs, ours := stableCompare(t, a, p, "guest-get-disks", func(s string) string { return s })
		if theirs != ours {
			t.Errorf("qemu-ga: %s\nqgad:    %s", theirs, ours)
		}
	})

	t.Run("guest-get-fsinfo", func(t *testing.T) {
		// used-bytes drifts as the machine writes; total-bytes-privileged is
		// new in 9.1. Compare the rest exactly, and used-bytes roughly.
		used := map[string][2]int64{}
		norm := func(s string) string {
			l := qgatest.ParseList(t, s)
			for i, e := range l {
				o := e.(*qapi.Object)
				keep := &qapi.Object{}
				mp, _ := o.Get("mountpoint")
				for _, m := range o.Members {
					switch m.Key {
					case "used-bytes":
						u := used[mp.(string)]
						u[1] = u[0]
						u[0] = m.Value.(int64)
						used[mp.(string)] = u
					case "total-bytes-privileged":
					default:
						keep.Members = append(keep.Members, m)
					}
				}
				l[i] = keep
			}
			return qgatest.Marshal(t, l)
		}
		theirs, ours := stableCompare(t, a, p, "guest-get-fsinfo", norm)
		if theirs != ours {
			t.Errorf("qemu-ga: %s\nqgad:    %s", theirs, ours)
		}
		if !strings.Contains(ours, `"mountpoint": "/"`) {
			t.Errorf("no root filesystem in %s", ours)
		}
		for mp, u := range used {
			if d := u[0] - u[1]; d > 1<<30 || d < -(1<<30) {
				t.Errorf("%s: used-bytes %d vs %d", mp, u[0], u[1])
			}
		}
		got, _ := call(t, p, "guest-get-fsinfo", "")
		if !strings.Contains(got, `"total-bytes-privileged": `) {
			t.Errorf("total-bytes-privileged missing: %s", got)
		}
	})

	t.Run("guest-get-diskstats", func(t *testing.T) {
		// Other tests attach loop devices meanwhile: ask again until both
		// answers name the same devices.
		names := func(l []any) string {
			var n []string
			for _, e := range l {
				v, _ := e.(*qapi.Object).Get("name")
				n = append(n, v.(string))
			}
			return strings.Join(n, ",")
		}
		var theirs, ours []any
		for range 10 {
			if theirs, ours = qgatest.ReturnLists(t, a, p, "guest-get-diskstats", ""); names(theirs) == names(ours) {
				break
			}
		}
		if len(ours) != len(theirs) {
			t.Fatalf("%d entries, qemu-ga %d\nqemu-ga: %v\nqgad: %s", len(ours), len(theirs), theirs, qgatest.Marshal(t, ours))
		}
		for i := range ours {
			o, th := ours[i].(*qapi.Object), theirs[i].(*qapi.Object)
			for _, k := range []string{"name", "major", "minor"} {
				x, _ := o.Get(k)
				y, _ := th.Get(k)
				if x != y {
					t.Errorf("entry %d: %s %v, qemu-ga %v", i, k, x, y)
				}
			}
			ostat, _ := o.Get("stats")
			ts, _ := th.Get("stats")
			so, st := ostat.(*qapi.Object), ts.(*qapi.Object)
			if len(so.Members) != len(st.Members) {
				t.Errorf("entry %d: stats members %v, qemu-ga %v", i, so.Members, st.Members)
				continue
			}
			// We asked after qemu-ga: counters cannot have gone down (ios-pgr
			// is a gauge, not a counter).
			for j, m := range so.Members {
				if st.Members[j].Key != m.Key {
					t.Errorf("entry %d: member %s, qemu-ga %s", i, m.Key, st.Members[j].Key)
				} else if m.Key != "ios-pgr" && m.Value.(int64) < st.Members[j].Value.(int64) {
					t.Errorf("entry %d: %s went down: %v < %v", i, m.Key, m.Value, st.Members[j].Value)
				}
			}
		}
	})
}
