package host

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/qgad/qgad/qapi"
)

// FuzzCheckResult checks the plugin result validator two ways: it agrees
// with encoding/json plus the printable-ASCII rule (on inputs without
// QEMU's inf/nan words, which encoding/json does not know), and it accepts
// everything the SDK's serializer writes.
func FuzzCheckResult(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a": [1, -2.5e+10, {"b": null}], "c": "x\u00e9\n"}`, `[inf, -nan]`,
		`{not json`, "{\"a\":\n1}", "\"caf\xc3\xa9\"", `"\u12"`, `01`, `-`, `1e+`, `[1}`, ` 7 `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := checkResult(data)
		if !bytes.Contains(data, []byte("inf")) && !bytes.Contains(data, []byte("nan")) &&
			bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) < 10000 {
			want := printable(data) && json.Valid(data)
			if (err == nil) != want {
				t.Fatalf("checkResult(%q) = %v; encoding/json and the ASCII rule say valid=%v", data, err, want)
			}
		}
		if err == nil && !printable(data) {
			t.Fatalf("checkResult(%q) accepted a non-printable byte", data)
		}
		if v, perr := qapi.ParseJSON(data); perr == nil {
			out, merr := qapi.Marshal(v)
			if merr != nil {
				return
			}
			if err := checkResult(out); err != nil {
				t.Fatalf("serializer output %q refused: %v", out, err)
			}
		}
	})
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
