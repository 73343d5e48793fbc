package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const testExeDir = "/opt/qgad/bin"

// testSystem is a root process whose executable lives in testExeDir and
// whose environment is env.
func testSystem(env map[string]string) system {
	return system{getenv: func(k string) string { return env[k] }, euid: 0, exeDir: testExeDir}
}

// base is the Config of a bare command line on testSystem, without a
// config file.
func base() *Config {
	dirs := []string{testExeDir, DefaultPluginDir}
	return &Config{
		Method: "virtio-serial", Path: DefaultVirtioPath, PidFile: DefaultPidFile, StateDir: DefaultStateDir,
		BlockRPCs: []string{}, AllowRPCs: []string{},
		PluginDirs: dirs, DisabledFamilies: []string{},
		SysRoot: "/", RuntimeDir: DefaultRuntimeDir, CallTimeout: 5 * time.Minute, HookTimeout: 60 * time.Second,
		IdleStop: DefaultIdleStop,
		Families: map[string]map[string]string{},
		set:      fieldSet{path: true},
		dfl:      defaults{pluginDirs: dirs, runtimeDir: DefaultRuntimeDir},
	}
}

// defaultDump is qemu-ga 10.2's -D output for a bare command line.
const defaultDump = `[general]
daemon=false
method=virtio-serial
path=/dev/virtio-ports/org.qemu.guest_agent.0
pidfile=/var/run/qemu-ga.pid
statedir=/var/run
verbose=false
retry-path=false
block-rpcs=
allow-rpcs=
`

// noConf points QGA_CONF at a file that does not exist, so the machine's
// own /etc/qemu/qemu-ga.conf never leaks into a test.
func noConf(t *testing.T) string { return filepath.Join(t.TempDir(), "absent.conf") }

func writeConf(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "qemu-ga.conf")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func abs(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParse(t *testing.T) {
	testQGAConfig := abs(t, "testdata/test-qga-config")
	fullConf := abs(t, "testdata/full.conf")
	docSample := abs(t, "testdata/doc-sample.conf")
	tests := []struct {
		name string
		argv []string
		env  map[string]string // QGA_CONF defaults to a missing file
		sys  func(*system)
		want func(c *Config, conf string) // conf: the QGA_CONF in effect
		dump string                       // "" = don't check
	}{
		{name: "defaults", argv: []string{"qgad"}, want: func(c *Config, conf string) {}, dump: defaultDump},
		{name: "dump", argv: []string{"qgad", "-D"}, want: func(c *Config, conf string) { c.Action = DumpConf }},
		{name: "cluster and attached arguments", argv: []string{"qgad", "-vdD", "-mvirtio-serial", "-p/p"},
			want: func(c *Config, conf string) {
				c.Action, c.Verbose, c.Daemon, c.Path = DumpConf, true, true, "/p"
			},
			dump: strings.NewReplacer("daemon=false", "daemon=true", "verbose=false", "verbose=true",
				"path=/dev/virtio-ports/org.qemu.guest_agent.0", "path=/p").Replace(defaultDump)},
		{name: "separate arguments", argv: []string{"qgad", "-m", "isa-serial", "-l", "/log", "-f", "/pid", "-t", "/st"},
			want: func(c *Config, conf string) {
				c.Method, c.Path, c.LogFile, c.PidFile, c.StateDir = "isa-serial", DefaultSerialPath, "/log", "/pid", "/st"
				c.set.logFile = true
			},
			dump: "[general]\ndaemon=false\nmethod=isa-serial\npath=/dev/ttyS0\nlogfile=/log\npidfile=/pid\nstatedir=/st\nverbose=false\nretry-path=false\nblock-rpcs=\nallow-rpcs=\n"},
		{name: "-F without argument", argv: []string{"qgad", "-F"},
			want: func(c *Config, conf string) { c.FsfreezeHook, c.set.hook = DefaultFsfreezeHook, true },
			dump: strings.Replace(defaultDump, "statedir=", "fsfreeze-hook=/etc/qemu/fsfreeze-hook\nstatedir=", 1)},
		{name: "-F attached", argv: []string{"qgad", "-F/x"},
			want: func(c *Config, conf string) { c.FsfreezeHook, c.set.hook = "/x", true }},
		{name: "-F separate argument is an operand", argv: []string{"qgad", "-F", "/x"},
			want: func(c *Config, conf string) { c.FsfreezeHook, c.set.hook = DefaultFsfreezeHook, true }},
		{name: "--fsfreeze-hook=", argv: []string{"qgad", "--fsfreeze-hook=/x"},
			want: func(c *Config, conf string) { c.FsfreezeHook, c.set.hook = "/x", true }},
		{name: "--fsfreeze-hook separate argument is an operand", argv: []string{"qgad", "--fsfreeze-hook", "/x"},
			want: func(c *Config, conf string) { c.FsfreezeHook, c.set.hook = DefaultFsfreezeHook, true }},
		{name: "--fsfreeze-hook empty", argv: []string{"qgad", "--fsfreeze-hook="},
			want: func(c *Config, conf string) { c.set.hook = true },
			dump: strings.Replace(defaultDump, "statedir=", "fsfreeze-hook=\nstatedir=", 1)},
		{name: "lists reverse each option", argv: []string{"qgad", "-b", "a,b", "-b", "c", "-aguest-ping", "--allow-rpcs=x,y"},
			want: func(c *Config, conf string) {
				c.BlockRPCs, c.AllowRPCs = []string{"b", "a", "c"}, []string{"guest-ping", "y", "x"}
			},
			dump: strings.NewReplacer("block-rpcs=", "block-rpcs=b,a,c", "allow-rpcs=", "allow-rpcs=guest-ping,y,x").Replace(defaultDump)},
		{name: "list with empty names", argv: []string{"qgad", "-b", "a,,b,", "-b", ""},
			want: func(c *Config, conf string) { c.BlockRPCs = []string{"", "b", "", "a"} },
			dump: strings.Replace(defaultDump, "block-rpcs=", "block-rpcs=,b,,a", 1)},
		{name: "-b HELP is a name", argv: []string{"qgad", "-b", "HELP"},
			want: func(c *Config, conf string) { c.BlockRPCs = []string{"HELP"} }},
		{name: "long option prefixes", argv: []string{"qgad", "--verb", "--daemon", "--state", "/x", "--pi=/p", "--me", "isa-serial", "--r"},
			want: func(c *Config, conf string) {
				c.Verbose, c.Daemon, c.StateDir, c.PidFile, c.Method, c.Path, c.RetryPath = true, true, "/x", "/p", "isa-serial", DefaultSerialPath, true
			}},
		{name: "qemu-ga prefixes win over qgad options", argv: []string{"qgad", "--s", "/x", "--fsfreeze", "--c", docSample},
			// --s is --statedir, not --sysroot; --fsfreeze is --fsfreeze-hook,
			// not --fsfreeze-hook-timeout; --c is --config, not --call-timeout.
			want: func(c *Config, conf string) {
				c.StateDir, c.FsfreezeHook, c.set.hook, c.ConfigPath = "/x", DefaultFsfreezeHook, true, docSample
			}},
		{name: "unix-listen has no default path", argv: []string{"qgad", "-m", "unix-listen"},
			want: func(c *Config, conf string) { c.Method, c.Path, c.set.path = "unix-listen", "", false },
			dump: strings.Replace(defaultDump, "method=virtio-serial\npath=/dev/virtio-ports/org.qemu.guest_agent.0\n", "method=unix-listen\n", 1)},
		{name: "empty strings are values", argv: []string{"qgad", "-p", "", "-l", "", "-f", "", "-t", ""},
			want: func(c *Config, conf string) { c.Path, c.PidFile, c.StateDir, c.set.logFile = "", "", "", true },
			dump: "[general]\ndaemon=false\nmethod=virtio-serial\npath=\nlogfile=\npidfile=\nstatedir=\nverbose=false\nretry-path=false\nblock-rpcs=\nallow-rpcs=\n"},
		{name: "empty method gets no path", argv: []string{"qgad", "-m", ""},
			want: func(c *Config, conf string) { c.Method, c.Path, c.set.path = "", "", false }},
		{name: "operands are skipped", argv: []string{"qgad", "foo", "-D", "bar"},
			want: func(c *Config, conf string) { c.Action = DumpConf }},
		{name: "-- ends options", argv: []string{"qgad", "-D", "--", "-h"},
			want: func(c *Config, conf string) { c.Action = DumpConf }},
		{name: "-- before -D", argv: []string{"qgad", "--", "-D"}, want: func(c *Config, conf string) {}},
		{name: "lone dash is an operand", argv: []string{"qgad", "-", "-v"}, want: func(c *Config, conf string) { c.Verbose = true }},
		{name: "POSIXLY_CORRECT stops at the first operand", argv: []string{"qgad", "-v", "foo", "-D"},
			env:  map[string]string{"POSIXLY_CORRECT": "1"},
			want: func(c *Config, conf string) { c.Verbose = true }},
		{name: "-s is ignored", argv: []string{"qgad", "-s", "install", "-D"}, want: func(c *Config, conf string) { c.Action = DumpConf }},
		{name: "-h", argv: []string{"qgad", "-h"}, want: func(c *Config, conf string) { c.Action = Help }},
		{name: "-V stops before -h", argv: []string{"qgad", "-V", "-h"}, want: func(c *Config, conf string) { c.Action = Version }},
		{name: "-V beats -D", argv: []string{"qgad", "-D", "--vers"}, want: func(c *Config, conf string) { c.Action = Version }},
		{name: "-b help", argv: []string{"qgad", "-b", "help"},
			want: func(c *Config, conf string) { c.Action, c.ListWhich = ListCommands, "block-rpcs" }},
		{name: "-bhelp after -D", argv: []string{"qgad", "-D", "-bhelp"},
			want: func(c *Config, conf string) { c.Action, c.ListWhich = ListCommands, "block-rpcs" }},
		{name: "--allow-rpcs=?", argv: []string{"qgad", "--allow-rpcs=?"},
			want: func(c *Config, conf string) { c.Action, c.ListWhich = ListCommands, "allow-rpcs" }},
		{name: "-h before a bad option keeps the first pass diagnostic", argv: []string{"qgad", "-h", "--bogus"},
			want: func(c *Config, conf string) { c.Action, c.Diag = Help, "qgad: unrecognized option '--bogus'\n" }},
		{name: "upstream test config via QGA_CONF", argv: []string{"qemu-ga", "-D"},
			env: map[string]string{"QGA_CONF": testQGAConfig},
			want: func(c *Config, conf string) {
				c.Action, c.ConfigPath = DumpConf, testQGAConfig
				c.Path, c.PidFile, c.StateDir, c.Verbose = "/path/to/org.qemu.guest_agent.0", "/var/foo/qemu-ga.pid", "/var/state", true
				c.BlockRPCs = []string{"guest-ping;guest-get-time"}
			},
			dump: "[general]\ndaemon=false\nmethod=virtio-serial\npath=/path/to/org.qemu.guest_agent.0\npidfile=/var/foo/qemu-ga.pid\nstatedir=/var/state\nverbose=true\nretry-path=false\nblock-rpcs=guest-ping;guest-get-time\nallow-rpcs=\n"},
		{name: "documentation sample via -c", argv: []string{"qgad", "-c", docSample},
			env:  map[string]string{"QGA_CONF": testQGAConfig},
			want: func(c *Config, conf string) { c.ConfigPath = docSample }},
		{name: "last -c wins", argv: []string{"qgad", "-c", testQGAConfig, "--config=" + docSample},
			want: func(c *Config, conf string) { c.ConfigPath = docSample }},
		{name: "full config with command line overrides", argv: []string{"qgad", "-b", "x", "-a", "guest-ping", "-m", "vsock-listen", "-p", "3:1234", "--plugin-dir", "/p", "--disable-family=a,,b"},
			env: map[string]string{"QGA_CONF": fullConf},
			want: func(c *Config, conf string) {
				c.ConfigPath = fullConf
				c.Daemon, c.Method, c.Path, c.LogFile, c.PidFile = true, "vsock-listen", "3:1234", "/var/log/qga.log", "/run/qga.pid"
				c.FsfreezeHook, c.StateDir, c.Verbose, c.RetryPath = "/etc/qemu/fsfreeze-hook", "/var/lib/qga", true, true
				c.set = fieldSet{path: true, logFile: true, hook: true}
				c.BlockRPCs, c.AllowRPCs = []string{"guest-file-open", "guest-exec", "x"}, []string{"guest-ping"}
				c.PluginDirs = []string{"/usr/local/lib/qgad", "/usr/lib/qgad/plugins", "/p"}
				c.DisabledFamilies = []string{"users", "power", "a", "b"}
				c.SysRoot, c.RuntimeDir = "/host", "/run/qgad-test"
				c.CallTimeout, c.IdleStop, c.HookTimeout = 90*time.Second, 10*time.Minute, 150*time.Second
				c.PluginMemoryLimit = "64MiB"
				c.Families = map[string]map[string]string{
					"exec":     {"max-output": "16777216", "call-timeout": "1h"},
					"fsfreeze": {"hook-args": " leading space"},
				}
			},
			dump: `[general]
daemon=true
method=vsock-listen
path=3:1234
logfile=/var/log/qga.log
pidfile=/run/qga.pid
fsfreeze-hook=/etc/qemu/fsfreeze-hook
statedir=/var/lib/qga
verbose=true
retry-path=true
block-rpcs=guest-file-open,guest-exec,x
allow-rpcs=guest-ping

[qgad]
plugin-dirs=/usr/local/lib/qgad,/usr/lib/qgad/plugins,/p
disable-families=users,power,a,b
sysroot=/host
runtime-dir=/run/qgad-test
call-timeout=1m30s
plugin-idle-stop=10m
fsfreeze-hook-timeout=2m30s
plugin-memory-limit=64MiB

[family:exec]
call-timeout=1h
max-output=16777216

[family:fsfreeze]
hook-args=\sleading space
`},
		{name: "qgad options", argv: []string{"qgad", "--sys=/r", "--ru", "/rt", "--call-timeout=30s", "--plugin-idle-stop", "0", "--fsfreeze-hook-timeout=0", "--plugin-memory-limit=off", "--plugin-d", "/a", "--plugin-dir=/b"},
			want: func(c *Config, conf string) {
				c.SysRoot, c.RuntimeDir, c.CallTimeout, c.IdleStop, c.HookTimeout, c.PluginMemoryLimit = "/r", "/rt", 30*time.Second, 0, 0, "off"
				c.PluginDirs = append(c.PluginDirs, "/a", "/b")
			},
			dump: defaultDump + "\n[qgad]\nplugin-dirs=/opt/qgad/bin,/usr/lib/qgad/plugins,/a,/b\nsysroot=/r\nruntime-dir=/rt\ncall-timeout=30s\nplugin-idle-stop=0s\nfsfreeze-hook-timeout=0s\nplugin-memory-limit=off\n"},
		{name: "empty plugin-dirs means none", argv: []string{"qgad"},
			env:  map[string]string{"QGA_CONF": "inline:[qgad]\nplugin-dirs=\n"},
			want: func(c *Config, conf string) { c.PluginDirs, c.ConfigPath = []string{}, conf },
			dump: defaultDump + "\n[qgad]\nplugin-dirs=\n"},
		{name: "not root: runtime dir under XDG_RUNTIME_DIR", argv: []string{"qgad"},
			env: map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"},
			sys: func(s *system) { s.euid = 1000 },
			want: func(c *Config, conf string) {
				c.RuntimeDir, c.dfl.runtimeDir = "/run/user/1000/qgad", "/run/user/1000/qgad"
			},
			dump: defaultDump},
		{name: "executable in the packaged directory", argv: []string{"qgad"},
			sys: func(s *system) { s.exeDir = DefaultPluginDir },
			want: func(c *Config, conf string) {
				c.PluginDirs = []string{DefaultPluginDir}
				c.dfl.pluginDirs = c.PluginDirs
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"QGA_CONF": noConf(t)}
			for k, v := range tc.env {
				env[k] = v
			}
			if text, ok := strings.CutPrefix(env["QGA_CONF"], "inline:"); ok {
				env["QGA_CONF"] = writeConf(t, text)
			}
			sys := testSystem(env)
			if tc.sys != nil {
				tc.sys(&sys)
			}
			got, err := parse(tc.argv, sys)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			want := base()
			tc.want(want, env["QGA_CONF"])
			if !reflect.DeepEqual(got, want) {
				t.Errorf("config\n got %+v\nwant %+v", *got, *want)
			}
			if tc.dump != "" {
				var b bytes.Buffer
				got.Dump(&b)
				if b.String() != tc.dump {
					t.Errorf("dump\n got %q\nwant %q", b.String(), tc.dump)
				}
			}
		})
	}
}

func TestUseActivatedSocket(t *testing.T) {
	cfg, err := parse([]string{"qgad", "-m", "isa-serial", "-p", "/dev/ttyS1", "-D"}, testSystem(map[string]string{"QGA_CONF": noConf(t)}))
	if err != nil {
		t.Fatal(err)
	}
	cfg.UseActivatedSocket("unix-listen")
	if !cfg.HasPath() || cfg.Method != "unix-listen" || cfg.Path != "" {
		t.Errorf("after activation: HasPath %v, method %q, path %q", cfg.HasPath(), cfg.Method, cfg.Path)
	}
	var b bytes.Buffer
	cfg.Dump(&b)
	// qemu-ga's -D under socket activation: the method, no path.
	want := strings.Replace(defaultDump, "method=virtio-serial\npath=/dev/virtio-ports/org.qemu.guest_agent.0\n", "method=unix-listen\n", 1)
	if b.String() != want {
		t.Errorf("dump\n got %q\nwant %q", b.String(), want)
	}
}
