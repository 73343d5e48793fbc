package file

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/sdk"
)

// side is one agent of the comparison: its directory (its working and state
// directory, which "@" stands for in the script) and how to run a command.
type side struct {
	dir    string
	call   func(t *testing.T, cmd, args string) string // a response line
	writer int                                         // write end of its FIFO, or -1
}

// cmpStep is a command (args with "@" for the directory) or an action run
// on both sides; either way both sides must give the same text.
type cmpStep struct {
	cmd, args string
	do        func(t *testing.T, s *side) string
}

// TestCompareWithQemuGA runs one long script of guest-file-* commands, in
// temporary directories only, through Debian's qemu-ga 7.2 and in-process
// (root "/", working directory = state directory, as qemu-ga's test
// fixture runs), and wants byte-identical responses, directory aside. Spec
// section 6 lists no 7.2 difference for these commands.
func TestCompareWithQemuGA(t *testing.T) {
	q := qgatest.StartQemuGA(t)
	qemu := &side{dir: q.Dir, writer: -1, call: func(t *testing.T, cmd, args string) string {
		return q.Response(t, cmd, args)
	}}

	dir := qgatest.TempDir(t)
	t.Chdir(dir)
	env := sdk.TestEnv("/")
	env.StateDir = dir
	p, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	qgad := &side{dir: dir, writer: -1, call: func(t *testing.T, cmd, args string) string {
		return qgatest.PluginResponse(t, p, cmd, args)
	}}

	for i, st := range compareScript() {
		var got [2]string
		for j, s := range []*side{qemu, qgad} {
			if st.do != nil {
				got[j] = st.do(t, s)
			} else {
				got[j] = s.call(t, st.cmd, strings.ReplaceAll(st.args, "@", s.dir))
			}
			got[j] = strings.ReplaceAll(got[j], s.dir, "@")
		}
		if got[0] != got[1] {
			t.Errorf("step %d %s %s:\nqemu-ga: %.300s\n   qgad: %.300s", i, st.cmd, st.args, got[0], got[1])
		}
	}
	for _, s := range []*side{qemu, qgad} {
		if s.writer >= 0 {
			_ = syscall.Close(s.writer)
		}
	}
	if a, b := readFile(t, filepath.Join(q.Dir, "qga.state")), readFile(t, filepath.Join(dir, "qga.state")); a != b {
		t.Errorf("qga.state: qemu-ga %q, qgad %q", a, b)
	}
}

func compareScript() []cmpStep {
	c := func(cmd, args string) cmpStep { return cmpStep{cmd: cmd, args: args} }
	do := func(f func(t *testing.T, s *side) string) cmpStep { return cmpStep{do: f} }
	file := func(name, data string) cmpStep {
		return do(func(t *testing.T, s *side) string {
			writeFile(t, filepath.Join(s.dir, name), data, 0o644)
			return ""
		})
	}
	contents := func(name string) cmpStep {
		return do(func(t *testing.T, s *side) string {
			b, err := os.ReadFile(filepath.Join(s.dir, name))
			return fmt.Sprintf("%q %v", b, err)
		})
	}
	perm := func(name string) cmpStep {
		return do(func(t *testing.T, s *side) string {
			st, err := os.Stat(filepath.Join(s.dir, name))
			if err != nil {
				return err.Error()
			}
			return st.Mode().String()
		})
	}
	fifoWrite := func(data string) cmpStep {
		return do(func(t *testing.T, s *side) string {
			if s.writer < 0 {
				s.writer = fifoWriter(t, filepath.Join(s.dir, "fifo"))
			}
			n, err := syscall.Write(s.writer, []byte(data))
			return fmt.Sprint(n, err)
		})
	}
	fifoClose := do(func(t *testing.T, s *side) string {
		err := syscall.Close(s.writer)
		s.writer = -1
		return fmt.Sprint(err)
	})
	h := func(format string, a ...any) string { return fmt.Sprintf(format, a...) }
	enc := base64.StdEncoding.EncodeToString([]byte(hello14))

	var s []cmpStep
	add := func(steps ...cmpStep) { s = append(s, steps...) }
	next := 1000 // the next handle both agents hand out

	// test-qga's /qga/file-ops and /qga/file-write-read, relative path.
	add(c("guest-file-open", `{"path": "foo", "mode": "w+"}`),
		c("guest-file-write", h(`{"handle": %d, "buf-b64": %q}`, next, enc)),
		c("guest-file-flush", h(`{"handle": %d}`, next)),
		c("guest-file-close", h(`{"handle": %d}`, next)),
		contents("foo"),
		c("guest-file-open", `{"path": "foo", "mode": "r"}`),
		c("guest-file-read", h(`{"handle": %d}`, next+1)),
		c("guest-file-read", h(`{"handle": %d}`, next+1)),
		c("guest-file-seek", h(`{"handle": %d, "offset": 6, "whence": "set"}`, next+1)),
		c("guest-file-read", h(`{"handle": %d}`, next+1)),
		c("guest-file-close", h(`{"handle": %d}`, next+1)),
		c("guest-file-open", `{"path": "foo", "mode": "w+"}`),
		c("guest-file-write", h(`{"handle": %d, "buf-b64": %q}`, next+2, enc)),
		c("guest-file-read", h(`{"handle": %d}`, next+2)),
		c("guest-file-seek", h(`{"handle": %d, "offset": 0, "whence": "set"}`, next+2)),
		c("guest-file-read", h(`{"handle": %d}`, next+2)),
		c("guest-file-close", h(`{"handle": %d}`, next+2)))
	next += 3

	// Every mode on an existing file, and on a missing one.
	for _, mode := range []string{"r", "rb", "w", "wb", "a", "ab", "r+", "rb+", "r+b", "w+", "wb+", "w+b", "a+", "ab+", "a+b"} {
		name := "m" + strings.ReplaceAll(mode, "+", "p")
		add(file(name, "hello"),
			c("guest-file-open", h(`{"path": "@/%s", "mode": %q}`, name, mode)),
			c("guest-file-write", h(`{"handle": %d, "buf-b64": "QUJD"}`, next)),
			c("guest-file-read", h(`{"handle": %d, "count": 2}`, next)),
			c("guest-file-write", h(`{"handle": %d, "buf-b64": "REVG"}`, next)),
			c("guest-file-seek", h(`{"handle": %d, "offset": 0, "whence": "set"}`, next)),
			c("guest-file-read", h(`{"handle": %d, "count": 20}`, next)),
			c("guest-file-close", h(`{"handle": %d}`, next)),
			contents(name), perm(name),
			c("guest-file-open", h(`{"path": "@/new-%s", "mode": %q}`, name, mode)),
			perm("new-"+name))
		next++
		if mode[0] != 'r' {
			add(c("guest-file-close", h(`{"handle": %d}`, next)))
			next++
		}
	}
	add(c("guest-file-open", `{"path": "@/x", "mode": "rw"}`),
		c("guest-file-open", `{"path": "@/x", "mode": ""}`),
		c("guest-file-open", `{"path": "@/x", "mode": "wx"}`),
		c("guest-file-open", `{"path": "@/no/such", "mode": "w"}`),
		c("guest-file-open", `{"path": "@/foo/x", "mode": "r"}`),
		c("guest-file-open", `{"path": "@/missing"}`),
		c("guest-file-open", `{"path": "@", "mode": "a"}`),
		do(func(t *testing.T, s *side) string {
			return fmt.Sprint(os.Symlink(filepath.Join(s.dir, "nowhere"), filepath.Join(s.dir, "link")))
		}),
		c("guest-file-open", `{"path": "@/link", "mode": "w"}`),
		c("guest-file-open", `{"path": "@/link", "mode": "r"}`))

	// Unknown handles and argument checks in qemu-ga's order.
	add(c("guest-file-read", `{"handle": 42, "count": -1}`),
		c("guest-file-write", `{"handle": 42, "buf-b64": "!"}`),
		c("guest-file-seek", `{"handle": 42, "offset": 0, "whence": 7}`),
		c("guest-file-flush", `{"handle": 42}`),
		c("guest-file-close", `{"handle": 42}`))
	add(c("guest-file-open", `{"path": "@/f", "mode": "w+"}`))
	f := next
	next++
	for _, args := range []string{
		`"count": -1`, `"count": 50331649`, `"count": 0`, `"count": 1`,
	} {
		add(c("guest-file-read", h(`{"handle": %d, %s}`, f, args)))
	}
	// glib's lenient base64, each written at the start and read back.
	for _, b64 := range []string{
		"", "QUJD", "QQ==", "QUI=", "QR==", "QU\nJD\n", "QQ=\n=", "QUI", "QUJDQQ", "QUJDQQ=", "QUJD=",
		"QU=D", "QQ==QUJD", "Q===", "====", "Q=JD", "QUJD====QUJD",
		"QU JD", "QUJD\r\n", "QUJD\t", "QUJ-", "QUJ_", "QUJ\u00e9",
	} {
		add(c("guest-file-seek", h(`{"handle": %d, "offset": 0, "whence": 0}`, f)),
			c("guest-file-write", h(`{"handle": %d, "buf-b64": %q}`, f, b64)),
			c("guest-file-seek", h(`{"handle": %d, "offset": 0, "whence": 0}`, f)),
			c("guest-file-read", h(`{"handle": %d, "count": 12}`, f)))
	}
	for _, args := range []string{
		`"buf-b64": "QUJD", "count": 4`, `"buf-b64": "QUJD", "count": -1`, `"buf-b64": "QUJD", "count": 2`,
		`"buf-b64": "QUJD", "count": 0`, `"buf-b64": "*", "count": 9`, `"buf-b64": "", "count": 1`,
	} {
		add(c("guest-file-write", h(`{"handle": %d, %s}`, f, args)))
	}
	for _, args := range []string{
		`"offset": 0, "whence": 3`, `"offset": 0, "whence": -1`, `"offset": 0, "whence": "top"`,
		`"offset": 0, "whence": true`, `"offset": 0, "whence": null`, `"offset": 0, "whence": [0]`,
		`"offset": 2, "whence": 0`, `"offset": 3, "whence": 1`, `"offset": -4, "whence": 2`,
		`"offset": 1, "whence": "set"`, `"offset": 1, "whence": "cur"`, `"offset": 0, "whence": "end"`,
		`"offset": 100, "whence": "end"`, `"offset": -1, "whence": "set"`, `"offset": -200, "whence": "cur"`,
		`"offset": -1000, "whence": "end"`,
	} {
		add(c("guest-file-seek", h(`{"handle": %d, %s}`, f, args)))
	}
	add(c("guest-file-close", h(`{"handle": %d}`, f)),
		c("guest-file-close", h(`{"handle": %d}`, f)))

	// The eof rule.
	add(file("e", hello14), c("guest-file-open", `{"path": "@/e"}`))
	for _, count := range []int{14, 4096, 0, 4096} {
		add(c("guest-file-read", h(`{"handle": %d, "count": %d}`, next, count)))
	}
	add(c("guest-file-seek", h(`{"handle": %d, "offset": 0, "whence": 0}`, next)),
		c("guest-file-read", h(`{"handle": %d, "count": 5}`, next)),
		c("guest-file-read", h(`{"handle": %d, "count": 15}`, next)),
		c("guest-file-close", h(`{"handle": %d}`, next)))
	next++

	// A directory.
	add(c("guest-file-open", `{"path": "@", "mode": "r"}`),
		c("guest-file-read", h(`{"handle": %d}`, next)),
		c("guest-file-read", h(`{"handle": %d, "count": 0}`, next)),
		c("guest-file-write", h(`{"handle": %d, "buf-b64": "QUJD"}`, next)),
		c("guest-file-write", h(`{"handle": %d, "buf-b64": "QUJD", "count": 0}`, next)),
		c("guest-file-seek", h(`{"handle": %d, "offset": 0, "whence": 2}`, next)),
		c("guest-file-close", h(`{"handle": %d}`, next)))
	next++

	// A FIFO, read-only then read-write.
	add(do(func(t *testing.T, s *side) string { mkfifo(t, filepath.Join(s.dir, "fifo")); return "" }),
		c("guest-file-open", `{"path": "@/fifo", "mode": "w"}`),
		c("guest-file-open", `{"path": "@/fifo", "mode": "r"}`),
		c("guest-file-read", h(`{"handle": %d}`, next)),
		fifoWrite(""),
		c("guest-file-read", h(`{"handle": %d}`, next)),
		fifoWrite("hello"),
		c("guest-file-read", h(`{"handle": %d, "count": 3}`, next)),
		c("guest-file-read", h(`{"handle": %d}`, next)),
		fifoWrite("hello"),
		c("guest-file-read", h(`{"handle": %d, "count": 5}`, next)),
		fifoWrite("hello"),
		fifoClose,
		c("guest-file-read", h(`{"handle": %d}`, next)),
		c("guest-file-seek", h(`{"handle": %d, "offset": 0, "whence": 1}`, next)),
		c("guest-file-write", h(`{"handle": %d, "buf-b64": "QUJD"}`, next)),
		c("guest-file-write", h(`{"handle": %d, "buf-b64": ""}`, next)),
		c("guest-file-flush", h(`{"handle": %d}`, next)),
		c("guest-file-close", h(`{"handle": %d}`, next)))
	next++
	// It stops before the one known difference: a write after a read that
	// left read-ahead in glibc's buffer (here after "read 1") makes every
	// later flush, read and close of qemu-ga fail with "Illegal seek", as
	// glibc cannot seek a pipe back over the unread bytes; qgad reads
	// without read-ahead.
	rw := []string{
		`write QUJD`, `read`, `write QUJD`, `flush`, `write QUJD`, `read 2`, `write QUJD`, `read 1`,
		`flush`, `seek`, `read`,
	}
	add(c("guest-file-open", `{"path": "@/fifo", "mode": "r+"}`))
	for _, op := range rw {
		var name, args string
		switch w := strings.Fields(op); w[0] {
		case "write":
			name, args = "guest-file-write", h(`{"handle": %d, "buf-b64": %q}`, next, w[1])
		case "read":
			name, args = "guest-file-read", h(`{"handle": %d}`, next)
			if len(w) > 1 {
				name, args = "guest-file-read", h(`{"handle": %d, "count": %s}`, next, w[1])
			}
		case "flush":
			name, args = "guest-file-flush", h(`{"handle": %d}`, next)
		case "seek":
			name, args = "guest-file-seek", h(`{"handle": %d, "offset": 0, "whence": "cur"}`, next)
		}
		add(c(name, args))
	}
	add(c("guest-file-close", h(`{"handle": %d}`, next)))
	next++

	// Large reads at the 4 MiB and 48 MiB boundaries.
	add(do(func(t *testing.T, s *side) string {
		b := make([]byte, maxReadCount+10)
		for i := range b {
			b[i] = byte(i * 13 / 7)
		}
		return fmt.Sprint(os.WriteFile(filepath.Join(s.dir, "big"), b, 0o644))
	}), c("guest-file-open", `{"path": "@/big"}`))
	for _, count := range []int{4 << 20, 4<<20 + 1, maxReadCount, maxReadCount} {
		add(c("guest-file-read", h(`{"handle": %d, "count": %d}`, next, count)))
	}
	add(c("guest-file-seek", h(`{"handle": %d, "offset": 10, "whence": 0}`, next)),
		c("guest-file-read", h(`{"handle": %d, "count": %d}`, next, maxReadCount)),
		c("guest-file-read", h(`{"handle": %d, "count": %d}`, next, maxReadCount)),
		c("guest-file-close", h(`{"handle": %d}`, next)))
	return s
}
