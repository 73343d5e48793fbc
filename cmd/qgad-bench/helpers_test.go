package main

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// The pure helpers of the benchmark; the benchmark itself is `make bench`.

func TestMedianPercentile(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   []float64
		p    float64
		want float64
	}{
		{"empty", nil, 50, math.NaN()},
		{"one", []float64{7}, 50, 7},
		{"odd", []float64{3, 1, 2}, 50, 2},
		{"even", []float64{4, 1, 3, 2}, 50, 2.5},
		{"min", []float64{4, 1, 3, 2}, 0, 1},
		{"max", []float64{4, 1, 3, 2}, 100, 4},
		{"p99 interpolates", []float64{0, 100}, 99, 99},
		{"p90 of 1..11", []float64{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 90, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig := slices.Clone(tc.xs)
			got := percentile(tc.xs, tc.p)
			if !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
				t.Errorf("percentile(%v, %g) = %g, want %g", tc.xs, tc.p, got, tc.want)
			}
			if !slices.Equal(tc.xs, orig) {
				t.Errorf("percentile reordered its input: %v", tc.xs)
			}
		})
	}
	if got := median([]float64{5, 1, 9}); got != 5 {
		t.Errorf("median = %g, want 5", got)
	}
}

func TestRatios(t *testing.T) {
	for _, tc := range []struct {
		name         string
		qemuGA, qgad []float64
		want         []float64
	}{
		{"pairs", []float64{2, 4, 10}, []float64{1, 8, 30}, []float64{0.5, 2, 3}},
		{"unequal lengths use the pairs both have", []float64{2, 4}, []float64{1}, []float64{0.5}},
		{"zero and NaN skipped", []float64{0, math.NaN(), 2}, []float64{1, 1, math.NaN()}, []float64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ratios(tc.qemuGA, tc.qgad); !slices.Equal(got, tc.want) {
				t.Errorf("ratios = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMetricSummarize(t *testing.T) {
	for _, tc := range []struct {
		name         string
		target       target
		qemuGA, qgad []float64
		ratio        float64
		met          *bool
	}{
		{"lower is better, met", target{ratioAtMost, 1}, []float64{100, 110, 90}, []float64{50, 120, 45}, 0.5, ptr(true)},
		{"lower is better, missed", target{ratioAtMost, 1}, []float64{100, 100}, []float64{150, 130}, 1.4, ptr(false)},
		{"higher is better", target{ratioAtLeast, 3}, []float64{10, 20, 30}, []float64{40, 50, 60}, 2.5, ptr(false)},
		{"absolute on qgad", target{qgadAtMost, 100}, []float64{3, 3}, []float64{40, 60}, 16.666666666666668, ptr(true)},
		{"no target", target{}, []float64{1}, []float64{2}, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMetric("k", "n", "u", tc.target)
			for i := range tc.qemuGA {
				m.add(iQemuGA, tc.qemuGA[i])
				m.add(iQgad, tc.qgad[i])
			}
			m.summarize()
			if float64(m.MedianRatio) != tc.ratio {
				t.Errorf("median ratio = %g, want %g", m.MedianRatio, tc.ratio)
			}
			if (m.Met == nil) != (tc.met == nil) || m.Met != nil && *m.Met != *tc.met {
				t.Errorf("met = %v, want %v", deref(m.Met), deref(tc.met))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func TestNumJSON(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{{1.5, "1.5"}, {math.NaN(), "null"}, {math.Inf(1), "null"}} {
		b, err := num(tc.in).MarshalJSON()
		if err != nil || string(b) != tc.want {
			t.Errorf("num(%g) = %s, %v; want %s", tc.in, b, err, tc.want)
		}
	}
}

func TestParseSmapsRollup(t *testing.T) {
	f, err := os.Open("testdata/smaps_rollup")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := parseSmapsRollup(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := (memUsage{RSSKB: 4264, PSSKB: 1667, Procs: 1}); got != want {
		t.Errorf("parseSmapsRollup = %+v, want %+v", got, want)
	}
	for _, bad := range []string{"", "Rss: 12 kB\n", "Rss: 12 kB\nPss: x kB\n", "Rss: 12\nPss: 3 kB\n"} {
		if m, err := parseSmapsRollup(strings.NewReader(bad)); err == nil {
			t.Errorf("parseSmapsRollup(%q) = %+v, want an error", bad, m)
		}
	}
}

func TestParseStatPPID(t *testing.T) {
	for _, tc := range []struct {
		stat string
		want int
		ok   bool
	}{
		{"100 (qgad) S 1 100 100 0", 1, true},
		{"102 (a (weird) name) S 100 100", 100, true},
		{"7 (x) S", 0, false},
		{"no name", 0, false},
	} {
		got, err := parseStatPPID([]byte(tc.stat))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseStatPPID(%q) = %d, %v; want %d (ok %v)", tc.stat, got, err, tc.want, tc.ok)
		}
	}
}

// The fixture tree: 100 → 101, 102 → 300 (which has exited by the time
// its memory is read); 200 is another process.
func TestTreeMemory(t *testing.T) {
	pids, err := procTree("testdata/proc", 100)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(pids)
	if want := []int{100, 101, 102, 300}; !slices.Equal(pids, want) {
		t.Errorf("procTree = %v, want %v", pids, want)
	}
	m, err := treeMemory("testdata/proc", 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := (memUsage{RSSKB: 1000 + 1010 + 1020, PSSKB: 100 + 101 + 102, Procs: 3}); m != want {
		t.Errorf("treeMemory = %+v, want %+v", m, want)
	}
	if _, err := treeMemory("testdata/proc", 300); err == nil {
		t.Error("treeMemory of a root without smaps_rollup succeeded")
	}
}

func TestParseLdd(t *testing.T) {
	f, err := os.Open("testdata/ldd.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	libs, err := parseLdd(f)
	if err != nil {
		t.Fatal(err)
	}
	var own []string
	for _, l := range libs {
		if !isGlibc(l) {
			own = append(own, l)
		}
	}
	want := []string{"/lib/x86_64-linux-gnu/libudev.so.1", "/lib/x86_64-linux-gnu/libglib-2.0.so.0", "/lib/x86_64-linux-gnu/libpcre2-8.so.0"}
	if !slices.Equal(own, want) {
		t.Errorf("non-glibc libraries = %v, want %v", own, want)
	}
	if len(libs) != 6 {
		t.Errorf("parseLdd found %d libraries, want 6 (vdso has no path): %v", len(libs), libs)
	}
}

func TestParseReadResponse(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       readResponse
		ok         bool
	}{
		{"qemu-ga order", `{"return": {"count": 3, "buf-b64": "YWJj", "eof": false}}` + "\n", readResponse{3, []byte("YWJj"), false}, true},
		{"eof", `{"return": {"count": 0, "buf-b64": "", "eof": true}}` + "\n", readResponse{0, []byte(""), true}, true},
		{"with id", `{"return": {"count": 1, "buf-b64": "YQ==", "eof": true}, "id": 5}` + "\n", readResponse{1, []byte("YQ=="), true}, true},
		{"error", `{"error": {"class": "GenericError", "desc": "x"}}` + "\n", readResponse{}, false},
		{"no count", `{"return": {"buf-b64": ""}}`, readResponse{}, false},
		{"unterminated", `{"return": {"count": 1, "buf-b64": "YQ==`, readResponse{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseReadResponse([]byte(tc.line))
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if tc.ok && (got.count != tc.want.count || string(got.b64) != string(tc.want.b64) || got.eof != tc.want.eof) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestReplaceSection(t *testing.T) {
	doc := "# Title\n\nintro\n" + beginMarker + "\nold table\n" + endMarker + "\n\n## Real guest (QEMU TCG)\nkept\n"
	got, err := replaceSection([]byte(doc), "new table\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# Title\n\nintro\n" + beginMarker + "\nnew table\n" + endMarker + "\n\n## Real guest (QEMU TCG)\nkept\n"
	if string(got) != want {
		t.Errorf("replaceSection =\n%s\nwant\n%s", got, want)
	}
	if _, err := replaceSection([]byte("no markers"), "x"); err == nil {
		t.Error("replaceSection without markers succeeded")
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{{0.4567, "0.457"}, {12.345, "12.35"}, {123.45, "123.5"}, {50123.4, "50123"}, {math.NaN(), "–"}} {
		if got := format(tc.v); got != tc.want {
			t.Errorf("format(%g) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestChunkLabel(t *testing.T) {
	for _, tc := range []struct {
		chunk      int
		key, label string
	}{
		{4 << 20, "4MiB", "4 MiB"},
		{maxReadChunk, "48MiB", "48 MiB"},
		{maxWriteChunk, "max", "maximum (50331552 B)"},
	} {
		if key, label := chunkLabel(tc.chunk); key != tc.key || label != tc.label {
			t.Errorf("chunkLabel(%d) = %q, %q; want %q, %q", tc.chunk, key, label, tc.key, tc.label)
		}
	}
}
