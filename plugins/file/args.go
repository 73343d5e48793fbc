package file

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// writeArgs are guest-file-write's arguments; buf may alias the request.
type writeArgs struct {
	handle int64
	buf    []byte
	count  *int64
}

// parseWriteArgs decodes guest-file-write's (already validated) arguments.
// buf-b64 can be 64 MiB and encoding/json needs about 35 ms per 4 MiB of it,
// so the usual shape, an object of integers and one string, is scanned by
// hand without copying the string unless it has escapes. Anything else goes
// through encoding/json.
func parseWriteArgs(raw []byte) (writeArgs, error) {
	if a, ok := scanWriteArgs(raw); ok {
		return a, nil
	}
	var j struct {
		Handle int64  `json:"handle"`
		BufB64 string `json:"buf-b64"`
		Count  *int64 `json:"count"`
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		return writeArgs{}, fmt.Errorf("decoding arguments: %w", err)
	}
	return writeArgs{handle: j.Handle, buf: []byte(j.BufB64), count: j.Count}, nil
}

// scanWriteArgs is the fast path of parseWriteArgs; ok is false for
// anything it does not handle, valid JSON or not.
func scanWriteArgs(raw []byte) (a writeArgs, ok bool) {
	s := jsonScanner{b: raw}
	if !s.expect('{') {
		return a, false
	}
	var haveHandle, haveBuf bool
	for {
		s.skipSpace()
		if !s.expect('"') {
			return a, false
		}
		key, ok := s.stringBody()
		if !ok || !s.expect(':') {
			return a, false
		}
		s.skipSpace()
		switch string(key) {
		case "handle":
			if haveHandle {
				return a, false
			}
			a.handle, ok = s.integer()
			haveHandle = true
		case "count":
			if a.count != nil {
				return a, false
			}
			var n int64
			n, ok = s.integer()
			a.count = &n
		case "buf-b64":
			if haveBuf || !s.expect('"') {
				return a, false
			}
			a.buf, ok = s.stringBody()
			haveBuf = true
		default:
			return a, false
		}
		if !ok {
			return a, false
		}
		s.skipSpace()
		if s.expect(',') {
			continue
		}
		if !s.expect('}') {
			return a, false
		}
		break
	}
	s.skipSpace()
	return a, s.i == len(s.b) && haveHandle && haveBuf
}

type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// expect consumes c, after blanks, if it is next.
func (s *jsonScanner) expect(c byte) bool {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// integer reads a JSON integer (no fraction, no exponent).
func (s *jsonScanner) integer() (int64, bool) {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == digits || (s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E')) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
	return n, err == nil
}

// stringBody reads a string's contents after its opening quote. Without
// escapes the result aliases the input; otherwise it is unescaped into a
// new slice in one pass.
func (s *jsonScanner) stringBody() ([]byte, bool) {
	q := bytes.IndexByte(s.b[s.i:], '"')
	if q < 0 {
		return nil, false
	}
	q += s.i
	if bytes.IndexByte(s.b[s.i:q], '\\') < 0 {
		str := s.b[s.i:q]
		s.i = q + 1
		return str, true
	}
	out := make([]byte, 0, q-s.i)
	for {
		// q is the next quote at or after s.i, escaped or not.
		if q < s.i {
			k := bytes.IndexByte(s.b[s.i:], '"')
			if k < 0 {
				return nil, false
			}
			q = s.i + k
		}
		k := bytes.IndexByte(s.b[s.i:q], '\\')
		if k < 0 {
			out = append(out, s.b[s.i:q]...)
			s.i = q + 1
			return out, true
		}
		out = append(out, s.b[s.i:s.i+k]...)
		s.i += k + 1
		if s.i >= len(s.b) {
			return nil, false
		}
		c := s.b[s.i]
		s.i++
		switch c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return nil, false
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if save := s.i; s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					s.i += 2
					if r2, ok = s.hex4(); !ok {
						return nil, false
					}
					if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
						s.i = save // not a pair: the second escape stands alone
					}
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, false
		}
	}
}

func (s *jsonScanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.i += 4
	return rune(n), true
}
