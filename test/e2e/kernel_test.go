package e2e

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// The guest kernel is Debian's cloud kernel: the versioned package that
// linux-image-cloud-amd64 depends on, fetched with `apt-get download` and
// unpacked with `dpkg-deb -x` under out/kernel/<package>/ (never
// installed). Later runs reuse the unpacked tree.

// kernelMeta is the meta package whose dependency names the kernel.
const kernelMeta = "linux-image-cloud-amd64"

// guestModules are loaded in the guest, dependencies first: virtio-pci
// transport, the console (virtio-serial ports), the disk and the NIC.
var guestModules = []string{"virtio_pci", "virtio_console", "virtio_blk", "virtio_net"}

type kernel struct {
	Release string // uname -r
	Vmlinuz string
	ModDir  string // lib/modules/<release> of the unpacked package
}

// fetchKernel returns the unpacked kernel, downloading it the first time.
// Without apt (offline), a kernel unpacked by an earlier run is used.
func fetchKernel(ctx context.Context, out string) (*kernel, error) {
	cache := filepath.Join(out, "kernel")
	pkg, resolveErr := kernelPackage(ctx)
	if resolveErr != nil {
		k, err := cachedKernel(cache)
		if err != nil {
			return nil, fmt.Errorf("%w (and no kernel cached in %s: %v)", resolveErr, cache, err)
		}
		return k, nil
	}
	dir := filepath.Join(cache, pkg)
	if k, err := unpackedKernel(dir); err == nil {
		return k, nil
	}
	debs := filepath.Join(out, "debs")
	for _, d := range []string{cache, debs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	deb, err := findDeb(debs, pkg)
	if err != nil {
		if err := run(ctx, debs, "apt-get", "download", pkg); err != nil {
			return nil, fmt.Errorf("downloading the kernel: %w", err)
		}
		if deb, err = findDeb(debs, pkg); err != nil {
			return nil, err
		}
	}
	// Unpacked aside and renamed into place, so a run beside this one sees
	// a whole tree or none.
	tmp, err := os.MkdirTemp(cache, ".unpack-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := run(ctx, "", "dpkg-deb", "-x", deb, tmp); err != nil {
		return nil, fmt.Errorf("unpacking %s: %w", deb, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if k, err := unpackedKernel(dir); err == nil {
			return k, nil // another run unpacked it first
		}
		os.RemoveAll(dir) // a broken leftover
		if err := os.Rename(tmp, dir); err != nil {
			return nil, err
		}
	}
	return unpackedKernel(dir)
}

// kernelPackage asks apt which versioned package the meta package wants.
func kernelPackage(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "apt-cache", "depends", kernelMeta).Output()
	if err != nil {
		return "", fmt.Errorf("apt-cache depends %s: %w", kernelMeta, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "Depends:" && strings.HasPrefix(f[1], "linux-image-") {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("apt-cache depends %s names no linux-image package (apt-get update?)", kernelMeta)
}

func findDeb(dir, pkg string) (string, error) {
	m, _ := filepath.Glob(filepath.Join(dir, pkg+"_*.deb"))
	if len(m) == 0 {
		return "", fmt.Errorf("no %s_*.deb in %s", pkg, dir)
	}
	sort.Strings(m)
	return m[len(m)-1], nil
}

func cachedKernel(cache string) (*kernel, error) {
	entries, err := os.ReadDir(cache)
	if err != nil {
		return nil, err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if strings.HasPrefix(entries[i].Name(), ".") {
			continue
		}
		if k, err := unpackedKernel(filepath.Join(cache, entries[i].Name())); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("no unpacked kernel")
}

func unpackedKernel(dir string) (*kernel, error) {
	m, _ := filepath.Glob(filepath.Join(dir, "boot", "vmlinuz-*"))
	if len(m) != 1 {
		return nil, fmt.Errorf("%s: want one boot/vmlinuz-*, found %d", dir, len(m))
	}
	rel := strings.TrimPrefix(filepath.Base(m[0]), "vmlinuz-")
	k := &kernel{Release: rel, Vmlinuz: m[0], ModDir: filepath.Join(dir, "lib", "modules", rel)}
	if _, err := os.Stat(k.ModDir); err != nil {
		return nil, err
	}
	return k, nil
}

// resolveModules returns the .ko files (relative to modDir) for names and
// their dependencies, dependencies first. Debian's package ships no
// modules.dep, so each module's depends= is read from its .modinfo
// section; modules built into the kernel are skipped.
func resolveModules(modDir string, names []string) ([]string, error) {
	index := map[string]string{} // module name (with _) -> relative path
	err := filepath.WalkDir(filepath.Join(modDir, "kernel"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name, ok := strings.CutSuffix(d.Name(), ".ko")
		if !ok {
			return nil // compressed modules would need a decompressor in the guest
		}
		rel, _ := filepath.Rel(modDir, p)
		index[strings.ReplaceAll(name, "-", "_")] = rel
		return nil
	})
	if err != nil {
		return nil, err
	}
	builtin := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(modDir, "modules.builtin")); err == nil {
		for _, l := range strings.Fields(string(b)) {
			n := strings.TrimSuffix(filepath.Base(l), ".ko")
			builtin[strings.ReplaceAll(n, "-", "_")] = true
		}
	}
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string) error
	visit = func(name string) error {
		name = strings.ReplaceAll(name, "-", "_")
		switch state[name] {
		case 1:
			return fmt.Errorf("module dependency cycle at %s", name)
		case 2:
			return nil
		}
		rel, ok := index[name]
		if !ok {
			if builtin[name] {
				state[name] = 2
				return nil
			}
			return fmt.Errorf("module %s not found under %s", name, modDir)
		}
		state[name] = 1
		deps, err := moduleDepends(filepath.Join(modDir, rel))
		if err != nil {
			return err
		}
		for _, d := range deps {
			if err := visit(d); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		state[name] = 2
		order = append(order, rel)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// moduleDepends reads "depends=a,b" from a module's .modinfo section.
func moduleDepends(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("%s: no .modinfo section", path)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: .modinfo: %w", path, err)
	}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok {
			if len(v) == 0 {
				return nil, nil
			}
			return strings.Split(string(v), ","), nil
		}
	}
	return nil, nil
}

// run runs a host tool, with its output in the error.
func run(ctx context.Context, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}
