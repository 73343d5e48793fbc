package exec

import (
	"testing"

	"github.com/qgad/qgad/sdk"
)

// Commands in spec 2.0 schema order, with schemas the core can describe.
func TestCommands(t *testing.T) {
	p := newPlugin(t, nil)
	want := []string{"guest-exec-status", "guest-exec"}
	if len(p.Commands) != len(want) {
		t.Fatalf("%d commands, want %d", len(p.Commands), len(want))
	}
	for i, c := range p.Commands {
		if c.Name != want[i] || c.NoSuccessResponse || c.Returns == nil {
			t.Errorf("command %d = %+v, want %s with a return type and a success response", i, c.Name, want[i])
		}
	}
	d, err := sdk.Describe(p)
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	if d.Name != Name || len(d.Commands) != 2 || len(d.Commands[1].ArgsSchema) == 0 || len(d.Commands[0].ReturnsSchema) == 0 {
		t.Fatalf("Describe = %v", d)
	}
}
