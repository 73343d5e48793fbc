package packaging_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/qgad/qgad/packaging"
)

// systemdUnitDir is where this machine's systemd keeps its own units
// (sysinit.target, sockets.target, …), which verify needs to resolve the
// dependencies of ours.
const systemdUnitDir = "/usr/lib/systemd/system"

// The installed units pass systemd-analyze verify: they load, their
// settings parse, their ExecStart exists (in the scratch root the packages
// were installed into), with no warning at all.
func TestUnitsVerify(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Fatal("systemd-analyze is missing: apt-get install systemd")
	}
	root := installRoot(t, packaging.CorePackage)
	units := filepath.Join(root, packaging.UnitDir)
	// A copy: verify does not follow links out of the root. -n keeps ours.
	run(t, nil, "cp", "-a", "-n", systemdUnitDir+"/.", units)
	for _, u := range packaging.Units() {
		t.Run(u, func(t *testing.T) {
			cmd := exec.Command("systemd-analyze", "verify", "--man=no", "--generators=no", "--root="+root, filepath.Join(units, u))
			cmd.Dir = "/"
			out, err := cmd.CombinedOutput()
			if err != nil || len(out) > 0 {
				t.Errorf("systemd-analyze verify %s: %v\n%s", u, err, out)
			}
		})
	}
}

// unitSettings reads the Key=Value lines of a unit, by section.
func unitSettings(t *testing.T, path string) map[string][]string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	section := ""
	for line := range strings.Lines(string(text)) {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '[':
			section = strings.Trim(line, "[]")
		default:
			k, v, _ := strings.Cut(line, "=")
			got[section+"."+k] = append(got[section+"."+k], v)
		}
	}
	return got
}

// The settings the design depends on, unit by unit.
func TestUnitSettings(t *testing.T) {
	dev := `dev-virtio\x2dports-org.qemu.guest_agent.0.device`
	tests := []struct {
		unit string
		want map[string]string
	}{
		{"qgad.service", map[string]string{
			"Unit.BindsTo": dev, "Unit.After": dev, "Unit.Conflicts": "qemu-guest-agent.service",
			"Service.Type": "notify", "Service.ExecStart": "/usr/sbin/qgad", "Service.Restart": "always",
			"Service.KillMode": "control-group", "Service.OOMPolicy": "continue", "Service.RuntimeDirectory": "qgad",
		}},
		{"qgad-unix.socket", map[string]string{"Socket.ListenStream": "/run/qgad.sock", "Socket.Accept": "no", "Socket.SocketMode": "0600", "Install.WantedBy": "sockets.target"}},
		{"qgad-vsock.socket", map[string]string{"Socket.ListenStream": "vsock::4444", "Socket.Accept": "no", "Install.WantedBy": "sockets.target"}},
		{"qgad-unix.service", map[string]string{"Unit.Requires": "qgad-unix.socket", "Service.Type": "notify", "Service.KillMode": "control-group", "Service.RuntimeDirectory": "qgad-unix"}},
		{"qgad-vsock.service", map[string]string{"Unit.Requires": "qgad-vsock.socket", "Service.Type": "notify", "Service.KillMode": "control-group", "Service.RuntimeDirectory": "qgad-vsock"}},
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			got := unitSettings(t, filepath.Join("systemd", tt.unit))
			for k, v := range tt.want {
				if len(got[k]) != 1 || got[k][0] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			// Hardening that would break a family stays off.
			for _, off := range []string{"ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectClock",
				"ProtectKernelTunables", "NoNewPrivileges", "PrivateNetwork", "User"} {
				if v, ok := got["Service."+off]; ok {
					t.Errorf("%s=%v would break a command family", off, v)
				}
			}
		})
	}
	// The socket-activated agents keep their state apart from the one on
	// the virtio port.
	for _, u := range []string{"qgad-unix", "qgad-vsock"} {
		exec := unitSettings(t, filepath.Join("systemd", u+".service"))["Service.ExecStart"]
		if len(exec) != 1 || !strings.Contains(exec[0], "-t /run/"+u+" ") || !strings.Contains(exec[0], "--runtime-dir=/run/"+u+"/") {
			t.Errorf("%s.service ExecStart %q: want its own state and runtime directories", u, exec)
		}
	}
}

// The udev rule matches the guest agent's port and wants qgad.service.
func TestUdevRule(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("udev", "60-qgad.rules"))
	if err != nil {
		t.Fatal(err)
	}
	rule := strings.ReplaceAll(string(regexp.MustCompile(`(?m)^#.*\n`).ReplaceAll(text, nil)), "\\\n", "")
	rule = strings.Join(strings.Fields(rule), " ")
	want := `SUBSYSTEM=="virtio-ports", ATTR{name}=="org.qemu.guest_agent.0", TAG+="systemd", ENV{SYSTEMD_WANTS}="qgad.service"`
	if rule != want {
		t.Errorf("rule %q, want %q", rule, want)
	}
}
