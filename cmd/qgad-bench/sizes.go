package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// sizes are the on-disk footprints compared.
type sizes struct {
	Files map[string]int64 `json:"files"` // bin/qgad, bin/qgad-builtin, bin/qgactl, qemu-ga
	// Families is the multi-call binary plus the qgad-plugin-* symlinks.
	Families int64 `json:"families"`
	// QgadInstalled is the core plus Families: everything qgad installs
	// to serve every built-in command.
	QgadInstalled int64 `json:"qgad_installed"`
	// QemuGALibs are qemu-ga's shared libraries that glibc does not provide.
	QemuGALibs  map[string]int64 `json:"qemu_ga_libs"`
	QemuGATotal int64            `json:"qemu_ga_total"`
}

// glibc's own libraries: every C program has them, so they are not
// counted against qemu-ga.
var glibcLibs = []string{"linux-vdso.so", "ld-linux", "libc.so", "libm.so", "libpthread.so", "libdl.so", "librt.so", "libresolv.so"}

func measureSizes(binDir, qemuGA string) (sizes, error) {
	s := sizes{Files: map[string]int64{}, QemuGALibs: map[string]int64{}}
	for _, name := range []string{"qgad", "qgad-builtin", "qgactl"} {
		fi, err := os.Stat(filepath.Join(binDir, name))
		if err != nil {
			return s, fmt.Errorf("binary size: %w", err)
		}
		s.Files["bin/"+name] = fi.Size()
	}
	s.Families = s.Files["bin/qgad-builtin"]
	links, err := filepath.Glob(filepath.Join(binDir, "qgad-plugin-*"))
	if err != nil {
		return s, err
	}
	for _, l := range links {
		fi, err := os.Lstat(l)
		if err != nil {
			return s, fmt.Errorf("plugin link size: %w", err)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			s.Families += fi.Size()
		}
	}
	s.QgadInstalled = s.Files["bin/qgad"] + s.Families

	fi, err := os.Stat(qemuGA)
	if err != nil {
		return s, fmt.Errorf("qemu-ga size: %w", err)
	}
	s.Files["qemu-ga"] = fi.Size()
	out, err := exec.Command("ldd", qemuGA).Output()
	if err != nil {
		return s, fmt.Errorf("ldd %s: %w", qemuGA, err)
	}
	libs, err := parseLdd(bytes.NewReader(out))
	if err != nil {
		return s, err
	}
	s.QemuGATotal = s.Files["qemu-ga"]
	for _, lib := range libs {
		if isGlibc(lib) {
			continue
		}
		fi, err := os.Stat(lib) // follows the soname link to the file
		if err != nil {
			return s, fmt.Errorf("library size: %w", err)
		}
		s.QemuGALibs[filepath.Base(lib)] = fi.Size()
		s.QemuGATotal += fi.Size()
	}
	return s, nil
}

// parseLdd returns the resolved library paths of ldd's output
// ("\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)", or
// "\t/lib64/ld-linux-x86-64.so.2 (0x...)").
func parseLdd(r io.Reader) ([]string, error) {
	var libs []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if _, target, ok := strings.Cut(line, "=> "); ok {
			line = target
		}
		path, _, _ := strings.Cut(line, " (")
		if strings.HasPrefix(path, "/") {
			libs = append(libs, path)
		}
	}
	return libs, sc.Err()
}

func isGlibc(path string) bool {
	base := filepath.Base(path)
	for _, g := range glibcLibs {
		if strings.HasPrefix(base, g) {
			return true
		}
	}
	return false
}
