package e2e

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Tests of the harness itself: they run in every `go test ./...`, without
// QEMU, so a broken image builder or client shows here first.

// readNewc parses a newc archive independently of writeRecord: fixed
// header offsets, 4-byte alignment, the trailer.
func readNewc(t *testing.T, b []byte) map[string]*entry {
	t.Helper()
	out := map[string]*entry{}
	field := func(h []byte, i int) int {
		v, err := strconv.ParseUint(string(h[6+8*i:14+8*i]), 16, 32)
		if err != nil {
			t.Fatalf("bad header field %d: %q", i, h)
		}
		return int(v)
	}
	align := func(n int) int { return (n + 3) &^ 3 }
	for off := 0; ; {
		if off+110 > len(b) || string(b[off:off+6]) != "070701" {
			t.Fatalf("no newc header at %d", off)
		}
		h := b[off : off+110]
		mode, size, namesize := field(h, 1), field(h, 6), field(h, 11)
		name := string(b[off+110 : off+110+namesize-1])
		if b[off+110+namesize-1] != 0 {
			t.Fatalf("%s: name not NUL-terminated", name)
		}
		data := off + align(110+namesize)
		if name == "TRAILER!!!" {
			if end := align(data + size); end != len(b) {
				t.Fatalf("%d bytes after the trailer", len(b)-end)
			}
			return out
		}
		out[name] = &entry{mode: uint32(mode), data: b[data : data+size]}
		off = align(data + size)
	}
}

func TestImageArchive(t *testing.T) {
	host := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(host, []byte("from the host"), 0o600); err != nil {
		t.Fatal(err)
	}
	im := newImage()
	im.dir("root", 0o700)
	im.file("/root/.ssh/authorized_keys", 0o600, []byte("key\n"))
	im.dir("tmp", 0o1777)
	im.hostFile("usr/sbin/prog", 0o755, host)
	im.symlink("var/run", "../run")
	im.file("odd", 0o644, []byte("12345")) // needs padding
	var buf bytes.Buffer
	if err := im.writeTo(&buf); err != nil {
		t.Fatal(err)
	}
	got := readNewc(t, buf.Bytes())
	tests := []struct {
		path string
		mode uint32
		data string
	}{
		{"root", modeDir | 0o700, ""},
		{"root/.ssh", modeDir | 0o755, ""},
		{"root/.ssh/authorized_keys", modeFile | 0o600, "key\n"},
		{"tmp", modeDir | 0o1777, ""},
		{"usr", modeDir | 0o755, ""},
		{"usr/sbin/prog", modeFile | 0o755, "from the host"},
		{"var/run", modeLink | 0o777, "../run"},
		{"odd", modeFile | 0o644, "12345"},
	}
	for _, tc := range tests {
		e, ok := got[tc.path]
		if !ok {
			t.Errorf("%s missing", tc.path)
			continue
		}
		if e.mode != tc.mode || string(e.data) != tc.data {
			t.Errorf("%s: mode %o data %q, want %o %q", tc.path, e.mode, e.data, tc.mode, tc.data)
		}
	}
	if len(got) != 10 { // the above plus usr/sbin and var
		t.Errorf("%d entries: %v", len(got), slices.Sorted(maps.Keys(got)))
	}
}

// fakeELF writes a minimal ELF64 file: an optional PT_INTERP program
// header and an optional .modinfo section, enough for debug/elf.
func fakeELF(t *testing.T, path string, machine elf.Machine, interp string, modinfo []string) {
	t.Helper()
	le := binary.LittleEndian
	var body bytes.Buffer // everything after the header and program headers
	nph := 0
	if interp != "" {
		nph = 1
	}
	base := 64 + 56*nph
	interpOff := base + body.Len()
	body.WriteString(interp + "\x00")
	modOff := base + body.Len()
	mod := strings.Join(modinfo, "\x00") + "\x00"
	body.WriteString(mod)
	strOff := base + body.Len()
	shstr := "\x00.shstrtab\x00.modinfo\x00"
	body.WriteString(shstr)
	for body.Len()%8 != 0 {
		body.WriteByte(0)
	}
	shOff := base + body.Len()
	sections := [][]uint64{ // name, type, offset, size
		{0, 0, 0, 0},
		{1, uint64(elf.SHT_STRTAB), uint64(strOff), uint64(len(shstr))},
	}
	if modinfo != nil {
		sections = append(sections, []uint64{11, uint64(elf.SHT_PROGBITS), uint64(modOff), uint64(len(mod))})
	}
	h := make([]byte, 64)
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), 1
	le.PutUint16(h[16:], uint16(elf.ET_REL))
	le.PutUint16(h[18:], uint16(machine))
	le.PutUint32(h[20:], 1)
	if nph > 0 {
		le.PutUint64(h[32:], 64) // e_phoff
	}
	le.PutUint64(h[40:], uint64(shOff))
	le.PutUint16(h[52:], 64)
	le.PutUint16(h[54:], 56)
	le.PutUint16(h[56:], uint16(nph))
	le.PutUint16(h[58:], 64)
	le.PutUint16(h[60:], uint16(len(sections)))
	le.PutUint16(h[62:], 1) // .shstrtab
	out := bytes.NewBuffer(h)
	if nph > 0 {
		ph := make([]byte, 56)
		le.PutUint32(ph[0:], uint32(elf.PT_INTERP))
		le.PutUint64(ph[8:], uint64(interpOff))
		le.PutUint64(ph[32:], uint64(len(interp)+1))
		le.PutUint64(ph[40:], uint64(len(interp)+1))
		out.Write(ph)
	}
	out.Write(body.Bytes())
	for _, s := range sections {
		sh := make([]byte, 64)
		le.PutUint32(sh[0:], uint32(s[0]))
		le.PutUint32(sh[4:], uint32(s[1]))
		le.PutUint64(sh[24:], s[2])
		le.PutUint64(sh[32:], s[3])
		le.PutUint64(sh[48:], 1)
		out.Write(sh)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestCheckStatic(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		machine elf.Machine
		interp  string
		wantErr string
	}{
		{"static", elf.EM_X86_64, "", ""},
		{"dynamic", elf.EM_X86_64, "/lib64/ld-linux-x86-64.so.2", "dynamically linked"},
		{"arm", elf.EM_AARCH64, "", "the guest is x86_64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			fakeELF(t, p, tc.machine, tc.interp, nil)
			err := checkStatic(p)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("checkStatic: %v, want %q", err, tc.wantErr)
			}
		})
	}
	if err := checkStatic(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file passed")
	}
}

func TestResolveModules(t *testing.T) {
	mod := t.TempDir()
	ko := func(rel string, info ...string) {
		fakeELF(t, filepath.Join(mod, "kernel", rel), elf.EM_X86_64, "", info)
	}
	ko("drivers/net/virtio_net.ko", "license=GPL", "depends=net_failover,virtio_ring", "name=virtio_net")
	ko("drivers/net/net_failover.ko", "depends=failover")
	ko("net/core/failover.ko", "depends=")
	ko("drivers/virtio/virtio_ring.ko", "depends=virtio")
	ko("drivers/char/hw_random/virtio-rng.ko", "depends=virtio_ring")
	ko("drivers/a/loop_a.ko", "depends=loop_b")
	ko("drivers/a/loop_b.ko", "depends=loop_a")
	ko("drivers/a/broken.ko", "depends=no_such_module")
	if err := os.WriteFile(filepath.Join(mod, "modules.builtin"), []byte("kernel/drivers/virtio/virtio.ko\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		names   []string
		want    []string
		wantErr string
	}{
		{[]string{"virtio_net"}, []string{"kernel/net/core/failover.ko", "kernel/drivers/net/net_failover.ko",
			"kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/net/virtio_net.ko"}, ""},
		{[]string{"virtio_rng", "virtio-net"}, []string{"kernel/drivers/virtio/virtio_ring.ko",
			"kernel/drivers/char/hw_random/virtio-rng.ko", "kernel/net/core/failover.ko",
			"kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko"}, ""},
		{[]string{"virtio"}, nil, ""}, // built in
		{[]string{"loop_a"}, nil, "cycle"},
		{[]string{"broken"}, nil, "no_such_module not found"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.names, ","), func(t *testing.T) {
			got, err := resolveModules(mod, tc.names)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %v, %v\nwant %v", got, err, tc.want)
			}
		})
	}
}

func TestLddPaths(t *testing.T) {
	out := "\tlinux-vdso.so.1 (0x00007ffd)\n" +
		"\tlibglib-2.0.so.0 => /lib/x86_64-linux-gnu/libglib-2.0.so.0 (0x00007f)\n" +
		"\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n" +
		"\t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n" +
		"\tlibgone.so.1 => not found\n"
	want := []string{"/lib/x86_64-linux-gnu/libglib-2.0.so.0", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"}
	if got := lddPaths(out); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParsePVE(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		ok      bool
		wantErr bool
		sync    string
		reply   string
	}{
		{"two replies", "\xff{\"return\": 7}\n{\"return\": {}}\n", true, false, `{"return": 7}`, `{"return": {}}`},
		{"garbage before", "{\"error\": {\"desc\": \"stray\"}}\n\xff{\"return\": 7}\n{\"return\": 1}\n", true, false, `{"return": 7}`, `{"return": 1}`},
		{"crlf", "\xff{\"return\": 7}\r\n{\"return\": 1}\r\n", true, false, `{"return": 7}`, `{"return": 1}`},
		{"only the sync yet", "\xff{\"return\": 7}\n{\"ret", false, false, "", ""},
		{"no delimiter", "{\"return\": 7}\n{\"return\": 1}\n", false, false, "", ""},
		{"U+FFFD is not 0xFF", "\xef\xbf\xbd{\"return\": 7}\n{\"return\": 1}\n", false, true, "", ""},
		{"reply split over lines", "\xff{\"return\": 7}\n{\"return\":\n 1}\n", false, false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sync, reply, ok, err := parsePVE([]byte(tc.in))
			if ok != tc.ok || (err != nil) != tc.wantErr || string(sync) != tc.sync || string(reply) != tc.reply {
				t.Errorf("got %q %q %v %v", sync, reply, ok, err)
			}
		})
	}
}

func TestUtmpLayout(t *testing.T) {
	b := utmpBytes(guestUtmp)
	if len(b) != 384*len(guestUtmp) {
		t.Fatalf("%d bytes for %d records", len(b), len(guestUtmp))
	}
	for i, r := range guestUtmp {
		rec := b[384*i:]
		user := string(bytes.TrimRight(rec[44:76], "\x00"))
		typ := int16(binary.LittleEndian.Uint16(rec))
		sec := int32(binary.LittleEndian.Uint32(rec[340:]))
		usec := int32(binary.LittleEndian.Uint32(rec[344:]))
		if user != r.User || typ != r.Type || sec != r.Sec || usec != r.Usec {
			t.Errorf("record %d: %s type %d at %d.%06d, want %+v", i, user, typ, sec, usec, r)
		}
	}
}

// The guest scripts are POSIX sh run by busybox: at least they must parse.
func TestGuestScriptsParse(t *testing.T) {
	for name, s := range map[string][]byte{"init.sh": initScript, "power.sh": powerScript} {
		cmd := exec.Command("sh", "-n")
		cmd.Stdin = bytes.NewReader(s)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
		if !bytes.HasPrefix(s, []byte("#!/bin/sh\n")) {
			t.Errorf("%s: no #!/bin/sh line", name)
		}
	}
}

func TestResultsTable(t *testing.T) {
	res := map[string]*measures{
		"qgad": {Boot: 3200e6, PingP50: 560e3, PingP90: 900e3, Freeze: 80e6, Thaw: 9e6, RestartFrozen: 650e6, Shutdown: 190e6},
	}
	out := resultsTable(profiles, res, &kernel{Release: "6.1.0-test"}, 0)
	for _, want := range []string{
		"| measure | qgad | qemu-ga 7.2 |",
		"| boot to first reply (QEMU start to guest-sync-delimited answer) | 3.20 s | – |",
		"| guest-ping round trip, p50 (p90) of 200 | 0.56 ms (0.90 ms) | – |",
		"| guest-fsfreeze-thaw | 9.00 ms | – |",
		"`make e2e`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n|"); n != 9 {
		t.Errorf("%d table rows, want 9:\n%s", n, out)
	}
}
