package users

import (
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
)

// TestCompareWithQemuGA runs the family's read-only commands on this very
// machine (root "/") in-process and through Debian's qemu-ga 7.2, and wants
// byte-identical responses: spec section 6 lists no 7.2 difference for them.
// Nothing is written: only utmp, /etc/passwd and authorized_keys are read.
func TestCompareWithQemuGA(t *testing.T) {
	q := qgatest.StartQemuGA(t)
	p := newPlugin(t, "/")
	tests := []struct{ cmd, args string }{
		{cmd: "guest-get-users"},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": "root"}`},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": "nobody"}`},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": "qgad-no-such-user"}`},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": ""}`},
	}
	for _, tc := range tests {
		t.Run(tc.cmd+tc.args, func(t *testing.T) {
			want := q.Response(t, tc.cmd, tc.args)
			got := qgatest.PluginResponse(t, p, tc.cmd, tc.args)
			if got != want {
				t.Errorf("qgad:    %s\nqemu-ga: %s", got, want)
			}
			t.Logf("both: %s", got)
		})
	}
}
