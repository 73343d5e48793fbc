package dispatch

// schemaOrder is qemu-ga 10.2's registration order on Linux (spec 2.0): the
// order of `-b help` and, reversed, of guest-info's supported_commands.
// Commands from plugins that are not in this list (third-party ones) are
// registered after all of these, so they come first in guest-info.
var schemaOrder = []string{
	"guest-sync-delimited",
	"guest-sync",
	"guest-ping",
	"guest-get-time",
	"guest-set-time",
	"guest-info",
	"guest-shutdown",
	"guest-file-open",
	"guest-file-close",
	"guest-file-read",
	"guest-file-write",
	"guest-file-seek",
	"guest-file-flush",
	"guest-fsfreeze-status",
	"guest-fsfreeze-freeze",
	"guest-fsfreeze-freeze-list",
	"guest-fsfreeze-thaw",
	"guest-fstrim",
	"guest-suspend-disk",
	"guest-suspend-ram",
	"guest-suspend-hybrid",
	"guest-network-get-interfaces",
	"guest-get-vcpus",
	"guest-set-vcpus",
	"guest-get-disks",
	"guest-get-fsinfo",
	"guest-set-user-password",
	"guest-get-memory-blocks",
	"guest-set-memory-blocks",
	"guest-get-memory-block-info",
	"guest-exec-status",
	"guest-exec",
	"guest-get-host-name",
	"guest-get-users",
	"guest-get-timezone",
	"guest-get-osinfo",
	"guest-ssh-get-authorized-keys",
	"guest-ssh-add-authorized-keys",
	"guest-ssh-remove-authorized-keys",
	"guest-get-diskstats",
	"guest-get-cpustats",
	"guest-get-load",
	"guest-network-get-route",
}

// frozenAllowed are the commands enabled while filesystems are frozen
// (spec 3.4), whatever the allow and block lists say.
var frozenAllowed = map[string]bool{
	"guest-ping":            true,
	"guest-info":            true,
	"guest-sync":            true,
	"guest-sync-delimited":  true,
	"guest-fsfreeze-status": true,
	"guest-fsfreeze-thaw":   true,
}

func schemaIndex(name string) int {
	for i, n := range schemaOrder {
		if n == name {
			return i
		}
	}
	return -1
}
