package config

import (
	"bytes"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	var b bytes.Buffer
	UsageVersion(&b, "/usr/sbin/qemu-ga", "1.2.3")
	text := b.String()
	lines := strings.Split(text, "\n")
	if lines[0] != "Usage: /usr/sbin/qemu-ga [-m <method> -p <path>] [<options>]" || lines[1] != "QEMU Guest Agent 1.2.3 (qgad)" {
		t.Errorf("header %q", lines[:2])
	}
	// Every option the parser knows is documented, with its short form.
	for _, o := range qemuGALongOpts() {
		want := "  -" + string(o.val) + ", --" + o.name
		if !strings.Contains(text, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
	for _, o := range qgadLongOpts() {
		if !strings.Contains(text, "      --"+o.name+"=") {
			t.Errorf("usage lacks --%s", o.name)
		}
	}
	for _, def := range []string{DefaultConfigPath, DefaultVirtioPath, DefaultSerialPath, DefaultPidFile,
		DefaultFsfreezeHook, DefaultStateDir, DefaultPluginDir, DefaultRuntimeDir, "(default is 5m;", "(default is 1m;"} {
		if !strings.Contains(text, def) {
			t.Errorf("usage lacks default %q", def)
		}
	}
	for i, l := range lines {
		if len(l) > 80 {
			t.Errorf("line %d longer than 80 columns: %q", i+1, l)
		}
	}
	b.Reset()
	Usage(&b, "qgad")
	if !strings.Contains(b.String(), "\nQEMU Guest Agent (qgad)\n") {
		t.Errorf("Usage without version: %q", strings.SplitN(b.String(), "\n", 3)[:2])
	}
}
