package exec

import (
	"fmt"
	"os"

	"github.com/qgad/qgad/internal/runner"
	"github.com/qgad/qgad/qapi"
)

// stdio is the standard input and output of one child as qemu-ga sets them
// up: stdin from a pipe fed with input-data, or /dev/null; stdout and
// stderr to capture pipes or /dev/null according to the capture mode.
type stdio struct {
	files [3]*os.File // the child's fds 0, 1, 2
	inW   *os.File    // feeds stdin; nil without input-data
	outR  *os.File    // captured stdout (or stdout+stderr merged); nil if not captured
	errR  *os.File    // captured stderr; nil unless captured separately

	childEnds  []*os.File // closed once the child has its copies
	parentEnds []*os.File // closed only if the spawn fails
}

func newStdio(hasInput bool, mode captureMode) (s *stdio, err error) {
	s = &stdio{}
	defer func() {
		if err != nil {
			s.closeChildEnds()
			s.closeParentEnds()
		}
	}()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", os.DevNull, err)
	}
	s.childEnds = append(s.childEnds, null)
	s.files = [3]*os.File{null, null, null}

	if hasInput {
		if s.files[0], s.inW, err = s.pipe(true); err != nil {
			return s, err
		}
	}
	if mode == captureStdout || mode == captureSeparated || mode == captureMerged {
		if s.files[1], s.outR, err = s.pipe(false); err != nil {
			return s, err
		}
		if mode == captureMerged {
			s.files[2] = s.files[1] // one pipe for both keeps the interleaving
		}
	}
	if mode == captureStderr || mode == captureSeparated {
		if s.files[2], s.errR, err = s.pipe(false); err != nil {
			return s, err
		}
	}
	return s, nil
}

// pipe makes a pipe and files its ends; childReads says which end the
// child gets.
func (s *stdio) pipe(childReads bool) (child, parent *os.File, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, qapi.Errorf("Failed to create pipe for communicating with child process (%s)", runner.ErrText(err))
	}
	child, parent = w, r
	if childReads {
		child, parent = r, w
	}
	s.childEnds = append(s.childEnds, child)
	s.parentEnds = append(s.parentEnds, parent)
	return child, parent, nil
}

func (s *stdio) closeChildEnds() {
	for _, f := range s.childEnds {
		_ = f.Close()
	}
	s.childEnds = nil
}

func (s *stdio) closeParentEnds() {
	for _, f := range s.parentEnds {
		_ = f.Close()
	}
	s.parentEnds = nil
}
