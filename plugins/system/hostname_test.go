package system

import (
	"strings"
	"testing"
)

func TestGetHostName(t *testing.T) {
	tests := []struct {
		name    string
		content *string // proc/sys/kernel/hostname; nil: missing
		want    string
		isErr   bool
	}{
		{name: "fixture", content: ptr("fixture-guest\n"), want: `{"host-name": "fixture-guest"}`},
		{name: "63 characters fit", content: ptr(strings.Repeat("h", 63) + "\n"), want: `{"host-name": "` + strings.Repeat("h", 63) + `"}`},
		// glibc's gethostname(buf, 64) needs room for the NUL.
		{name: "64 characters do not", content: ptr(strings.Repeat("h", 64) + "\n"), want: "cannot get hostname: File name too long", isErr: true},
		{name: "non-ASCII is escaped", content: ptr("h\xc3\xa9te\n"), want: `{"host-name": "h\u00E9te"}`},
		{name: "missing", want: "cannot get hostname: No such file or directory", isErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.content != nil {
				writeFile(t, root, "proc/sys/kernel/hostname", *tc.content)
			}
			f := testFamily(t, root, nil)
			if tc.isErr {
				wantError(t, f, "guest-get-host-name", "", tc.want)
				return
			}
			if got := mustCall(t, f, "guest-get-host-name", ""); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
