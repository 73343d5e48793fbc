package jsonstream

import (
	"strings"
	"testing"

	"github.com/qgad/qgad/qapi"
)

// errorTexts are the prefixes of every error the parser may report.
var errorTexts = []string{
	"JSON parse error, stray '",
	"JSON parse error, expecting value",
	"JSON parse error, key is not a string in object",
	"JSON parse error, missing : in object pair",
	"JSON parse error, expected separator in dict",
	"JSON parse error, expected separator in list",
	"JSON parse error, duplicate key",
	"JSON parse error, invalid keyword '",
	"JSON parse error, invalid escape sequence in string",
	"JSON parse error, invalid UTF-8 sequence in string",
	"JSON parse error, \\u",
	"JSON token size limit exceeded",
	"JSON token count limit exceeded",
	"JSON nesting depth limit exceeded",
}

// FuzzParser checks that no input makes the parser panic, that feeding an
// input whole, byte by byte or in random chunks gives the same results and
// leaves the same state, that every error is one of the known texts, and
// that every value can be serialized.
func FuzzParser(f *testing.F) {
	for _, c := range streamCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		feedAllWays(t, data)
		New().Feed(data, func(v any, err error) {
			if err != nil {
				qe, ok := err.(*qapi.Error)
				if !ok || qe.Class != qapi.ClassGeneric {
					t.Fatalf("bad error %#v", err)
				}
				for _, p := range errorTexts {
					if strings.HasPrefix(qe.Desc, p) {
						return
					}
				}
				t.Fatalf("unknown error text %q", qe.Desc)
			}
			if _, err := qapi.Marshal(v); err != nil {
				t.Fatalf("value %#v does not serialize: %v", v, err)
			}
		})
	})
}
