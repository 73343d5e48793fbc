package host

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Ready waits for every plugin, but no longer than the start timeout: a
// plugin hanging at start (here a script that never answers the handshake,
// tried again after each timeout) must not hold up the agent's answers.
func TestReady(t *testing.T) {
	tests := []struct {
		name     string
		plugin   string        // script body of qgad-plugin-x; "" = no plugin
		ctxAfter time.Duration // the caller's deadline
		wantErr  bool
		min, max time.Duration
	}{
		{"no plugins", "", time.Second, false, 0, 100 * time.Millisecond},
		{"a plugin hangs: bounded", "exec sleep 30", 10 * time.Second, false, 250 * time.Millisecond, 2 * time.Second},
		{"caller gives up first", "exec sleep 30", 50 * time.Millisecond, true, 40 * time.Millisecond, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "plugins")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.plugin != "" {
				write(t, filepath.Join(dir, "qgad-plugin-x"), []byte("#!/bin/sh\n"+tt.plugin+"\n"), 0o755)
			}
			h, refused := New(Options{Dirs: []string{dir}, RuntimeDir: t.TempDir(), StartTimeout: 300 * time.Millisecond})
			if len(refused) > 0 {
				t.Fatal(refused)
			}
			described := make(chan Described, 1)
			h.Start(func(d Described) { described <- d })
			defer h.Stop()
			ctx, cancel := context.WithTimeout(context.Background(), tt.ctxAfter)
			defer cancel()
			start := time.Now()
			err := h.Ready(ctx)
			took := time.Since(start)
			if (err != nil) != tt.wantErr {
				t.Errorf("Ready = %v", err)
			}
			if took < tt.min || took > tt.max {
				t.Errorf("Ready took %s, want %s..%s", took, tt.min, tt.max)
			}
			if tt.plugin != "" {
				select {
				case d := <-described:
					t.Errorf("the hanging plugin described itself: %+v", d)
				default:
				}
			}
		})
	}
}
