package freeze

import (
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// InsideRoot returns a Guard for a family rooted at root (a test fixture
// tree): it admits only a filesystem mounted on a directory inside root, so
// a fixture mount table naming "/" or any other filesystem of this machine
// cannot get it frozen or thawed.
func InsideRoot(root string) (Guard, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("freeze guard: %w", err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("freeze guard: %w", err)
	}
	var rst unix.Stat_t
	if err := unix.Stat(real, &rst); err != nil {
		return nil, fmt.Errorf("freeze guard: stat %s: %w", real, err)
	}
	return func(dir string, fd int) error {
		p, err := filepath.EvalSymlinks(dir)
		if err != nil || !strings.HasPrefix(p, real+"/") {
			return fmt.Errorf("refused: not inside the family root %s", real)
		}
		var st, named, parent unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return fmt.Errorf("refused: %w", err)
		}
		// The directory checked must be the one opened.
		if err := unix.Stat(p, &named); err != nil || named.Dev != st.Dev || named.Ino != st.Ino {
			return fmt.Errorf("refused: %s changed while being checked", dir)
		}
		if err := unix.Stat(filepath.Dir(p), &parent); err != nil {
			return fmt.Errorf("refused: %w", err)
		}
		// A directory on the root's own filesystem, or one that is not the
		// top of a mount, would make the ioctl act on an enclosing
		// filesystem of this machine.
		if st.Dev == rst.Dev || st.Dev == parent.Dev {
			return fmt.Errorf("refused: not a separate mount inside the family root %s", real)
		}
		return nil
	}, nil
}
