// Command oversized is a test plugin whose command answers a result over
// the plugin protocol's 96 MiB message limit, and another that answers
// normally.
package main

import (
	"context"
	"os"
	"strings"

	"github.com/qgad/qgad/sdk"
)

type blob struct {
	Data string `json:"data"`
}

func main() {
	if os.Getenv("QGAD_TEST_GRPC_ONLY") != "" {
		// Behave as a plugin of another SDK: ignore the direct channel,
		// so the core calls Execute over gRPC.
		os.Unsetenv(sdk.EnvExecFD)
	}
	sdk.Serve(func(env sdk.Env) (*sdk.Plugin, error) {
		return &sdk.Plugin{
			Name:    "org.qgad.test.oversized",
			Version: "1.0.0",
			Commands: []sdk.Command{
				{
					Name: "__org.qgad.test_oversized",
					Doc:  "Answer a 97 MiB string.",
					Run: sdk.HandleNoArgs(func(context.Context) (blob, error) {
						return blob{Data: strings.Repeat("A", 97<<20)}, nil
					}),
				},
				{
					Name: "__org.qgad.test_small",
					Doc:  "Answer a small result.",
					Run: sdk.HandleNoArgs(func(context.Context) (blob, error) {
						return blob{Data: "ok"}, nil
					}),
				},
			},
		}, nil
	})
}
