package packaging_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
)

// The maintainer scripts, run with systemctl and udevadm stand-ins: what
// they ask of systemd and udev for each dpkg and rpm argument.
func TestMaintainerScripts(t *testing.T) {
	for _, systemd := range []bool{false, true} {
		name := "without systemd"
		if systemd {
			name = "booted with systemd"
		}
		t.Run(name, func(t *testing.T) { testScripts(t, systemd) })
	}
}

func testScripts(t *testing.T, systemd bool) {
	// The systemctl calls happen only on a machine booted with systemd.
	onSystemd := func(calls ...string) []string {
		if systemd {
			return calls
		}
		return nil
	}
	const restart = "systemctl try-restart qgad.service qgad-unix.service qgad-vsock.service"
	const stop = "systemctl stop qgad.service qgad-unix.socket qgad-unix.service qgad-vsock.socket qgad-vsock.service"
	reloadRules := "udevadm control --reload-rules"
	trigger := "udevadm trigger --subsystem-match=virtio-ports --action=add"

	tests := []struct {
		script   string
		args     []string
		dpkgRoot string
		want     []string
	}{
		{"postinstall.sh", []string{"configure", ""}, "", append(onSystemd("systemctl daemon-reload", restart), reloadRules, trigger)},
		{"postinstall.sh", []string{"1"}, "", append(onSystemd("systemctl daemon-reload", restart), reloadRules, trigger)},
		{"postinstall.sh", []string{"configure", ""}, "/srv/image", nil},
		{"preremove.sh", []string{"remove"}, "", onSystemd(stop)},
		{"preremove.sh", []string{"0"}, "", onSystemd(stop)},
		{"preremove.sh", []string{"upgrade", "1.0.1"}, "", nil},
		{"preremove.sh", []string{"1"}, "", nil},
		{"preremove.sh", []string{"remove"}, "/srv/image", nil},
		{"postremove.sh", []string{"remove"}, "", append(onSystemd("systemctl daemon-reload"), reloadRules)},
		{"postremove.sh", []string{"purge"}, "/srv/image", nil},
		{"plugins-changed.sh", []string{"configure", ""}, "", onSystemd(restart)},
		{"plugins-changed.sh", []string{"0"}, "", onSystemd(restart)},
		{"plugins-changed.sh", []string{"configure", ""}, "/srv/image", nil},
	}
	dir := filepath.Join(qgatest.RepoRoot(t), "packaging", "scripts")
	for _, tt := range tests {
		t.Run(tt.script+" "+strings.Join(tt.args, " ")+" "+tt.dpkgRoot, func(t *testing.T) {
			env, log := fakeTools(t)
			env = append(env, "DPKG_ROOT="+tt.dpkgRoot)
			// In a mount namespace of its own, with an empty /run that
			// says whether systemd runs, whatever this machine runs.
			booted := map[bool]string{true: "mkdir -p /run/systemd/system", false: ":"}[systemd]
			argv := append([]string{"--mount", "--propagation", "private", "sh", "-c",
				"mount -t tmpfs qgad-test /run && " + booted + ` && exec "$@"`, "sh", filepath.Join(dir, tt.script)}, tt.args...)
			cmd := exec.Command("unshare", argv...)
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
				t.Fatalf("%v, output %q", err, out)
			}
			got := lines(readLog(t, log))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
