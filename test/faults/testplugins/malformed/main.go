// Command malformed is a test plugin whose commands bypass the SDK's
// serializer (a qapi.RawJSON result is sent verbatim) to answer what a
// broken or hostile plugin could: invalid JSON, raw UTF-8, a result that
// would split the response line, an error of a class QAPI does not have,
// and an error text that is not UTF-8 (which protobuf cannot carry).
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

func raw(s string) sdk.Func {
	return func(context.Context, json.RawMessage) (any, error) { return qapi.RawJSON(s), nil }
}

func main() {
	if os.Getenv("QGAD_TEST_GRPC_ONLY") != "" {
		// Behave as a plugin of another SDK: ignore the direct channel,
		// so the core calls Execute over gRPC.
		os.Unsetenv(sdk.EnvExecFD)
	}
	sdk.Serve(func(env sdk.Env) (*sdk.Plugin, error) {
		return &sdk.Plugin{
			Name:    "org.qgad.test.malformed",
			Version: "1.0.0",
			Commands: []sdk.Command{
				{Name: "__org.qgad.test_notjson", Run: raw("{not json")},
				{Name: "__org.qgad.test_utf8", Run: raw("\"caf\xc3\xa9\"")},
				{Name: "__org.qgad.test_newline", Run: raw("{}\n{\"return\": 666}")},
				{Name: "__org.qgad.test_class", Run: func(context.Context, json.RawMessage) (any, error) {
					return nil, &qapi.Error{Class: "Evil\nClass", Desc: "caf\u00e9"}
				}},
				{Name: "__org.qgad.test_latin1", Run: func(context.Context, json.RawMessage) (any, error) {
					return nil, qapi.Errorf("failed to open /mnt/caf\xe9")
				}},
				{Name: "__org.qgad.test_fine", Run: raw(`{"fine": true}`)},
			},
		}, nil
	})
}
