package e2e

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
)

// image is an initramfs under construction: a file tree kept in memory
// and written as a newc cpio archive, the format the kernel unpacks.
// Everything is owned by root.
type image struct {
	entries map[string]*entry // by path, without a leading slash
}

type entry struct {
	mode uint32 // type and permission bits, as in stat(2)
	data []byte // file contents, or the symlink's target
	src  string // file contents come from this host file instead
}

const (
	modeDir  = 0o040000
	modeFile = 0o100000
	modeLink = 0o120000
)

func newImage() *image { return &image{entries: map[string]*entry{}} }

func clean(p string) string { return strings.TrimPrefix(path.Clean("/"+p), "/") }

// dir adds a directory (or sets its permissions) and its missing parents.
func (im *image) dir(p string, perm uint32) {
	p = clean(p)
	if p == "" {
		return
	}
	im.parents(p)
	im.entries[p] = &entry{mode: modeDir | perm}
}

// parents adds the missing parent directories of p, mode 0755.
func (im *image) parents(p string) {
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		if _, ok := im.entries[d]; ok {
			return
		}
		im.entries[d] = &entry{mode: modeDir | 0o755}
	}
}

// file adds a file with the given contents.
func (im *image) file(p string, perm uint32, data []byte) {
	p = clean(p)
	im.parents(p)
	im.entries[p] = &entry{mode: modeFile | perm, data: data}
}

// hostFile adds a copy of a host file (symlinks followed), read when the
// image is written.
func (im *image) hostFile(p string, perm uint32, src string) {
	p = clean(p)
	im.parents(p)
	im.entries[p] = &entry{mode: modeFile | perm, src: src}
}

// symlink adds a symbolic link.
func (im *image) symlink(p, target string) {
	p = clean(p)
	im.parents(p)
	im.entries[p] = &entry{mode: modeLink | 0o777, data: []byte(target)}
}

// writeTo writes the archive, parents before children (sorted paths), and
// the TRAILER!!! record.
func (im *image) writeTo(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	names := make([]string, 0, len(im.entries))
	for n := range im.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	ino := uint32(1)
	for _, n := range names {
		e := im.entries[n]
		data := e.data
		if e.src != "" {
			b, err := os.ReadFile(e.src)
			if err != nil {
				return fmt.Errorf("initramfs %s: %w", n, err)
			}
			data = b
		}
		nlink := uint32(1)
		if e.mode&modeDir != 0 {
			nlink = 2
		}
		if err := writeRecord(bw, ino, e.mode, nlink, n, data); err != nil {
			return err
		}
		ino++
	}
	if err := writeRecord(bw, 0, 0, 1, "TRAILER!!!", nil); err != nil {
		return err
	}
	return bw.Flush()
}

// writeRecord writes one newc record: a 110-byte ASCII header, the name
// with its NUL, then the data, each padded to 4 bytes.
func writeRecord(w io.Writer, ino, mode, nlink uint32, name string, data []byte) error {
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	buf := make([]byte, 0, len(hdr)+len(name)+8)
	buf = append(buf, hdr...)
	buf = append(buf, name...)
	buf = append(buf, 0)
	buf = append(buf, make([]byte, pad4(len(buf)))...)
	if _, err := w.Write(buf); err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	_, err := w.Write(make([]byte, pad4(len(data))))
	return err
}

func pad4(n int) int { return (4 - n%4) % 4 }
