package qapi

import "fmt"

// Error classes qemu-ga sends.
const (
	ClassGeneric         = "GenericError"
	ClassCommandNotFound = "CommandNotFound"
)

// Error is a QMP error: a class and a human-readable text, sent on the wire as
// {"error": {"class": ..., "desc": ...}}.
type Error struct {
	Class string
	Desc  string
}

func (e *Error) Error() string { return e.Desc }

// Errorf returns a GenericError with a formatted text.
func Errorf(format string, args ...any) *Error {
	return &Error{Class: ClassGeneric, Desc: fmt.Sprintf(format, args...)}
}

// AsError turns any error into a QMP error; errors that are not *Error become
// GenericError with their text.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	if qe, ok := err.(*Error); ok {
		return qe
	}
	return &Error{Class: ClassGeneric, Desc: err.Error()}
}
