package network

import (
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/sdk"
)

// call runs a command through the plugin as the core would and returns the
// serialized result or the error text.
func call(t *testing.T, p *sdk.Plugin, cmd string) (string, string) {
	t.Helper()
	return qgatest.CallText(t, p, cmd, "")
}

// golden reads the expected serialized result of cmd for a fixture root.
var golden = qgatest.Golden

func newFixture(t *testing.T, root string) *sdk.Plugin {
	t.Helper()
	return qgatest.NewPlugin(t, New, root)
}
