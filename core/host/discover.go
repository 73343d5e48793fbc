package host

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// FilePrefix names plugin executables: qgad-plugin-<family>.
const FilePrefix = "qgad-plugin-"

// Found is a plugin executable found in a plugin directory.
type Found struct {
	Family string
	Path   string
}

// Discover lists the plugins in dirs, in order; the first directory that has
// a family wins (bin/ beside qgad before the installed directory). Files and
// directories that anyone but root (or the agent's own user) could write
// are refused, with the reason.
func Discover(dirs []string) (found []Found, refused []error) {
	seen := map[string]bool{}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // a missing directory is normal: a distro ships a subset
		}
		if err := checkTrusted(dir, true); err != nil {
			refused = append(refused, fmt.Errorf("plugin directory %s refused: %w", dir, err))
			continue
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), FilePrefix) {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, name := range names {
			family := strings.TrimPrefix(name, FilePrefix)
			if family == "" || seen[family] {
				continue
			}
			path := filepath.Join(dir, name)
			if err := checkPluginFile(path); err != nil {
				refused = append(refused, fmt.Errorf("plugin %s refused: %w", path, err))
				continue
			}
			seen[family] = true
			found = append(found, Found{Family: family, Path: path})
		}
	}
	return found, refused
}

// checkPluginFile checks the file (following a symlink to the multi-call
// binary) and the directory of its target.
func checkPluginFile(path string) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	if err := checkTrusted(target, false); err != nil {
		return err
	}
	if target != path {
		return checkTrusted(filepath.Dir(target), true)
	}
	return nil
}

// checkTrusted refuses what root (or our own user) does not own, and what
// group or others may write.
func checkTrusted(path string, wantDir bool) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if wantDir != fi.IsDir() {
		if wantDir {
			return fmt.Errorf("not a directory")
		}
		return fmt.Errorf("not a regular file")
	}
	if !wantDir && !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file")
	}
	if !wantDir && fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("not executable")
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("cannot read owner")
	}
	if uid := uint32(os.Geteuid()); st.Uid != 0 && st.Uid != uid {
		return fmt.Errorf("owned by uid %d, not by root", st.Uid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("writable by group or others (mode %04o)", fi.Mode().Perm())
	}
	return nil
}
