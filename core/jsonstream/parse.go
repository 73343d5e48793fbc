package jsonstream

import (
	"math"
	"strconv"
	"unsafe"

	"github.com/qgad/qgad/qapi"
)

// maxParseMessage is the size of the buffer json-parser.c formats its
// messages into (vsnprintf into char[1024]): longer ones are cut.
const maxParseMessage = 1023

// parse builds the value of the complete message in p.toks
// (json_parser_parse). Only the first error is reported.
func (p *Parser) parse() (any, error) {
	p.pos = 0
	p.failed = false
	p.errText = ""
	v, _ := p.parseValue()
	if p.failed {
		return nil, genericError(p.errText)
	}
	return v, nil
}

// fail records a parse error unless one was already recorded.
func (p *Parser) fail(msg string) {
	if p.failed {
		return
	}
	if len(msg) > maxParseMessage {
		msg = msg[:maxParseMessage]
	}
	p.failed = true
	p.errText = "JSON parse error, " + msg
}

func (p *Parser) peek() *token {
	if p.pos < len(p.toks) {
		return &p.toks[p.pos]
	}
	return nil
}

func (p *Parser) pop() *token {
	t := p.peek()
	if t != nil {
		p.pos++
	}
	return t
}

// raw returns the bytes of a token.
func (p *Parser) raw(t *token) []byte {
	return p.buf[t.start:t.end]
}

// parseValue returns the value of the next token(s); ok is false after an
// error (a JSON null is nil with ok true).
func (p *Parser) parseValue() (v any, ok bool) {
	t := p.peek()
	if t == nil {
		p.fail("premature EOI")
		return nil, false
	}
	switch t.typ {
	case tLCurly:
		return p.parseObject()
	case tLSquare:
		return p.parseArray()
	case tString:
		p.pos++
		if s, ok := p.parseString(t); ok {
			return s, true
		}
		return nil, false
	case tInteger:
		p.pos++
		return parseInteger(p.raw(t)), true
	case tFloat:
		p.pos++
		return parseFloat(p.raw(t)), true
	case tKeyword:
		p.pos++
		switch string(p.raw(t)) {
		case "true":
			return true, true
		case "false":
			return false, true
		case "null":
			return nil, true
		}
		p.fail("invalid keyword '" + string(p.raw(t)) + "'")
		return nil, false
	}
	p.fail("expecting value") // the token is not consumed
	return nil, false
}

func (p *Parser) parseObject() (any, bool) {
	p.pos++ // '{'
	obj := &qapi.Object{Members: make([]qapi.Member, 0, 4)}
	var seen map[string]struct{} // for large objects
	t := p.peek()
	if t == nil {
		p.fail("premature EOI")
		return nil, false
	}
	if t.typ == tRCurly {
		p.pos++
		return obj, true
	}
	for {
		if !p.parsePair(obj, &seen) {
			return nil, false
		}
		t = p.pop()
		if t == nil {
			p.fail("premature EOI")
			return nil, false
		}
		if t.typ == tRCurly {
			return obj, true
		}
		if t.typ != tComma {
			p.fail("expected separator in dict")
			return nil, false
		}
	}
}

func (p *Parser) parsePair(obj *qapi.Object, seen *map[string]struct{}) bool {
	if p.peek() == nil {
		p.fail("premature EOI")
		return false
	}
	var key string
	if t := p.peek(); t.typ == tString {
		// The common case, without boxing the key in an interface.
		p.pos++
		var ok bool
		if key, ok = p.parseString(t); !ok {
			return false
		}
	} else {
		p.parseValue()
		p.fail("key is not a string in object")
		return false
	}
	t := p.pop()
	if t == nil {
		p.fail("premature EOI")
		return false
	}
	if t.typ != tColon {
		p.fail("missing : in object pair")
		return false
	}
	v, ok := p.parseValue()
	if !ok {
		p.fail("Missing value in dict") // not reached: an error is already recorded
		return false
	}
	if hasKey(obj, key, seen) {
		p.fail("duplicate key")
		return false
	}
	obj.Members = append(obj.Members, qapi.Member{Key: key, Value: v})
	return true
}

// hasKey reports whether obj has a member named key, and if not, records key
// in seen once the object is large enough for linear search to be slow.
func hasKey(obj *qapi.Object, key string, seen *map[string]struct{}) bool {
	const linear = 16
	if *seen == nil {
		for _, m := range obj.Members {
			if m.Key == key {
				return true
			}
		}
		if len(obj.Members)+1 < linear {
			return false
		}
		*seen = make(map[string]struct{}, 2*linear)
		for _, m := range obj.Members {
			(*seen)[m.Key] = struct{}{}
		}
		(*seen)[key] = struct{}{}
		return false
	}
	if _, dup := (*seen)[key]; dup {
		return true
	}
	(*seen)[key] = struct{}{}
	return false
}

func (p *Parser) parseArray() (any, bool) {
	p.pos++ // '['
	list := []any{}
	t := p.peek()
	if t == nil {
		p.fail("premature EOI")
		return nil, false
	}
	if t.typ == tRSquare {
		p.pos++
		return list, true
	}
	for {
		v, ok := p.parseValue()
		if !ok {
			p.fail("expecting value")
			return nil, false
		}
		list = append(list, v)
		t = p.pop()
		if t == nil {
			p.fail("premature EOI")
			return nil, false
		}
		if t.typ == tRSquare {
			return list, true
		}
		if t.typ != tComma {
			p.fail("expected separator in list")
			return nil, false
		}
	}
}

// parseInteger converts an integer token like QEMU: int64 if it fits, else
// uint64 if positive and it fits, else float64.
func parseInteger(raw []byte) any {
	neg := raw[0] == '-'
	digits := raw
	if neg {
		digits = raw[1:]
	}
	var u uint64
	for _, c := range digits {
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return parseFloat(raw)
		}
		u = u*10 + d
	}
	switch {
	case !neg && u <= math.MaxInt64:
		return int64(u)
	case !neg:
		return u
	case u <= 1<<63:
		return -int64(u) // wraps to MinInt64 for 1<<63
	}
	return parseFloat(raw)
}

// parseFloat is strtod for a JSON number token; out-of-range values become
// ±Inf or 0 (or a denormal), as with strtod.
func parseFloat(raw []byte) float64 {
	f, _ := strconv.ParseFloat(string(raw), 64)
	return f
}

// parseString decodes a string token (parse_string): escapes, including
// \' and surrogate pairs, are decoded, \u0000 becomes C0 80, and the bytes
// must be valid modified UTF-8.
func (p *Parser) parseString(t *token) (string, bool) {
	raw := p.raw(t)
	if t.plain {
		if cap(p.buf) > keepBufCap {
			// A big plain string (guest-file-write's 64 MiB of base64) is
			// not copied: the value shares the token buffer, which the
			// parser gives up anyway (discard). Below that size the buffer
			// is kept for the next message, and growing a new one would
			// cost more than the copy.
			p.bufShared = true
			return unsafe.String(&raw[1], len(raw)-2), true
		}
		return internKey(raw[1 : len(raw)-1]), true
	}
	q := raw[0]
	out := p.scratch[:0]
	i := 1
	for i < len(raw) && raw[i] != q {
		c := raw[i]
		if c == '\\' {
			beg := i
			i += 2
			switch at(raw, beg+1) {
			case '"':
				out = append(out, '"')
			case '\'':
				out = append(out, '\'')
			case '\\':
				out = append(out, '\\')
			case '/':
				out = append(out, '/')
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
				cp := cvt4hex(raw, i)
				i += 4
				if cp >= 0xD800 && cp <= 0xDBFF && at(raw, i) == '\\' && at(raw, i+1) == 'u' {
					cp = 0x10000 + (cp&0x3FF)<<10
					if trailing := cvt4hex(raw, i+2); trailing >= 0xDC00 && trailing <= 0xDFFF {
						cp |= trailing & 0x3FF
						i += 6
					} else {
						cp = -1
					}
				}
				if !validCodepoint(cp) {
					// Printed with "%.*s": at most up to the token's end.
					p.fail(string(raw[beg:min(i, len(raw))]) + " is not a valid Unicode character")
					return "", false
				}
				out = appendModUTF8(out, cp)
			default:
				p.fail("invalid escape sequence in string")
				return "", false
			}
			continue
		}
		if c < 0x80 {
			// Copy the run of plain ASCII bytes.
			j := i + 1
			for j < len(raw) && raw[j] < 0x80 && raw[j] != '\\' && raw[j] != q {
				j++
			}
			out = append(out, raw[i:j]...)
			i = j
			continue
		}
		_, n := modUTF8Codepoint(raw[i:])
		if n < 0 {
			p.fail("invalid UTF-8 sequence in string")
			return "", false
		}
		// A valid sequence re-encodes to itself.
		out = append(out, raw[i:i+n]...)
		i += n
	}
	p.scratch = out[:0]
	return internKey(out), true
}

// internKey converts b to a string, without allocating for the member names
// every request uses.
func internKey(b []byte) string {
	switch string(b) {
	case "execute":
		return "execute"
	case "arguments":
		return "arguments"
	case "id":
		return "id"
	case "handle":
		return "handle"
	case "count":
		return "count"
	case "buf-b64":
		return "buf-b64"
	case "path":
		return "path"
	case "mode":
		return "mode"
	case "guest-ping":
		return "guest-ping"
	case "guest-sync-delimited":
		return "guest-sync-delimited"
	case "guest-sync":
		return "guest-sync"
	}
	return string(b)
}

// at returns raw[i], or 0 past the end (the token is a C string).
func at(raw []byte, i int) byte {
	if i < len(raw) {
		return raw[i]
	}
	return 0
}

// cvt4hex decodes the 4 hex digits at raw[i:], or returns -1.
func cvt4hex(raw []byte, i int) rune {
	cp := rune(0)
	for k := 0; k < 4; k++ {
		c := at(raw, i+k)
		switch {
		case c >= '0' && c <= '9':
			cp = cp<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			cp = cp<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			cp = cp<<4 | rune(c-'A'+10)
		default:
			return -1
		}
	}
	return cp
}

// validCodepoint is QEMU's is_valid_codepoint: in range, not a surrogate,
// not a noncharacter.
func validCodepoint(cp rune) bool {
	switch {
	case cp < 0 || cp > 0x10FFFF:
		return false
	case cp >= 0xFDD0 && cp <= 0xFDEF, cp&0xFFFE == 0xFFFE:
		return false
	case cp >= 0xD800 && cp <= 0xDFFF:
		return false
	}
	return true
}

// appendModUTF8 appends the modified UTF-8 encoding of a valid code point
// (U+0000 as C0 80).
func appendModUTF8(out []byte, cp rune) []byte {
	switch {
	case cp > 0 && cp <= 0x7F:
		return append(out, byte(cp))
	case cp <= 0x7FF:
		return append(out, 0xC0|byte(cp>>6), 0x80|byte(cp&0x3F))
	case cp <= 0xFFFF:
		return append(out, 0xE0|byte(cp>>12), 0x80|byte(cp>>6&0x3F), 0x80|byte(cp&0x3F))
	}
	return append(out, 0xF0|byte(cp>>18), 0x80|byte(cp>>12&0x3F), 0x80|byte(cp>>6&0x3F), 0x80|byte(cp&0x3F))
}

// modUTF8Codepoint validates the multi-byte sequence at the start of s
// (s[0] >= 0x80) like mod_utf8_codepoint: it returns the code point and the
// sequence length, or n = -1 if the sequence is invalid (impossible byte,
// stray continuation byte, missing continuation bytes, overlong other than
// C0 80, surrogate, noncharacter, beyond U+10FFFF).
func modUTF8Codepoint(s []byte) (cp rune, n int) {
	c := s[0]
	if c >= 0xFE || c&0x40 == 0 {
		return -1, -1
	}
	n = 2
	for mask := byte(0x20); c&mask != 0; mask >>= 1 {
		n++
	}
	cp = rune(c) & (0x7F >> n)
	for k := 1; k < n; k++ {
		if k >= len(s) || s[k]&0xC0 != 0x80 {
			return -1, -1
		}
		cp = cp<<6 | rune(s[k]&0x3F)
	}
	if !validCodepoint(cp) {
		return -1, -1
	}
	minCP := [...]rune{0x80, 0x800, 0x10000, 0x200000, 0x4000000}
	if cp < minCP[n-2] && (cp != 0 || n != 2) {
		return -1, -1
	}
	return cp, n
}
