// Package jsonstream turns the byte stream a qemu-ga client sends into JSON
// values and error responses exactly as QEMU's streaming JSON parser does
// (qobject/json-lexer.c, json-streamer.c, json-parser.c; unchanged between
// QEMU 7.2 and 10.2).
//
// The three stages are reproduced faithfully because their quirks are
// visible on the wire:
//
//   - The lexer accepts single-quoted strings and the \' escape, needs a
//     lookahead byte to end a top-level number or keyword, reports any byte
//     that cannot continue the current token as a "stray" error and then
//     skips input until a resynchronization byte ([ ] { } : , a control byte
//     other than TAB, 0xFE or 0xFF), which is lexed again.
//   - The streamer collects the tokens of one message until its braces and
//     brackets balance, enforcing the 64 MiB / 2 Mi tokens / depth 1024
//     limits; any lexical error or limit discards the message.
//   - The parser then builds the value, reporting only its first error.
//
// Values use the qapi value model: *qapi.Object (members in input order),
// []any, string (bytes as QEMU holds them: \u0000 becomes C0 80), int64,
// uint64, float64, bool and nil.
package jsonstream

import (
	"bytes"
	"encoding/binary"

	"github.com/qgad/qgad/internal/bigcopy"
	"github.com/qgad/qgad/qapi"
)

// Limits of json-streamer.c / json-lexer.c.
const (
	maxTokenSize  = 64 << 20 // cumulative token bytes of a message; single token
	maxTokenCount = 2 << 20  // tokens per message
	maxNesting    = 1 << 10  // open braces + brackets
)

// Buffers above these capacities are released once a message is done, so
// that one huge request does not pin its memory.
const (
	keepBufCap  = 8 << 20
	keepToksCap = 64 << 10
)

// Lexer states (json-lexer.c, without interpolation).
const (
	stStart uint8 = iota
	stRecovery
	stDQString
	stDQEscape
	stSQString
	stSQEscape
	stZero
	stSign
	stDigits
	stMantissa
	stMantissaDigits
	stExpE
	stExpSign
	stExpDigits
	stKeyword
)

// Token types.
const (
	tLCurly uint8 = iota + 1
	tRCurly
	tLSquare
	tRSquare
	tColon
	tComma
	tInteger
	tFloat
	tKeyword
	tString
)

// token is one token of the pending message. The bytes of integer, float,
// keyword and string tokens (strings with their quotes) are buf[start:end].
type token struct {
	typ   uint8
	plain bool // string without escapes whose bytes are all 0x20..0x7F
	start uint32
	end   uint32
}

// Parser is the streaming lexer, streamer and parser of one qemu-ga
// instance. Its state survives across Feed calls, as qemu-ga keeps one
// parser for its whole lifetime (across client reconnects). The zero value
// is ready to use. A Parser must not be used concurrently, and emit must not
// call Feed on the same Parser.
type Parser struct {
	// Lexer.
	state uint8
	plain bool // the string being lexed is plain so far

	// Streamer: the pending message. buf holds the bytes of its tokens,
	// followed by the token being lexed, which starts at tokStart.
	buf []byte
	// bufShared is set when a parsed value aliases buf: buf must not be
	// reused for the next message.
	bufShared bool
	tokStart  int
	toks      []token
	tokSize   int // sum of the lengths of toks
	brace     int
	bracket   int

	// Parser.
	pos     int    // next token
	failed  bool   // a parse error was recorded
	errText string // the first parse error
	scratch []byte // string decoding
}

// New returns a Parser in its initial state.
func New() *Parser {
	return &Parser{}
}

// Feed lexes data and, for each complete top-level JSON value or error, in
// order, calls emit. err != nil means an error response: a *qapi.Error of
// class GenericError whose Desc is the exact text qemu-ga reports (never with
// an id); v is then nil. Otherwise v is the value (nil for JSON null).
func (p *Parser) Feed(data []byte, emit func(v any, err error)) {
	i := 0
	for i < len(data) {
		c := data[i]
		switch p.state {
		case stStart:
			switch {
			case c == ' ' || c == '\t' || c == '\r' || c == '\n':
				i++
			case c == '"':
				p.begin(c, stDQString)
				p.plain = true
				i++
			case c == '\'':
				p.begin(c, stSQString)
				p.plain = true
				i++
			case c == '0':
				p.begin(c, stZero)
				i++
			case c >= '1' && c <= '9':
				p.begin(c, stDigits)
				i++
			case c == '-':
				p.begin(c, stSign)
				i++
			case c >= 'a' && c <= 'z':
				p.begin(c, stKeyword)
				i++
			case c == '{':
				i++
				p.process(tLCurly, 1, emit)
			case c == '}':
				i++
				p.process(tRCurly, 1, emit)
			case c == '[':
				i++
				p.process(tLSquare, 1, emit)
			case c == ']':
				i++
				p.process(tRSquare, 1, emit)
			case c == ':':
				i++
				p.process(tColon, 1, emit)
			case c == ',':
				i++
				p.process(tComma, 1, emit)
			default:
				p.begin(c, stStart)
				i++
				p.lexError(emit)
			}

		case stRecovery:
			for i < len(data) {
				c = data[i]
				if resync(c) {
					p.state = stStart // re-lex c
					break
				}
				i++
			}

		case stDQString, stSQString:
			q := byte('"')
			if p.state == stSQString {
				q = '\''
			}
			n := stringRun(data[i:], q)
			if room := maxTokenSize + 1 - p.tokLen(); n > room {
				n = room
			}
			p.buf = bigcopy.Append(p.buf, data[i:i+n])
			i += n
			if p.oversize(emit) || i == len(data) {
				break
			}
			c = data[i]
			i++
			p.buf = append(p.buf, c)
			switch {
			case c == q:
				p.finish(tString, emit)
			case c == '\\':
				p.plain = false
				p.state++ // the matching escape state
				p.oversize(emit)
			case c < 0x20 || c >= 0xFE:
				p.lexError(emit)
			default: // 0x80..0xFD
				p.plain = false
				p.oversize(emit)
			}

		case stDQEscape, stSQEscape:
			i++
			p.buf = append(p.buf, c)
			if c < 0x20 || c >= 0xFE {
				p.lexError(emit)
				break
			}
			p.state-- // back to the string state
			p.oversize(emit)

		case stZero:
			switch {
			case c >= '0' && c <= '9':
				i++
				p.buf = append(p.buf, c)
				p.lexError(emit)
			case c == '.':
				i++
				p.consume(c, stMantissa, emit)
			default:
				p.finish(tInteger, emit)
			}

		case stSign:
			i++
			switch {
			case c == '0':
				p.consume(c, stZero, emit)
			case c >= '1' && c <= '9':
				p.consume(c, stDigits, emit)
			default:
				p.buf = append(p.buf, c)
				p.lexError(emit)
			}

		case stDigits, stMantissaDigits, stExpDigits, stKeyword:
			lo, hi := byte('0'), byte('9')
			if p.state == stKeyword {
				lo, hi = 'a', 'z'
			}
			n := 0
			for room := maxTokenSize + 1 - p.tokLen(); n < room && i+n < len(data); n++ {
				if c := data[i+n]; c < lo || c > hi {
					break
				}
			}
			p.buf = bigcopy.Append(p.buf, data[i:i+n])
			i += n
			if p.oversize(emit) || i == len(data) {
				break
			}
			c = data[i]
			switch {
			case (c == 'e' || c == 'E') && (p.state == stDigits || p.state == stMantissaDigits):
				i++
				p.consume(c, stExpE, emit)
			case c == '.' && p.state == stDigits:
				i++
				p.consume(c, stMantissa, emit)
			case p.state == stDigits:
				p.finish(tInteger, emit)
			case p.state == stKeyword:
				p.finish(tKeyword, emit)
			default:
				p.finish(tFloat, emit)
			}

		case stMantissa, stExpSign:
			i++
			if c >= '0' && c <= '9' {
				next := stMantissaDigits
				if p.state == stExpSign {
					next = stExpDigits
				}
				p.consume(c, next, emit)
				break
			}
			p.buf = append(p.buf, c)
			p.lexError(emit)

		case stExpE:
			i++
			switch {
			case c == '-' || c == '+':
				p.consume(c, stExpSign, emit)
			case c >= '0' && c <= '9':
				p.consume(c, stExpDigits, emit)
			default:
				p.buf = append(p.buf, c)
				p.lexError(emit)
			}
		}
	}
}

// resync reports whether the recovery state stops at c: a structural
// character, an ASCII control character other than TAB, or 0xFE/0xFF.
func resync(c byte) bool {
	switch c {
	case '[', ']', '{', '}', ':', ',', 0xFE, 0xFF:
		return true
	}
	return c < 0x20 && c != '\t'
}

// tokLen is the length of the token being lexed.
func (p *Parser) tokLen() int {
	return len(p.buf) - p.tokStart
}

// begin starts a token with byte c in lexer state st.
func (p *Parser) begin(c byte, st uint8) {
	p.tokStart = len(p.buf)
	p.buf = append(p.buf, c)
	p.state = st
}

// consume adds c to the current token and moves to state st.
func (p *Parser) consume(c byte, st uint8, emit func(any, error)) {
	p.buf = append(p.buf, c)
	p.state = st
	p.oversize(emit)
}

// oversize enforces the lexer's single-token limit: a token longer than
// 64 MiB is handed to the streamer (which rejects it) and lexing restarts in
// the start state in the middle of the token.
func (p *Parser) oversize(emit func(any, error)) bool {
	if p.tokLen() <= maxTokenSize {
		return false
	}
	p.state = stStart
	p.limit("JSON token size limit exceeded", emit)
	return true
}

// lexError reports the current token, which ends with the offending byte,
// as stray, discards the pending message and enters the recovery state.
func (p *Parser) lexError(emit func(any, error)) {
	text := p.buf[p.tokStart:]
	if k := bytes.IndexByte(text, 0); k >= 0 {
		text = text[:k] // printed with %s
	}
	desc := "JSON parse error, stray '" + string(text) + "'"
	p.discard()
	p.state = stRecovery
	emit(nil, genericError(desc))
}

// finish completes the current token (whose last byte has been consumed, or
// which ended at a lookahead byte that is not consumed) and returns the
// lexer to the start state.
func (p *Parser) finish(typ uint8, emit func(any, error)) {
	p.state = stStart
	p.process(typ, p.tokLen(), emit)
}

// process is json_message_process_token: it adds a token of length n to the
// pending message and parses the message once it is complete.
func (p *Parser) process(typ uint8, n int, emit func(any, error)) {
	switch typ {
	case tLCurly:
		p.brace++
	case tRCurly:
		p.brace--
	case tLSquare:
		p.bracket++
	case tRSquare:
		p.bracket--
	}
	switch {
	case p.tokSize+n+1 > maxTokenSize:
		p.limit("JSON token size limit exceeded", emit)
		return
	case len(p.toks)+1 > maxTokenCount:
		p.limit("JSON token count limit exceeded", emit)
		return
	case p.brace+p.bracket > maxNesting:
		p.limit("JSON nesting depth limit exceeded", emit)
		return
	}
	t := token{typ: typ}
	if typ >= tInteger {
		t.start, t.end = uint32(p.tokStart), uint32(len(p.buf))
		t.plain = p.plain
	}
	p.toks = append(p.toks, t)
	p.tokSize += n
	// The message is complete when the counts balance, or as soon as one
	// goes negative (a stray closer).
	if (p.brace > 0 || p.bracket > 0) && p.brace >= 0 && p.bracket >= 0 {
		return
	}
	v, err := p.parse()
	p.discard()
	emit(v, err)
}

// limit discards the pending message and reports a limit error.
func (p *Parser) limit(desc string, emit func(any, error)) {
	p.discard()
	emit(nil, genericError(desc))
}

// discard drops the pending message (and the token being lexed).
func (p *Parser) discard() {
	if cap(p.buf) > keepBufCap || p.bufShared {
		p.buf = nil
		p.bufShared = false
	} else {
		p.buf = p.buf[:0]
	}
	if cap(p.toks) > keepToksCap {
		p.toks = nil
	} else {
		p.toks = p.toks[:0]
	}
	if cap(p.scratch) > keepBufCap {
		p.scratch = nil
	}
	p.tokStart = 0
	p.tokSize = 0
	p.brace = 0
	p.bracket = 0
}

func genericError(desc string) error {
	return &qapi.Error{Class: qapi.ClassGeneric, Desc: desc}
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// stringRun returns the length of the longest prefix of b whose bytes need
// no attention inside a string delimited by q: 0x20..0x7F except q and '\'.
func stringRun(b []byte, q byte) int {
	qq := lsb * uint64(q)
	i := 0
	for ; len(b)-i >= 32; i += 32 {
		c := b[i : i+32]
		if (special(binary.LittleEndian.Uint64(c[0:]), qq)|special(binary.LittleEndian.Uint64(c[8:]), qq)|
			special(binary.LittleEndian.Uint64(c[16:]), qq)|special(binary.LittleEndian.Uint64(c[24:]), qq))&msb != 0 {
			break
		}
	}
	for ; len(b)-i >= 8; i += 8 {
		if special(binary.LittleEndian.Uint64(b[i:]), qq)&msb != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		c := b[i]
		if c < 0x20 || c >= 0x80 || c == q || c == '\\' {
			break
		}
	}
	return i
}

// special sets bit 7 of some byte of its result if and only if a byte of w is
// < 0x20, >= 0x80, equal to the byte repeated in qq, or '\'.
func special(w, qq uint64) uint64 {
	x := w ^ qq
	y := w ^ (lsb * '\\')
	return ((w - lsb*0x20) & ^w) | w | ((x - lsb) & ^x) | ((y - lsb) & ^y)
}
