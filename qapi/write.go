package qapi

// The serializer reproduces, byte for byte, what QEMU's JSON writer
// (qobject/json-writer.c, non-pretty mode) produces for the QObject tree that
// qemu-ga builds from the same data:
//
//   - separators ", " and ": ", no other whitespace; {} and [] when empty;
//   - strings are treated as C strings (a NUL byte ends them) holding QEMU's
//     "modified UTF-8": '"' and '\' are backslash-escaped, BS FF LF CR TAB use
//     their short escapes, every other code point below 0x20 and every code
//     point from 0x7F up is written as \uXXXX with uppercase hex (surrogate
//     pairs above U+FFFF); each invalid sequence (including encoded
//     surrogates, noncharacters and overlongs other than C0 80) becomes
//     \uFFFD. The output is pure ASCII;
//   - integers in decimal, doubles as C printf("%.17g");
//   - object members in QDict order (see qdictBucket), not insertion order.

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/qgad/qgad/internal/bigcopy"
)

// maxWriteDepth bounds the nesting of values the writer accepts, so that a
// pointer cycle yields an error instead of exhausting the stack.
const maxWriteDepth = 10000

// Marshal returns the QEMU-style JSON encoding of v.
//
// v may be any value of the qapi value model (nil, bool, int64, uint64,
// float64, string, []any, *Object, RawJSON) and, through reflection, Go
// booleans, integers and floats of any size, strings, pointers (nil is null),
// slices and arrays (a nil slice is []), []byte (written as a standard base64
// string, "" when nil), maps with string keys (members inserted in sorted key
// order, a nil map is {}), json.RawMessage (verbatim, like RawJSON) and
// structs.
//
// Struct fields are the exported fields (embedded structs are flattened),
// named by their `json:"name"` tag or their Go name; `json:"-"` skips a
// field. Fields are inserted in declaration order, which determines the
// order of members that share a QDict bucket. With the "omitempty" option a
// nil pointer, slice, map or interface is absent, as are false, 0 and ""
// (a non-nil empty slice or map is present, unlike encoding/json, so that
// handlers can choose between an absent and an empty list).
func Marshal(v any) ([]byte, error) {
	return AppendJSON(nil, v)
}

// AppendJSON appends the encoding of v (see Marshal) to dst.
// On error dst is returned unchanged.
func AppendJSON(dst []byte, v any) ([]byte, error) {
	out, err := appendValue(dst, v, 0)
	if err != nil {
		return dst, err
	}
	return out, nil
}

var errTooDeep = errors.New("qapi: value nesting too deep (pointer cycle?)")

// UnsupportedTypeError is returned for Go values that have no JSON
// representation (channels, functions, complex numbers, maps whose keys are
// not strings, ...).
type UnsupportedTypeError struct {
	Type reflect.Type
}

func (e *UnsupportedTypeError) Error() string {
	return "qapi: unsupported type " + e.Type.String()
}

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, x), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case bool:
		if x {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case float64:
		return appendFloat(dst, x), nil
	case *Object:
		if x == nil {
			return append(dst, "null"...), nil
		}
		return appendObject(dst, x, depth)
	case []any:
		if depth >= maxWriteDepth {
			return dst, errTooDeep
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			var err error
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case RawJSON:
		return appendRaw(dst, x), nil
	case json.RawMessage:
		return appendRaw(dst, x), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case []string:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendString(dst, e)
		}
		return append(dst, ']'), nil
	case map[string]any:
		return appendStringMap(dst, x, depth)
	}
	return appendReflect(dst, reflect.ValueOf(v), depth)
}

func appendRaw(dst, raw []byte) []byte {
	if len(raw) == 0 {
		return append(dst, "null"...)
	}
	return append(dst, raw...)
}

func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	// strconv's 'g' with an explicit precision follows C's %g rules: %e
	// style when the exponent is < -4 or >= the precision, trailing zeros
	// removed, at least two exponent digits, correct rounding (ties to even
	// on the exact binary value, as glibc does).
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// ---------------------------------------------------------------------------
// Strings

// cstr returns s up to its first NUL byte: QEMU keeps strings as C strings.
func cstr(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// PlainLen returns the length of the longest prefix of b made of bytes
// that a JSON string carries as they are: 0x20..0x7E except '"' and '\\'.
// The writer copies such runs without looking at each byte, and the core
// checks a plugin's megabytes of base64 the same way.
func PlainLen(b []byte) int {
	i := 0
	// 32 bytes at a time, then 8, then 1.
	for ; len(b)-i >= 32; i += 32 {
		w := b[i : i+32 : i+32]
		if (wordSpecial(binary.LittleEndian.Uint64(w))|wordSpecial(binary.LittleEndian.Uint64(w[8:]))|
			wordSpecial(binary.LittleEndian.Uint64(w[16:]))|wordSpecial(binary.LittleEndian.Uint64(w[24:])))&msb != 0 {
			break
		}
	}
	for ; len(b)-i >= 8; i += 8 {
		if wordSpecial(binary.LittleEndian.Uint64(b[i:]))&msb != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= 0x7F || c == '"' || c == '\\' {
			break
		}
	}
	return i
}

// plainLenString is PlainLen of a string, read in place.
func plainLenString(s string) int {
	return PlainLen(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// wordSpecial returns a word whose bit 7 of some byte is set (tested with
// msb) if and only if one of the 8 bytes of w is < 0x20, >= 0x7F, '"' or
// '\\'. Each term is exact as to whether some byte matches.
func wordSpecial(w uint64) uint64 {
	q := w ^ (lsb * '"')
	b := w ^ (lsb * '\\')
	special := (w - lsb*0x20) & ^w // some byte < 0x20
	special |= (w + lsb) | w       // some byte >= 0x7F
	special |= (q - lsb) & ^q      // some byte == '"'
	special |= (b - lsb) & ^b      // some byte == '\\'
	return special
}

const hexDigits = "0123456789ABCDEF"

func appendU4(dst []byte, u rune) []byte {
	return append(dst, '\\', 'u', hexDigits[u>>12&0xF], hexDigits[u>>8&0xF], hexDigits[u>>4&0xF], hexDigits[u&0xF])
}

// appendString appends s as a quoted JSON string, QEMU style.
func appendString(dst []byte, s string) []byte {
	if len(s) > 4096 {
		// Room for the whole string plus the tail of a typical response, so
		// that a huge base64 payload is copied only once.
		dst = slices.Grow(dst, len(s)+256)
	}
	dst = append(dst, '"')
	for {
		n := plainLenString(s)
		dst = bigcopy.Append(dst, s[:n])
		s = s[n:]
		if len(s) == 0 {
			break
		}
		c := s[0]
		if c < 0x80 {
			s = s[1:]
			switch c {
			case 0:
				// End of the C string.
				return append(dst, '"')
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default: // other controls and DEL
				dst = appendU4(dst, rune(c))
			}
			continue
		}
		cp, size := modUTF8Codepoint(s)
		s = s[size:]
		if cp < 0 {
			cp = 0xFFFD
		}
		if cp > 0xFFFF {
			cp -= 0x10000
			dst = appendU4(dst, 0xD800+(cp>>10))
			dst = appendU4(dst, 0xDC00+(cp&0x3FF))
		} else {
			dst = appendU4(dst, cp)
		}
	}
	return append(dst, '"')
}

// validCodepoint reports whether QEMU accepts cp as a Unicode character:
// in range, not a surrogate, not one of the 66 noncharacters.
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

// modUTF8Codepoint decodes the modified UTF-8 sequence at the start of s
// (len(s) > 0, s[0] != 0) the way QEMU's mod_utf8_codepoint does: it returns
// the code point, or -1 for an invalid sequence, and the number of bytes the
// sequence spans (for an invalid sequence: 1 for an impossible or
// continuation byte, else the lead byte plus the continuation bytes present,
// at most the expected number). The end of s counts as a NUL byte.
func modUTF8Codepoint(s string) (rune, int) {
	c := s[0]
	switch {
	case c < 0x80:
		return rune(c), 1
	case c >= 0xFE, c&0x40 == 0:
		return -1, 1
	}
	n := 2 // sequence length from the lead byte
	for mask := byte(0x20); c&mask != 0; mask >>= 1 {
		n++
	}
	cp := rune(c) & (0x7F >> n)
	for i := 1; i < n; i++ {
		if i >= len(s) || s[i]&0xC0 != 0x80 {
			return -1, i
		}
		cp = cp<<6 | rune(s[i]&0x3F)
	}
	if !validCodepoint(cp) {
		return -1, n
	}
	minCP := [...]rune{0x80, 0x800, 0x10000, 0x200000, 0x4000000}
	if cp < minCP[n-2] && (cp != 0 || n != 2) {
		return -1, n // overlong, other than C0 80
	}
	return cp, n
}

// ---------------------------------------------------------------------------
// Objects and QDict order

// qdictBucket returns the QDict hash bucket (0..511) of key, a C string.
func qdictBucket(key string) uint32 {
	h := 0x238F13AF * uint32(len(key))
	for i := 0; i < len(key); i++ {
		h += uint32(key[i]) << (uint(i) * 5 % 24)
	}
	return (1103515243*h + 12345) % 512
}

// orderEntry is one member in the process of being ordered.
type orderEntry struct {
	bucket uint32
	pos    int // insertion index of the key (of its first occurrence)
	idx    int // index of the value: for a repeated key, its last occurrence
}

// qdictOrder returns, in emission order, the n members whose keys (C strings,
// in insertion order) are given by key. A key inserted again keeps the place
// of its first insertion and takes the later value, as qdict_put does; pos
// is the index of the key's first occurrence, idx the index of the value.
func qdictOrder(n int, key func(int) string, buf []orderEntry) []orderEntry {
	es := buf[:0]
	for i := 0; i < n; i++ {
		es = append(es, orderEntry{bucket: qdictBucket(key(i)), pos: i, idx: i})
	}
	sortEntries(es)
	// Equal keys share a bucket, so duplicates can only sit in bucket runs.
	for i := 0; i+1 < len(es); i++ {
		for j := i + 1; j < len(es) && es[j].bucket == es[i].bucket; j++ {
			if key(es[i].pos) == key(es[j].pos) {
				return qdictOrderDedupe(n, key)
			}
		}
	}
	return es
}

// qdictOrderDedupe is qdictOrder for key lists with repetitions.
func qdictOrderDedupe(n int, key func(int) string) []orderEntry {
	first := make(map[string]int, n)
	es := make([]orderEntry, 0, n)
	for i := 0; i < n; i++ {
		k := key(i)
		if j, ok := first[k]; ok {
			es[j].idx = i
			continue
		}
		first[k] = len(es)
		es = append(es, orderEntry{bucket: qdictBucket(k), pos: i, idx: i})
	}
	sortEntries(es)
	return es
}

// sortEntries sorts by bucket, and inside a bucket the most recent
// insertion first (QDict buckets are lists with insertion at the head).
func sortEntries(es []orderEntry) {
	less := func(a, b orderEntry) bool {
		if a.bucket != b.bucket {
			return a.bucket < b.bucket
		}
		return a.pos > b.pos
	}
	if len(es) <= 12 {
		for i := 1; i < len(es); i++ {
			for j := i; j > 0 && less(es[j], es[j-1]); j-- {
				es[j], es[j-1] = es[j-1], es[j]
			}
		}
		return
	}
	slices.SortFunc(es, func(a, b orderEntry) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	})
}

func appendObject(dst []byte, o *Object, depth int) ([]byte, error) {
	if depth >= maxWriteDepth {
		return dst, errTooDeep
	}
	n := len(o.Members)
	if n == 0 {
		return append(dst, "{}"...), nil
	}
	var buf [16]orderEntry
	es := qdictOrder(n, func(i int) string { return cstr(o.Members[i].Key) }, buf[:])
	dst = append(dst, '{')
	for i, e := range es {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = appendString(dst, o.Members[e.pos].Key)
		dst = append(dst, ": "...)
		var err error
		if dst, err = appendValue(dst, o.Members[e.idx].Value, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

func appendStringMap(dst []byte, m map[string]any, depth int) ([]byte, error) {
	if depth >= maxWriteDepth {
		return dst, errTooDeep
	}
	if len(m) == 0 {
		return append(dst, "{}"...), nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var buf [16]orderEntry
	es := qdictOrder(len(keys), func(i int) string { return cstr(keys[i]) }, buf[:])
	dst = append(dst, '{')
	for i, e := range es {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = appendString(dst, keys[e.pos])
		dst = append(dst, ": "...)
		var err error
		if dst, err = appendValue(dst, m[keys[e.idx]], depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// ---------------------------------------------------------------------------
// Reflection

var (
	rawJSONType    = reflect.TypeFor[RawJSON]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	objectPtrType  = reflect.TypeFor[*Object]()
)

func appendReflect(dst []byte, rv reflect.Value, depth int) ([]byte, error) {
	if depth >= maxWriteDepth {
		return dst, errTooDeep
	}
	if !rv.IsValid() {
		return append(dst, "null"...), nil
	}
	t := rv.Type()
	switch t {
	case rawJSONType, rawMessageType:
		return appendRaw(dst, rv.Bytes()), nil
	case objectPtrType:
		if rv.IsNil() {
			return append(dst, "null"...), nil
		}
		return appendObject(dst, rv.Interface().(*Object), depth)
	}
	switch rv.Kind() {
	case reflect.Bool:
		if rv.Bool() {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(dst, rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return appendFloat(dst, rv.Float()), nil
	case reflect.String:
		return appendString(dst, rv.String()), nil
	case reflect.Pointer:
		if rv.IsNil() {
			return append(dst, "null"...), nil
		}
		return appendReflect(dst, rv.Elem(), depth+1)
	case reflect.Interface:
		if rv.IsNil() {
			return append(dst, "null"...), nil
		}
		return appendValue(dst, rv.Elem().Interface(), depth+1)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return appendBase64(dst, rv.Bytes()), nil
		}
		return appendList(dst, rv, depth)
	case reflect.Array:
		return appendList(dst, rv, depth)
	case reflect.Map:
		return appendMap(dst, rv, depth)
	case reflect.Struct:
		return appendStruct(dst, rv, depth)
	}
	return dst, &UnsupportedTypeError{Type: t}
}

func appendBase64(dst, b []byte) []byte {
	n := base64.StdEncoding.EncodedLen(len(b))
	dst = slices.Grow(dst, n+2+256)
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

func appendList(dst []byte, rv reflect.Value, depth int) ([]byte, error) {
	dst = append(dst, '[')
	for i, n := 0, rv.Len(); i < n; i++ {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		var err error
		if dst, err = appendReflect(dst, rv.Index(i), depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

func appendMap(dst []byte, rv reflect.Value, depth int) ([]byte, error) {
	t := rv.Type()
	if t.Key().Kind() != reflect.String {
		return dst, &UnsupportedTypeError{Type: t}
	}
	if rv.Len() == 0 {
		return append(dst, "{}"...), nil
	}
	keys := rv.MapKeys()
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.String()
	}
	perm := make([]int, len(keys))
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int { return strings.Compare(names[a], names[b]) })
	var buf [16]orderEntry
	es := qdictOrder(len(perm), func(i int) string { return cstr(names[perm[i]]) }, buf[:])
	dst = append(dst, '{')
	for i, e := range es {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = appendString(dst, names[perm[e.pos]])
		dst = append(dst, ": "...)
		var err error
		if dst, err = appendReflect(dst, rv.MapIndex(keys[perm[e.idx]]), depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// structField describes one member a struct type contributes.
type structField struct {
	index     []int  // field index path (embedded structs flattened)
	prefix    []byte // `"name": ` as written after the separator
	omitEmpty bool
}

// structInfo lists a struct type's members in QDict emission order.
type structInfo struct {
	fields []structField
}

// structCache maps reflect.Type to *structInfo. It is the package's only
// mutable state: a cache of immutable, derived data.
var structCache sync.Map

func cachedStructInfo(t reflect.Type) *structInfo {
	if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	si, _ := structCache.LoadOrStore(t, buildStructInfo(t))
	return si.(*structInfo)
}

type declField struct {
	name      string
	index     []int
	omitEmpty bool
}

func collectFields(t reflect.Type, index []int, seen map[string]bool, out *[]declField, visiting map[reflect.Type]bool) {
	if visiting[t] {
		return
	}
	visiting[t] = true
	defer delete(visiting, t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(slices.Clip(index), i)
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, idx, seen, out, visiting)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" || !hasTag {
			name = f.Name
		}
		name = cstr(name)
		if seen[name] {
			continue // first declaration wins
		}
		seen[name] = true
		omit := false
		for opts != "" {
			var o string
			o, opts, _ = strings.Cut(opts, ",")
			if o == "omitempty" {
				omit = true
			}
		}
		*out = append(*out, declField{name: name, index: idx, omitEmpty: omit})
	}
}

func buildStructInfo(t reflect.Type) *structInfo {
	var decl []declField
	collectFields(t, nil, map[string]bool{}, &decl, map[reflect.Type]bool{})
	es := qdictOrder(len(decl), func(i int) string { return decl[i].name }, nil)
	si := &structInfo{fields: make([]structField, len(es))}
	for i, e := range es {
		d := decl[e.pos]
		prefix := appendString(nil, d.name)
		prefix = append(prefix, ": "...)
		si.fields[i] = structField{index: d.index, prefix: prefix, omitEmpty: d.omitEmpty}
	}
	return si
}

// fieldByIndex is like reflect.Value.FieldByIndex but reports false when it
// meets a nil embedded pointer.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.String:
		return v.Len() == 0
	}
	return false
}

func appendStruct(dst []byte, rv reflect.Value, depth int) ([]byte, error) {
	si := cachedStructInfo(rv.Type())
	dst = append(dst, '{')
	first := true
	for i := range si.fields {
		f := &si.fields[i]
		fv, ok := fieldByIndex(rv, f.index)
		if !ok || (f.omitEmpty && isEmptyValue(fv)) {
			continue
		}
		if !first {
			dst = append(dst, ", "...)
		}
		first = false
		dst = append(dst, f.prefix...)
		var err error
		if dst, err = appendReflect(dst, fv, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}
