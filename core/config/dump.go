package config

import (
	"io"
	"slices"
	"sort"
	"strings"
	"time"
)

// Dump writes the -D output. The [general] group is byte for byte what
// qemu-ga 10.2 writes for the same command line and file (glib's key file
// writer: keys in qemu-ga's order, values escaped, lists rejoined with ','
// in qemu-ga's internal order). A [qgad] group follows only with the qgad
// settings that differ from their defaults, and a [family:<name>] group per
// configured family, so that for a plain qemu-ga configuration the whole
// output equals qemu-ga's and can be loaded back as a config file.
func (c *Config) Dump(w io.Writer) {
	var kw keyWriter
	kw.group("general")
	kw.boolean("daemon", c.Daemon)
	kw.str("method", c.Method)
	if c.set.path {
		kw.str("path", c.Path)
	}
	if c.set.logFile {
		kw.str("logfile", c.LogFile)
	}
	kw.str("pidfile", c.PidFile)
	if c.set.hook {
		kw.str("fsfreeze-hook", c.FsfreezeHook)
	}
	kw.str("statedir", c.StateDir)
	kw.boolean("verbose", c.Verbose)
	kw.boolean("retry-path", c.RetryPath)
	kw.str("block-rpcs", strings.Join(c.BlockRPCs, ","))
	kw.str("allow-rpcs", strings.Join(c.AllowRPCs, ","))

	kw.group("qgad")
	if !slices.Equal(c.PluginDirs, c.dfl.pluginDirs) {
		kw.str("plugin-dirs", strings.Join(c.PluginDirs, ","))
	}
	if len(c.DisabledFamilies) > 0 {
		kw.str("disable-families", strings.Join(c.DisabledFamilies, ","))
	}
	if c.SysRoot != DefaultSysRoot {
		kw.str("sysroot", c.SysRoot)
	}
	if c.RuntimeDir != c.dfl.runtimeDir {
		kw.str("runtime-dir", c.RuntimeDir)
	}
	kw.duration("call-timeout", c.CallTimeout, DefaultCallTimeout)
	kw.duration("plugin-idle-stop", c.IdleStop, DefaultIdleStop)
	kw.duration("fsfreeze-hook-timeout", c.HookTimeout, DefaultHookTimeout)
	if c.PluginMemoryLimit != "" {
		kw.str("plugin-memory-limit", c.PluginMemoryLimit)
	}

	names := make([]string, 0, len(c.Families))
	for name := range c.Families {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		kw.group(FamilyGroupPrefix + name)
		keys := make([]string, 0, len(c.Families[name]))
		for k := range c.Families[name] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			kw.str(k, c.Families[name][k])
		}
	}
	_, _ = io.WriteString(w, kw.String())
}

// keyWriter builds key file text like g_key_file_to_data: groups without
// keys are left out, groups are separated by an empty line.
type keyWriter struct {
	out     strings.Builder
	pending string // header of a group that has no key yet
}

func (k *keyWriter) group(name string) { k.pending = name }

func (k *keyWriter) str(key, value string) {
	if k.pending != "" {
		if k.out.Len() > 0 {
			k.out.WriteString("\n")
		}
		k.out.WriteString("[" + k.pending + "]\n")
		k.pending = ""
	}
	k.out.WriteString(key + "=" + escapeValue(value) + "\n")
}

func (k *keyWriter) boolean(key string, v bool) {
	if v {
		k.str(key, "true")
	} else {
		k.str(key, "false")
	}
}

func (k *keyWriter) duration(key string, d, def time.Duration) {
	if d != def {
		k.str(key, formatDuration(d))
	}
}

func (k *keyWriter) String() string { return k.out.String() }
