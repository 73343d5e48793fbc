package network

import (
	"os"
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
)

// Comparison with Debian's qemu-ga 7.2 on this machine, through the
// production (netlink) source. We ask after qemu-ga, so counters may only
// have grown.
func TestCompareQemuGA(t *testing.T) {
	a := qgatest.StartQemuGA(t)
	p := newFixture(t, "/")

	t.Run("guest-network-get-interfaces", func(t *testing.T) {
		theirs, ours := qgatest.ReturnLists(t, a, p, "guest-network-get-interfaces", "")
		if len(ours) != len(theirs) {
			t.Fatalf("qemu-ga: %s\nqgad:    %s", qgatest.Marshal(t, theirs), qgatest.Marshal(t, ours))
		}
		for i := range ours {
			o, th := ours[i].(*qapi.Object), theirs[i].(*qapi.Object)
			// Everything but the counters must be identical, member order too.
			strip := func(x *qapi.Object) string {
				c := &qapi.Object{}
				for _, m := range x.Members {
					if m.Key != "statistics" {
						c.Members = append(c.Members, m)
					}
				}
				return qgatest.Marshal(t, c)
			}
			if strip(o) != strip(th) {
				t.Errorf("interface %d\nqemu-ga: %s\nqgad:    %s", i, strip(th), strip(o))
			}
			ostat, oHas := o.Get("statistics")
			ts, tHas := th.Get("statistics")
			if oHas != tHas {
				t.Errorf("interface %d: statistics present %v, qemu-ga %v", i, oHas, tHas)
				continue
			}
			if !oHas {
				continue
			}
			so, st := ostat.(*qapi.Object), ts.(*qapi.Object)
			for j, m := range so.Members {
				if st.Members[j].Key != m.Key || m.Value.(int64) < st.Members[j].Value.(int64) {
					t.Errorf("interface %d: %s = %v, qemu-ga %s = %v", i, m.Key, m.Value, st.Members[j].Key, st.Members[j].Value)
				}
			}
		}
	})

	t.Run("guest-network-get-route", func(t *testing.T) {
		// New in 9.1: 7.2 does not know it.
		if _, qerr := a.Call(t, "guest-network-get-route", ""); qerr == nil || qerr.Class != qapi.ClassCommandNotFound {
			t.Errorf("qemu-ga 7.2 answered guest-network-get-route: %v", qerr)
		}
		got, errText := call(t, p, "guest-network-get-route")
		if errText != "" {
			t.Fatal(errText)
		}
		// One entry per route line: the IPv4 table has a header line.
		want := 0
		for i, f := range []string{routePath, ipv6RoutePath} {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want += strings.Count(string(b), "\n") - 1 + i
		}
		if n := len(qgatest.ParseList(t, got)); n != want {
			t.Errorf("%d routes, the tables have %d: %s", n, want, got)
		}
	})
}
