package host

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

// BenchmarkHopHostNameGap times guest-get-host-name through a real system
// plugin process from bin/ (make build first), as the core calls it, with
// the caller busy-waiting for gap between calls: a thread that slept longer
// costs more to wake, which is most of a small command's hop.
//
//	go test -run '^$' -bench HopHostNameGap ./core/host
func BenchmarkHopHostNameGap(b *testing.B) {
	bin, err := filepath.Abs("../../bin")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(bin, "qgad-plugin-system")); err != nil {
		b.Fatalf("the system plugin is not built (make build): %v", err)
	}
	for _, gap := range []time.Duration{0, 20 * time.Microsecond, 50 * time.Microsecond, 200 * time.Microsecond} {
		b.Run("gap="+gap.String(), func(b *testing.B) {
			h, _ := New(Options{Dirs: []string{bin}, RuntimeDir: b.TempDir(), Root: "/", StateDir: b.TempDir(), Log: hclog.NewNullLogger()})
			h.Start(func(Described) {})
			defer h.Stop()
			ctx := context.Background()
			if err := h.Ready(ctx); err != nil {
				b.Fatal(err)
			}
			call := func() {
				if _, _, err := h.Execute(ctx, "system", "guest-get-host-name", []byte("{}")); err != nil {
					b.Fatal(err)
				}
			}
			for range 100 {
				call()
			}
			var hops time.Duration
			for b.Loop() {
				for t := time.Now(); time.Since(t) < gap; {
				}
				t := time.Now()
				call()
				hops += time.Since(t)
			}
			b.ReportMetric(float64(hops.Microseconds())/float64(b.N), "µs/hop")
		})
	}
}
