// Command qgad-docgen writes qgad's command reference (docs/commands.md)
// from the schemas the plugins register: it starts every plugin found in
// the given directories through the core's plugin host, collects the
// commands they describe plus the core's own, and renders each with its
// arguments, result type, family and an example exchange (from the table
// in examples.go, so the reference does not depend on the machine it is
// generated on).
//
//	go run ./cmd/qgad-docgen -bin bin -bin bin/examples -o docs/commands.md
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

type dirList []string

func (d *dirList) String() string     { return strings.Join(*d, ",") }
func (d *dirList) Set(v string) error { *d = append(*d, v); return nil }

func main() {
	var dirs dirList
	flag.Var(&dirs, "bin", "a directory of plugins (qgad-plugin-*); repeatable (default bin and bin/examples)")
	out := flag.String("o", "docs/commands.md", "output file (- for stdout)")
	flag.Parse()
	if len(dirs) == 0 {
		dirs = dirList{"bin", "bin/examples"}
	}
	if err := run(dirs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "qgad-docgen:", err)
		os.Exit(1)
	}
}

func run(dirs []string, out string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmds, err := collect(ctx, dirs)
	if err != nil {
		return err
	}
	text, err := render(cmds)
	if err != nil {
		return err
	}
	if out == "-" {
		_, err = os.Stdout.WriteString(text)
		return err
	}
	return os.WriteFile(out, []byte(text), 0o644)
}
