package integration

// What real clients require of guest-info (spec clients.md section 1).

import (
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
)

var (
	kubevirtRequired = []string{"guest-ping", "guest-get-time", "guest-info", "guest-shutdown",
		"guest-network-get-interfaces", "guest-get-fsinfo", "guest-get-host-name",
		"guest-get-users", "guest-get-timezone", "guest-get-osinfo"}
	kubevirtSSH      = []string{"guest-ssh-get-authorized-keys", "guest-ssh-add-authorized-keys", "guest-ssh-remove-authorized-keys"}
	kubevirtPassword = []string{"guest-set-user-password"}
	kubevirtStats    = []string{"guest-get-load", "guest-get-cpustats", "guest-get-diskstats", "guest-get-vcpus",
		"guest-get-memory-block-info", "guest-get-disks", "guest-network-get-route", "guest-get-memory-blocks",
		"guest-exec", "guest-exec-status", "guest-fsfreeze-status"}
	libvirtUses = []string{"guest-sync", "guest-shutdown", "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list",
		"guest-fsfreeze-thaw", "guest-suspend-ram", "guest-suspend-disk", "guest-suspend-hybrid", "guest-fstrim",
		"guest-get-vcpus", "guest-set-vcpus", "guest-get-host-name", "guest-get-time", "guest-set-time",
		"guest-get-fsinfo", "guest-network-get-interfaces", "guest-set-user-password", "guest-get-users",
		"guest-get-osinfo", "guest-get-timezone", "guest-ssh-get-authorized-keys", "guest-ssh-add-authorized-keys",
		"guest-ssh-remove-authorized-keys", "guest-get-disks", "guest-get-load"}
	proxmoxUses = []string{"guest-sync-delimited", "guest-ping", "guest-get-time", "guest-info", "guest-fsfreeze-status",
		"guest-fsfreeze-freeze", "guest-fsfreeze-thaw", "guest-fstrim", "guest-network-get-interfaces", "guest-get-vcpus",
		"guest-get-fsinfo", "guest-get-memory-blocks", "guest-get-memory-block-info", "guest-suspend-hybrid",
		"guest-suspend-ram", "guest-suspend-disk", "guest-shutdown", "guest-get-host-name", "guest-get-osinfo",
		"guest-get-users", "guest-get-timezone", "guest-exec", "guest-exec-status", "guest-set-user-password",
		"guest-file-open", "guest-file-read", "guest-file-write", "guest-file-close"}
	// qemu-ga 10.2 on Linux registers these 43, in this guest-info order
	// (spec Appendix B).
	qemuGA102 = "guest-network-get-route, guest-get-load, guest-get-cpustats, guest-get-diskstats, guest-ssh-remove-authorized-keys, guest-ssh-add-authorized-keys, guest-ssh-get-authorized-keys, guest-get-osinfo, guest-get-timezone, guest-get-users, guest-get-host-name, guest-exec, guest-exec-status, guest-get-memory-block-info, guest-set-memory-blocks, guest-get-memory-blocks, guest-set-user-password, guest-get-fsinfo, guest-get-disks, guest-set-vcpus, guest-get-vcpus, guest-network-get-interfaces, guest-suspend-hybrid, guest-suspend-ram, guest-suspend-disk, guest-fstrim, guest-fsfreeze-thaw, guest-fsfreeze-freeze-list, guest-fsfreeze-freeze, guest-fsfreeze-status, guest-file-flush, guest-file-seek, guest-file-write, guest-file-read, guest-file-close, guest-file-open, guest-shutdown, guest-info, guest-set-time, guest-get-time, guest-ping, guest-sync, guest-sync-delimited"
)

func TestClientCapabilities(t *testing.T) {
	a := qgatest.StartQgad(t)
	enabled := map[string]bool{}
	successResponse := map[string]bool{}
	var order []string
	for _, c := range get(t, a.MustCall(t, "guest-info", ""), "supported_commands").([]any) {
		name := get(t, c, "name").(string)
		enabled[name] = get(t, c, "enabled").(bool)
		successResponse[name] = get(t, c, "success-response").(bool)
		order = append(order, name)
	}
	if got := strings.Join(order, ", "); got != qemuGA102 {
		t.Errorf("guest-info lists\n%s\nqemu-ga 10.2 lists\n%s", got, qemuGA102)
	}
	for list, names := range map[string][]string{"KubeVirt": kubevirtRequired, "KubeVirt ssh": kubevirtSSH,
		"KubeVirt password": kubevirtPassword, "KubeVirt stats": kubevirtStats, "libvirt": libvirtUses, "Proxmox": proxmoxUses} {
		for _, n := range names {
			if !enabled[n] {
				t.Errorf("%s needs %s present and enabled", list, n)
			}
		}
	}
	for _, n := range []string{"guest-shutdown", "guest-suspend-disk", "guest-suspend-ram", "guest-suspend-hybrid"} {
		if successResponse[n] {
			t.Errorf("%s must have success-response false", n)
		}
	}
}
