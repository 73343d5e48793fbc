package main

import (
	"encoding/json"
	"fmt"
	"math"
)

// Agents are measured in this order within each pair; ratios are
// qgad ÷ qemu-ga.
const (
	iQemuGA = 0
	iQgad   = 1
)

// targetKind says what a target constrains.
type targetKind string

const (
	ratioAtMost  targetKind = "ratio<=" // median ratio qgad ÷ qemu-ga
	ratioAtLeast targetKind = "ratio>=" // median ratio qgad ÷ qemu-ga
	qgadAtMost   targetKind = "qgad<="  // qgad's own median, absolute
	noTarget     targetKind = ""
)

type target struct {
	Kind  targetKind `json:"kind"`
	Value float64    `json:"value"`
}

func (t target) String() string {
	switch t.Kind {
	case ratioAtMost:
		return fmt.Sprintf("≤ %g×", t.Value)
	case ratioAtLeast:
		return fmt.Sprintf("≥ %g×", t.Value)
	case qgadAtMost:
		return fmt.Sprintf("qgad ≤ %g", t.Value)
	}
	return ""
}

// metric is one measured quantity: a value per agent per pair.
type metric struct {
	Key    string    `json:"key"`
	Name   string    `json:"name"`
	Unit   string    `json:"unit"`
	Target target    `json:"target"`
	QemuGA []float64 `json:"qemu_ga"`
	Qgad   []float64 `json:"qgad"`

	// Filled by summarize.
	Ratios       []float64 `json:"ratios"`
	MedianQemuGA num       `json:"median_qemu_ga"`
	MedianQgad   num       `json:"median_qgad"`
	MedianRatio  num       `json:"median_ratio"`
	Met          *bool     `json:"met,omitempty"`
}

func newMetric(key, name, unit string, t target) *metric {
	return &metric{Key: key, Name: name, Unit: unit, Target: t}
}

func (m *metric) add(agent int, v float64) {
	if agent == iQemuGA {
		m.QemuGA = append(m.QemuGA, v)
	} else {
		m.Qgad = append(m.Qgad, v)
	}
}

// summarize computes the medians, the median of the pair ratios, and
// whether the target is met.
func (m *metric) summarize() {
	m.Ratios = ratios(m.QemuGA, m.Qgad)
	m.MedianQemuGA = num(median(m.QemuGA))
	m.MedianQgad = num(median(m.Qgad))
	m.MedianRatio = num(median(m.Ratios))
	var met bool
	switch m.Target.Kind {
	case ratioAtMost:
		met = float64(m.MedianRatio) <= m.Target.Value
	case ratioAtLeast:
		met = float64(m.MedianRatio) >= m.Target.Value
	case qgadAtMost:
		met = float64(m.MedianQgad) <= m.Target.Value
	default:
		return
	}
	m.Met = &met
}

// num is a float64 that is null in JSON when it is not a number (a metric
// with no samples).
type num float64

func (n num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}
