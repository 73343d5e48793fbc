package file

import (
	"bytes"
	"encoding/json"
	"github.com/qgad/qgad/internal/glibb64"
	"testing"
	"unicode/utf8"
)

func TestParseWriteArgs(t *testing.T) {
	count := func(n int64) *int64 { return &n }
	tests := []struct {
		name     string
		raw      string
		want     writeArgs
		wantFast bool // handled without encoding/json
		wantErr  bool
	}{
		{"qemu order", `{"handle": 1000, "buf-b64": "QUJD"}`, writeArgs{handle: 1000, buf: []byte("QUJD")}, true, false},
		{"with count", `{"count": 2, "handle": 7, "buf-b64": "QUJD"}`, writeArgs{handle: 7, buf: []byte("QUJD"), count: count(2)}, true, false},
		{"compact", `{"handle":-3,"buf-b64":"","count":0}`, writeArgs{handle: -3, buf: []byte{}, count: count(0)}, true, false},
		{"blanks", " {\n\t\"buf-b64\" : \"QQ==\" ,\r\n \"handle\" : 1 } ", writeArgs{handle: 1, buf: []byte("QQ==")}, true, false},
		{"escaped newlines", `{"handle": 1, "buf-b64": "QU\nJD\n"}`, writeArgs{handle: 1, buf: []byte("QU\nJD\n")}, true, false},
		{"all escapes", `{"handle": 1, "buf-b64": "\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00"}`, writeArgs{handle: 1, buf: []byte("\"\\/\b\f\n\r\tA\u00e9\U0001F600")}, true, false},
		{"lone surrogates", `{"handle": 1, "buf-b64": "\ud83dA\ude00\ud83d\u0041"}`, writeArgs{handle: 1, buf: []byte("\uFFFDA\uFFFD\uFFFDA")}, true, false},
		{"escaped quote before the end", `{"handle": 1, "buf-b64": "a\"b\"c"}`, writeArgs{handle: 1, buf: []byte(`a"b"c`)}, true, false},
		{"largest handle", `{"handle": 9223372036854775807, "buf-b64": ""}`, writeArgs{handle: 9223372036854775807, buf: []byte{}}, true, false},
		{"escaped key", `{"handl\u0065": 1, "buf-b64": ""}`, writeArgs{handle: 1, buf: []byte{}}, true, false},
		// Shapes left to encoding/json (the core never sends the first two).
		{"float count", `{"handle": 1, "buf-b64": "", "count": 1.0}`, writeArgs{}, false, true},
		{"exponent", `{"handle": 1e3, "buf-b64": ""}`, writeArgs{}, false, true},
		{"null count", `{"handle": 1, "buf-b64": "", "count": null}`, writeArgs{handle: 1, buf: []byte{}}, false, false},
		{"unknown member", `{"handle": 1, "buf-b64": "", "x": 1}`, writeArgs{handle: 1, buf: []byte{}}, false, false},
		{"duplicate member", `{"handle": 1, "handle": 2, "buf-b64": ""}`, writeArgs{handle: 2, buf: []byte{}}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fast := scanWriteArgs([]byte(tt.raw))
			if fast != tt.wantFast {
				t.Errorf("fast path = %v, want %v", fast, tt.wantFast)
			}
			got, err := parseWriteArgs([]byte(tt.raw))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseWriteArgs = %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseWriteArgs: %v", err)
			}
			if !sameWriteArgs(got, tt.want) {
				t.Errorf("parseWriteArgs = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// Without escapes the data is not copied.
func TestParseWriteArgsAliases(t *testing.T) {
	raw := []byte(`{"handle": 1, "buf-b64": "QUJD"}`)
	a, err := parseWriteArgs(raw)
	if err != nil {
		t.Fatal(err)
	}
	if &a.buf[0] != &raw[26] {
		t.Fatal("buf-b64 was copied")
	}
}

func TestParseWriteArgsInvalid(t *testing.T) {
	for _, raw := range []string{``, `{`, `{"handle": 1, "buf-b64": "x}`, `[1]`, `{"handle": 1, "buf-b64": "\x"}`} {
		if a, err := parseWriteArgs([]byte(raw)); err == nil {
			t.Errorf("parseWriteArgs(%q) = %+v, want an error", raw, a)
		}
	}
}

// Whatever the fast path accepts, encoding/json reads the same way, up to
// invalid UTF-8 in the string (kept as is rather than made U+FFFD), which
// the base64 check refuses either way.
func FuzzScanWriteArgs(f *testing.F) {
	for _, s := range []string{
		`{"handle": 1000, "buf-b64": "QUJD"}`,
		`{"count": 2, "handle": 7, "buf-b64": "QU\nJD"}`,
		`{"handle": 1, "buf-b64": "\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00"}`,
		`{"handle": 1, "buf-b64": "\ud83dA\ude00\ud83d\u0041"}`,
		`{"handle":-0,"buf-b64":"","count":00}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := scanWriteArgs(raw)
		if !ok {
			return
		}
		var j struct {
			Handle *int64  `json:"handle"`
			BufB64 *string `json:"buf-b64"`
			Count  *int64  `json:"count"`
		}
		if err := json.Unmarshal(raw, &j); err != nil {
			// The fast path is only ever given valid JSON; it need not
			// reject all invalid JSON.
			return
		}
		want := writeArgs{handle: *j.Handle, buf: []byte(*j.BufB64), count: j.Count}
		if utf8.Valid(got.buf) {
			if !sameWriteArgs(got, want) {
				t.Fatalf("scanWriteArgs(%q) = %+v, encoding/json says %+v", raw, got, want)
			}
			return
		}
		if glibb64.Valid(got.buf) {
			t.Fatalf("scanWriteArgs(%q): invalid UTF-8 passes the base64 check", raw)
		}
		got.buf, want.buf = nil, nil
		if !sameWriteArgs(got, want) {
			t.Fatalf("scanWriteArgs(%q) = %+v, encoding/json says %+v", raw, got, want)
		}
	})
}

func sameWriteArgs(a, b writeArgs) bool {
	if a.handle != b.handle || !bytes.Equal(a.buf, b.buf) || (a.count == nil) != (b.count == nil) {
		return false
	}
	return a.count == nil || *a.count == *b.count
}
