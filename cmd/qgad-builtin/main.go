// Command qgad-builtin is the multi-call binary of the built-in command
// families. Each family is installed as a symlink named
// qgad-plugin-<family> pointing here; one binary shares its code pages
// between all running families, which keeps the agent's memory low.
package main

import (
	"github.com/qgad/qgad/plugins/exec"
	"github.com/qgad/qgad/plugins/file"
	"github.com/qgad/qgad/plugins/fs"
	"github.com/qgad/qgad/plugins/fsfreeze"
	"github.com/qgad/qgad/plugins/network"
	"github.com/qgad/qgad/plugins/power"
	"github.com/qgad/qgad/plugins/system"
	"github.com/qgad/qgad/plugins/users"
	"github.com/qgad/qgad/sdk"
)

func main() {
	sdk.ServeMulti(map[string]sdk.Builder{
		exec.Name:     exec.New,
		file.Name:     file.New,
		fs.Name:       fs.New,
		fsfreeze.Name: fsfreeze.New,
		network.Name:  network.New,
		power.Name:    power.New,
		system.Name:   system.New,
		users.Name:    users.New,
	})
}
