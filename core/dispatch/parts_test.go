package dispatch

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/qgad/qgad/qapi"
)

// sizedProvider answers every plugin command with the same result, so
// tests choose the result's size.
type sizedProvider struct{ result qapi.RawJSON }

func (p sizedProvider) Execute(context.Context, string, string, []byte) (qapi.RawJSON, *qapi.Error, error) {
	return p.result, nil, nil
}

// Large plugin results are answered in pieces around the result, without a
// copy; the bytes are the same as Handle's, which joins them.
func TestHandleParts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		size   int
		req    string
		pieces int
		head   string
		tail   string
	}{
		{"small result: one piece", 100, `{"execute": "guest-file-read", "arguments": {"handle": 1}}`, 1, "", ""},
		{"just below the threshold", bigResult - 1, `{"execute": "guest-file-read", "arguments": {"handle": 1}}`, 1, "", ""},
		{"large result", bigResult, `{"execute": "guest-file-read", "arguments": {"handle": 1}}`, 3, `{"return": `, "}\n"},
		{"large result with id", 1 << 20, `{"execute": "guest-file-read", "arguments": {"handle": 1}, "id": {"a": [1, "x"]}}`, 3, `{"return": `, `, "id": {"a": [1, "x"]}}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			result := qapi.RawJSON(`"` + strings.Repeat("A", tc.size-2) + `"`)
			d := &Dispatcher{Registry: &Registry{}, Provider: sizedProvider{result}, Version: "1.0.0"}
			if err := d.RegisterCore(); err != nil {
				t.Fatal(err)
			}
			if err := d.Registry.Add(&Command{Name: "guest-file-read", Family: "file", SuccessResponse: true,
				Args: []qapi.Field{qapi.Req("handle", qapi.Int)}}); err != nil {
				t.Fatal(err)
			}
			v, err := qapi.ParseJSON([]byte(tc.req))
			if err != nil {
				t.Fatal(err)
			}
			parts := d.HandleParts(context.Background(), v)
			if len(parts) != tc.pieces {
				t.Fatalf("%d pieces, want %d", len(parts), tc.pieces)
			}
			joined := bytes.Join(parts, nil)
			if whole := d.Handle(context.Background(), v); !bytes.Equal(joined, whole) {
				t.Fatalf("HandleParts joined differs from Handle")
			}
			idPart := strings.TrimSuffix(strings.TrimPrefix(tc.tail, ", "), "}\n")
			want := `{"return": ` + string(result)
			if idPart != "" {
				want += ", " + idPart
			}
			want += "}\n"
			if string(joined) != want {
				t.Fatalf("response is %.80q…, want %.80q…", joined, want)
			}
			if tc.pieces == 3 {
				if string(parts[0]) != tc.head || string(parts[2]) != tc.tail {
					t.Errorf("envelope %q … %q, want %q … %q", parts[0], parts[2], tc.head, tc.tail)
				}
				if &parts[1][0] != &result[0] {
					t.Errorf("the result was copied into the response")
				}
			}
		})
	}
}
