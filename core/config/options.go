package config

// qemu-ga's short options (10.2, every platform: -s is accepted and ignored
// on Linux) and its Linux long option table, in its order (getopt prints
// ambiguity candidates in table order).
const shortOpts = "hVvdc:m:p:l:f:F::b:a:s:t:Dr"

func qemuGALongOpts() []longOpt {
	return []longOpt{
		{"help", noArg, 'h'},
		{"version", noArg, 'V'},
		{"config", requiredArg, 'c'},
		{"dump-conf", noArg, 'D'},
		{"logfile", requiredArg, 'l'},
		{"pidfile", requiredArg, 'f'},
		{"fsfreeze-hook", optionalArg, 'F'},
		{"verbose", noArg, 'v'},
		{"method", requiredArg, 'm'},
		{"path", requiredArg, 'p'},
		{"daemonize", noArg, 'd'},
		{"block-rpcs", requiredArg, 'b'},
		{"allow-rpcs", requiredArg, 'a'},
		{"statedir", requiredArg, 't'},
		{"retry-path", noArg, 'r'},
	}
}

// qgad's own long options; their values are outside the byte range so they
// never collide with a short option.
const (
	optPluginDir rune = 0x1000 + iota
	optDisableFamily
	optSysRoot
	optRuntimeDir
	optCallTimeout
	optIdleStop
	optHookTimeout
	optMemoryLimit
)

func qgadLongOpts() []longOpt {
	return []longOpt{
		{"plugin-dir", requiredArg, optPluginDir},
		{"disable-family", requiredArg, optDisableFamily},
		{"sysroot", requiredArg, optSysRoot},
		{"runtime-dir", requiredArg, optRuntimeDir},
		{"call-timeout", requiredArg, optCallTimeout},
		{"plugin-idle-stop", requiredArg, optIdleStop},
		{"fsfreeze-hook-timeout", requiredArg, optHookTimeout},
		{"plugin-memory-limit", requiredArg, optMemoryLimit},
	}
}

// optionName names a qgad option for error texts.
func optionName(val rune) string {
	for _, o := range qgadLongOpts() {
		if o.val == val {
			return "--" + o.name
		}
	}
	return string(val)
}
