// Command qgad-plugin-com.example.hello is an example third-party plugin:
// one vendor-namespaced command, __com.example_hello, in the form QEMU's
// schema language reserves for downstream extensions. Build it, drop it in
// the plugin directory (owned by root, not writable by others), and the
// agent lists and serves its command. See docs/plugin-author-guide.md.
package main

import (
	"github.com/qgad/qgad/examples/hello/hello"
	"github.com/qgad/qgad/sdk"
)

func main() { sdk.Serve(hello.New) }
