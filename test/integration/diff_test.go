package integration

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qgad/qgad/internal/qgatest"
)

// exchange sends raw bytes, then 0xFF and a guest-sync-delimited sentinel,
// and returns every byte the agent wrote up to and including the
// sentinel's reply. The 0xFF also flushes whatever partial request the
// case left behind, so cases do not leak into each other.
func exchange(t *testing.T, a *qgatest.Agent, payload []byte, n int) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sentinel := fmt.Sprintf(`{"return": %d}`, 900000+n)
	msg := append(append([]byte{}, payload...), []byte(fmt.Sprintf("\xff{\"execute\": \"guest-sync-delimited\", \"arguments\": {\"id\": %d}}\n", 900000+n))...)
	if err := a.C.Write(ctx, msg); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for {
		line, err := a.C.ReadLine(ctx)
		if err != nil {
			t.Fatalf("case %q: reading: %v (so far %q)", payload, err, out.String())
		}
		out.Write(line)
		out.WriteByte('\n')
		if bytes.HasSuffix(line, []byte("\xff"+sentinel)) {
			return out.Bytes()
		}
	}
}

// diffCases are byte streams whose answers must be byte-identical between
// qemu-ga 7.2 and qgad: the lexer, parser, limits, dispatcher texts, id
// echo and serialization did not change between 7.2 and 10.2 (spec 6).
var diffCases = []struct{ name, in string }{
	{"ping", `{"execute":"guest-ping"}`},
	{"ping newline", "{\"execute\": \"guest-ping\"}\n"},
	{"two in one write", `{"execute":"guest-ping"}{"execute":"guest-ping","id":2}`},
	{"id string", `{"execute":"guest-ping","id":"abc"}`},
	{"id object", `{"execute":"guest-ping","id":{"a":[1,2,{"b":null}],"c":true}}`},
	{"id float", `{"execute":"guest-ping","id":0.08}`},
	{"id float exp", `{"execute":"guest-ping","id":1e20}`},
	{"id big uint", `{"execute":"guest-ping","id":18446744073709551615}`},
	{"id min int", `{"execute":"guest-ping","id":-9223372036854775808}`},
	{"id too big", `{"execute":"guest-ping","id":18446744073709551616}`},
	{"id unicode", `{"execute":"guest-ping","id":"\u00e9\ud83d\ude00 é"}`},
	{"id escapes", `{"execute":"guest-ping","id":"\"\\\/\b\f\n\r\t\u0001\u007f"}`},
	{"id nul escape", `{"execute":"guest-ping","id":"a\u0000b"}`},
	{"single quotes", `{'execute':'guest-ping','id':'it\'s "q"'}`},
	{"lone 0xff", "\xff"},
	{"0xfe", "\xfe"},
	{"0xff mid request", "{\"execute\":\"guest-ping\"\xff"},
	{"0xff in string", "{\"execute\":\"guest-\xffping\"}"},
	{"number then 0xff", "12\xff"},
	{"bom", "\xef\xbb\xbf{\"execute\":\"guest-ping\"}"},
	{"stray at", `{"execute":"guest-ping","arguments":{"x":@}}`},
	{"array", `[1]`},
	{"number", "42\n"},
	{"string", `"str"`},
	{"keyword true", "true\n"},
	{"keyword null", "null "},
	{"bad keyword", "{\"execute\":\"guest-ping\"} garbage\n"},
	{"upper keyword", "TRUE\n"},
	{"unknown command", `{"execute":"guest-pong","id":7}`},
	{"exec-oob", `{"exec-oob":"guest-ping"}`},
	{"execute number", `{"execute":1}`},
	{"arguments null", `{"execute":"guest-ping","arguments":null}`},
	{"arguments array", `{"execute":"guest-ping","arguments":[]}`},
	{"unknown member", `{"execute":"guest-ping","foo":1}`},
	{"lacks execute", `{"id":5}`},
	{"unexpected arg", `{"execute":"guest-ping","arguments":{"foo":42}}`},
	{"two unknown members", `{"zzz":1,"execute":"guest-ping","aaa":2}`},
	{"duplicate key", `{"execute":"guest-ping","execute":"guest-ping"}`},
	{"missing colon", `{"execute" "guest-ping"}`},
	{"key not string", `{1:2}`},
	{"trailing comma", `{"execute":"guest-ping",}`},
	{"missing separator", `{"execute":"guest-ping" "id":1}`},
	{"list separator", `{"execute":"guest-ping","id":[1 2]}`},
	{"mismatch", `{"execute":"guest-ping"]`},
	{"stray closer", `}`},
	{"stray comma", `,`},
	{"leading zero", `{"execute":"guest-sync","arguments":{"id":01}}`},
	{"minus zero", `{"execute":"guest-sync","arguments":{"id":-0}}`},
	{"sync float", `{"execute":"guest-sync","arguments":{"id":1.0}}`},
	{"sync string", `{"execute":"guest-sync","arguments":{"id":"1"}}`},
	{"sync missing", `{"execute":"guest-sync"}`},
	{"sync ok", `{"execute":"guest-sync","arguments":{"id":-77}}`},
	{"sync-delimited ok", `{"execute":"guest-sync-delimited","arguments":{"id":77}}`},
	{"percent", `{"execute":%s}`},
	{"plus", `{"execute":"guest-sync","arguments":{"id":+1}}`},
	{"invalid escape", `{"execute":"guest-ping","id":"\q"}`},
	{"lone surrogate", `{"execute":"guest-ping","id":"\uD800"}`},
	{"bad utf8", "{\"execute\":\"guest-ping\",\"id\":\"\xc3\"}"},
	{"overlong nul", "{\"execute\":\"guest-ping\",\"id\":\"\xc0\x80\"}"},
	{"noncharacter", "{\"execute\":\"guest-ping\",\"id\":\"\xef\xbf\xbf\"}"},
	{"raw tab in string", "{\"execute\":\"guest-ping\",\"id\":\"a\tb\"}"},
	{"raw nul", "\x00"},
	{"control byte", "\x01{\"execute\":\"guest-ping\"}"},
	{"upper in object", `{"execute":"guest-ping",X}`},
	{"deep", strings.Repeat("[", 1025) + strings.Repeat("]", 1025)},
	{"deep ok", `{"execute":"guest-ping","id":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`},
	{"fraction", `{"execute":"guest-ping","id":1.}`},
	{"exponent", `{"execute":"guest-ping","id":1e}`},
	{"fsfreeze status", `{"execute":"guest-fsfreeze-status"}`},
	{"file read bad handle", `{"execute":"guest-file-read","arguments":{"handle":999999}}`},
}

func TestDifferentialCore(t *testing.T) {
	ref := qgatest.StartQemuGA(t)
	got := qgatest.StartQgad(t)
	for i, c := range diffCases {
		t.Run(c.name, func(t *testing.T) {
			want := exchange(t, ref, []byte(c.in), i)
			have := exchange(t, got, []byte(c.in), i)
			if !bytes.Equal(want, have) {
				t.Errorf("input %q\nqemu-ga: %q\nqgad:    %q", c.in, want, have)
			}
		})
	}
}
