// Package logging sets up the core's hclog logger in qemu-ga's places (the
// -l log file, else stderr) and levels (-v), with a gate that holds all
// output while filesystems are frozen: nothing may be written to a frozen
// disk, and qemu-ga stops logging then too.
package logging

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// HeldMax bounds what is kept while frozen; the rest is counted and dropped.
const HeldMax = 256 << 10

// Gate is an io.Writer that passes through, or holds output while closed.
type Gate struct {
	mu      sync.Mutex
	out     io.Writer
	closed  bool
	held    bytes.Buffer
	dropped int
}

// NewGate wraps out.
func NewGate(out io.Writer) *Gate { return &Gate{out: out} }

func (g *Gate) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		if g.held.Len()+len(p) <= HeldMax {
			g.held.Write(p)
		} else {
			g.dropped++
		}
		return len(p), nil
	}
	return g.out.Write(p)
}

// Close holds all output from now on.
func (g *Gate) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// Open writes what was held, says how much was dropped, and passes output
// through again.
func (g *Gate) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		return
	}
	g.closed = false
	if g.held.Len() > 0 {
		_, _ = g.out.Write(g.held.Bytes())
		g.held.Reset()
	}
	if g.dropped > 0 {
		fmt.Fprintf(g.out, "[WARN]  qgad: %d log lines were dropped while filesystems were frozen\n", g.dropped)
		g.dropped = 0
	}
}

// Options choose where and how much the core logs.
type Options struct {
	File    string // "" = stderr
	Verbose bool
}

// New returns the core logger and its gate. A log file is opened in append
// mode; failing to open it is fatal at startup, as in qemu-ga. When the
// agent starts frozen the file must not be opened yet: pass deferFile and
// call OpenDeferred after thaw.
func New(o Options, startFrozen bool) (hclog.Logger, *Gate, func() error, error) {
	var out io.Writer = os.Stderr
	openFile := func() (io.Writer, error) {
		f, err := os.OpenFile(o.File, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	gate := NewGate(out)
	var deferred func() error
	if o.File != "" {
		if startFrozen {
			deferred = func() error {
				w, err := openFile()
				if err != nil {
					return err
				}
				gate.mu.Lock()
				gate.out = w
				gate.mu.Unlock()
				return nil
			}
		} else {
			w, err := openFile()
			if err != nil {
				return nil, nil, nil, fmt.Errorf("unable to open specified log file: %w", err)
			}
			gate.out = w
		}
	}
	level := hclog.Error
	if o.Verbose {
		level = hclog.Trace
	}
	log := hclog.New(&hclog.LoggerOptions{Name: "qgad", Level: level, Output: gate})
	if startFrozen {
		gate.Close()
	}
	return log, gate, deferred, nil
}
