package host

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/go-plugin"
)

// OptSHA256 is the family option holding the expected sha256 of the
// plugin executable (of the multi-call binary a built-in family's symlink
// points to), in hex.
const OptSHA256 = "sha256"

// secureConfig builds go-plugin's checksum check from a family's options:
// nil when none is configured. go-plugin hashes the executable before each
// start, so a binary swapped while the agent runs is refused at the next
// restart. A malformed checksum is an error: failing open would silently
// drop the protection the admin asked for.
func secureConfig(opts map[string]string) (*plugin.SecureConfig, error) {
	v, ok := opts[OptSHA256]
	if !ok {
		return nil, nil
	}
	sum, err := hex.DecodeString(strings.TrimSpace(v))
	if err != nil || len(sum) != sha256.Size {
		return nil, fmt.Errorf("option %s: %q is not a sha256 checksum (64 hex digits)", OptSHA256, v)
	}
	// A hash.Hash is stateful: a new one for every start.
	return &plugin.SecureConfig{Checksum: sum, Hash: sha256.New()}, nil
}

// startError words a failed start; a checksum mismatch says what to check.
func startError(family, path string, err error) error {
	if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
		return fmt.Errorf("plugin %s (%s) refused: its sha256 checksum is not the one configured (option %s)", family, path, OptSHA256)
	}
	return fmt.Errorf("starting plugin %s (%s): %w", family, path, err)
}
