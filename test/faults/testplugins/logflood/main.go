// Command logflood is a test plugin that floods its log: from the moment it
// starts it writes error lines to stderr as fast as it can (hclog JSON
// lines, plus a 1 MiB line without a newline now and then), while its one
// command keeps answering.
package main

import (
	"context"
	"os"
	"strings"
	"sync/atomic"

	"github.com/qgad/qgad/sdk"
)

type floodResult struct {
	Lines int64 `json:"lines"`
}

func main() {
	sdk.Serve(func(env sdk.Env) (*sdk.Plugin, error) {
		var lines atomic.Int64
		go func() {
			long := strings.Repeat("x", 1<<20)
			for i := 0; ; i++ {
				if i%1000 == 999 {
					os.Stderr.WriteString(long)
				}
				env.Log.Error("flooding the log", "line", i, "padding", "0123456789abcdef0123456789abcdef")
				lines.Add(1)
			}
		}()
		return &sdk.Plugin{
			Name:    "org.qgad.test.flood",
			Version: "1.0.0",
			Commands: []sdk.Command{{
				Name: "__org.qgad.test_flood",
				Doc:  "Say how many log lines were written so far.",
				Run: sdk.HandleNoArgs(func(context.Context) (floodResult, error) {
					return floodResult{Lines: lines.Load()}, nil
				}),
			}},
		}, nil
	})
}
