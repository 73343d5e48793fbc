package host

import (
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/qgad/qgad/qapi"
)

// checkResult reports why a plugin's serialized result cannot go to the
// host as it is. The core writes results verbatim into its responses, so a
// plugin that bypassed the SDK's serializer (or a broken one) could
// otherwise send the host invalid JSON, or split a response line. A result
// must be one JSON value in qemu-ga's output alphabet: printable ASCII only
// (no newline, no raw non-ASCII), with the non-finite numbers QEMU's writer
// prints (inf, -inf, nan, -nan) accepted as numbers.
//
// It is a hand-written scanner rather than json.Valid because results reach
// 64 MiB (a 48 MiB guest-file-read) and the plain runs inside strings are
// skipped eight bytes at a time.
func checkResult(b []byte) error {
	if len(b) == 0 {
		return fmt.Errorf("empty result")
	}
	s := scanner{b: b}
	return s.value()
}

// scanner checks one value; stack holds the open containers ('{' or '[')
// so that deep nesting costs no Go stack.
type scanner struct {
	b     []byte
	i     int
	stack []byte
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", s.i, fmt.Sprintf(format, args...))
}

func (s *scanner) space() {
	for s.i < len(s.b) && s.b[s.i] == ' ' {
		s.i++
	}
}

// value checks the whole input: a value, then nothing but spaces.
func (s *scanner) value() error {
	for {
		// A value starts here.
		s.space()
		if s.i >= len(s.b) {
			return s.errorf("unexpected end, want a value")
		}
		switch c := s.b[s.i]; {
		case c == '{' || c == '[':
			s.stack = append(s.stack, c)
			s.i++
			s.space()
			if s.i < len(s.b) && s.b[s.i] == closer(c) {
				s.i++
				s.stack = s.stack[:len(s.stack)-1]
				break
			}
			if c == '{' {
				if err := s.key(); err != nil {
					return err
				}
			}
			continue
		case c == '"':
			if err := s.str(); err != nil {
				return err
			}
		case c == '-' || (c >= '0' && c <= '9'):
			if err := s.number(); err != nil {
				return err
			}
		default:
			if err := s.literal(); err != nil {
				return err
			}
		}
		// A value ended: close containers, or go on after a comma.
		for {
			s.space()
			if len(s.stack) == 0 {
				if s.i != len(s.b) {
					return s.errorf("%s after the value", describe(s.b[s.i]))
				}
				return nil
			}
			if s.i >= len(s.b) {
				return s.errorf("unexpected end, want ',' or %q", closer(s.stack[len(s.stack)-1]))
			}
			top := s.stack[len(s.stack)-1]
			c := s.b[s.i]
			if c == closer(top) {
				s.i++
				s.stack = s.stack[:len(s.stack)-1]
				continue
			}
			if c != ',' {
				return s.errorf("%s, want ',' or %q", describe(c), closer(top))
			}
			s.i++
			if top == '{' {
				s.space()
				if err := s.key(); err != nil {
					return err
				}
			}
			break
		}
	}
}

func closer(open byte) byte {
	if open == '{' {
		return '}'
	}
	return ']'
}

// key checks `"name" :` before a member's value.
func (s *scanner) key() error {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		if s.i >= len(s.b) {
			return s.errorf("unexpected end, want a member name")
		}
		return s.errorf("%s, want a member name", describe(s.b[s.i]))
	}
	if err := s.str(); err != nil {
		return err
	}
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		if s.i >= len(s.b) {
			return s.errorf("unexpected end, want ':'")
		}
		return s.errorf("%s, want ':'", describe(s.b[s.i]))
	}
	s.i++
	return nil
}

// str checks a string starting at its opening quote.
func (s *scanner) str() error {
	s.i++
	for {
		s.i += qapi.PlainLen(s.b[s.i:])
		if s.i >= len(s.b) {
			return s.errorf("unterminated string")
		}
		switch c := s.b[s.i]; c {
		case '"':
			s.i++
			return nil
		case '\\':
			s.i++
			if s.i >= len(s.b) {
				return s.errorf("unterminated string")
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				s.i++
				for range 4 {
					if s.i >= len(s.b) || !isHex(s.b[s.i]) {
						return s.errorf("bad \\u escape")
					}
					s.i++
				}
			default:
				return s.errorf("bad escape \\%c", s.b[s.i])
			}
		default:
			return s.errorf("%s in a string", describe(c))
		}
	}
}

// number checks a JSON number, or QEMU's inf, -inf, nan, -nan.
func (s *scanner) number() error {
	if s.b[s.i] == '-' {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == 'i' || s.b[s.i] == 'n') {
			return s.word("inf", "nan")
		}
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case digits() == 0:
		return s.errorf("bad number")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return s.errorf("bad number")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return s.errorf("bad number")
		}
	}
	return nil
}

// literal checks true, false, null and the non-finite numbers.
func (s *scanner) literal() error {
	return s.word("true", "false", "null", "inf", "nan")
}

// word checks that one of words comes next, as a whole word.
func (s *scanner) word(words ...string) error {
	if s.i >= len(s.b) {
		return s.errorf("unexpected end, want a value")
	}
	for _, w := range words {
		if len(s.b)-s.i >= len(w) && string(s.b[s.i:s.i+len(w)]) == w {
			s.i += len(w)
			if s.i < len(s.b) && s.b[s.i] >= 'a' && s.b[s.i] <= 'z' {
				return s.errorf("bad literal")
			}
			return nil
		}
	}
	return s.errorf("%s, want a value", describe(s.b[s.i]))
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// describe names a byte for an error message without echoing raw bytes.
func describe(c byte) string {
	if c < 0x20 || c >= 0x7F {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("%q", c)
}

// vet checks a plugin's answer before the core writes it verbatim into a
// response. A bad answer is the plugin's fault but the plugin is alive: the
// call fails with a GenericError that says so, nothing is restarted.
func (f *family) vet(command string, res qapi.RawJSON, qerr *qapi.Error) (qapi.RawJSON, *qapi.Error) {
	if qerr != nil {
		if !knownClass(qerr.Class) {
			qerr = &qapi.Error{Class: qapi.ClassGeneric, Desc: qerr.Desc}
		}
		return nil, qerr
	}
	if len(res) == 0 && f.h.isSilent(command) {
		return nil, nil // success of a command without a success response
	}
	if err := checkResult(res); err != nil {
		f.h.opts.Log.Error("plugin sent an invalid result", "plugin", f.name, "command", command, "error", err)
		return nil, qapi.Errorf("plugin %s answered %s with an invalid result (%v)", f.name, command, err)
	}
	return res, nil
}

// knownClass tells whether class is one of QAPI's ErrorClass values, the
// only ones a client may be given.
func knownClass(class string) bool {
	switch class {
	case "GenericError", "CommandNotFound", "DeviceNotActive", "DeviceNotFound", "KVMMissingCap":
		return true
	}
	return false
}

// noteSilent records the commands a plugin described as answering nothing
// on success (guest-shutdown): only those may return an empty result.
func (h *Host) noteSilent(d Described) {
	if d.Info == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range d.Info.Commands {
		if !c.SuccessResponse {
			if h.silent == nil {
				h.silent = map[string]bool{}
			}
			h.silent[c.Name] = true
		}
	}
}

func (h *Host) isSilent(command string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.silent[command]
}

// unsendable tells whether a call failed because the plugin could not
// marshal its answer (protobuf refuses strings that are not UTF-8), rather
// than because the plugin died or hung. gRPC says "grpc: error while
// marshaling: ...", the direct channel "error while marshaling: ...".
func unsendable(err error) bool {
	st := status.Convert(err)
	return st.Code() == codes.Internal && strings.HasPrefix(strings.TrimPrefix(st.Message(), "grpc: "), "error while marshaling")
}
