package host

import (
	"strings"
	"testing"
)

func TestCheckResult(t *testing.T) {
	tests := []struct {
		name, in string
		bad      string // substring of the error; "" = valid
	}{
		{"empty object", `{}`, ""},
		{"empty array", `[]`, ""},
		{"qemu object", `{"count": 3, "buf-b64": "QUJD", "eof": true}`, ""},
		{"nested", `{"a": [1, -2.5e+10, {"b": null, "c": [false, true]}, []], "d": {}}`, ""},
		{"scalar", `1700000000000000000`, ""},
		{"string escapes", `"a\"b\\c\/d\b\f\n\r\t\u00e9\uFFFD"`, ""},
		{"non-finite numbers", `[inf, -inf, nan, -nan, 0, -0, 0.5, 1E3]`, ""},
		{"spaces around", `  {"a": 1}  `, ""},
		{"not json", `{not json`, "want a member name"},
		{"empty", ``, "empty result"},
		{"unterminated object", `{"a": 1`, "unexpected end"},
		{"unterminated string", `"abc`, "unterminated string"},
		{"trailing garbage", `{} x`, "after the value"},
		{"two values", `{} {}`, "after the value"},
		{"newline whitespace", "{\"a\":\n1}", "byte 0x0a"},
		{"raw newline in string", "\"a\nb\"", "byte 0x0a in a string"},
		{"raw non-ascii", "\"caf\xc3\xa9\"", "byte 0xc3 in a string"},
		{"raw DEL", "\"a\x7fb\"", "byte 0x7f in a string"},
		{"0xFF framing byte", "\xff{}", "byte 0xff"},
		{"bad escape", `"\x41"`, "bad escape"},
		{"short unicode escape", `"\u12"`, "bad \\u escape"},
		{"leading zero", `01`, "after the value"},
		{"bare minus", `-`, "bad number"},
		{"minus literal", `-null`, "want a value"},
		{"dot without digits", `1.`, "bad number"},
		{"exponent without digits", `1e+`, "bad number"},
		{"literal prefix", `tru`, "want a value"},
		{"literal suffix", `nulll`, "bad literal"},
		{"missing colon", `{"a" 1}`, "want ':'"},
		{"non-string key", `{1: 2}`, "want a member name"},
		{"trailing comma", `[1, ]`, "want a value"},
		{"mismatched closer", `[1}`, "want ',' or ']'"},
		{"stray closer", `]`, "want a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkResult([]byte(tt.in))
			switch {
			case tt.bad == "" && err != nil:
				t.Errorf("checkResult(%q) = %v, want valid", tt.in, err)
			case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad)):
				t.Errorf("checkResult(%q) = %v, want an error containing %q", tt.in, err, tt.bad)
			}
		})
	}
}

// Deep nesting is checked without recursion.
func TestCheckResultDeep(t *testing.T) {
	const depth = 1 << 20
	deep := strings.Repeat("[", depth) + strings.Repeat("]", depth)
	if err := checkResult([]byte(deep)); err != nil {
		t.Errorf("deep array: %v", err)
	}
	if err := checkResult([]byte(deep[:len(deep)-1])); err == nil {
		t.Errorf("deep array missing a closer accepted")
	}
}

func BenchmarkCheckResult(b *testing.B) {
	res := []byte(`{"count": 50331648, "buf-b64": "` + strings.Repeat("QUJD", 16<<20) + `", "eof": false}`)
	b.SetBytes(int64(len(res)))
	for b.Loop() {
		if err := checkResult(res); err != nil {
			b.Fatal(err)
		}
	}
}
