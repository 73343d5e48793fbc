// Package config reads qgad's settings the way qemu-ga reads its own: the
// qemu-ga command line (getopt_long semantics, two passes), the glib key file
// /etc/qemu/qemu-ga.conf (or $QGA_CONF, or -c), and the -D dump, so a
// distro's qemu-ga unit and config file work unchanged with qgad. qgad's own
// settings live in a [qgad] section and long options of their own; families
// get [family:<name>] sections.
package config

import (
	"time"
)

// Action is what the command line asks the caller to do.
type Action int

const (
	Run          Action = iota // serve the channel
	Help                       // -h: print Usage, exit 0
	Version                    // -V: print "QEMU Guest Agent <version>", exit 0
	DumpConf                   // -D: print Dump, exit 0
	ListCommands               // -b help / -a help: print every command name, one a line, exit 0
)

func (a Action) String() string {
	switch a {
	case Run:
		return "run"
	case Help:
		return "help"
	case Version:
		return "version"
	case DumpConf:
		return "dump-conf"
	case ListCommands:
		return "list-commands"
	}
	return "unknown"
}

// Defaults of a Linux qemu-ga built for /usr, /etc and /var.
const (
	DefaultConfigPath   = "/etc/qemu/qemu-ga.conf"
	DefaultMethod       = "virtio-serial"
	DefaultVirtioPath   = "/dev/virtio-ports/org.qemu.guest_agent.0"
	DefaultSerialPath   = "/dev/ttyS0"
	DefaultPidFile      = "/var/run/qemu-ga.pid"
	DefaultStateDir     = "/var/run"
	DefaultFsfreezeHook = "/etc/qemu/fsfreeze-hook"

	DefaultSysRoot     = "/"
	DefaultPluginDir   = "/usr/lib/qgad/plugins"
	DefaultRuntimeDir  = "/run/qgad"
	DefaultCallTimeout = 5 * time.Minute
	DefaultHookTimeout = 60 * time.Second
	// DefaultIdleStop: a plugin nobody called for this long is stopped
	// (unless it holds state) and started again on its next call. Every VM
	// of a fleet pays for idle plugins; starting one costs ~10-20 ms.
	DefaultIdleStop = 30 * time.Second
)

// Config is the effective configuration after the config file, the command
// line and the defaults.
type Config struct {
	// qemu-ga's [general] keys.
	Daemon       bool
	Method       string // never defaulted when -m or method= gave "" (qemu-ga then wants a path)
	Path         string // "" with HasPath() false: none given and no default for Method
	LogFile      string // "" with HasLogFile() false: log to stderr
	PidFile      string
	FsfreezeHook string // "" = hook disabled (see HasFsfreezeHook for "-F" given an empty path)
	StateDir     string
	Verbose      bool
	RetryPath    bool
	// BlockRPCs and AllowRPCs are in qemu-ga's internal order, which -D
	// shows: each comma list is reversed, config entries come first.
	BlockRPCs, AllowRPCs []string

	// qgad's own ([qgad] section and long options).
	PluginDirs        []string      // --plugin-dir (repeatable), plugin-dirs=a,b; default: the executable's directory, then DefaultPluginDir
	DisabledFamilies  []string      // --disable-family=a,b, disable-families=a,b
	SysRoot           string        // --sysroot, sysroot=: the root families act through
	RuntimeDir        string        // --runtime-dir, runtime-dir=: plugin sockets (tmpfs)
	CallTimeout       time.Duration // --call-timeout, call-timeout=: deadline of one command (0 = none)
	IdleStop          time.Duration // --plugin-idle-stop, plugin-idle-stop=: stop plugins idle this long (0 = never); default DefaultIdleStop
	HookTimeout       time.Duration // --fsfreeze-hook-timeout, fsfreeze-hook-timeout= (0 = none, as qemu-ga)
	PluginMemoryLimit string        // --plugin-memory-limit, plugin-memory-limit=: GOMEMLIMIT of each plugin ("" = none)

	// Families holds the [family:<name>] sections: keys lower-case, values
	// unescaped. A "call-timeout" there is validated and normalized to Go
	// duration syntax.
	Families map[string]map[string]string

	Action     Action
	ListWhich  string // "block-rpcs" or "allow-rpcs": which option asked for ListCommands
	ConfigPath string // the file that was loaded ("" if none was found)

	// Diag is what getopt printed to stderr while parsing (qemu-ga prints
	// each diagnostic once per pass). Non-empty only when an action such as
	// -h ended parsing before the bad option was reached; the caller writes
	// it to stderr.
	Diag string

	set fieldSet // which optional [general] values were given, for Dump
	dfl defaults // what qgad's defaults were on this system, for Dump
}

// fieldSet records qemu-ga's NULL-versus-empty distinctions.
type fieldSet struct {
	path, logFile, hook bool
	activated           bool // systemd socket activation: no path needed
}

// defaults are the system-dependent defaults of qgad's own settings.
type defaults struct {
	pluginDirs []string
	runtimeDir string
}

// HasPath tells whether a channel path was given or defaulted, or a socket
// was activated. When it is false the caller must fail like qemu-ga: "must
// specify a path for this channel", exit 1 (after socket activation, before
// -D).
func (c *Config) HasPath() bool { return c.set.path || c.set.activated }

// UseActivatedSocket records systemd socket activation as qemu-ga does:
// method and path from the command line and file are dropped, the socket's
// family gives the method ("unix-listen" or "vsock-listen"), and -D then
// shows no path.
func (c *Config) UseActivatedSocket(method string) {
	c.Method, c.Path = method, ""
	c.set.path, c.set.activated = false, true
}

// HasLogFile tells whether a log file was given (even an empty name, which
// qemu-ga then fails to open: "unable to open specified log file: ...").
func (c *Config) HasLogFile() bool { return c.set.logFile }

// HasFsfreezeHook tells whether the hook is enabled. It differs from
// FsfreezeHook != "" only for an empty path ("--fsfreeze-hook=" or
// "fsfreeze-hook="), which qemu-ga enables and then fails to execute.
func (c *Config) HasFsfreezeHook() bool { return c.set.hook }

// FamilyCallTimeout is the deadline of one command of family: its section's
// call-timeout, else CallTimeout.
func (c *Config) FamilyCallTimeout(family string) time.Duration {
	if s, ok := c.Families[family]["call-timeout"]; ok {
		if d, err := parseDuration(s); err == nil {
			return d
		}
	}
	return c.CallTimeout
}

// ExitError is a parse failure with qemu-ga's exit code and message.
type ExitError struct {
	Code int
	// Msg is qemu-ga's final message, without a newline: the unknown-option
	// hint (Stdout true: qemu-ga prints it with g_print) or a critical error
	// such as "error loading configuration from path: <path>, <glib message>"
	// (qemu-ga logs it through glib's default handler on stderr).
	Msg    string
	Stdout bool
	// Diag is what getopt printed to stderr before Msg (newline-terminated
	// lines), written verbatim.
	Diag string

	pass2Diag string // the part of Diag printed by the second pass (all a one-pass qemu-ga prints)
}

func (e *ExitError) Error() string { return e.Msg }
