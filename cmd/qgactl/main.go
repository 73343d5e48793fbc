// Command qgactl is a host-side client for qgad and qemu-ga: it connects to
// the agent's unix socket, performs the 0xFF + guest-sync-delimited
// handshake, sends one request and prints the reply.
//
//	qgactl -s SOCK guest-info
//	qgactl -s SOCK '{"execute": "guest-file-open", "arguments": {"path": "/etc/hostname"}}'
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/qgad/qgad/client"
)

func main() {
	os.Exit(run())
}

func run() int {
	sock := flag.String("s", "", "the agent's unix socket")
	timeout := flag.Duration("timeout", 30*time.Second, "deadline for the whole exchange")
	args := flag.String("a", "", "arguments as a JSON object, with a command name")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: qgactl -s SOCK [-a ARGS_JSON] COMMAND | REQUEST_JSON\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *sock == "" || flag.NArg() != 1 {
		flag.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	c, err := client.Dial(ctx, *sock)
	if err != nil {
		fmt.Fprintln(os.Stderr, "qgactl:", err)
		return 1
	}
	defer c.Close()

	req := []byte(flag.Arg(0))
	if !strings.HasPrefix(strings.TrimSpace(flag.Arg(0)), "{") {
		var a any
		if *args != "" {
			a = json.RawMessage(*args)
		}
		if req, err = client.Request(flag.Arg(0), a); err != nil {
			fmt.Fprintln(os.Stderr, "qgactl:", err)
			return 2
		}
	} else {
		req = append(req, '\n')
	}
	if err := c.Write(ctx, req); err != nil {
		fmt.Fprintln(os.Stderr, "qgactl:", err)
		return 1
	}
	line, err := c.ReadLine(ctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
			fmt.Fprintln(os.Stderr, "qgactl: no reply (commands like guest-shutdown answer only on error)")
			return 0
		}
		fmt.Fprintln(os.Stderr, "qgactl:", err)
		return 1
	}
	fmt.Println(string(line))
	if _, err := client.Decode(line); err != nil {
		return 1
	}
	return 0
}
