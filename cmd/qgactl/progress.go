package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// progressThreshold: smaller transfers finish before a bar would help.
const progressThreshold = 1 << 20

// isTerminal tells whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// progressBar draws "\r[####    ]  45% 12.0 MiB/27.0 MiB" on a terminal,
// at most every 100 ms, and ends the line when done.
type progressBar struct {
	w     io.Writer
	label string
	last  time.Time
	drawn bool
}

// update is a client.Transfer Progress function.
func (p *progressBar) update(done, total int64) {
	finished := total >= 0 && done >= total
	if !finished && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.drawn = true
	const width = 30
	if total <= 0 {
		fmt.Fprintf(p.w, "\r%s %s", p.label, humanBytes(uint64(done)))
		return
	}
	filled := int(int64(width) * min(done, total) / total)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %s/%s", p.label, strings.Repeat("#", filled), strings.Repeat(" ", width-filled),
		100*min(done, total)/total, humanBytes(uint64(done)), humanBytes(uint64(total)))
}

// end finishes the bar's line.
func (p *progressBar) end() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// progressFor returns a bar on e's stderr when it is a terminal and the
// transfer is large (or of unknown size), else nil. quietOut: the data
// itself goes to a terminal stdout, where a bar would mix with it.
func (e *env) progressFor(label string, size int64, quietOut bool) *progressBar {
	if e.opts.json || quietOut || !isTerminal(e.stderr) || (size >= 0 && size < progressThreshold) {
		return nil
	}
	return &progressBar{w: e.stderr, label: label}
}
