package fs

import (
	"errors"
	iofs "io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"

	"github.com/qgad/qgad/sdk"
)

// sysfs reads sysfs (and the rest of the system) through env.Root. Paths
// handed to and returned by its methods are system paths ("/sys/block/vda"),
// never host paths inside a test root, so that qemu-ga's substring tests on
// sysfs paths ("/devices/pci", "/target") cannot match the root's own name.
type sysfs struct {
	env sdk.Env
}

// testRoot reports whether the family runs against a fixture root.
func (s sysfs) testRoot() bool {
	return s.env.Root != "" && s.env.Root != "/"
}

// maxSymlinks is the kernel's MAXSYMLINKS: more links in one resolution is ELOOP.
const maxSymlinks = 40

// realpath resolves every symbolic link in p like realpath(3), inside the
// root: absolute link targets start again at the root, and ".." stops at it.
// Errors are *os.PathError with Op "realpath" and the errno of the failing step.
func (s sysfs) realpath(p string) (string, error) {
	rest := splitPath(p)
	cur := "/"
	links := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		fi, err := os.Lstat(s.env.Path(next))
		if err != nil {
			return "", &os.PathError{Op: "realpath", Path: p, Err: errnoOf(err)}
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			if len(rest) > 0 && !fi.IsDir() {
				return "", &os.PathError{Op: "realpath", Path: p, Err: syscall.ENOTDIR}
			}
			cur = next
			continue
		}
		if links++; links > maxSymlinks {
			return "", &os.PathError{Op: "realpath", Path: p, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(s.env.Path(next))
		if err != nil {
			return "", &os.PathError{Op: "realpath", Path: p, Err: errnoOf(err)}
		}
		if path.IsAbs(target) {
			cur = "/"
		}
		rest = append(splitPath(target), rest...)
	}
	return cur, nil
}

func splitPath(p string) []string {
	return strings.Split(p, "/")
}

// errnoOf extracts the errno of a file system error, so texts can be built
// with glibc's strerror wording.
func errnoOf(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// readDir lists a directory in readdir order, "." and ".." excluded. On the
// real system that is the kernel's order; in a test root the entries are
// put in the order sysfs (kernfs) lists them, which qemu-ga's output depends
// on, instead of the fixture filesystem's arbitrary order.
func (s sysfs) readDir(p string) ([]iofs.DirEntry, error) {
	f, err := os.Open(s.env.Path(p))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// File.ReadDir, unlike os.ReadDir, keeps the getdents order.
	entries, err := f.ReadDir(-1)
	if err != nil {
		return entries, err
	}
	if s.testRoot() {
		slices.SortFunc(entries, func(a, b iofs.DirEntry) int {
			return kernfsCompare(a.Name(), b.Name())
		})
	}
	return entries, nil
}

// readlink reads a symbolic link inside the root.
func (s sysfs) readlink(p string) (string, error) {
	return os.Readlink(s.env.Path(p))
}

// readFile reads a file inside the root.
func (s sysfs) readFile(p string) ([]byte, error) {
	return os.ReadFile(s.env.Path(p))
}

// kernfsCompare orders names as a kernfs directory (sysfs) lists them: by
// kernfs_name_hash(), then by name. Entries of namespace-tagged directories
// (/sys/class/net) hash differently; the family never lists those.
func kernfsCompare(a, b string) int {
	ha, hb := kernfsHash(a), kernfsHash(b)
	switch {
	case ha < hb:
		return -1
	case ha > hb:
		return 1
	}
	return strings.Compare(a, b)
}

// kernfsHash is the kernel's kernfs_name_hash(name, NULL) on a 64-bit
// kernel: the R5-style partial_name_hash, end_name_hash() = hash_64(h, 32),
// truncated to 31 bits, with 0, 1 and INT_MAX reserved.
func kernfsHash(name string) uint32 {
	var h uint64
	for i := 0; i < len(name); i++ {
		c := uint64(name[i])
		h = (h + (c << 4) + (c >> 4)) * 11
	}
	const goldenRatio64 = 0x61C8864680B583EB
	v := uint32((h*goldenRatio64)>>32) & 0x7fffffff
	if v < 2 {
		v += 2
	}
	if v >= 0x7fffffff {
		v = 0x7fffffff - 1
	}
	return v
}
