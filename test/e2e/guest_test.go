package e2e

import (
	"bytes"
	"context"
	"debug/elf"
	_ "embed"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The guest: one initramfs holding both agents (bin/qgad with its plugins,
// and Debian's qemu-ga with its libraries), busybox, the virtio modules and
// the fixtures the checks expect. e2e_agent= on the kernel command line
// picks the agent, so the image is built once per run.

//go:embed guest/init.sh
var initScript []byte

//go:embed guest/power.sh
var powerScript []byte

// What the guest is given, and so what the agents must report.
const (
	guestHostname = "qgad-e2e"
	guestZone     = "Asia/Kolkata" // +05:30 all year round
	guestZoneAbbr = "IST"
	guestZoneOff  = 19800
	guestIPv4     = "10.0.2.15"
	guestPrefix   = 24
	guestGateway  = "10.0.2.2" // QEMU's user-mode network
	guestMAC      = "52:54:00:e2:e0:01"
	diskSerial    = "QGADE2EDISK0"
	agentPort     = "org.qemu.guest_agent.0"
	ctlPort       = "org.qgad.e2e.ctl"
	// PCI slots on bus 0, so guest-get-fsinfo's pci-controller is known.
	serialSlot = 4
	diskSlot   = 5
	netSlot    = 6
	// qemu-ga's default path for its host program, /usr/sbin in Debian.
	qemuGAPath = "/usr/sbin/qemu-ga"
)

const osRelease = `# the test guest's os-release
NAME="qgad e2e guest"
ID=qgad-e2e
VERSION="1 (busybox)"
VERSION_ID=1
PRETTY_NAME="qgad e2e guest (Debian kernel, busybox initramfs)"
VARIANT="Test Guest"
VARIANT_ID=test
`

// authorized_keys of root; guest-ssh-get-authorized-keys returns the keys
// in reverse file order, without comments and blank lines.
var sshKeys = []string{
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmFGU6jsOyKvoJfoq8kEgJ0XSBq2n4pvyZ0DMUTWq5d first@e2e",
	"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7e2eKeyForTheGuestAgentTest second@e2e",
}

// utmpRecord is one entry of the guest's utmp (glibc's x86_64 layout).
type utmpRecord struct {
	Type int16 // 7 USER_PROCESS, 8 DEAD_PROCESS, 6 LOGIN_PROCESS
	Line string
	User string
	Sec  int32
	Usec int32
}

// guestUtmp: guest-get-users lists USER_PROCESS users once each, in
// first-seen order, with their earliest login.
var guestUtmp = []utmpRecord{
	{Type: 6, Line: "ttyS1", User: "LOGIN", Sec: 1699999000},
	{Type: 7, Line: "pts/1", User: "e2e-admin", Sec: 1700000100, Usec: 500000},
	{Type: 7, Line: "ttyS0", User: "operator", Sec: 1700000200, Usec: 125000},
	{Type: 7, Line: "pts/0", User: "e2e-admin", Sec: 1700000000, Usec: 250000},
	{Type: 8, Line: "pts/2", User: "ghost", Sec: 1700000300},
}

// wantUsers is what guestUtmp must give.
var wantUsers = []struct {
	User  string
	Login float64
}{{"e2e-admin", 1700000000.25}, {"operator", 1700000200.125}}

func utmpBytes(recs []utmpRecord) []byte {
	var out bytes.Buffer
	for i, r := range recs {
		b := make([]byte, 384)
		binary.LittleEndian.PutUint16(b[0:], uint16(r.Type))
		binary.LittleEndian.PutUint32(b[4:], uint32(100+i)) // ut_pid
		copy(b[8:40], r.Line)
		copy(b[40:44], fmt.Sprint(i))
		copy(b[44:76], r.User)
		binary.LittleEndian.PutUint32(b[340:], uint32(r.Sec))
		binary.LittleEndian.PutUint32(b[344:], uint32(r.Usec))
		out.Write(b)
	}
	return out.Bytes()
}

// agentFiles are what the guest needs of the two agents.
type agentFiles struct {
	BinDir string // bin/ of this repository (qgad, qgad-builtin, qgad-plugin-*)
	QemuGA string // Debian's qemu-ga on this machine
}

// agentArgv are the agents' command lines: their defaults (virtio-serial
// on /dev/virtio-ports/org.qemu.guest_agent.0) and a state directory.
var agentArgv = map[string][]string{
	"qgad":    {"/usr/sbin/qgad", "-t", "/var/lib/qgad"},
	"qemu-ga": {qemuGAPath, "-t", "/var/lib/qemu-ga"},
}

// buildImage assembles the guest's root file system.
func buildImage(ctx context.Context, k *kernel, a agentFiles) (*image, error) {
	im := newImage()
	for _, d := range []string{"bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev",
		"run", "tmp", "mnt/data", "root", "var/lib/qgad", "var/lib/qemu-ga"} {
		im.dir(d, 0o755)
	}
	im.dir("tmp", 0o1777)
	im.dir("root", 0o700)
	im.symlink("var/run", "../run")

	busybox, err := exec.LookPath("busybox")
	if err != nil {
		return nil, fmt.Errorf("busybox: %w (Debian package busybox-static)", err)
	}
	if err := checkStatic(busybox); err != nil {
		return nil, fmt.Errorf("%w (install busybox-static)", err)
	}
	im.hostFile("bin/busybox", 0o755, busybox)
	list, err := exec.CommandContext(ctx, busybox, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("busybox --list: %w", err)
	}
	for _, applet := range strings.Fields(string(list)) {
		if applet != "busybox" {
			im.symlink("bin/"+applet, "busybox")
		}
	}
	im.file("init", 0o755, initScript)
	for _, n := range []string{"poweroff", "shutdown", "halt", "reboot"} {
		im.file("sbin/"+n, 0o755, powerScript)
	}

	mods, err := resolveModules(k.ModDir, guestModules)
	if err != nil {
		return nil, err
	}
	var order strings.Builder
	for _, m := range mods {
		im.hostFile("lib/modules/"+filepath.Base(m), 0o644, filepath.Join(k.ModDir, m))
		order.WriteString(filepath.Base(m) + "\n")
	}
	im.file("etc/e2e/modules", 0o644, []byte(order.String()))
	im.file("etc/e2e/ports", 0o644, []byte(agentPort+"\n"+ctlPort+"\n"))
	im.file("etc/e2e/ipv4", 0o644, []byte(fmt.Sprintf("%s/%d\n", guestIPv4, guestPrefix)))
	im.file("etc/e2e/gateway", 0o644, []byte(guestGateway+"\n"))
	im.file("etc/e2e/utmp", 0o644, utmpBytes(guestUtmp))
	for name, argv := range agentArgv {
		im.file("etc/e2e/"+name+".argv", 0o644, []byte(strings.Join(argv, "\n")+"\n"))
	}

	im.file("etc/hostname", 0o644, []byte(guestHostname+"\n"))
	im.file("etc/os-release", 0o644, []byte(osRelease))
	im.file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\n"))
	im.file("etc/group", 0o644, []byte("root:x:0:\n"))
	im.file("etc/nsswitch.conf", 0o644, []byte("passwd: files\ngroup: files\nshadow: files\n"))
	zone := filepath.Join("/usr/share/zoneinfo", guestZone)
	if _, err := os.Stat(zone); err != nil {
		return nil, fmt.Errorf("time zone for the guest: %w (Debian package tzdata)", err)
	}
	// As a distribution sets it: the link glib follows to name the zone.
	im.hostFile("usr/share/zoneinfo/"+guestZone, 0o644, zone)
	im.symlink("etc/localtime", "../usr/share/zoneinfo/"+guestZone)
	im.file("etc/timezone", 0o644, []byte(guestZone+"\n"))
	im.file("root/.ssh/authorized_keys", 0o600,
		[]byte("# keys of the e2e test\n"+sshKeys[0]+"\n\n  "+sshKeys[1]+"  \n"))
	im.dir("root/.ssh", 0o700)

	if err := addQgad(im, a.BinDir); err != nil {
		return nil, err
	}
	if err := addDynamic(ctx, im, a.QemuGA, qemuGAPath); err != nil {
		return nil, err
	}
	return im, nil
}

// addQgad copies bin/qgad, bin/qgad-builtin and the bin/qgad-plugin-*
// symlinks to /usr/sbin, as they are: qgad finds its plugins beside itself.
func addQgad(im *image, bin string) error {
	entries, err := os.ReadDir(bin)
	if err != nil {
		return err
	}
	plugins := 0
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(bin, name)
		switch {
		case name == "qgad" || name == "qgad-builtin":
			if err := checkStatic(p); err != nil {
				return err
			}
			im.hostFile("usr/sbin/"+name, 0o755, p)
		case strings.HasPrefix(name, "qgad-plugin-"):
			target, err := os.Readlink(p)
			if err != nil {
				return fmt.Errorf("%s: want a symlink to the multi-call binary: %w", p, err)
			}
			if strings.Contains(target, "/") {
				return fmt.Errorf("%s -> %s: want a link inside bin/", p, target)
			}
			im.symlink("usr/sbin/"+name, target)
			plugins++
		}
	}
	if plugins == 0 {
		return fmt.Errorf("no qgad-plugin-* in %s (make build)", bin)
	}
	return nil
}

// addDynamic copies a dynamically linked program and the libraries ldd
// lists to the same paths in the image.
func addDynamic(ctx context.Context, im *image, bin, dest string) error {
	out, err := exec.CommandContext(ctx, "ldd", bin).Output()
	if err != nil {
		return fmt.Errorf("ldd %s: %w", bin, err)
	}
	im.hostFile(dest, 0o755, bin)
	for _, lib := range lddPaths(string(out)) {
		im.hostFile(lib, 0o755, lib)
	}
	return nil
}

// lddPaths picks the library paths from ldd's output: "name => /path (addr)"
// and the loader's "/path (addr)".
func lddPaths(out string) []string {
	var libs []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			libs = append(libs, f[2])
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			libs = append(libs, f[0])
		}
	}
	return libs
}

// writeInitramfs writes the image uncompressed (the kernel unpacks a plain
// cpio faster than it inflates one, which matters under TCG), atomically:
// another run may be booting from the previous one.
func writeInitramfs(im *image, path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".initramfs-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := im.writeTo(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// makeDisk creates a fresh ext4 image file for the guest's /mnt/data.
func makeDisk(ctx context.Context, path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return run(ctx, "", "mkfs.ext4", "-F", "-q", "-L", "e2edata", path)
}

// checkStatic refuses what cannot run in the guest, which has no dynamic
// loader for qgad's files: non-x86_64 and dynamically linked ELF files.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 {
		return fmt.Errorf("%s: %v %v, the guest is x86_64 (GOARCH=amd64)", path, f.Class, f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked, the guest has no libc (build with CGO_ENABLED=0)", path)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("%s needs shared libraries %v (build with CGO_ENABLED=0)", path, libs)
	}
	return nil
}
