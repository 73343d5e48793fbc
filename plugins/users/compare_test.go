package users

import (
	"context"
	"errors"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// response renders an in-process result the way qemu-ga frames it.
func response(t *testing.T, res string, err error) string {
	t.Helper()
	if err == nil {
		return `{"return": ` + res + `}`
	}
	var qe *qapi.Error
	if !errors.As(err, &qe) {
		t.Fatalf("non-QMP error: %v", err)
	}
	desc, merr := qapi.Marshal(qe.Desc)
	if merr != nil {
		t.Fatal(merr)
	}
	return `{"error": {"class": "` + qe.Class + `", "desc": ` + string(desc) + `}}`
}

// TestCompareWithQemuGA runs the family's read-only commands on this very
// machine (root "/") in-process and through Debian's qemu-ga 7.2, and wants
// byte-identical responses: spec section 6 lists no 7.2 difference for them.
// Nothing is written: only utmp, /etc/passwd and authorized_keys are read.
func TestCompareWithQemuGA(t *testing.T) {
	q := qgatest.StartQemuGA(t)
	p, err := New(sdk.TestEnv("/"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ cmd, args string }{
		{cmd: "guest-get-users"},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": "root"}`},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": "nobody"}`},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": "qgad-no-such-user"}`},
		{cmd: "guest-ssh-get-authorized-keys", args: `{"username": ""}`},
	}
	for _, tc := range tests {
		t.Run(tc.cmd+tc.args, func(t *testing.T) {
			req := `{"execute": "` + tc.cmd + `"`
			if tc.args != "" {
				req += `, "arguments": ` + tc.args
			}
			want := q.Line(t, req+"}")
			res, err := p.Call(context.Background(), tc.cmd, tc.args)
			got := response(t, res, err)
			if got != want {
				t.Errorf("qgad:    %s\nqemu-ga: %s", got, want)
			}
			t.Logf("both: %s", got)
		})
	}
}
