// Package packaging describes qgad's distribution packages: the core
// package qgad, one package per built-in command family, a meta package that
// pulls them all, and the example third-party plugin. The descriptions here
// are the single source of the nfpm configs in packaging/nfpm/, which
// `go run ./packaging/nfpmgen` writes and `make packages` builds into .deb
// and .rpm files; a test fails when the configs are stale.
//
// The version is not written anywhere in here: the configs say
// ${QGAD_VERSION}, which `make packages` sets from `qgad -V`, so the
// packages always carry the version the agent reports in guest-info.
package packaging

import (
	"fmt"
	"path"
)

// Families returns the built-in command families, each served by the
// multi-call binary qgad-builtin through a symlink named
// qgad-plugin-<family>.
func Families() []Family {
	return []Family{
		{"exec", "guest-exec, guest-exec-status: run programs in the guest"},
		{"file", "guest-file-*: read and write files in the guest"},
		{"fs", "guest-get-fsinfo, guest-get-disks, guest-get-diskstats, guest-fstrim"},
		{"fsfreeze", "guest-fsfreeze-*: freeze and thaw filesystems for consistent snapshots"},
		{"network", "guest-network-get-interfaces, guest-network-get-route"},
		{"power", "guest-shutdown, guest-suspend-*"},
		{"system", "time, host name, OS, time zone, load, CPU statistics, vCPUs and memory blocks"},
		{"users", "guest-get-users, guest-set-user-password, guest-ssh-*-authorized-keys"},
	}
}

// Family is a built-in command family.
type Family struct {
	Name    string
	Summary string // what its commands do, for the package description
}

// Install paths.
const (
	PluginDir   = "/usr/lib/qgad/plugins"
	LibexecDir  = "/usr/libexec/qgad"
	BuiltinPath = LibexecDir + "/qgad-builtin"
	PluginFile  = "qgad-plugin-" // + family
	UnitDir     = "/usr/lib/systemd/system"
	UdevDir     = "/usr/lib/udev/rules.d"
	ConfigPath  = "/etc/qemu/qemu-ga.conf"
	HookPath    = "/etc/qemu/fsfreeze-hook"
	DocDir      = "/usr/share/doc/qgad"

	// builtinLink is the target of the family symlinks, relative so that it
	// resolves inside any root the packages are unpacked into (Debian
	// policy wants relative links within /usr, too).
	builtinLink = "../../../libexec/qgad/qgad-builtin"
)

// Units returns the systemd units under packaging/systemd/.
func Units() []string {
	return []string{"qgad.service", "qgad-unix.socket", "qgad-unix.service", "qgad-vsock.socket", "qgad-vsock.service"}
}

// Meta and core package names.
const (
	CorePackage  = "qgad"
	MetaPackage  = "qgad-plugins-all"
	HelloPackage = "qgad-plugin-com.example.hello"
)

// File is one entry of a package's contents.
type File struct {
	Src  string // path in the source tree (repo-relative); for a symlink, its target
	Dst  string // installed path
	Type string // "" (a file), "dir", "symlink", "config|noreplace", "doc"
	Mode uint32 // 0 for symlinks
}

// Package is one package.
type Package struct {
	Name        string
	Summary     string // first line of the description
	Description string // the rest
	Arch        string // "${GOARCH}" for binaries, "all" for packages without any
	Depends     []string
	// Exact: the Depends are on the same version of those packages.
	Exact     bool
	Conflicts []string
	Replaces  []string // deb only: rpm's Obsoletes would remove the other package on install
	Suggests  []string
	Contents  []File
	Scripts   Scripts
}

// Scripts are maintainer scripts (repo-relative paths), the same file for
// .deb and .rpm: they handle both argument conventions.
type Scripts struct {
	PostInstall, PreRemove, PostRemove string
}

// PackageName is the package of a built-in family.
func PackageName(family string) string { return PluginFile + family }

// Packages returns every package, core first.
func Packages() []Package {
	pkgs := []Package{core()}
	for _, f := range Families() {
		pkgs = append(pkgs, family(f))
	}
	pkgs = append(pkgs, meta(), hello())
	return pkgs
}

func core() Package {
	files := []File{
		{Src: "bin/qgad", Dst: "/usr/sbin/qgad", Mode: 0o755},
		{Src: "bin/qgactl", Dst: "/usr/bin/qgactl", Mode: 0o755},
		{Dst: LibexecDir, Type: "dir", Mode: 0o755},
		{Src: "bin/qgad-builtin", Dst: BuiltinPath, Mode: 0o755},
		{Dst: PluginDir, Type: "dir", Mode: 0o755},
	}
	for _, u := range Units() {
		files = append(files, File{Src: "packaging/systemd/" + u, Dst: UnitDir + "/" + u, Mode: 0o644})
	}
	files = append(files,
		File{Src: "packaging/udev/60-qgad.rules", Dst: UdevDir + "/60-qgad.rules", Mode: 0o644},
		File{Src: "packaging/qemu-ga.conf", Dst: ConfigPath, Type: "config|noreplace", Mode: 0o644},
		File{Src: "plugins/fsfreeze/dist/fsfreeze-hook", Dst: HookPath, Type: "config|noreplace", Mode: 0o755},
		File{Dst: HookPath + ".d", Type: "dir", Mode: 0o755},
		File{Src: "plugins/fsfreeze/dist/fsfreeze-hook.d/mysql-flush.sh.sample", Dst: HookPath + ".d/mysql-flush.sh.sample", Type: "config|noreplace", Mode: 0o644},
	)
	for _, d := range []string{"README.md", "docs/admin-guide.md", "docs/commands.md", "docs/plugin-author-guide.md"} {
		files = append(files, File{Src: d, Dst: DocDir + "/" + path.Base(d), Type: "doc", Mode: 0o644})
	}
	return Package{
		Name:    CorePackage,
		Summary: "QEMU guest agent built from plugins",
		Description: "qgad speaks the protocol of QEMU's guest agent (qemu-ga) byte for byte and takes\n" +
			"its command line and /etc/qemu/qemu-ga.conf. This package holds the agent's core,\n" +
			"the qgactl client, the systemd units and udev rule, and the fsfreeze hook.\n" +
			"Command families come in their own packages (qgad-plugin-*);\n" +
			"qgad-plugins-all installs every one.",
		Arch: "${GOARCH}",
		// Both own /etc/qemu/fsfreeze-hook and the guest agent's port.
		Conflicts: []string{"qemu-guest-agent"},
		Replaces:  []string{"qemu-guest-agent"},
		Suggests:  []string{MetaPackage},
		Contents:  files,
		Scripts: Scripts{
			PostInstall: "packaging/scripts/postinstall.sh",
			PreRemove:   "packaging/scripts/preremove.sh",
			PostRemove:  "packaging/scripts/postremove.sh",
		},
	}
}

func family(f Family) Package {
	return Package{
		Name:        PackageName(f.Name),
		Summary:     fmt.Sprintf("QEMU guest agent (qgad): the %s command family", f.Name),
		Description: f.Summary + ".\nInstalling or removing it restarts a running agent, which then lists\nthese commands in guest-info, or no longer does.",
		Arch:        "all", // a symlink to the core's multi-call binary
		Depends:     []string{CorePackage},
		Exact:       true,
		Contents: []File{
			{Src: builtinLink, Dst: PluginDir + "/" + PackageName(f.Name), Type: "symlink"},
		},
		Scripts: Scripts{
			PostInstall: "packaging/scripts/plugins-changed.sh",
			PostRemove:  "packaging/scripts/plugins-changed.sh",
		},
	}
}

func meta() Package {
	deps := make([]string, 0, len(Families()))
	for _, f := range Families() {
		deps = append(deps, PackageName(f.Name))
	}
	return Package{
		Name:        MetaPackage,
		Summary:     "QEMU guest agent (qgad) with every built-in command family",
		Description: "This meta package depends on every qgad-plugin-* package of the built-in\nfamilies, which gives an agent with all of qemu-ga's Linux commands.",
		Arch:        "all",
		Depends:     deps,
		Exact:       true,
	}
}

func hello() Package {
	return Package{
		Name:    HelloPackage,
		Summary: "QEMU guest agent (qgad): example third-party plugin",
		Description: "The example plugin of qgad's plugin author guide: one vendor-namespaced\n" +
			"command, __com.example_hello. It shows how a third party packages a plugin:\n" +
			"one executable in /usr/lib/qgad/plugins, owned by root.",
		Arch:    "${GOARCH}",
		Depends: []string{CorePackage},
		Contents: []File{
			{Src: "bin/examples/qgad-plugin-com.example.hello", Dst: PluginDir + "/qgad-plugin-com.example.hello", Mode: 0o755},
		},
		Scripts: Scripts{
			PostInstall: "packaging/scripts/plugins-changed.sh",
			PostRemove:  "packaging/scripts/plugins-changed.sh",
		},
	}
}
