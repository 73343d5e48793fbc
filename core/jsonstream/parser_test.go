package jsonstream

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/qgad/qgad/qapi"
)

// streamCases were checked against qemu-ga 7.2 (Debian 12): with every
// value answered the way its dispatcher does, the responses were identical.
// Inputs that end in the middle of a token or message produce nothing yet.
var streamCases = []struct {
	in   string
	want []string
}{
	{"{\"execute\":\"guest-ping\"}", []string{"{\"execute\":\"guest-ping\"}"}},
	{"{\"execute\":\"guest-ping\"}{\"execute\":\"guest-info2\",\"id\":1}", []string{"{\"execute\":\"guest-ping\"}", "{\"execute\":\"guest-info2\",\"id\":1}"}},
	{"42", []string{}},
	{"42\n", []string{"42"}},
	{"-0 ", []string{"0"}},
	{"1.5 ", []string{"f1.5"}},
	{"1e3,", []string{"f1000", "ERR JSON parse error, expecting value"}},
	{"\"abc\"", []string{"\"abc\""}},
	{"'a\"b'", []string{"\"a\\\"b\""}},
	{"{\"execute\":'guest-ping', 'id':'a\\'b\\\"c'}", []string{"{\"execute\":\"guest-ping\",\"id\":\"a'b\\\"c\"}"}},
	{"true false null nul ", []string{"true", "false", "null", "ERR JSON parse error, invalid keyword 'nul'"}},
	{"True", []string{"ERR JSON parse error, stray 'T'"}},
	{"%", []string{"ERR JSON parse error, stray '%'"}},
	{"+1 ", []string{"ERR JSON parse error, stray '+'"}},
	{"01 ", []string{"ERR JSON parse error, stray '01'"}},
	{"-x", []string{"ERR JSON parse error, stray '-x'"}},
	{"1.x", []string{"ERR JSON parse error, stray '1.x'"}},
	{"1ex", []string{"ERR JSON parse error, stray '1ex'"}},
	{"1e+x", []string{"ERR JSON parse error, stray '1e+x'"}},
	{".5 ", []string{"ERR JSON parse error, stray '.'"}},
	{"0e5 ", []string{"0", "ERR JSON parse error, invalid keyword 'e'", "5"}},
	{"{\"a\":1,\"a\":2}", []string{"ERR JSON parse error, duplicate key"}},
	{"{\"a\" 1}", []string{"ERR JSON parse error, missing : in object pair"}},
	{"{1:2}", []string{"ERR JSON parse error, key is not a string in object"}},
	{"{\"a\":1 \"b\":2}", []string{"ERR JSON parse error, expected separator in dict"}},
	{"[1 2]", []string{"ERR JSON parse error, expected separator in list"}},
	{"[1,]", []string{"ERR JSON parse error, expecting value"}},
	{"{\"a\":}", []string{"ERR JSON parse error, expecting value"}},
	{"{,}", []string{"ERR JSON parse error, expecting value"}},
	{"{]", []string{"ERR JSON parse error, expecting value"}},
	{"[}", []string{"ERR JSON parse error, expecting value"}},
	{"]", []string{"ERR JSON parse error, expecting value"}},
	{"}", []string{"ERR JSON parse error, expecting value"}},
	{"[}]", []string{"ERR JSON parse error, expecting value", "ERR JSON parse error, expecting value"}},
	{":", []string{"ERR JSON parse error, expecting value"}},
	{",", []string{"ERR JSON parse error, expecting value"}},
	{"{\"a\":1]", []string{"ERR JSON parse error, expected separator in dict"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\q\"}", []string{"ERR JSON parse error, invalid escape sequence in string"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\u00e9\\u0000\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\"}", []string{"{\"execute\":\"guest-ping\",\"id\":\"é\\xc0\\x80😀/\\b\\f\\n\\r\\t\"}"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\uD800\"}", []string{"ERR JSON parse error, \\uD800 is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\uDC00\"}", []string{"ERR JSON parse error, \\uDC00 is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\uD800\\u0041\"}", []string{"ERR JSON parse error, \\uD800 is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\uD800x\"}", []string{"ERR JSON parse error, \\uD800 is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\uFFFF\"}", []string{"ERR JSON parse error, \\uFFFF is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\ufdd0\"}", []string{"ERR JSON parse error, \\ufdd0 is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\uD83F\\uDFFF\"}", []string{"ERR JSON parse error, \\uD83F\\uDFFF is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\u12\"}", []string{"ERR JSON parse error, \\u12\" is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\u12 \"}", []string{"ERR JSON parse error, \\u12 \" is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\u1\"}", []string{"ERR JSON parse error, \\u1\" is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\uZZZZ\"}", []string{"ERR JSON parse error, \\uZZZZ is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\u12\\\"ab\"}", []string{"ERR JSON parse error, \\u12\\\" is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\u12éz\"}", []string{"ERR JSON parse error, \\u12é is not a valid Unicode character"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\xc3\"}", []string{"ERR JSON parse error, invalid UTF-8 sequence in string"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\xc0\x80\"}", []string{"{\"execute\":\"guest-ping\",\"id\":\"\\xc0\\x80\"}"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\xed\xa0\x80\"}", []string{"ERR JSON parse error, invalid UTF-8 sequence in string"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\uffff\"}", []string{"ERR JSON parse error, invalid UTF-8 sequence in string"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"é😀\x7f\"}", []string{"{\"execute\":\"guest-ping\",\"id\":\"é😀\\x7f\"}"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\xc0\xaf\"}", []string{"ERR JSON parse error, invalid UTF-8 sequence in string"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\xf8\x88\x80\x80\x80\"}", []string{"ERR JSON parse error, invalid UTF-8 sequence in string"}},
	{"{\"execute\":\"guest-ping\",\"id\":\"\\é\"}", []string{"ERR JSON parse error, invalid escape sequence in string"}},
	{"\"a\tb\"", []string{"ERR JSON parse error, stray '\"a\t'"}},
	{"\"a\nb\"{}", []string{"ERR JSON parse error, stray '\"a\n'", "{}"}},
	{"\"ab\x00cd\"", []string{"ERR JSON parse error, stray '\"ab'"}},
	{"\xff", []string{"ERR JSON parse error, stray '\xff'"}},
	{"\xfe", []string{"ERR JSON parse error, stray '\xfe'"}},
	{"{\"execute\":\xff\"guest-ping\"}", []string{"ERR JSON parse error, stray '\xff'", "ERR JSON parse error, expecting value"}},
	{"{\"execute\":\"guest-\xffping\"}", []string{"ERR JSON parse error, stray '\"guest-\xff'", "ERR JSON parse error, expecting value"}},
	{"\ufeff{\"execute\":\"guest-ping\"}", []string{"ERR JSON parse error, stray '\xef'", "{\"execute\":\"guest-ping\"}"}},
	{"12\xff", []string{"12", "ERR JSON parse error, stray '\xff'"}},
	{"{\"execute\":\"guest-ping\",\"arguments\":{\"x\":@}}", []string{"ERR JSON parse error, stray '@'", "ERR JSON parse error, expecting value", "ERR JSON parse error, expecting value"}},
	{"@abc\"def{\"execute\":\"guest-ping\"}", []string{"ERR JSON parse error, stray '@'", "{\"execute\":\"guest-ping\"}"}},
	{"@abc\ntrue ", []string{"ERR JSON parse error, stray '@'", "true"}},
	{"@\ttrue ", []string{"ERR JSON parse error, stray '@'"}},
	{"@ \x01true ", []string{"ERR JSON parse error, stray '@'", "ERR JSON parse error, stray '\x01'"}},
	{"\x00", []string{"ERR JSON parse error, stray ''"}},
	{"\"\x01\"", []string{"ERR JSON parse error, stray '\"\x01'"}},
	{"\"\x80\x81\xfd\x01\"", []string{"ERR JSON parse error, stray '\"\x80\x81\xfd\x01'"}},
	{"\"é\x1f\"", []string{"ERR JSON parse error, stray '\"é\x1f'"}},
	{"9223372036854775807 ", []string{"9223372036854775807"}},
	{"9223372036854775808 ", []string{"u9223372036854775808"}},
	{"18446744073709551615 ", []string{"u18446744073709551615"}},
	{"18446744073709551616 ", []string{"f1.8446744073709552e+19"}},
	{"-9223372036854775808 ", []string{"-9223372036854775808"}},
	{"-9223372036854775809 ", []string{"f-9.223372036854776e+18"}},
	{"1E2 ", []string{"f100"}},
	{"1e-400 ", []string{"f0"}},
	{"1e400 ", []string{"f+Inf"}},
	{"-0.0 ", []string{"f-0"}},
	{"{\"execute\":\"guest-ping\",\"id\":[9223372036854775807,9223372036854775808,18446744073709551616,-9223372036854775809,1E2,1e-400,1e400,-0.0,-0,0.1,{}]}", []string{"{\"execute\":\"guest-ping\",\"id\":[9223372036854775807,u9223372036854775808,f1.8446744073709552e+19,f-9.223372036854776e+18,f100,f0,f+Inf,f-0,0,f0.1,{}]}"}},
	{"{\"execute\":\"guest-ping\",\"id\":{\"b\":1,\"a\":[true,false,null],\"c\":{\"id\":1,\"exited\":2}}}", []string{"{\"execute\":\"guest-ping\",\"id\":{\"b\":1,\"a\":[true,false,null],\"c\":{\"id\":1,\"exited\":2}}}"}},
	{"{\"execute\":\"guest-ping\",\"exec-oob\":1}", []string{"{\"execute\":\"guest-ping\",\"exec-oob\":1}"}},
	{"{\"execute\":1}", []string{"{\"execute\":1}"}},
	{"{\"arguments\":{}}", []string{"{\"arguments\":{}}"}},
	{"{\"execute\":\"guest-ping\",\"arguments\":[],\"id\":null}", []string{"{\"execute\":\"guest-ping\",\"arguments\":[],\"id\":null}"}},
	{"{\"execute\":\"x\",\"foo\":1,\"id\":[1]}", []string{"{\"execute\":\"x\",\"foo\":1,\"id\":[1]}"}},
	{"[1]", []string{"[1]"}},
	{"{\"execute\":\"guest-ping\"} garbage {\"execute\":\"guest-ping\"}", []string{"{\"execute\":\"guest-ping\"}", "ERR JSON parse error, invalid keyword 'garbage'", "{\"execute\":\"guest-ping\"}"}},
	{"[{\"a\":1},{]", []string{}},
	{"{{}:1}", []string{"ERR JSON parse error, key is not a string in object"}},
	{"{[]:1}", []string{"ERR JSON parse error, key is not a string in object"}},
	{"{{\"a\" 1}:1}", []string{"ERR JSON parse error, missing : in object pair"}},
	{"{\"a\":1,\"a\":\"\\q\"}", []string{"ERR JSON parse error, invalid escape sequence in string"}},
	{"{\"a\":{\"b\":1,},\"c\":\"\\q\"}", []string{"ERR JSON parse error, expecting value"}},
	{"[\"\\q\", 1 2]", []string{"ERR JSON parse error, invalid escape sequence in string"}},
	{"[1 \"\\q\"]", []string{"ERR JSON parse error, expected separator in list"}},
	{"{\"a\":1,}", []string{"ERR JSON parse error, expecting value"}},
	{"['\\'\"']", []string{"[\"'\\\"\"]"}},
	{"[\"\\'\"]", []string{"[\"'\"]"}},
	{"{\"execute\"   :\t\"guest-ping\"\r\n}", []string{"{\"execute\":\"guest-ping\"}"}},
	{"[[[[]]]]", []string{"[[[[]]]]"}},
	{"[{]}", []string{"ERR JSON parse error, expecting value"}},
	{"[1}2]", []string{"ERR JSON parse error, expected separator in list", "2", "ERR JSON parse error, expecting value"}},
	{"{\"a\":[}]}", []string{"ERR JSON parse error, expecting value", "ERR JSON parse error, expecting value"}},
	{"{\"a\":[1,}]", []string{"ERR JSON parse error, expecting value"}},
	{"-", []string{}},
	{"- ", []string{"ERR JSON parse error, stray '- '"}},
	{"-\xff", []string{"ERR JSON parse error, stray '-\xff'"}},
	{"0\xff", []string{"0", "ERR JSON parse error, stray '\xff'"}},
	{"1.\xff", []string{"ERR JSON parse error, stray '1.\xff'"}},
	{"tru\xff", []string{"ERR JSON parse error, invalid keyword 'tru'", "ERR JSON parse error, stray '\xff'"}},
	{"\"abc\\\xff", []string{"ERR JSON parse error, stray '\"abc\\\xff'"}},
	{"\"a\\\x01\"", []string{"ERR JSON parse error, stray '\"a\\\x01'"}},
	{"[1,2]x", []string{"[1,2]"}},
	{"{\"execute\":\"guest-ping\"}x ", []string{"{\"execute\":\"guest-ping\"}", "ERR JSON parse error, invalid keyword 'x'"}},
	{"abc{\"execute\":\"guest-ping\"}", []string{"ERR JSON parse error, invalid keyword 'abc'", "{\"execute\":\"guest-ping\"}"}},
	{"\x7f ", []string{"ERR JSON parse error, stray '\x7f'"}},
	{"A{\"execute\":\"guest-ping\"}", []string{"ERR JSON parse error, stray 'A'", "{\"execute\":\"guest-ping\"}"}},
	{"[\"a\",\xff\"b\"]", []string{"ERR JSON parse error, stray '\xff'", "ERR JSON parse error, expecting value"}},
}

func TestStream(t *testing.T) {
	for _, c := range streamCases {
		got := feedAllWays(t, []byte(c.in))
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("input %q:\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func check(t *testing.T, in string, want ...string) {
	t.Helper()
	got := feedAllWays(t, []byte(in))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("input %.100q:\n got %d outputs %.500q\nwant %d outputs %.500q",
			in, len(got), strings.Join(got, " | "), len(want), strings.Join(want, " | "))
	}
}

// TestSpecExamples covers the examples of spec sections 1.2 and 1.3.
func TestSpecExamples(t *testing.T) {
	ping := `{"execute":"guest-ping"}`
	// No delimiter needed; back-to-back requests.
	check(t, ping+ping+"\n"+ping, ping, ping, ping)
	// Top-level numbers and keywords need a lookahead byte.
	check(t, "42")
	check(t, "42\n", "42")
	check(t, "null")
	check(t, "null}", "null", "ERR JSON parse error, expecting value")
	// A top-level string is complete at its closing quote.
	check(t, `"x"`, `"x"`)
	// 0xFF flushes a partial request and is itself reported.
	check(t, `{"execute":"guest-`+"\xff"+`ping"}`, "ERR JSON parse error, stray '\"guest-\xff'", "ERR JSON parse error, expecting value")
	check(t, `{"execute":"guest-`+"\xff"+ping, "ERR JSON parse error, stray '\"guest-\xff'", ping)
	check(t, `{"execute":`+"\xff"+ping, "ERR JSON parse error, stray '\xff'", ping)
	check(t, "\xff"+ping, "ERR JSON parse error, stray '\xff'", ping)
	check(t, "\xfe"+ping, "ERR JSON parse error, stray '\xfe'", ping)
	// UTF-8 BOM: one error, then the request.
	check(t, "\xef\xbb\xbf"+ping, "ERR JSON parse error, stray '\xef'", ping)
	// A value completed by the 0xFF comes first.
	check(t, "12\xff", "12", "ERR JSON parse error, stray '\xff'")
	// Cascade.
	check(t, `{"execute":"guest-ping","arguments":{"x":@}}`,
		"ERR JSON parse error, stray '@'", "ERR JSON parse error, expecting value", "ERR JSON parse error, expecting value")
	// NUL ends the C string of the token.
	check(t, "\x00", "ERR JSON parse error, stray ''")
	// Recovery skips '"' and TAB but stops at LF and structural bytes.
	check(t, "@\"{}", "ERR JSON parse error, stray '@'", "{}")
	check(t, "@\t\"x\"\n\"y\"", "ERR JSON parse error, stray '@'", `"y"`)
	check(t, "@ 5 :", "ERR JSON parse error, stray '@'", "ERR JSON parse error, expecting value")
	// Uppercase letters, '%' and '+' cannot start a token; '%' is literal in strings.
	check(t, `NULL `, "ERR JSON parse error, stray 'N'")
	check(t, `"100%"`, `"100%"`)
	check(t, `'%d'`, `"%d"`)
}

// TestSplitFeeds checks that state survives across Feed calls (a client
// reconnecting in the middle of a request continues it).
func TestSplitFeeds(t *testing.T) {
	p := New()
	var got []string
	emit := func(v any, err error) { got = append(got, render(v, err)) }
	for _, part := range []string{`{"exec`, `ute": "guest-`, `ping", "id": 1`, `2`, `}`, `3`, `4`, ` `} {
		p.Feed([]byte(part), emit)
	}
	want := []string{`{"execute":"guest-ping","id":12}`, "34"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestValueModel checks the Go types of parsed values.
func TestValueModel(t *testing.T) {
	var vals []any
	New().Feed([]byte(`{"b": [], "a": {}, "i": -5, "u": 18446744073709551615, "f": 1.0, "s": "\u0000x", "t": true, "n": null}`),
		func(v any, err error) {
			if err != nil {
				t.Fatal(err)
			}
			vals = append(vals, v)
		})
	if len(vals) != 1 {
		t.Fatalf("got %d values", len(vals))
	}
	o, ok := vals[0].(*qapi.Object)
	if !ok {
		t.Fatalf("got %T", vals[0])
	}
	var keys []string
	for _, m := range o.Members {
		keys = append(keys, m.Key)
	}
	if strings.Join(keys, ",") != "b,a,i,u,f,s,t,n" {
		t.Errorf("member order %v", keys)
	}
	get := func(k string) any { v, _ := o.Get(k); return v }
	if l, ok := get("b").([]any); !ok || l == nil || len(l) != 0 {
		t.Errorf("b = %#v", get("b"))
	}
	if a, ok := get("a").(*qapi.Object); !ok || len(a.Members) != 0 {
		t.Errorf("a = %#v", get("a"))
	}
	if get("i") != int64(-5) || get("u") != uint64(18446744073709551615) || get("f") != 1.0 ||
		get("s") != "\xc0\x80x" || get("t") != true || get("n") != nil {
		t.Errorf("scalars: %#v", o.Members)
	}
	// Errors are GenericError *qapi.Error values.
	New().Feed([]byte("}"), func(v any, err error) {
		var qe *qapi.Error
		if !errors.As(err, &qe) || qe.Class != qapi.ClassGeneric || qe.Desc != "JSON parse error, expecting value" || v != nil {
			t.Errorf("got %#v, %#v", v, err)
		}
	})
}

func TestKeywordMessageTruncated(t *testing.T) {
	// json-parser.c formats into a 1024-byte buffer.
	msg := "invalid keyword '" + strings.Repeat("a", 2000) + "'"
	check(t, `{"execute":"guest-ping","id":`+strings.Repeat("a", 2000)+`}`, "ERR JSON parse error, "+msg[:1023])
	check(t, strings.Repeat("b", 1006)+" ", "ERR JSON parse error, invalid keyword '"+strings.Repeat("b", 1006))
	check(t, strings.Repeat("b", 1005)+" ", "ERR JSON parse error, invalid keyword '"+strings.Repeat("b", 1005)+"'")
}

func TestLargeObjects(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 1000 {
		fmt.Fprintf(&b, `"k%d": %d, `, i, i)
	}
	ok := b.String() + `"last": 0}`
	p := New()
	var got any
	p.Feed([]byte(ok), func(v any, err error) {
		if err != nil {
			t.Fatal(err)
		}
		got = v
	})
	o := got.(*qapi.Object)
	if len(o.Members) != 1001 || o.Members[500].Key != "k500" || o.Members[1000].Key != "last" {
		t.Errorf("bad object: %d members", len(o.Members))
	}
	check(t, b.String()+`"k7": 0}`, "ERR JSON parse error, duplicate key")
	check(t, b.String()+`"k999": 0}`, "ERR JSON parse error, duplicate key")
}

// TestNestingLimit: the 1025th open brace or bracket is refused; the rest
// of the message is lexed as new input.
func TestNestingLimit(t *testing.T) {
	deep := strings.Repeat("[", 1024) + strings.Repeat("]", 1024)
	got := feedAllWays(t, []byte(deep))
	if len(got) != 1 || !strings.HasPrefix(got[0], "[[[[") {
		t.Errorf("depth 1024: got %.100q", got)
	}
	want := []string{"ERR JSON nesting depth limit exceeded"}
	for range 1025 {
		want = append(want, "ERR JSON parse error, expecting value")
	}
	check(t, strings.Repeat("[", 1025)+strings.Repeat("]", 1025), want...)
	// Braces and brackets count together.
	// (the 425 "]" and the 600 "}" are then stray closers)
	want = []string{"ERR JSON nesting depth limit exceeded"}
	for range 1025 {
		want = append(want, "ERR JSON parse error, expecting value")
	}
	check(t, strings.Repeat(`{"a":`, 600)+strings.Repeat("[", 425)+strings.Repeat("]", 425)+strings.Repeat("}", 600), want...)
	ok := strings.Repeat(`{"a":`, 600) + strings.Repeat("[", 424) + strings.Repeat("]", 424) + strings.Repeat("}", 600)
	if got := feedAllWays(t, []byte(ok)); len(got) != 1 || strings.HasPrefix(got[0], "ERR") {
		t.Errorf("depth 1024 mixed: got %.100q", got)
	}
}

// TestTokenCountLimit: a message may have 2 Mi tokens.
func TestTokenCountLimit(t *testing.T) {
	// "[" + k × "0," + "[]" + "]" has 2k+4 tokens.
	msg := func(k int) string { return "[" + strings.Repeat("0,", k) + "[]]" }
	got := feedAllWays(t, []byte(msg(1<<20-2))) // 2 Mi tokens
	if len(got) != 1 || !strings.HasSuffix(got[0], ",0,[]]") {
		t.Errorf("2 Mi tokens: got %.100q", got)
	}
	// One more: the 2 Mi + 1st token is the "]" of "[]"; the last "]" is
	// then a stray closer.
	check(t, msg(1<<20-1), "ERR JSON token count limit exceeded", "ERR JSON parse error, expecting value")
	// The limit trips on a ',': the rest is "0]".
	check(t, "["+strings.Repeat("0,", 1<<20)+"0]",
		"ERR JSON token count limit exceeded", "0", "ERR JSON parse error, expecting value")
}

// TestTokenSizeLimit: the tokens of a message may total 64 MiB - 1 bytes
// (the check is sum + 1 > 64 MiB, made before each token is added), and the
// lexer cuts a single token when it exceeds 64 MiB.
func TestTokenSizeLimit(t *testing.T) {
	const M = 64 << 20
	// {"a":"<n bytes>"} has tokens of 1+3+1+(n+2)+1 bytes.
	msg := func(n int) string { return `{"a":"` + strings.Repeat("a", n) + `"}` }
	got := feedAllWays(t, []byte(msg(M-9)))
	if len(got) != 1 || !strings.HasPrefix(got[0], `{"a":"aaa`) || len(got[0]) != M-9+8 {
		t.Errorf("largest message: got %.100q", got)
	}
	// The final "}" trips the limit.
	check(t, msg(M-8), "ERR JSON token size limit exceeded")
	// The string trips it; the "}" is then a stray closer.
	check(t, msg(M-7), "ERR JSON token size limit exceeded", "ERR JSON parse error, expecting value")
	// A token of 64 MiB + 1 bytes is cut by the lexer, which goes on lexing
	// the rest of it as new input: here the keyword b and the string "]".
	check(t, `["`+strings.Repeat("a", M)+`b"]"`,
		"ERR JSON token size limit exceeded", "ERR JSON parse error, invalid keyword 'b'", `"]"`)
	// The same inside a number.
	check(t, "["+strings.Repeat("1", M+1)+"]", "ERR JSON token size limit exceeded", "ERR JSON parse error, expecting value")
	check(t, strings.Repeat("1", M)+" ", "ERR JSON token size limit exceeded")
}

// A big plain string shares the parser's token buffer; the parser must not
// reuse that buffer, so the value survives the messages after it.
func TestBigStringSurvivesNextMessage(t *testing.T) {
	big := strings.Repeat("QUJD", keepBufCap/4+1)
	p := New()
	var got []any
	p.Feed([]byte(`{"a": "`+big+`"}`), func(v any, err error) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	})
	p.Feed([]byte(`{"b": "`+strings.Repeat("x", len(big))+`"} {"c": 1}`), func(v any, err error) { got = append(got, v) })
	if len(got) != 3 {
		t.Fatalf("%d values", len(got))
	}
	if s, _ := got[0].(*qapi.Object).Get("a"); s != big {
		t.Fatal("the first message's string changed after later messages were parsed")
	}
}
