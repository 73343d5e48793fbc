package main

import (
	"math"
	"slices"
	"time"
)

// median is the middle value of xs (the mean of the two middle ones for an
// even count); NaN for none. xs is not modified.
func median(xs []float64) float64 {
	return percentile(xs, 50)
}

// percentile is the p-th percentile of xs by linear interpolation between
// the closest ranks (p in [0, 100]); NaN for none.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(rank))
	hi := int(math.Ceil(rank))
	return s[lo] + (s[hi]-s[lo])*(rank-float64(lo))
}

// ratios divides qgad's value by qemu-ga's, pair by pair: only values
// measured next to each other are comparable on a noisy machine. Pairs
// with a zero or missing qemu-ga value are skipped.
func ratios(qemuGA, qgad []float64) []float64 {
	n := min(len(qemuGA), len(qgad))
	out := make([]float64, 0, n)
	for i := range n {
		if qemuGA[i] == 0 || math.IsNaN(qemuGA[i]) || math.IsNaN(qgad[i]) {
			continue
		}
		out = append(out, qgad[i]/qemuGA[i])
	}
	return out
}

// micros converts durations to microseconds.
func micros(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = float64(d) / float64(time.Microsecond)
	}
	return out
}

// mibPerSec is a throughput in MiB/s; 0 for no elapsed time.
func mibPerSec(bytes int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(bytes) / (1 << 20) / d.Seconds()
}
