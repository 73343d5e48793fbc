package power

import (
	"testing"
	"time"

	"github.com/qgad/qgad/sdk"
)

func TestCommands(t *testing.T) {
	p, err := New(sdk.TestEnv(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"guest-shutdown", "guest-suspend-disk", "guest-suspend-ram", "guest-suspend-hybrid"}
	if len(p.Commands) != len(want) {
		t.Fatalf("%d commands, want %d", len(p.Commands), len(want))
	}
	for i, c := range p.Commands {
		if c.Name != want[i] || !c.NoSuccessResponse {
			t.Errorf("command %d = %s (no success response %v), want %s without success response", i, c.Name, c.NoSuccessResponse, want[i])
		}
	}
	d, err := sdk.Describe(p)
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	for _, c := range d.Commands {
		if c.SuccessResponse {
			t.Errorf("%s described with a success response", c.Name)
		}
	}
}

func TestTimeoutOption(t *testing.T) {
	tests := []struct {
		value string
		want  time.Duration
		bad   bool
	}{
		{"", 0, true},
		{"90", 90 * time.Second, false},
		{"2m", 2 * time.Minute, false},
		{"250ms", 250 * time.Millisecond, false},
		{"0", 0, true},
		{"-5s", 0, true},
		{"soon", 0, true},
	}
	for _, tc := range tests {
		got, err := parseTimeout(tc.value)
		if tc.bad != (err != nil) || got != tc.want {
			t.Errorf("parseTimeout(%q) = %v, %v; want %v (error %v)", tc.value, got, err, tc.want, tc.bad)
		}
	}
	env := sdk.TestEnv(t.TempDir())
	env.Options["timeout"] = "soon"
	if _, err := New(env); err == nil {
		t.Error("New accepted timeout=soon")
	}
	p, err := New(sdk.TestEnv(t.TempDir()))
	if err != nil || p == nil {
		t.Fatalf("New with defaults: %v", err)
	}
}
