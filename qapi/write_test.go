package qapi

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

type writeCase struct {
	name string
	in   any
	want string
}

func runWriteCases(t *testing.T, cases []writeCase) {
	t.Helper()
	for _, c := range cases {
		got, err := Marshal(c.in)
		if err != nil {
			t.Errorf("%s: Marshal error: %v", c.name, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
		// AppendJSON appends.
		got2, err := AppendJSON([]byte("x"), c.in)
		if err != nil || string(got2) != "x"+c.want {
			t.Errorf("%s: AppendJSON = %q, %v", c.name, got2, err)
		}
	}
}

func TestWriteStrings(t *testing.T) {
	runWriteCases(t, []writeCase{
		{"empty", "", `""`},
		{"plain", "abc def", `"abc def"`},
		{"slash", "/a/b", `"/a/b"`},
		{"quote backslash", `a"b\c`, `"a\"b\\c"`},
		{"short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"controls", "\x01\x1f\x7f", `"\u0001\u001F\u007F"`},
		{"html not escaped", "<a&b>", `"<a&b>"`},
		{"latin1", "\u00e9", `"\u00E9"`},
		{"euro", "\u20ac", `"\u20AC"`},
		{"astral", "\U0001F600", `"\uD83D\uDE00"`},
		{"max", "\U0010FFFD", `"\uDBFF\uDFFD"`},
		{"FF", "\xff", `"\uFFFD"`},
		{"FE", "a\xfeb", `"a\uFFFDb"`},
		{"lone continuations", "\x80\xbf", `"\uFFFD\uFFFD"`},
		{"truncated 2", "\xc3", `"\uFFFD"`},
		{"truncated 2 then ascii", "\xc3(", `"\uFFFD("`},
		{"truncated 3", "\xe2\x82", `"\uFFFD"`},
		{"truncated 3 then ascii", "\xe2\x82(x", `"\uFFFD(x"`},
		{"truncated 4 then 2", "\xf0\x9f\xc3\xa9", `"\uFFFD\u00E9"`},
		{"modified UTF-8 NUL", "a\xc0\x80b", `"a\u0000b"`},
		{"overlong slash", "\xc0\xaf", `"\uFFFD"`},
		{"overlong 3", "\xe0\x80\xaf", `"\uFFFD"`},
		{"overlong NUL 3", "\xe0\x80\x80", `"\uFFFD"`},
		{"surrogate", "\xed\xa0\x80", `"\uFFFD"`},
		{"surrogate low", "\xed\xbf\xbf", `"\uFFFD"`},
		{"nonchar FFFE", "\xef\xbf\xbe", `"\uFFFD"`},
		{"nonchar FFFF", "\xef\xbf\xbf", `"\uFFFD"`},
		{"nonchar FDD0", "\xef\xb7\x90", `"\uFFFD"`},
		{"nonchar FDEF", "\xef\xb7\xaf", `"\uFFFD"`},
		{"FDF0 ok", "\xef\xb7\xb0", `"\uFDF0"`},
		{"nonchar 1FFFF", "\xf0\x9f\xbf\xbf", `"\uFFFD"`},
		{"beyond 10FFFF", "\xf4\x90\x80\x80", `"\uFFFD"`},
		{"5 bytes", "\xf8\x88\x80\x80\x80", `"\uFFFD"`},
		{"6 bytes", "\xfc\x84\x80\x80\x80\x80z", `"\uFFFDz"`},
		{"NUL ends the C string", "ab\x00cd", `"ab"`},
		{"invalid then NUL", "\xc3\x00cd", `"\uFFFD"`},
		{"mixed", "x\u00e9\"\n\U0001F600/", `"x\u00E9\"\n\uD83D\uDE00/"`},
	})
}

func TestWriteLongStrings(t *testing.T) {
	// Exercise the word-at-a-time scanner at every alignment.
	for _, special := range []string{"\"", "\\", "\x00", "\x1f", "\x7f", "\xc3\xa9", "\n"} {
		want := map[string]string{"\"": `\"`, "\\": `\\`, "\x00": ``, "\x1f": `\u001F`, "\x7f": `\u007F`, "\xc3\xa9": `\u00E9`, "\n": `\n`}[special]
		for pos := 0; pos < 20; pos++ {
			s := strings.Repeat("a", pos) + special + strings.Repeat("b", 20)
			w := `"` + strings.Repeat("a", pos) + want + strings.Repeat("b", 20) + `"`
			if special == "\x00" {
				w = `"` + strings.Repeat("a", pos) + `"`
			}
			got, _ := Marshal(s)
			if string(got) != w {
				t.Errorf("special %q at %d: got %s want %s", special, pos, got, w)
			}
		}
	}
	// Every single byte value, after a long plain prefix.
	for c := 1; c < 256; c++ {
		s := strings.Repeat("x", 13) + string([]byte{byte(c)}) + "yz"
		got, _ := Marshal(s)
		var mid string
		switch {
		case c == '"':
			mid = `\"`
		case c == '\\':
			mid = `\\`
		case c == '\b':
			mid = `\b`
		case c == '\f':
			mid = `\f`
		case c == '\n':
			mid = `\n`
		case c == '\r':
			mid = `\r`
		case c == '\t':
			mid = `\t`
		case c < 0x20 || c == 0x7f:
			mid = `\u00` + string("0123456789ABCDEF"[c>>4]) + string("0123456789ABCDEF"[c&15])
		case c >= 0x80:
			mid = `\uFFFD`
		default:
			mid = string(rune(c))
		}
		want := `"` + strings.Repeat("x", 13) + mid + `yz"`
		if string(got) != want {
			t.Errorf("byte %#x: got %s want %s", c, got, want)
		}
	}
}

func TestWriteNumbers(t *testing.T) {
	runWriteCases(t, []writeCase{
		{"int64", int64(-42), `-42`},
		{"int64 min", int64(math.MinInt64), `-9223372036854775808`},
		{"uint64 max", uint64(math.MaxUint64), `18446744073709551615`},
		{"int", 7, `7`},
		{"int8", int8(-8), `-8`},
		{"uint16", uint16(65535), `65535`},
		{"uintptr", uintptr(3), `3`},
		{"0.08", 0.08, `0.080000000000000002`},
		{"0.1", 0.1, `0.10000000000000001`},
		{"1.5", 1.5, `1.5`},
		{"1e20", 1e20, `1e+20`},
		{"1e21", 1e21, `1e+21`},
		{"1e16", 1e16, `10000000000000000`},
		{"1e17", 1e17, `1e+17`},
		{"100", 100.0, `100`},
		{"zero", 0.0, `0`},
		{"negative zero", math.Copysign(0, -1), `-0`},
		{"1e-5", 1e-5, `1.0000000000000001e-05`},
		{"2.5e-5", 2.5e-5, `2.5000000000000001e-05`},
		{"1e-4", 1e-4, `0.0001`},
		{"denormal min", 5e-324, `4.9406564584124654e-324`},
		{"max", math.MaxFloat64, `1.7976931348623157e+308`},
		{"tie to even", 1000000000000000.25, `1000000000000000.2`},
		{"-9.2e18", -9223372036854775809.0, `-9.2233720368547758e+18`},
		{"1e100", 1e100, `1e+100`},
		{"float32", float32(0.1), `0.10000000149011612`},
		{"inf", math.Inf(1), `inf`},
		{"-inf", math.Inf(-1), `-inf`},
		{"nan", math.NaN(), `nan`},
		{"-nan", math.Copysign(math.NaN(), -1), `-nan`},
		{"load", []any{0.0, 0.08, 0.5, 1.25}, `[0, 0.080000000000000002, 0.5, 1.25]`},
	})
}

func TestWriteScalarsAndLists(t *testing.T) {
	type enum string
	runWriteCases(t, []writeCase{
		{"nil", nil, `null`},
		{"true", true, `true`},
		{"false", false, `false`},
		{"named string", enum("stdout"), `"stdout"`},
		{"empty list", []any{}, `[]`},
		{"nil list", []any(nil), `[]`},
		{"list", []any{int64(1), "a", nil, true, []any{}}, `[1, "a", null, true, []]`},
		{"string list", []string{"a", "b"}, `["a", "b"]`},
		{"nil string list", []string(nil), `[]`},
		{"int list", []int{3, 2, 1}, `[3, 2, 1]`},
		{"array", [2]uint8{1, 2}, `[1, 2]`},
		{"bytes are base64", []byte("Hello World!\n\x00"), `"SGVsbG8gV29ybGQhCgA="`},
		{"nil bytes", []byte(nil), `""`},
		{"raw", RawJSON(`{"b": 1, "a": 2}`), `{"b": 1, "a": 2}`},
		{"raw in list", []any{RawJSON(`[1]`), json.RawMessage(`"x"`)}, `[[1], "x"]`},
		{"empty raw", RawJSON(nil), `null`},
		{"pointer", func() *int64 { v := int64(5); return &v }(), `5`},
		{"nil pointer", (*int64)(nil), `null`},
		{"nil object", (*Object)(nil), `null`},
		{"empty object", NewObject(), `{}`},
		{"map", map[string]any{"b": int64(1), "a": "x"}, `{"a": "x", "b": 1}`},
		{"empty map", map[string]any{}, `{}`},
		{"typed map", map[string]int{"count": 1, "eof": 0}, `{"count": 1, "eof": 0}`},
		{"nil typed map", map[string]int(nil), `{}`},
	})
}

// TestWriteEnvelope checks the response envelopes (spec 1.7, Appendix C).
// "return" (bucket 401), "id" (486) and "error" (489) are in distinct
// buckets, so the envelope order does not depend on the insertion order:
// QEMU inserts "return" then "id", and "error" then "id", and both
// insertion orders give {"return", "id"} and {"id", "error"}.
func TestWriteEnvelope(t *testing.T) {
	for _, k := range []string{"return", "id", "error", "class", "desc"} {
		t.Logf("bucket(%s) = %d", k, qdictBucket(k))
	}
	errObj := NewObject("class", "CommandNotFound", "desc", "The command guest-pong has not been found")
	runWriteCases(t, []writeCase{
		{"success", NewObject("return", NewObject(), "id", "a"), `{"return": {}, "id": "a"}`},
		{"success reversed", NewObject("id", "a", "return", NewObject()), `{"return": {}, "id": "a"}`},
		{"error", NewObject("error", errObj, "id", int64(7)),
			`{"id": 7, "error": {"class": "CommandNotFound", "desc": "The command guest-pong has not been found"}}`},
		{"error reversed", NewObject("id", int64(7), "error", errObj),
			`{"id": 7, "error": {"class": "CommandNotFound", "desc": "The command guest-pong has not been found"}}`},
		{"error no id", NewObject("error", NewObject("class", "GenericError", "desc", "JSON parse error, stray '\xff'")),
			`{"error": {"class": "GenericError", "desc": "JSON parse error, stray '\uFFFD'"}}`},
		{"desc before class reversed", NewObject("desc", "d", "class", "c"), `{"class": "c", "desc": "d"}`},
		{"file read", NewObject("count", int64(14), "buf-b64", "SGVsbG8gV29ybGQhCgA=", "eof", true),
			`{"count": 14, "buf-b64": "SGVsbG8gV29ybGQhCgA=", "eof": true}`},
		{"exec status", NewObject("exited", true, "exitcode", int64(0), "out-data", "IiB0ZXN0X3N0ciAi", "out-truncated", false),
			`{"exitcode": 0, "out-data": "IiB0ZXN0X3N0ciAi", "out-truncated": false, "exited": true}`},
	})
}

// TestWriteBucketCollision checks the order inside one bucket against
// qemu-ga 7.2: "id" and "exited" share bucket 486, and the key inserted
// last comes first.
func TestWriteBucketCollision(t *testing.T) {
	if qdictBucket("id") != qdictBucket("exited") {
		t.Fatal("test assumes a collision")
	}
	runWriteCases(t, []writeCase{
		{"id then exited", NewObject("id", int64(1), "exited", int64(2)), `{"exited": 2, "id": 1}`},
		{"exited then id", NewObject("exited", int64(1), "id", int64(2)), `{"id": 2, "exited": 1}`},
		// qdict_put of an existing key keeps its place and replaces the value.
		{"duplicate", NewObject("id", int64(1), "exited", int64(2), "id", int64(3)), `{"exited": 2, "id": 3}`},
		{"duplicate other bucket", NewObject("a", int64(1), "b", int64(2), "a", int64(3)), `{"a": 3, "b": 2}`},
		// VersionTriple members are inserted in schema order major, minor,
		// micro; "micro" and "minor" share bucket 225.
		{"QMP greeting", NewObject("major", int64(7), "minor", int64(2), "micro", int64(0)),
			`{"micro": 0, "minor": 2, "major": 7}`},
	})
}

// Types mirroring the QAPI schema (members in schema order).
type guestDiskAddress struct {
	PCIController guestPCIAddress   `json:"pci-controller"`
	BusType       string            `json:"bus-type"`
	Bus           int64             `json:"bus"`
	Target        int64             `json:"target"`
	Unit          int64             `json:"unit"`
	Serial        *string           `json:"serial,omitempty"`
	Dev           *string           `json:"dev,omitempty"`
	CCWAddress    *guestCCWAddress  `json:"ccw-address,omitempty"`
	Unused        []guestPCIAddress `json:"-"`
}

type guestPCIAddress struct {
	Domain   int64 `json:"domain"`
	Bus      int64 `json:"bus"`
	Slot     int64 `json:"slot"`
	Function int64 `json:"function"`
}

type guestCCWAddress struct {
	Cssid   int64 `json:"cssid"`
	Ssid    int64 `json:"ssid"`
	Subchno int64 `json:"subchno"`
	Devno   int64 `json:"devno"`
}

type guestFileRead struct {
	Count  int64  `json:"count"`
	BufB64 string `json:"buf-b64"`
	EOF    bool   `json:"eof"`
}

type guestExecStatus struct {
	Exited       bool    `json:"exited"`
	Exitcode     *int64  `json:"exitcode,omitempty"`
	Signal       *int64  `json:"signal,omitempty"`
	OutData      *string `json:"out-data,omitempty"`
	ErrData      *string `json:"err-data,omitempty"`
	OutTruncated *bool   `json:"out-truncated,omitempty"`
	ErrTruncated *bool   `json:"err-truncated,omitempty"`
}

type guestNetworkInterfaceStat struct {
	RxBytes   uint64 `json:"rx-bytes"`
	RxPackets uint64 `json:"rx-packets"`
	RxErrs    uint64 `json:"rx-errs"`
	RxDropped uint64 `json:"rx-dropped"`
	TxBytes   uint64 `json:"tx-bytes"`
	TxPackets uint64 `json:"tx-packets"`
	TxErrs    uint64 `json:"tx-errs"`
	TxDropped uint64 `json:"tx-dropped"`
}

type guestIPAddress struct {
	IPAddress     string `json:"ip-address"`
	IPAddressType string `json:"ip-address-type"`
	Prefix        int64  `json:"prefix"`
}

type guestNetworkInterface struct {
	Name            string                     `json:"name"`
	HardwareAddress string                     `json:"hardware-address,omitempty"`
	IPAddresses     []guestIPAddress           `json:"ip-addresses,omitempty"`
	Statistics      *guestNetworkInterfaceStat `json:"statistics,omitempty"`
}

type guestOSInfo struct {
	KernelRelease string `json:"kernel-release,omitempty"`
	KernelVersion string `json:"kernel-version,omitempty"`
	Machine       string `json:"machine,omitempty"`
	ID            string `json:"id,omitempty"`
	Name          string `json:"name,omitempty"`
	PrettyName    string `json:"pretty-name,omitempty"`
	Version       string `json:"version,omitempty"`
	VersionID     string `json:"version-id,omitempty"`
	Variant       string `json:"variant,omitempty"`
	VariantID     string `json:"variant-id,omitempty"`
}

type guestLoadAverage struct {
	Load1m  float64 `json:"load1m"`
	Load5m  float64 `json:"load5m"`
	Load15m float64 `json:"load15m"`
}

func ptr[T any](v T) *T { return &v }

// TestWriteAppendixA checks struct members against Appendix A's orders.
func TestWriteAppendixA(t *testing.T) {
	runWriteCases(t, []writeCase{
		{"GuestFileRead", guestFileRead{Count: 14, BufB64: "SGVsbG8gV29ybGQhCgA=", EOF: true},
			`{"count": 14, "buf-b64": "SGVsbG8gV29ybGQhCgA=", "eof": true}`},
		{"GuestDiskAddress full", guestDiskAddress{BusType: "virtio", Bus: 0, Target: 0, Unit: 0,
			Serial: ptr("s1"), Dev: ptr("/dev/vda"), CCWAddress: &guestCCWAddress{1, 2, 3, 4}},
			`{"ccw-address": {"cssid": 1, "ssid": 2, "subchno": 3, "devno": 4}, "serial": "s1", "bus-type": "virtio", "bus": 0, "unit": 0, ` +
				`"pci-controller": {"bus": 0, "slot": 0, "domain": 0, "function": 0}, "dev": "/dev/vda", "target": 0}`},
		{"GuestDiskAddress minimal", &guestDiskAddress{BusType: "sata", PCIController: guestPCIAddress{1, 2, 3, 4}},
			`{"bus-type": "sata", "bus": 0, "unit": 0, "pci-controller": {"bus": 2, "slot": 3, "domain": 1, "function": 4}, "target": 0}`},
		{"GuestExecStatus", guestExecStatus{Exited: true, Exitcode: ptr(int64(0)), OutData: ptr("IiB0ZXN0X3N0ciAi"), OutTruncated: ptr(false)},
			`{"exitcode": 0, "out-data": "IiB0ZXN0X3N0ciAi", "out-truncated": false, "exited": true}`},
		{"GuestExecStatus all", guestExecStatus{Exited: true, Exitcode: ptr(int64(1)), Signal: ptr(int64(9)), OutData: ptr("a"),
			ErrData: ptr("b"), OutTruncated: ptr(true), ErrTruncated: ptr(false)},
			`{"exitcode": 1, "err-data": "b", "out-data": "a", "err-truncated": false, "signal": 9, "out-truncated": true, "exited": true}`},
		{"GuestExecStatus running", guestExecStatus{}, `{"exited": false}`},
		{"GuestNetworkInterface", []guestNetworkInterface{
			{Name: "lo", HardwareAddress: "00:00:00:00:00:00",
				IPAddresses: []guestIPAddress{{"127.0.0.1", "ipv4", 8}},
				Statistics:  &guestNetworkInterfaceStat{1, 2, 3, 4, 5, 6, 7, 8}},
			{Name: "dummy0"},
		},
			`[{"name": "lo", "ip-addresses": [{"ip-address-type": "ipv4", "ip-address": "127.0.0.1", "prefix": 8}], ` +
				`"statistics": {"tx-packets": 6, "tx-errs": 7, "rx-bytes": 1, "rx-dropped": 4, "rx-packets": 2, "rx-errs": 3, "tx-bytes": 5, "tx-dropped": 8}, ` +
				`"hardware-address": "00:00:00:00:00:00"}, {"name": "dummy0"}]`},
		{"GuestOSInfo", guestOSInfo{"6.1.0", "#1 SMP", "x86_64", "debian", "Debian GNU/Linux", "Debian GNU/Linux 12 (bookworm)", "12 (bookworm)", "12", "v", "vid"},
			`{"name": "Debian GNU/Linux", "kernel-release": "6.1.0", "version": "12 (bookworm)", "variant": "v", "pretty-name": "Debian GNU/Linux 12 (bookworm)", ` +
				`"version-id": "12", "variant-id": "vid", "kernel-version": "#1 SMP", "machine": "x86_64", "id": "debian"}`},
		{"GuestLoadAverage", guestLoadAverage{0.08, 0.5, 1.25}, `{"load15m": 1.25, "load5m": 0.5, "load1m": 0.080000000000000002}`},
	})
}

type embeddedBase struct {
	Name string `json:"name"`
	Hide string `json:"-"`
}

type withEmbedded struct {
	embeddedBase
	*guestPCIAddress
	Size    int64           `json:"size"`
	Plain   string          // no tag: Go name
	List    []string        `json:"list"` // nil → []
	OptList []string        `json:"opt-list,omitempty"`
	Map     map[string]any  `json:"map"` // nil → {}
	Any     any             `json:"any"` // nil → null
	Raw     json.RawMessage `json:"raw,omitempty"`
	Zero    int64           `json:"zero,omitempty"`
	private int
}

func TestWriteStructs(t *testing.T) {
	runWriteCases(t, []writeCase{
		{"embedded and defaults", withEmbedded{embeddedBase: embeddedBase{Name: "n", Hide: "h"}, Size: 3, Plain: "p", private: 1},
			`{"name": "n", "list": [], "any": null, "Plain": "p", "size": 3, "map": {}}`},
		{"embedded pointer and set fields", withEmbedded{guestPCIAddress: &guestPCIAddress{Bus: 1},
			OptList: []string{}, Raw: json.RawMessage(`[1,2]`), Zero: 5, Any: NewObject("k", "v"), List: []string{"x"}},
			`{"name": "", "list": ["x"], "any": {"k": "v"}, "bus": 1, "zero": 5, "Plain": "", "size": 0, "slot": 0, "domain": 0, ` +
				`"map": {}, "raw": [1,2], "opt-list": [], "function": 0}`},
		{"struct in object", NewObject("return", guestFileRead{Count: 0, BufB64: ""}), `{"return": {"count": 0, "buf-b64": "", "eof": false}}`},
		{"object in struct", struct {
			Obj *Object `json:"obj"`
			Nil *Object `json:"nil"`
			Raw RawJSON `json:"raw"`
		}{Obj: NewObject(), Raw: RawJSON("true")}, `{"nil": null, "raw": true, "obj": {}}`},
	})
}

func TestWriteErrors(t *testing.T) {
	for _, v := range []any{
		make(chan int),
		func() {},
		complex(1, 2),
		map[int]string{1: "a"},
		[]any{1, make(chan int)},
		NewObject("a", func() {}),
		struct{ F func() }{},
	} {
		dst := []byte("keep")
		out, err := AppendJSON(dst, v)
		if err == nil {
			t.Errorf("%T: no error, got %s", v, out)
		}
		if string(out) != "keep" {
			t.Errorf("%T: dst changed to %q", v, out)
		}
	}
	type node struct {
		Next *node `json:"next"`
	}
	n := &node{}
	n.Next = n
	if _, err := Marshal(n); err == nil {
		t.Error("cycle: no error")
	}
}

func TestWriteLargeObject(t *testing.T) {
	// More members than the insertion sort handles, with duplicates.
	o := NewObject()
	for i := 0; i < 100; i++ {
		o.Members = append(o.Members, Member{Key: strings.Repeat("k", i%40+1), Value: int64(i)})
	}
	got, err := Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	// 40 distinct keys; each holds its last value.
	var m map[string]int
	if err := json.Unmarshal(got, &m); err != nil || len(m) != 40 || m["k"] != 80 {
		t.Fatalf("got %s (%v)", got, err)
	}
}

func TestQdictBucket(t *testing.T) {
	// Values computed independently from the tdb_hash definition.
	for k, want := range map[string]uint32{
		"return": 401, "id": 486, "error": 489, "class": 211, "desc": 377,
		"count": 243, "buf-b64": 310, "eof": 383, "exited": 486,
		"micro": 225, "minor": 225, "major": 481, "": 12345 % 512,
	} {
		if got := qdictBucket(k); got != want {
			t.Errorf("bucket(%q) = %d, want %d", k, got, want)
		}
	}
}

func BenchmarkMarshalSmall(b *testing.B) {
	cmds := []any{}
	for _, name := range []string{"guest-ping", "guest-sync", "guest-info", "guest-file-open", "guest-file-read", "guest-exec"} {
		cmds = append(cmds, NewObject("name", name, "enabled", true, "success-response", true))
	}
	v := NewObject("return", NewObject("version", "10.2.0", "supported_commands", cmds), "id", int64(42))
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf, _ = AppendJSON(buf[:0], v)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkMarshalStruct(b *testing.B) {
	v := []guestNetworkInterface{{Name: "eth0", HardwareAddress: "52:54:00:12:34:56",
		IPAddresses: []guestIPAddress{{"10.0.2.15", "ipv4", 24}, {"fe80::5054:ff:fe12:3456", "ipv6", 64}},
		Statistics:  &guestNetworkInterfaceStat{1, 2, 3, 4, 5, 6, 7, 8}}}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf, _ = AppendJSON(buf[:0], v)
	}
	b.SetBytes(int64(len(buf)))
}

func benchLarge(b *testing.B, v any, n int) {
	b.ReportAllocs()
	b.SetBytes(int64(n))
	for b.Loop() {
		if _, err := Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalLargeString(b *testing.B) {
	s := strings.Repeat("SGVsbG8gV29ybGQhCgA+/w==", 4<<20/24)
	benchLarge(b, NewObject("return", NewObject("count", int64(len(s)*3/4), "buf-b64", s, "eof", false)), len(s))
}

func BenchmarkMarshalLargeStruct(b *testing.B) {
	s := strings.Repeat("SGVsbG8gV29ybGQhCgA+/w==", 4<<20/24)
	benchLarge(b, NewObject("return", &guestFileRead{Count: int64(len(s) * 3 / 4), BufB64: s}), len(s))
}

func BenchmarkMarshalLargeBytes(b *testing.B) {
	raw := make([]byte, 3<<20)
	benchLarge(b, struct {
		Count int    `json:"count"`
		Buf   []byte `json:"buf-b64"`
		EOF   bool   `json:"eof"`
	}{len(raw), raw, false}, len(raw))
}

func BenchmarkMarshalEscapedString(b *testing.B) {
	s := strings.Repeat("d\u00e9j\u00e0 vu\n\"q\" ", 4<<20/16)
	benchLarge(b, s, len(s))
}

func BenchmarkPlainLen(b *testing.B) {
	s := strings.Repeat("SGVsbG8gV29ybGQhCgA+/w==", 4<<20/24)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if plainLenString(s) != len(s) {
			b.Fatal("mismatch")
		}
	}
}

// PlainLen's word-at-a-time scan agrees with a byte loop at every offset,
// for strings and byte slices.
func TestPlainLen(t *testing.T) {
	base := []byte(strings.Repeat("QUJDabc+/=", 10))
	for pos := range len(base) {
		for _, c := range []byte{0x00, 0x1f, '"', '\\', 0x7f, 0x80, 0xff} {
			b := append([]byte(nil), base...)
			b[pos] = c
			if got := PlainLen(b); got != pos {
				t.Errorf("PlainLen([]byte) with 0x%02x at %d = %d", c, pos, got)
			}
			if got := plainLenString(string(b)); got != pos {
				t.Errorf("PlainLen(string) with 0x%02x at %d = %d", c, pos, got)
			}
		}
	}
	if got := PlainLen(base); got != len(base) {
		t.Errorf("PlainLen(plain) = %d, want %d", got, len(base))
	}
}
