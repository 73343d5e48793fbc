package dispatch

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/qgad/qgad/core/jsonstream"
)

// FuzzDispatch runs the agent's request path end to end on arbitrary
// bytes: qemu-ga's stream parser, then the dispatcher with an in-process
// provider (and, for one input in two, the frozen gate closed). Every
// response must be in qemu-ga's format: one line of printable ASCII ending
// in '\n' (guest-sync-delimited's preceded by 0xFF) holding an object with
// a "return", or an "error" with a non-empty "class" and "desc".
func FuzzDispatch(f *testing.F) {
	for _, s := range []string{
		`{"execute": "guest-ping"}`,
		`{"execute": "guest-sync-delimited", "arguments": {"id": 123}}`,
		`{"execute": "guest-sync", "arguments": {"id": -1}, "id": "x"}`,
		`{"execute": "guest-info", "id": [1, {"a": null}]}`,
		`{"execute": "guest-file-read", "arguments": {"handle": 1000, "count": 4096}}`,
		`{"execute": "guest-file-seek", "arguments": {"handle": 1, "offset": 0, "whence": "set"}}`,
		`{"execute": "guest-set-vcpus", "arguments": {"vcpus": [{"logical-id": 0, "online": true}]}}`,
		`{"execute": "guest-set-memory-blocks", "arguments": {"mem-blks": [{"phys-index": 18446744073709551615, "online": false}]}}`,
		`{"execute": "guest-shutdown", "arguments": {"mode": "halt"}}`,
		`{"execute": "guest-get-time", "id": 1.5e300}`,
		`{"execute": "guest-pong"}`, `{"exec-oob": "guest-ping"}`, `[1, 2]`, `"caf\u00e9"`,
		"\xff{\"execute\": \"guest-ping\"}", "{'execute': 'guest-ping'}", `{"execute": "guest-ping", "id": "\ud800"}`,
		`{"execute": "guest-ping", "id": "\u0000x"}`, "{\"execute\": \"guest-ping\", \"id\": \"\xc3\xa9\xff\"}",
		`{"a": {"a": [[[{}]]]}}`, `{"execute": 1}`, `{"execute": "guest-ping", "arguments": []}`, `]`, `}{`, `1e99999`, `-0`,
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, frozen bool) {
		d := newTestDispatcher(t, Policy{Block: []string{"guest-shutdown"}}, frozen)
		ctx := context.Background()
		jsonstream.New().Feed(data, func(v any, err error) {
			var resp []byte
			if err != nil {
				resp = ErrorResponse(err.Error())
			} else {
				resp = d.Handle(ctx, v)
			}
			if resp == nil {
				return // a command without a success response
			}
			checkResponse(t, resp)
		})
	})
}

func checkResponse(t *testing.T, resp []byte) {
	t.Helper()
	line, _ := bytes.CutPrefix(resp, []byte{0xFF})
	body, ok := bytes.CutSuffix(line, []byte("\n"))
	if !ok {
		t.Fatalf("response does not end with a newline: %q", resp)
	}
	for i, c := range body {
		if c < 0x20 || c > 0x7e {
			t.Fatalf("response byte %d is 0x%02x: %q", i, c, resp)
		}
	}
	var r struct {
		Return json.RawMessage `json:"return"`
		Error  *struct {
			Class *string `json:"class"`
			Desc  *string `json:"desc"`
		} `json:"error"`
	}
	// encoding/json does not know QEMU's inf and nan (for non-finite ids
	// and results): they are numbers to it here.
	clean := bytes.ReplaceAll(bytes.ReplaceAll(body, []byte("-nan"), []byte("0")), []byte("nan"), []byte("0"))
	clean = bytes.ReplaceAll(bytes.ReplaceAll(clean, []byte("-inf"), []byte("0")), []byte("inf"), []byte("0"))
	if !json.Valid(body) && !json.Valid(clean) {
		t.Fatalf("response is not JSON: %q", resp)
	}
	if err := json.Unmarshal(body, &r); err != nil && json.Unmarshal(clean, &r) != nil {
		t.Fatalf("response is not an object: %q", resp)
	}
	switch {
	case r.Return != nil && r.Error != nil:
		t.Fatalf("response with both return and error: %q", resp)
	case r.Error != nil:
		if r.Error.Class == nil || *r.Error.Class == "" || r.Error.Desc == nil || *r.Error.Desc == "" {
			t.Fatalf("error without class or desc: %q", resp)
		}
	case r.Return == nil:
		t.Fatalf("response with neither return nor error: %q", resp)
	}
	if bytes.HasPrefix(resp, []byte{0xFF}) && !bytes.HasPrefix(body, []byte(`{"return": `)) {
		t.Fatalf("0xFF before an error: %q", resp)
	}
}
