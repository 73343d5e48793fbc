// Command nfpmgen writes the nfpm configs of qgad's packages (one YAML file
// per package) from packaging.Packages into a directory, packaging/nfpm by
// default. Run it from the repository root after changing the package
// descriptions:
//
//	go run ./packaging/nfpmgen
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/qgad/qgad/packaging"
)

func main() {
	out := flag.String("o", filepath.Join("packaging", "nfpm"), "output directory")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "nfpmgen:", err)
		os.Exit(1)
	}
}

// write replaces the directory's YAML files, so a package that was dropped
// loses its config too.
func write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	for _, p := range packaging.Packages() {
		path := filepath.Join(dir, packaging.ConfigName(p.Name))
		if err := os.WriteFile(path, p.NfpmConfig(), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return nil
}
