package jsonstream

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/qgad/qgad/qapi"
)

// render gives a compact, unambiguous text for an emitted value or error.
// Objects keep their input order; strings are Go-quoted (so C0 80 shows as
// \xc0\x80); uint64 and float64 values carry a u/f prefix.
func render(v any, err error) string {
	if err != nil {
		qe, ok := err.(*qapi.Error)
		if !ok || qe.Class != qapi.ClassGeneric {
			return "BADERR " + err.Error()
		}
		return "ERR " + qe.Desc
	}
	var b strings.Builder
	renderValue(&b, v)
	return b.String()
}

func renderValue(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case uint64:
		b.WriteString("u" + strconv.FormatUint(x, 10))
	case float64:
		b.WriteString("f" + strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		b.WriteString(strconv.Quote(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			renderValue(b, e)
		}
		b.WriteByte(']')
	case *qapi.Object:
		b.WriteByte('{')
		for i, m := range x.Members {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(m.Key) + ":")
			renderValue(b, m.Value)
		}
		b.WriteByte('}')
	default:
		b.WriteString("BADTYPE")
	}
}

// feedChunks feeds in to a fresh parser in the given chunks and returns the
// rendered outputs.
func feedChunks(p *Parser, in []byte, sizes func() int) []string {
	var out []string
	emit := func(v any, err error) { out = append(out, render(v, err)) }
	for i := 0; i < len(in); {
		n := min(sizes(), len(in)-i)
		p.Feed(in[i:i+n], emit)
		i += n
	}
	return out
}

// flushInput ends any pending message: 0xFF forces a lexical error, and the
// request after it shows the parser accepts input again.
const flushInput = "\xff{\"x\":1}"

// feedAllWays returns the outputs for in fed whole, and checks that feeding
// it byte by byte (when small enough) and in random chunks gives the same
// outputs and leaves the parser in the same state (compared by what feeding
// flushInput then produces).
func feedAllWays(t *testing.T, in []byte) []string {
	t.Helper()
	p := New()
	whole := feedChunks(p, in, func() int { return len(in) })
	wholeFlush := feedChunks(p, []byte(flushInput), func() int { return len(flushInput) })
	if n := len(wholeFlush); n == 0 || wholeFlush[n-1] != `{"x":1}` {
		t.Errorf("flush after %.80q failed: %q", in, wholeFlush)
	}
	rng := rand.New(rand.NewPCG(uint64(len(in)), 42))
	ways := map[string]func() int{
		"random": func() int { return 1 + rng.IntN(max(1, len(in)/7+3)) },
		"4KiB":   func() int { return 4096 },
	}
	if len(in) < 1<<16 {
		ways["bytewise"] = func() int { return 1 }
	}
	for name, sizes := range ways {
		p := New()
		got := feedChunks(p, in, sizes)
		if !slices.Equal(got, whole) {
			t.Errorf("%s feeding of %.80q differs:\n whole %.300q\n %s %.300q", name, in,
				strings.Join(whole, " | "), name, strings.Join(got, " | "))
		}
		gotFlush := feedChunks(p, []byte(flushInput), func() int { return 1 })
		if !slices.Equal(gotFlush, wholeFlush) {
			t.Errorf("%s feeding of %.80q leaves another state:\n whole %.300q\n %s %.300q", name, in,
				strings.Join(wholeFlush, " | "), name, strings.Join(gotFlush, " | "))
		}
	}
	if whole == nil {
		whole = []string{}
	}
	return whole
}
