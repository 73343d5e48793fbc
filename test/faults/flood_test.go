//go:build faults

package faults

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"
)

// Bounds the flood must stay within (docs/robustness.md): the core's peak
// resident memory, and the parser's limits it relies on.
const (
	floodHWMBoundKB = 512 << 10 // 512 MiB
	maxTokenSize    = 64 << 20  // core/jsonstream: bytes of one token, of one message
	maxTokenCount   = 2 << 20   // tokens of one message
	maxNesting      = 1 << 10   // open brackets and braces
)

// drain reads responses from conn until it closes, checking that each is
// a line of printable ASCII (every thousandth is parsed whole), and
// returns how many there were.
func drain(t *testing.T, conn net.Conn, out chan<- int) {
	r := bufio.NewReaderSize(conn, 1<<20)
	n := 0
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			rest, err2 := r.ReadBytes('\n')
			line, err = append(append([]byte(nil), line...), rest...), err2
		}
		if err != nil {
			out <- n
			return
		}
		n++
		body := line[:len(line)-1]
		for _, c := range body {
			if c < 0x20 || c > 0x7e {
				t.Errorf("response %d has byte 0x%02x: %.100q", n, c, body)
				break
			}
		}
		if n%1000 == 1 {
			if _, err := parseResponse(line); err != nil {
				t.Errorf("response %d: %v", n, err)
			}
		}
	}
}

// stringSafe maps a random byte onto a printable ASCII byte that a string
// token holds without ending it (not '"' or '\\').
var stringSafe = func() (t [256]byte) {
	for i := range t {
		c := byte(0x20 + i%0x5f)
		if c == '"' || c == '\\' {
			c = 'A' + byte(i%26)
		}
		t[i] = c
	}
	return t
}()

// Floods at the socket: random bytes, 1 GiB of random-content string
// tokens (up to and past the 64 MiB token limit), deeply nested and
// oversized requests. The core's peak memory stays below the stated bound
// and it answers guest-ping, after the 0xFF handshake, right after each.
func TestInputFlood(t *testing.T) {
	a := startAgent(t, agentConfig{})
	core := a.Cmd.Process.Pid
	rng := rand.NewChaCha8([32]byte{'q', 'g', 'a', 'd'})
	pick := rand.New(rng)
	faults, sent, received := 0, 0, 0
	pingAfter := func(what string) {
		t.Helper()
		start := time.Now()
		h := dial(t, a.Sock)
		d := h.ping(5 * time.Second)
		sent, received = sent+h.sent, received+h.recv
		h.Close()
		t.Logf("%s: handshake and guest-ping %s after (ping %s); core VmRSS %d KiB, VmHWM %d KiB",
			what, time.Since(start).Round(time.Millisecond), d.Round(time.Microsecond), memKB(t, core, "VmRSS"), memKB(t, core, "VmHWM"))
		if d > time.Second {
			t.Errorf("guest-ping took %s", d)
		}
	}
	// stream writes what gen produces to a fresh connection at full speed
	// while the responses are drained, then closes.
	stream := func(what string, total int, gen func([]byte)) int {
		t.Helper()
		conn, err := net.Dial("unix", a.Sock)
		if err != nil {
			t.Fatal(err)
		}
		counted := make(chan int, 1)
		go drain(t, conn, counted)
		buf := make([]byte, 1<<20)
		start := time.Now()
		for done := 0; done < total; {
			n := min(len(buf), total-done)
			gen(buf[:n])
			if _, err := conn.Write(buf[:n]); err != nil {
				t.Fatalf("%s: writing after %d bytes: %v", what, done, err)
			}
			done += n
		}
		conn.(*net.UnixConn).CloseWrite()
		n := <-counted
		conn.Close()
		took := time.Since(start)
		t.Logf("%s: %d MiB in %s (%.0f MiB/s), %d responses", what, total>>20, took.Round(time.Millisecond), float64(total>>20)/took.Seconds(), n)
		faults++
		return n
	}

	pingAfter("before the flood")

	// Uniformly random bytes. Each stray token gets its own error, as in
	// qemu-ga, so the agent writes more than it reads: 16 MiB keep this
	// phase to seconds.
	stream("random bytes", 16<<20, func(b []byte) { rng.Read(b) })
	pingAfter("after random bytes")

	// 1 GiB of string tokens of random printable content: closed ones of 1-60 MiB
	// (each a value that is not an object: one error), and unclosed ones of
	// exactly the token limit (one "token size limit exceeded" each, after
	// which the next token starts cleanly).
	var frame []byte // the rest of the current token
	errorsWanted := 0
	n := stream("1 GiB of string tokens", 1<<30, func(b []byte) {
		for len(b) > 0 {
			if len(frame) == 0 {
				if pick.IntN(4) == 0 {
					frame = make([]byte, 1+maxTokenSize) // unclosed: '"' + 64 MiB
				} else {
					frame = make([]byte, 2+(1<<20)+pick.IntN(59<<20))
					frame[len(frame)-1] = '"'
				}
				frame[0] = '"'
				end := len(frame)
				if frame[end-1] == '"' {
					end--
				}
				rng.Read(frame[1:end])
				for i := 1; i < end; i++ {
					frame[i] = stringSafe[frame[i]]
				}
				errorsWanted++
			}
			k := copy(b, frame)
			b, frame = b[k:], frame[k:]
		}
	})
	// The stream ends inside a frame: the parser keeps it pending.
	if n < errorsWanted-1 || n > errorsWanted {
		t.Errorf("1 GiB of string tokens: %d responses, want %d (one per token)", n, errorsWanted-1)
	}
	pingAfter("after 1 GiB of string tokens")

	// Deep nesting, huge token counts, oversized requests: the answers
	// each must start with. Input past a limit is lexed on from where the
	// limit struck (as in qemu-ga), which may add errors; the handshake
	// after each request discards them and whatever is left pending.
	h := dial(t, a.Sock)
	deep := strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting)
	bigID := strings.Repeat("x", 60<<20)
	nesting := `{"error": {"class": "GenericError", "desc": "JSON nesting depth limit exceeded"}}`
	tests := []struct {
		name, req string
		want      []string // prefixes of the first answers, in order
	}{
		{"100000 open brackets", strings.Repeat("[", 100000), repeat(nesting, 100000/(maxNesting+1))},
		{"100000 open objects", strings.Repeat(`{"a": `, 100000), []string{nesting}},
		{"an id nested to the limit", `{"execute": "guest-ping", "id": ` + deep[1:len(deep)-1] + `}`,
			[]string{`{"return": {}, "id": [[[[`}},
		{"arguments nested to the limit", `{"execute": "guest-ping", "arguments": {"a": ` + deep[2:len(deep)-2] + `}}`,
			[]string{`{"error": {"class": "GenericError", "desc": "Parameter 'a' is unexpected"}}`}},
		{"more tokens than the limit", "[" + strings.Repeat("1,", maxTokenCount/2+1) + "1]",
			[]string{`{"error": {"class": "GenericError", "desc": "JSON token count limit exceeded"}}`}},
		{"a 60 MiB id", `{"execute": "guest-ping", "id": "` + bigID + `"}`,
			[]string{`{"return": {}, "id": "xxxx`}},
		{"a 60 MiB argument", `{"execute": "guest-file-write", "arguments": {"handle": 999999999, "buf-b64": "` + strings.Repeat("QUJD", 15<<20) + `"}}`,
			[]string{`{"error": {"class": "GenericError", "desc": "handle '999999999' has not been found"}}`}},
		{"a 64 MiB token", `{"execute": "guest-ping", "id": "` + bigID + strings.Repeat("y", 4<<20) + `"}`,
			[]string{`{"error": {"class": "GenericError", "desc": "JSON token size limit exceeded"}}`}},
	}
	for _, tt := range tests {
		start := time.Now()
		if err := h.send(tt.req); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		h.sent += len(tt.want) - 1 // counted per expected answer
		got, err := h.syncCollect(60 * time.Second)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(got) < len(tt.want) {
			t.Errorf("%s: %d answers, want at least %d", tt.name, len(got), len(tt.want))
		}
		for i, r := range got {
			if i < len(tt.want) {
				if !bytes.HasPrefix(r.raw, []byte(tt.want[i])) {
					t.Errorf("%s: answer %d: %.200s, want %.200s", tt.name, i+1, r.raw, tt.want[i])
					continue
				}
				h.recv++
				continue
			}
			if r.Error == nil || r.Error.Class != "GenericError" {
				t.Errorf("%s: extra answer %d: %.200s", tt.name, i+1, r.raw)
			}
		}
		faults++
		d := h.ping(5 * time.Second)
		t.Logf("%s: %d answers in %s; guest-ping %s after", tt.name, len(got), time.Since(start).Round(time.Millisecond), d.Round(time.Microsecond))
	}
	sent, received = sent+h.sent, received+h.recv
	h.Close()
	pingAfter("after nested and oversized requests")

	hwm := memKB(t, core, "VmHWM")
	t.Logf("core peak resident memory (VmHWM) over the whole flood: %d KiB (bound %d KiB)", hwm, floodHWMBoundKB)
	if hwm > floodHWMBoundKB {
		t.Errorf("core VmHWM %d KiB over the bound %d KiB", hwm, floodHWMBoundKB)
	}
	if !alive(core) {
		t.Fatalf("the agent exited")
	}
	report(t, "input-flood", faults, sent, received)
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
