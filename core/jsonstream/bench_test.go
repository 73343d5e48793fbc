package jsonstream

import (
	"strings"
	"testing"
)

func BenchmarkParseSmall(b *testing.B) {
	in := []byte(`{"execute": "guest-ping", "id": 12345}`)
	p := New()
	n := 0
	emit := func(v any, err error) { n++ }
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		p.Feed(in, emit)
	}
	if n == 0 {
		b.Fatal("no value")
	}
}

func largeRequest() []byte {
	s := strings.Repeat("SGVsbG8gV29ybGQhCgA+/w==", 4<<20/24)
	return []byte(`{"execute":"guest-file-write","arguments":{"handle":1000,"buf-b64":"` + s + `"}}`)
}

func benchLarge(b *testing.B, chunk int) {
	in := largeRequest()
	p := New()
	n := 0
	emit := func(v any, err error) {
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		for i := 0; i < len(in); i += chunk {
			p.Feed(in[i:min(i+chunk, len(in))], emit)
		}
	}
	if n == 0 {
		b.Fatal("no value")
	}
}

func BenchmarkParseLargeString(b *testing.B)     { benchLarge(b, 1<<30) }
func BenchmarkParseLargeString4KiB(b *testing.B) { benchLarge(b, 4096) }
