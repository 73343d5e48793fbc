package system

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
)

// FuzzOSRelease: the os-release key-file parser and the value unquoting
// never panic; accepted keys are glib key names; every value serializes.
func FuzzOSRelease(f *testing.F) {
	for _, s := range []string{
		"NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n",
		"PRETTY_NAME=\"Fedora Linux 40 (Workstation Edition)\"\nVARIANT_ID=workstation\n",
		"# comment\n\n[group]\nKEY[de]=wert\nEncoding=UTF-8\n",
		"NAME=\"unterminated\nID=a b;c\nX=\"a\\\"b\\$c\\\\d\\x\"\n",
		"=novalue\n", "KEY", "Encoding=latin1\n", "\xff\xfe", "A=1\r\nB=2\r", "A=caf\xc3\xa9\x00hidden\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := parseOSRelease(data)
		if err != nil {
			return
		}
		for k, v := range keys {
			if k == "" || strings.ContainsAny(k, "=\n") {
				t.Fatalf("bad key %q", k)
			}
			if strings.Contains(v, "\n") {
				t.Fatalf("value of %s spans lines: %q", k, v)
			}
			qgatest.Serializable(t, osReleaseValue(v))
		}
	})
}

// FuzzCPUStats: any /proc/stat line either is skipped, stops the scan, or
// gives an entry that serializes.
func FuzzCPUStats(f *testing.F) {
	for _, s := range []string{
		"cpu  10 20 30 40 50 60 70 80 90 100\n",
		"cpu0 8542 0 4575 1278123 1478 0 65 0 0 0\n",
		"cpu1 1 2 3\n", "cpu2 1 2 3 4 5 6\n", "cpu12345678901234567890 1 2 3 4\n",
		"cpux -1 +2 0x3 4\n", "intr 1 2 3\n", "cpu3 18446744073709551615 18446744073709551616 1 1\n",
		"cpu\t4\t1\t1\t1\t1\n", "cpu5 1 2 3 4\x00 5 6\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		st, verdict := parseCPULine(line)
		switch verdict {
		case lineUse:
			if st.Type != "linux" {
				t.Fatalf("entry of type %q", st.Type)
			}
			qgatest.Serializable(t, st)
		case lineSkip, lineStop:
		default:
			t.Fatalf("verdict %d", verdict)
		}
	})
}

// FuzzLoadavg: glibc's getloadavg on any /proc/loadavg content either
// fails with qemu-ga's text or gives three numbers that serialize.
func FuzzLoadavg(f *testing.F) {
	for _, s := range []string{
		"0.52 0.58 0.59 2/1161 1234\n", "1 2 3", "0.5\n", "nan inf -inf 1/1 1\n", "0x1p3 1e308 1e309 x\n",
		"", "\n", "   1    2    3    \n", "1,5 2,5 3,5\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "loadavg")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		v, err := getloadavg(path)
		if err != nil {
			qe, ok := err.(*qapi.Error)
			if !ok || !bytes.HasPrefix([]byte(qe.Desc), []byte("cannot query load average")) {
				t.Fatalf("error %#v", err)
			}
			return
		}
		qgatest.Serializable(t, loadAverage{Load1m: v[0], Load5m: v[1], Load15m: v[2]})
	})
}
