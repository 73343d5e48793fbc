package system

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGetLoad(t *testing.T) {
	tests := []struct {
		name    string
		loadavg *string // nil: no file
		want    string  // exact serialized result, or error text
		isErr   bool
	}{
		{
			name:    "fixture, %.17g doubles",
			loadavg: ptr(readFile(t, guestRoot, "proc/loadavg")),
			want:    `{"load15m": 1.25, "load5m": 0.5, "load1m": 0.080000000000000002}`,
		},
		{
			// glibc drops the last byte, taken to be the newline.
			name:    "no trailing newline",
			loadavg: ptr("0.10 0.20 0.35"),
			want:    `{"load15m": 0.29999999999999999, "load5m": 0.20000000000000001, "load1m": 0.10000000000000001}`,
		},
		{
			name:    "only two numbers",
			loadavg: ptr("0.10 0.20\n"),
			want:    "cannot query load average",
			isErr:   true,
		},
		{
			name:    "empty file",
			loadavg: ptr(""),
			want:    "cannot query load average",
			isErr:   true,
		},
		{
			name:  "missing file",
			want:  "cannot query load average: No such file or directory",
			isErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.loadavg != nil {
				writeFile(t, root, "proc/loadavg", *tc.loadavg)
			}
			f := testFamily(t, root, nil)
			if tc.isErr {
				wantError(t, f, "guest-get-load", "", tc.want)
				return
			}
			if got := mustCall(t, f, "guest-get-load", ""); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestGetLoadIsADirectory(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "proc/loadavg"), 0o755); err != nil {
		t.Fatal(err)
	}
	wantError(t, testFamily(t, root, nil), "guest-get-load", "", "cannot query load average: Is a directory")
}
