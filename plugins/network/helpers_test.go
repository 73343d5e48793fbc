package network

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qgad/qgad/sdk"
)

// call runs a command through the plugin as the core would and returns the
// serialized result or the error text.
func call(t *testing.T, p *sdk.Plugin, cmd string) (string, string) {
	t.Helper()
	out, err := p.Call(context.Background(), cmd, "")
	if err != nil {
		return "", err.Error()
	}
	return out, ""
}

// golden reads the expected serialized result of cmd for a fixture root.
func golden(t *testing.T, root, cmd string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "want", cmd+".json"))
	if err != nil {
		t.Fatalf("reading golden result: %v", err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

func newFixture(t *testing.T, root string) *sdk.Plugin {
	t.Helper()
	p, err := New(sdk.TestEnv(root))
	if err != nil {
		t.Fatalf("New(%s): %v", root, err)
	}
	return p
}
