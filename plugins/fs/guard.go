package fs

import (
	"golang.org/x/sys/unix"
)

// Mount points come from the mount table read through the root and are
// reached through it too (env.Path(dir)), so in production they are the real
// mount points. In a test root a fixture directory standing for a mount point
// is a plain directory on the machine's own filesystem; trimming it would
// trim that filesystem, and its sizes would make results depend on the
// machine. So with a test root, only directories that are themselves mount
// points strictly inside the root are measured or trimmed (a test mounts a
// loop image there); other directories report no sizes, and FITRIM is
// refused with EPERM.

// mountedInRoot reports whether dir (a system path) may be acted upon.
func (f *family) mountedInRoot(dir string) bool {
	if !f.sys.testRoot() {
		return true
	}
	host := f.env.Path(dir)
	var root, st, parent unix.Stat_t
	if unix.Stat(f.env.Root, &root) != nil || unix.Stat(host, &st) != nil || unix.Stat(host+"/..", &parent) != nil {
		return false
	}
	// A mount point has another device than its parent directory, and a
	// filesystem of its own, not the one the root lives on.
	return st.Dev != parent.Dev && st.Dev != root.Dev
}

// statvfs returns the statistics of the filesystem mounted on dir.
func (f *family) statvfs(dir string) (unix.Statfs_t, bool) {
	var st unix.Statfs_t
	if !f.mountedInRoot(dir) {
		return st, false
	}
	// statvfs(3) is statfs(2) with f_frsize; glibc fills it the same way.
	if err := unix.Statfs(f.env.Path(dir), &st); err != nil {
		return st, false
	}
	if st.Frsize == 0 {
		st.Frsize = st.Bsize
	}
	return st, true
}
