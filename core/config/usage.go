package config

import (
	"fmt"
	"io"
)

// Usage writes the -h text: qemu-ga 10.2's option descriptions, then
// qgad's own options and config sections.
func Usage(w io.Writer, argv0 string) { UsageVersion(w, argv0, "") }

// UsageVersion is Usage with qgad's version on the second line, where
// qemu-ga prints "QEMU Guest Agent <version>".
func UsageVersion(w io.Writer, argv0, version string) {
	title := "QEMU Guest Agent (qgad)"
	if version != "" {
		title = "QEMU Guest Agent " + version + " (qgad)"
	}
	fmt.Fprintf(w, `Usage: %s [-m <method> -p <path>] [<options>]
%s

  -c, --config=PATH configuration file path (default is
                    %s
                    unless overridden by the QGA_CONF environment variable)
  -m, --method      transport method: one of unix-listen, virtio-serial,
                    isa-serial, or vsock-listen (virtio-serial is the default)
  -p, --path        device/socket path (the default for virtio-serial is:
                    %s,
                    the default for isa-serial is:
                    %s).
                    Socket addresses for vsock-listen are written as
                    <cid>:<port>.
  -l, --logfile     set logfile path, logs to stderr by default
  -f, --pidfile     specify pidfile (default is %s)
  -F, --fsfreeze-hook
                    enable fsfreeze hook. Accepts an optional argument that
                    specifies script to run on freeze/thaw. Script will be
                    called with 'freeze'/'thaw' arguments accordingly.
                    (default is %s)
                    If using -F with an argument, do not follow -F with a
                    space.
                    (for example: -F/var/run/fsfreezehook.sh)
  -t, --statedir    specify dir to store state information (absolute paths
                    only, default is %s)
  -v, --verbose     log extra debugging information
  -V, --version     print version information and exit
  -d, --daemonize   become a daemon
  -b, --block-rpcs  comma-separated list of RPCs to disable (no spaces,
                    use "--block-rpcs=help" to list available RPCs)
  -a, --allow-rpcs  comma-separated list of RPCs to enable (no spaces,
                    use "--allow-rpcs=help" to list available RPCs)
  -D, --dump-conf   dump a qemu-ga config file based on current config
                    options / command-line parameters to stdout
  -r, --retry-path  attempt re-opening path if it's unavailable or closed
                    due to an error which may be recoverable in the future
                    (virtio-serial driver re-install, serial device hot
                    plug/unplug, etc.)
  -h, --help        display this help and exit

qgad options (config file section [qgad], same key names unless noted):
      --sysroot=DIR root through which the command families read and act
                    on the system (default is %s)
      --plugin-dir=DIR
                    directory holding family plugins; repeatable (key
                    plugin-dirs, comma-separated; default is the directory
                    of the qgad executable, then %s)
      --disable-family=LIST
                    comma-separated families not to load (key
                    disable-families)
      --runtime-dir=DIR
                    directory for plugin sockets, on tmpfs (default is
                    %s, or $XDG_RUNTIME_DIR/qgad when not root)
      --call-timeout=DURATION
                    deadline of one command, e.g. 90s or 5m (default is %s;
                    0 means none)
      --plugin-idle-stop=DURATION
                    stop a plugin that has been idle this long (default is
                    0: never)
      --fsfreeze-hook-timeout=DURATION
                    deadline of one fsfreeze hook run (default is %s; 0
                    means none, as qemu-ga)
      --plugin-memory-limit=LIMIT
                    GOMEMLIMIT of each plugin, e.g. 64MiB (default is none)

Per-family settings go in config file sections [family:<name>], as
key=value lines; "call-timeout" there overrides --call-timeout.
`, argv0, title, DefaultConfigPath, DefaultVirtioPath, DefaultSerialPath, DefaultPidFile,
		DefaultFsfreezeHook, DefaultStateDir, DefaultSysRoot, DefaultPluginDir, DefaultRuntimeDir,
		formatDuration(DefaultCallTimeout), formatDuration(DefaultHookTimeout))
}
