package fs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/sdk"
)

// call runs a command through the plugin as the core would and returns the
// serialized result or the error text.
var call = qgatest.CallText

// golden reads the expected serialized result of cmd for a fixture root.
var golden = qgatest.Golden

func newPlugin(t *testing.T, root string) *sdk.Plugin {
	t.Helper()
	return qgatest.NewPlugin(t, New, root)
}

// tree builds a file tree under a temp root: "path" → content, with content
// "-> target" making a symbolic link and "/" (path ending in "/") a directory.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(p, "/"):
			err = os.MkdirAll(full, 0o755)
		case strings.HasPrefix(content, "-> "):
			err = os.Symlink(strings.TrimPrefix(content, "-> "), full)
		default:
			err = os.WriteFile(full, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}
