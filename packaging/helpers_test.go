package packaging_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/qgad/qgad/core/agent"
	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/packaging"
)

// The tests check the packages `make packages` built (make test runs it
// first); TestMain builds them when they are missing.
func TestMain(m *testing.M) {
	if err := ensurePackages(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func ensurePackages() error {
	root, err := findRoot()
	if err != nil {
		return err
	}
	if _, err := os.Stat(debPathIn(root, packaging.CorePackage)); err == nil {
		return nil
	}
	out, err := exec.Command("make", "-C", root, "packages").CombinedOutput()
	if err != nil {
		return fmt.Errorf("make packages: %v\n%s", err, out)
	}
	return nil
}

func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found")
		}
		dir = parent
	}
}

// version is what every package must carry: the agent's own.
const version = agent.Version

// debArch is the Debian name of the build architecture.
func debArch(p packaging.Package) string {
	if p.Arch == "all" {
		return "all"
	}
	return runtime.GOARCH
}

// rpmArch is the RPM name of the build architecture.
func rpmArch(p packaging.Package) string {
	if p.Arch == "all" {
		return "noarch"
	}
	return map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i386"}[runtime.GOARCH]
}

func pkgByName(t testing.TB, name string) packaging.Package {
	t.Helper()
	for _, p := range packaging.Packages() {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no package %s", name)
	return packaging.Package{}
}

func debPathIn(root, name string) string {
	arch := runtime.GOARCH
	for _, p := range packaging.Packages() {
		if p.Name == name && p.Arch == "all" {
			arch = "all"
		}
	}
	return filepath.Join(root, "bin", "packages", fmt.Sprintf("%s_%s_%s.deb", name, version, arch))
}

func debPath(t testing.TB, name string) string {
	t.Helper()
	p := debPathIn(qgatest.RepoRoot(t), name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `make packages`", p)
	}
	return p
}

func rpmPath(t testing.TB, name string) string {
	t.Helper()
	p := pkgByName(t, name)
	path := filepath.Join(qgatest.RepoRoot(t), "bin", "packages", fmt.Sprintf("%s-%s-1.%s.rpm", name, version, rpmArch(p)))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing: run `make packages`", path)
	}
	return path
}

// run runs a command and returns its standard output; stderr goes into the
// failure message.
func run(t testing.TB, env []string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s%s", strings.Join(argv, " "), err, out, stderr.String())
	}
	return string(out)
}

// fakeTools puts systemctl and udevadm stand-ins first in PATH that log
// their arguments, so no maintainer script can reach this machine's
// systemd or udev, and the test sees what they would have done.
func fakeTools(t testing.TB) (env []string, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls.log")
	for _, tool := range []string{"systemctl", "udevadm"} {
		script := fmt.Sprintf("#!/bin/sh\necho \"%s $*\" >>%q\n", tool, log)
		if err := os.WriteFile(filepath.Join(dir, tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	return env, log
}

func readLog(t testing.TB, log string) string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// installRoot installs .deb packages with dpkg into a new scratch root
// (its own dpkg database; maintainer scripts run outside a chroot with
// DPKG_ROOT set, and must do nothing then) and returns the root.
func installRoot(t testing.TB, names ...string) string {
	t.Helper()
	root := qgatest.TempDir(t)
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		return root
	}
	env, log := fakeTools(t)
	argv := []string{"dpkg", "--root=" + root, "--force-script-chrootless", "-i"}
	for _, n := range names {
		argv = append(argv, debPath(t, n))
	}
	run(t, env, argv...)
	if calls := readLog(t, log); calls != "" {
		t.Fatalf("maintainer scripts ran tools on this machine while installing into %s:\n%s", root, calls)
	}
	return root
}
