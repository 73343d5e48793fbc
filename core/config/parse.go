package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// system is what Parse needs to know about the process and the machine;
// tests pass fixed values.
type system struct {
	getenv func(string) string
	euid   int
	exeDir string // directory of the running executable ("" if unknown)
}

// Parse reads the command line (argv[0] is the program name) and the config
// file like qemu-ga 10.2: a first getopt pass only looks for -c, the config
// file is loaded (-c PATH, else $QGA_CONF, else DefaultConfigPath; only a
// file named with -c must exist), then a second pass applies every option,
// scalars overriding the file and list entries appending to its lists.
// Failures are *ExitError. -h, -V, -b help and -a help end parsing where they
// stand, as qemu-ga exits there; -D is acted on after parsing.
func Parse(argv []string, getenv func(string) string) (*Config, error) {
	sys := system{getenv: getenv, euid: os.Geteuid()}
	if exe, err := os.Executable(); err == nil {
		sys.exeDir = filepath.Dir(exe)
	}
	return parse(argv, sys)
}

func parse(argv []string, sys system) (*Config, error) {
	if len(argv) == 0 {
		argv = []string{"qgad"}
	}
	args := append([]string(nil), argv...)
	g := newGetopt(args, shortOpts, qemuGALongOpts(), qgadLongOpts(), sys.getenv("POSIXLY_CORRECT") != "")

	// First pass: -c only. getopt already prints its diagnostics here.
	var diag string
	confPath, confRequired := "", false
	for {
		ev, ok := g.next()
		if !ok {
			break
		}
		diag += ev.diag
		if ev.val == 'c' {
			confPath, confRequired = ev.arg, true
		}
	}
	if !confRequired {
		confPath = sys.getenv("QGA_CONF")
		if confPath == "" {
			confPath = DefaultConfigPath
		}
	}

	var s settings
	loaded := ""
	kf, err := readKeyFile(confPath)
	var le *loadError
	switch {
	case err == nil:
		loaded = confPath
		if err := applyKeyFile(kf, &s); err != nil {
			return nil, withDiag(configLoadError(confPath, err), diag)
		}
	case errors.As(err, &le) && le.notFound && !confRequired:
		// A missing default or $QGA_CONF file is fine.
	default:
		return nil, withDiag(configLoadError(confPath, err), diag)
	}

	// Second pass: everything.
	g.reset()
	cfg := &Config{ConfigPath: loaded}
	dump := false
	for done := false; !done; {
		ev, ok := g.next()
		if !ok {
			break
		}
		diag += ev.diag
		switch ev.val {
		case '?':
			return nil, &ExitError{Code: 1, Stdout: true, Diag: diag, pass2Diag: ev.diag,
				Msg: fmt.Sprintf("Unknown option, try '%s --help' for more information.", args[0])}
		case 'h':
			cfg.Action, done = Help, true
		case 'V':
			cfg.Action, done = Version, true
		case 'D':
			dump = true
		case 'b', 'a':
			if ev.arg == "help" || ev.arg == "?" {
				cfg.Action, cfg.ListWhich, done = ListCommands, "allow-rpcs", true
				if ev.val == 'b' {
					cfg.ListWhich = "block-rpcs"
				}
				break
			}
			if ev.val == 'b' {
				s.block = append(s.block, splitRPCs(ev.arg)...)
			} else {
				s.allow = append(s.allow, splitRPCs(ev.arg)...)
			}
		default:
			if err := applyOption(&s, ev); err != nil {
				err.Diag = diag
				return nil, err
			}
		}
	}
	cfg.Diag = diag
	if cfg.Action == Run && dump {
		cfg.Action = DumpConf
	}
	finish(cfg, &s, sys)
	return cfg, nil
}

func withDiag(e *ExitError, diag string) *ExitError {
	e.Diag = diag
	return e
}

// applyOption applies one option of the second pass (other than the ones
// that end parsing and the lists, handled by the caller).
func applyOption(s *settings, ev optEvent) *ExitError {
	str := func(dst **string) {
		v := ev.arg
		*dst = &v
	}
	dur := func(dst **time.Duration) *ExitError {
		d, err := parseDuration(ev.arg)
		if err != nil {
			return &ExitError{Code: 1, Msg: fmt.Sprintf("invalid argument '%s' for option '%s': not a duration", ev.arg, optionName(ev.val))}
		}
		*dst = &d
		return nil
	}
	switch ev.val {
	case 'm':
		str(&s.method)
	case 'p':
		str(&s.path)
	case 'l':
		str(&s.logFile)
	case 'f':
		str(&s.pidFile)
	case 'F':
		hook := DefaultFsfreezeHook
		if ev.hasArg {
			hook = ev.arg
		}
		s.hook = &hook
	case 't':
		str(&s.stateDir)
	case 'v':
		s.verbose = true
	case 'd':
		s.daemon = true
	case 'r':
		s.retryPath = true
	case 'c', 's':
		// -c was used by the first pass; -s is the Windows service option,
		// accepted and ignored elsewhere.
	case optPluginDir:
		// --plugin-dir adds to the directories the config file (or the
		// defaults) give: an admin adds a directory, keeping the built-ins.
		s.cliPluginDirs = append(s.cliPluginDirs, ev.arg)
	case optDisableFamily:
		s.disabled = append(s.disabled, splitList(ev.arg)...)
	case optSysRoot:
		str(&s.sysRoot)
	case optRuntimeDir:
		str(&s.runtimeDir)
	case optMemoryLimit:
		if !validMemoryLimit(ev.arg) {
			return &ExitError{Code: 1, Msg: fmt.Sprintf("invalid argument '%s' for option '%s': not a memory limit", ev.arg, optionName(ev.val))}
		}
		str(&s.memoryLimit)
	case optCallTimeout:
		return dur(&s.callTimeout)
	case optIdleStop:
		return dur(&s.idleStop)
	case optHookTimeout:
		return dur(&s.hookTimeout)
	}
	return nil
}

// finish fills in the defaults, as qemu-ga's main() does after parsing
// (socket activation, which may replace method and path, is the caller's).
func finish(cfg *Config, s *settings, sys system) {
	or := func(p *string, def string) string {
		if p != nil {
			return *p
		}
		return def
	}
	cfg.Daemon, cfg.Verbose, cfg.RetryPath = s.daemon, s.verbose, s.retryPath
	cfg.Method = or(s.method, DefaultMethod)
	cfg.PidFile = or(s.pidFile, DefaultPidFile)
	cfg.StateDir = or(s.stateDir, DefaultStateDir)
	cfg.LogFile, cfg.set.logFile = or(s.logFile, ""), s.logFile != nil
	cfg.FsfreezeHook, cfg.set.hook = or(s.hook, ""), s.hook != nil
	switch {
	case s.path != nil:
		cfg.Path, cfg.set.path = *s.path, true
	case cfg.Method == "virtio-serial":
		cfg.Path, cfg.set.path = DefaultVirtioPath, true
	case cfg.Method == "isa-serial":
		cfg.Path, cfg.set.path = DefaultSerialPath, true
	}
	cfg.BlockRPCs = nonNil(s.block)
	cfg.AllowRPCs = nonNil(s.allow)

	cfg.dfl = systemDefaults(sys)
	cfg.PluginDirs = cfg.dfl.pluginDirs
	if s.pluginDirsSet {
		cfg.PluginDirs = nonNil(s.pluginDirs)
	}
	cfg.PluginDirs = append(slices.Clone(cfg.PluginDirs), s.cliPluginDirs...)
	cfg.DisabledFamilies = nonNil(s.disabled)
	cfg.SysRoot = or(s.sysRoot, DefaultSysRoot)
	cfg.RuntimeDir = or(s.runtimeDir, cfg.dfl.runtimeDir)
	cfg.PluginMemoryLimit = or(s.memoryLimit, "")
	durOr := func(p *time.Duration, def time.Duration) time.Duration {
		if p != nil {
			return *p
		}
		return def
	}
	cfg.CallTimeout = durOr(s.callTimeout, DefaultCallTimeout)
	cfg.IdleStop = durOr(s.idleStop, DefaultIdleStop)
	cfg.HookTimeout = durOr(s.hookTimeout, DefaultHookTimeout)
	cfg.Families = s.families
	if cfg.Families == nil {
		cfg.Families = map[string]map[string]string{}
	}
}

// systemDefaults computes the defaults of qgad's own settings: plugins next
// to the executable, then the packaged directory; sockets under /run for
// root, else under the user's runtime directory.
func systemDefaults(sys system) defaults {
	d := defaults{pluginDirs: []string{DefaultPluginDir}, runtimeDir: DefaultRuntimeDir}
	if sys.exeDir != "" && sys.exeDir != DefaultPluginDir {
		d.pluginDirs = []string{sys.exeDir, DefaultPluginDir}
	}
	if sys.euid != 0 {
		if xdg := sys.getenv("XDG_RUNTIME_DIR"); xdg != "" {
			d.runtimeDir = filepath.Join(xdg, "qgad")
		} else {
			d.runtimeDir = filepath.Join(os.TempDir(), "qgad-"+strconv.Itoa(sys.euid))
		}
	}
	return d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
