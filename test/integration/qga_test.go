package integration

// A port of QEMU's tests/unit/test-qga.c (spec section 4) run against
// bin/qgad with its real plugin processes: one shared agent and connection
// for the shared-fixture tests, in upstream's order, and own agents for
// blockedrpcs, allowedrpcs, config and guest-get-osinfo.

import (
	"bytes"
	"context"
	"encoding/base64"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
)

func get(t *testing.T, v any, key string) any {
	t.Helper()
	o, ok := v.(*qapi.Object)
	if !ok {
		t.Fatalf("%v is not an object", v)
	}
	x, ok := o.Get(key)
	if !ok {
		t.Fatalf("member %q missing in %s", key, mustMarshal(v))
	}
	return x
}

func has(v any, key string) bool {
	o, ok := v.(*qapi.Object)
	if !ok {
		return false
	}
	_, ok = o.Get(key)
	return ok
}

func mustMarshal(v any) string {
	b, _ := qapi.Marshal(v)
	return string(b)
}

func TestQGA(t *testing.T) {
	a := qgatest.StartQgad(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("sync-delimited", func(t *testing.T) {
		r := rand.Int64N(1 << 32)
		req := "\xff{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": " + itoa(r) + "}}\n"
		if err := a.C.Write(ctx, []byte(req)); err != nil {
			t.Fatal(err)
		}
		// Read single bytes up to the 0xFF; what precedes it is the error
		// for our own 0xFF.
		var pre []byte
		b := make([]byte, 1)
		for {
			if _, err := a.C.Conn().Read(b); err != nil {
				t.Fatal(err)
			}
			if b[0] == 0xFF {
				break
			}
			pre = append(pre, b[0])
		}
		line, err := a.C.ReadLine(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(line), `{"return": `+itoa(r)+`}`; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
		if string(pre) != "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\uFFFD'\"}}\n" {
			t.Errorf("before the delimiter: %q", pre)
		}
	})
	t.Run("sync", func(t *testing.T) {
		r := rand.Int64N(1 << 32)
		if v := a.MustCall(t, "guest-sync", `{"id": `+itoa(r)+`}`); v != r {
			t.Errorf("got %v want %d", v, r)
		}
	})
	t.Run("ping", func(t *testing.T) {
		if v := a.MustCall(t, "guest-ping", ""); mustMarshal(v) != "{}" {
			t.Errorf("got %s", mustMarshal(v))
		}
	})
	t.Run("info", func(t *testing.T) {
		v := a.MustCall(t, "guest-info", "")
		if get(t, v, "version") != "1.0.0" {
			t.Errorf("version %v", get(t, v, "version"))
		}
	})
	t.Run("network-get-interfaces", func(t *testing.T) {
		l := a.MustCall(t, "guest-network-get-interfaces", "").([]any)
		if len(l) == 0 || !has(l[0], "name") {
			t.Errorf("got %s", mustMarshal(l))
		}
	})
	t.Run("get-vcpus", func(t *testing.T) {
		l := a.MustCall(t, "guest-get-vcpus", "").([]any)
		if len(l) == 0 || !has(l[0], "online") || !has(l[0], "logical-id") {
			t.Errorf("got %s", mustMarshal(l))
		}
	})
	t.Run("get-fsinfo", func(t *testing.T) {
		l := a.MustCall(t, "guest-get-fsinfo", "").([]any)
		for _, k := range []string{"name", "mountpoint", "type", "disk"} {
			if len(l) > 0 && !has(l[0], k) {
				t.Errorf("first entry lacks %s: %s", k, mustMarshal(l[0]))
			}
		}
	})
	t.Run("get-load", func(t *testing.T) {
		v := a.MustCall(t, "guest-get-load", "")
		for _, k := range []string{"load1m", "load5m", "load15m"} {
			get(t, v, k)
		}
	})
	t.Run("get-memory-block-info", func(t *testing.T) {
		v, qerr := a.Call(t, "guest-get-memory-block-info", "")
		if qerr == nil && get(t, v, "size").(int64) <= 0 {
			t.Errorf("size %v", v)
		}
	})
	t.Run("get-memory-blocks", func(t *testing.T) {
		v, qerr := a.Call(t, "guest-get-memory-blocks", "")
		if qerr == nil {
			if l := v.([]any); len(l) > 0 && (!has(l[0], "phys-index") || !has(l[0], "online")) {
				t.Errorf("got %s", mustMarshal(l[0]))
			}
		}
	})
	data := []byte("Hello World!\n\x00")
	enc := base64.StdEncoding.EncodeToString(data)
	t.Run("file-ops", func(t *testing.T) {
		id := a.MustCall(t, "guest-file-open", `{"path": "foo", "mode": "w+"}`)
		h := itoa(id.(int64))
		v := a.MustCall(t, "guest-file-write", `{"handle": `+h+`, "buf-b64": "`+enc+`"}`)
		if get(t, v, "count") != int64(14) || get(t, v, "eof") != false {
			t.Errorf("write: %s", mustMarshal(v))
		}
		a.Call(t, "guest-file-flush", `{"handle": `+h+`}`)
		a.Call(t, "guest-file-close", `{"handle": `+h+`}`)
		onDisk, err := os.ReadFile(filepath.Join(a.Dir, "foo"))
		if err != nil || !bytes.Equal(onDisk, data) {
			t.Fatalf("file holds %q, %v", onDisk, err)
		}
		id = a.MustCall(t, "guest-file-open", `{"path": "foo", "mode": "r"}`)
		h = itoa(id.(int64))
		v = a.MustCall(t, "guest-file-read", `{"handle": `+h+`}`)
		if get(t, v, "count") != int64(14) || get(t, v, "eof") != true || get(t, v, "buf-b64") != enc {
			t.Errorf("read: %s", mustMarshal(v))
		}
		v = a.MustCall(t, "guest-file-read", `{"handle": `+h+`}`)
		if get(t, v, "count") != int64(0) || get(t, v, "eof") != true || get(t, v, "buf-b64") != "" {
			t.Errorf("read at eof: %s", mustMarshal(v))
		}
		v = a.MustCall(t, "guest-file-seek", `{"handle": `+h+`, "offset": 6, "whence": "set"}`)
		if get(t, v, "position") != int64(6) || get(t, v, "eof") != false {
			t.Errorf("seek: %s", mustMarshal(v))
		}
		v = a.MustCall(t, "guest-file-read", `{"handle": `+h+`}`)
		dec, _ := base64.StdEncoding.DecodeString(get(t, v, "buf-b64").(string))
		if get(t, v, "count") != int64(8) || get(t, v, "eof") != true || !bytes.Equal(dec, data[6:]) {
			t.Errorf("read after seek: %s", mustMarshal(v))
		}
		a.Call(t, "guest-file-close", `{"handle": `+h+`}`)
	})
	t.Run("file-write-read", func(t *testing.T) {
		id := a.MustCall(t, "guest-file-open", `{"path": "foo", "mode": "w+"}`)
		h := itoa(id.(int64))
		v := a.MustCall(t, "guest-file-write", `{"handle": `+h+`, "buf-b64": "`+enc+`"}`)
		if get(t, v, "count") != int64(14) || get(t, v, "eof") != false {
			t.Errorf("write: %s", mustMarshal(v))
		}
		v = a.MustCall(t, "guest-file-read", `{"handle": `+h+`}`)
		if get(t, v, "count") != int64(0) || get(t, v, "eof") != true || get(t, v, "buf-b64") != "" {
			t.Errorf("read after write: %s", mustMarshal(v))
		}
		v = a.MustCall(t, "guest-file-seek", `{"handle": `+h+`, "offset": 0, "whence": "set"}`)
		if get(t, v, "position") != int64(0) || get(t, v, "eof") != false {
			t.Errorf("seek: %s", mustMarshal(v))
		}
		v = a.MustCall(t, "guest-file-read", `{"handle": `+h+`}`)
		if get(t, v, "count") != int64(14) || get(t, v, "eof") != true || get(t, v, "buf-b64") != enc {
			t.Errorf("read: %s", mustMarshal(v))
		}
		a.Call(t, "guest-file-close", `{"handle": `+h+`}`)
	})
	t.Run("get-time", func(t *testing.T) {
		if v := a.MustCall(t, "guest-get-time", ""); v.(int64) <= 0 {
			t.Errorf("time %v", v)
		}
	})
	t.Run("id", func(t *testing.T) {
		if got := a.Line(t, `{"execute": "guest-ping", "id": 1}`); got != `{"return": {}, "id": 1}` {
			t.Errorf("got %s", got)
		}
	})
	t.Run("invalid-oob", func(t *testing.T) {
		_, qerr := a.Call(t, "guest-ping", "")
		if qerr != nil {
			t.Fatal(qerr)
		}
		got := a.Line(t, `{"exec-oob": "guest-ping"}`)
		if !strings.Contains(got, `"class": "GenericError"`) {
			t.Errorf("got %s", got)
		}
	})
	t.Run("invalid-cmd", func(t *testing.T) {
		_, qerr := a.Call(t, "guest-invalid-cmd", "")
		if qerr == nil || qerr.Class != "CommandNotFound" || qerr.Desc == "" {
			t.Errorf("got %v", qerr)
		}
	})
	t.Run("invalid-args", func(t *testing.T) {
		_, qerr := a.Call(t, "guest-ping", `{"foo": 42}`)
		if qerr == nil || qerr.Class != "GenericError" || qerr.Desc != "Parameter 'foo' is unexpected" {
			t.Errorf("got %v", qerr)
		}
	})
	t.Run("fsfreeze-status", func(t *testing.T) {
		if v := a.MustCall(t, "guest-fsfreeze-status", ""); v != "thawed" {
			t.Errorf("got %v", v)
		}
	})
	t.Run("blockedrpcs", func(t *testing.T) {
		b := qgatest.StartQgad(t, "-b", "guest-ping,guest-get-time")
		for _, c := range []string{"guest-ping", "guest-get-time"} {
			_, qerr := b.Call(t, c, "")
			if qerr == nil || qerr.Class != "CommandNotFound" || !strings.Contains(qerr.Desc, "has been disabled") {
				t.Errorf("%s: %v", c, qerr)
			}
		}
		b.MustCall(t, "guest-get-fsinfo", "")
		b.Stop(t)
	})
	t.Run("allowedrpcs", func(t *testing.T) {
		b := qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{NoSync: true}, "-a", "guest-ping,guest-get-time")
		b.MustCall(t, "guest-ping", "")
		b.MustCall(t, "guest-get-time", "")
		_, qerr := b.Call(t, "guest-get-fsinfo", "")
		if qerr == nil || qerr.Class != "CommandNotFound" || !strings.Contains(qerr.Desc, "has been disabled") {
			t.Errorf("got %v", qerr)
		}
		b.Stop(t)
	})
	t.Run("config", func(t *testing.T) {
		dir := qgatest.TempDir(t)
		conf := filepath.Join(dir, "test-qga-config")
		os.WriteFile(conf, []byte("[general]\ndaemon=false\nmethod=virtio-serial\npath=/path/to/org.qemu.guest_agent.0\npidfile=/var/foo/qemu-ga.pid\nstatedir=/var/state\nverbose=true\nblock-rpcs=guest-ping;guest-get-time\n"), 0o644)
		cmd := exec.Command(qgatest.Bin(t, "qgad"), "-D")
		cmd.Env = []string{"QGA_CONF=" + conf}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("qgad -D: %v, %s", err, stderr.String())
		}
		if stderr.Len() != 0 {
			t.Errorf("stderr not empty: %q", stderr.String())
		}
		out := stdout.String()
		for _, want := range []string{"[general]\n", "daemon=false\n", "method=virtio-serial\n", "path=/path/to/org.qemu.guest_agent.0\n",
			"pidfile=/var/foo/qemu-ga.pid\n", "statedir=/var/state\n", "verbose=true\n", "block-rpcs=guest-ping;guest-get-time\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("-D lacks %q:\n%s", want, out)
			}
		}
		if !strings.HasPrefix(out, "[general]\n") {
			t.Errorf("first group is not general:\n%s", out)
		}
	})
	t.Run("guest-exec", func(t *testing.T) {
		v := a.MustCall(t, "guest-exec", `{"path": "echo", "arg": ["-n", "\" test_str \""], "capture-output": true}`)
		st := waitExec(t, a, get(t, v, "pid").(int64))
		out, _ := base64.StdEncoding.DecodeString(get(t, st, "out-data").(string))
		if get(t, st, "exitcode") != int64(0) || string(out) != `" test_str "` {
			t.Errorf("status %s", mustMarshal(st))
		}
	})
	script := `for i in $(seq 4); do if (( $i % 2 )); then echo stdout; else echo stderr 1>&2; fi; done;`
	t.Run("guest-exec-separated", func(t *testing.T) {
		v := a.MustCall(t, "guest-exec", `{"path": "bash", "arg": ["-c", "`+script+`"], "capture-output": "separated"}`)
		st := waitExec(t, a, get(t, v, "pid").(int64))
		out, _ := base64.StdEncoding.DecodeString(get(t, st, "out-data").(string))
		errd, _ := base64.StdEncoding.DecodeString(get(t, st, "err-data").(string))
		if get(t, st, "exitcode") != int64(0) || string(out) != "stdout\nstdout\n" || string(errd) != "stderr\nstderr\n" {
			t.Errorf("status %s", mustMarshal(st))
		}
	})
	t.Run("guest-exec-merged", func(t *testing.T) {
		v := a.MustCall(t, "guest-exec", `{"path": "bash", "arg": ["-c", "`+script+`"], "capture-output": "merged"}`)
		st := waitExec(t, a, get(t, v, "pid").(int64))
		out, _ := base64.StdEncoding.DecodeString(get(t, st, "out-data").(string))
		if get(t, st, "exitcode") != int64(0) || string(out) != "stdout\nstderr\nstdout\nstderr\n" || has(st, "err-data") {
			t.Errorf("status %s", mustMarshal(st))
		}
	})
	t.Run("guest-exec-invalid", func(t *testing.T) {
		_, qerr := a.Call(t, "guest-exec", `{"path": "/bin/invalid-cmd42"}`)
		if qerr == nil || qerr.Class != "GenericError" || qerr.Desc == "" {
			t.Errorf("got %v", qerr)
		}
		_, qerr = a.Call(t, "guest-exec-status", `{"pid": 0}`)
		if qerr == nil || qerr.Class != "GenericError" || qerr.Desc == "" {
			t.Errorf("got %v", qerr)
		}
	})
	t.Run("guest-get-osinfo", func(t *testing.T) {
		dir := qgatest.TempDir(t)
		osr := filepath.Join(dir, "test-qga-os-release")
		os.WriteFile(osr, []byte("ID=qemu-ga-test\nNAME=QEMU-GA\nPRETTY_NAME=\"QEMU Guest Agent test\"\nVERSION=\"Test 1\"\nVERSION_ID=1\nVARIANT=\"Unit test \\\"\\'\\$\\`\\\\ and \\\\\\\\ etc.\"\nVARIANT_ID=unit-test\n"), 0o644)
		b := qgatest.Start(t, qgatest.Bin(t, "qgad"), qgatest.Options{Env: []string{"QGA_OS_RELEASE=" + osr}})
		v := b.MustCall(t, "guest-get-osinfo", "")
		want := map[string]string{"id": "qemu-ga-test", "name": "QEMU-GA", "pretty-name": "QEMU Guest Agent test",
			"version": "Test 1", "version-id": "1", "variant": "Unit test \"'$`\\ and \\\\ etc.", "variant-id": "unit-test"}
		for k, w := range want {
			if g := get(t, v, k); g != w {
				t.Errorf("%s = %q, want %q", k, g, w)
			}
		}
		b.Stop(t)
	})
	t.Run("guest-get-host-name", func(t *testing.T) {
		get(t, a.MustCall(t, "guest-get-host-name", ""), "host-name")
	})
	t.Run("guest-get-timezone", func(t *testing.T) {
		get(t, a.MustCall(t, "guest-get-timezone", ""), "offset")
	})
	t.Run("guest-get-users", func(t *testing.T) {
		if _, ok := a.MustCall(t, "guest-get-users", "").([]any); !ok {
			t.Error("not a list")
		}
	})
}

func waitExec(t *testing.T, a *qgatest.Agent, pid int64) any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := a.MustCall(t, "guest-exec-status", `{"pid": `+itoa(pid)+`}`)
		if get(t, st, "exited") == true {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d did not exit in 5s", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
