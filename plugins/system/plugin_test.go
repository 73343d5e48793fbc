package system

import (
	"strings"
	"testing"

	"github.com/qgad/qgad/sdk"
)

func TestNewCommandTable(t *testing.T) {
	// Env without a logger, as a careless caller might build it.
	root := t.TempDir()
	p, err := New(sdk.Env{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != Name || p.Version == "" {
		t.Errorf("plugin %q version %q", p.Name, p.Version)
	}
	// qemu-ga's schema order (spec 2.0).
	want := []string{
		"guest-get-time", "guest-set-time", "guest-get-vcpus", "guest-set-vcpus",
		"guest-get-memory-blocks", "guest-set-memory-blocks", "guest-get-memory-block-info",
		"guest-get-host-name", "guest-get-timezone", "guest-get-osinfo",
		"guest-get-cpustats", "guest-get-load",
	}
	var got []string
	for _, c := range p.Commands {
		got = append(got, c.Name)
		if c.Doc == "" || c.Run == nil || c.NoSuccessResponse {
			t.Errorf("%s: incomplete entry", c.Name)
		}
		if (c.Returns == nil) != (c.Name == "guest-set-time") {
			t.Errorf("%s: Returns %v", c.Name, c.Returns)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("commands %v\nwant     %v", got, want)
	}
	// The missing logger must not break a command that logs (here: no
	// os-release file to read).
	writeFile(t, root, "proc/sys/kernel/osrelease", "6.1\n")
	writeFile(t, root, "proc/sys/kernel/version", "#1\n")
	if _, err := p.Call(t.Context(), "guest-get-osinfo", ""); err != nil {
		t.Errorf("guest-get-osinfo: %v", err)
	}
}

func TestArgumentValidation(t *testing.T) {
	f := testFamily(t, copyRoot(t, guestRoot), nil)
	tests := []struct{ name, args, want string }{
		{"guest-get-vcpus", `{"x": 1}`, "Parameter 'x' is unexpected"},
		{"guest-set-vcpus", `{}`, "Parameter 'vcpus' is missing"},
		{"guest-set-vcpus", `{"vcpus": [{"logical-id": 1, "online": 1}]}`, "Invalid parameter type for 'vcpus[0].online', expected: boolean"},
		{"guest-set-memory-blocks", `{"mem-blks": [{"online": true}]}`, "Parameter 'mem-blks[0].phys-index' is missing"},
		{"guest-set-memory-blocks", `{"mem-blks": [{"phys-index": 1.5, "online": true}]}`, "Parameter 'mem-blks[0].phys-index' expects uint64"},
		{"guest-set-time", `{"time": 1.5}`, "Invalid parameter type for 'time', expected: integer"},
	}
	for _, tc := range tests {
		wantError(t, f, tc.name, tc.args, tc.want)
	}
	// Negative phys-index values wrap to uint64, as QEMU's visitor does.
	sameJSON(t, mustCall(t, f, "guest-set-memory-blocks", `{"mem-blks": [{"phys-index": -1, "online": true}]}`),
		`[{"phys-index": 18446744073709551615, "response": "not-found", "error-code": 2}]`)
}
