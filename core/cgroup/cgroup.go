// Package cgroup caps plugin processes with cgroup v2: one cgroup per
// family, <root>/<parent>/<family>, whose memory.max and cpu.max come from
// the family's options, and into which the plugin's pid is moved right after
// it started. Root is the cgroup v2 mount (/sys/fs/cgroup in production);
// tests pass a directory tree of plain files shaped like it.
package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// DefaultRoot is where systemd mounts the unified cgroup v2 hierarchy.
const DefaultRoot = "/sys/fs/cgroup"

// DefaultParent is the cgroup, under the root, holding one child per
// family. A top-level cgroup is used because cgroup v2 lets a cgroup with
// processes of its own (the agent's, under systemd) have no children with
// controllers enabled ("no internal processes").
const DefaultParent = "qgad"

// Family option names.
const (
	OptMemoryMax = "memory-max"
	OptCPUMax    = "cpu-max"
)

// Limits are the caps of one family; an empty field is not set.
type Limits struct {
	MemoryMax string // memory.max: bytes, with K/M/G/T suffix, or "max"
	CPUMax    string // cpu.max: "<quota> <period>" in µs, or "max [period]"
}

// Empty tells whether no cap is configured.
func (l Limits) Empty() bool { return l.MemoryMax == "" && l.CPUMax == "" }

// ParseLimits reads memory-max and cpu-max from a family's options and
// normalizes them to what the kernel files take. cpu-max also takes a
// percentage of one CPU ("50%" is "50000 100000"; "200%" two CPUs).
func ParseLimits(opts map[string]string) (Limits, error) {
	var l Limits
	if v, ok := opts[OptMemoryMax]; ok {
		m, err := parseMemory(v)
		if err != nil {
			return Limits{}, fmt.Errorf("option %s: %w", OptMemoryMax, err)
		}
		l.MemoryMax = m
	}
	if v, ok := opts[OptCPUMax]; ok {
		c, err := parseCPU(v)
		if err != nil {
			return Limits{}, fmt.Errorf("option %s: %w", OptCPUMax, err)
		}
		l.CPUMax = c
	}
	return l, nil
}

func parseMemory(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "max" {
		return v, nil
	}
	mult := uint64(1)
	if n := len(v); n > 0 {
		switch v[n-1] {
		case 'K', 'k':
			mult = 1 << 10
		case 'M', 'm':
			mult = 1 << 20
		case 'G', 'g':
			mult = 1 << 30
		case 'T', 't':
			mult = 1 << 40
		}
		if mult > 1 {
			v = v[:n-1]
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 || n > (1<<63)/mult {
		return "", fmt.Errorf("%q is not a byte count (like 256M) or \"max\"", v)
	}
	return strconv.FormatUint(n*mult, 10), nil
}

const defaultPeriod = 100000 // µs, the kernel's default cpu.max period

func parseCPU(v string) (string, error) {
	v = strings.TrimSpace(v)
	if p, ok := strings.CutSuffix(v, "%"); ok {
		pct, err := strconv.ParseUint(p, 10, 32)
		if err != nil || pct == 0 {
			return "", fmt.Errorf("%q is not a percentage of one CPU", v)
		}
		quota := pct * defaultPeriod / 100
		if quota < 1000 {
			return "", fmt.Errorf("%q is below the kernel's minimum quota of 1ms", v)
		}
		return fmt.Sprintf("%d %d", quota, defaultPeriod), nil
	}
	f := strings.Fields(v)
	if len(f) == 0 || len(f) > 2 {
		return "", fmt.Errorf("%q is not \"<quota> <period>\", \"max\" or a percentage", v)
	}
	period := uint64(defaultPeriod)
	if len(f) == 2 {
		p, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil || p < 1000 || p > 1000000 {
			return "", fmt.Errorf("period %q is not between 1000 and 1000000 µs", f[1])
		}
		period = p
	}
	if f[0] == "max" {
		return fmt.Sprintf("max %d", period), nil
	}
	q, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil || q < 1000 {
		return "", fmt.Errorf("quota %q is not a number of µs of at least 1000", f[0])
	}
	return fmt.Sprintf("%d %d", q, period), nil
}

// ErrUnavailable is returned where there is no cgroup v2 hierarchy.
var ErrUnavailable = errors.New("cgroup v2 is not available")

// Available tells whether root is a cgroup v2 hierarchy (it lists its
// controllers in cgroup.controllers; a v1 or hybrid /sys/fs/cgroup does not).
func Available(root string) bool {
	_, err := os.Stat(filepath.Join(root, "cgroup.controllers"))
	return err == nil
}

// Manager places plugin processes into per-family cgroups.
type Manager struct {
	Root   string // cgroup v2 mount
	Parent string // cgroup under Root holding the families' cgroups
}

// New returns a manager for root (DefaultRoot when "") and DefaultParent.
func New(root string) *Manager {
	if root == "" {
		root = DefaultRoot
	}
	return &Manager{Root: root, Parent: DefaultParent}
}

// Dir is the cgroup directory of family.
func (m *Manager) Dir(family string) string {
	return filepath.Join(m.Root, m.Parent, family)
}

// Place creates family's cgroup if needed, writes its limits, and moves pid
// into it. The controllers the limits need are enabled on the way down
// (cgroup.subtree_control of the root and of the parent).
func (m *Manager) Place(family string, pid int, l Limits) error {
	if !Available(m.Root) {
		return ErrUnavailable
	}
	if family == "" || strings.ContainsAny(family, "/\x00") || family == "." || family == ".." {
		return fmt.Errorf("invalid family name %q for a cgroup", family)
	}
	var ctrls []string
	if l.MemoryMax != "" {
		ctrls = append(ctrls, "memory")
	}
	if l.CPUMax != "" {
		ctrls = append(ctrls, "cpu")
	}
	parent := filepath.Join(m.Root, m.Parent)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating cgroup %s: %w", parent, err)
	}
	for _, dir := range []string{m.Root, parent} {
		if err := enable(dir, ctrls); err != nil {
			return err
		}
	}
	dir := m.Dir(family)
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("creating cgroup %s: %w", dir, err)
	}
	if l.MemoryMax != "" {
		if err := write(filepath.Join(dir, "memory.max"), l.MemoryMax); err != nil {
			return err
		}
	}
	if l.CPUMax != "" {
		if err := write(filepath.Join(dir, "cpu.max"), l.CPUMax); err != nil {
			return err
		}
	}
	return write(filepath.Join(dir, "cgroup.procs"), strconv.Itoa(pid))
}

// enable turns on the controllers for dir's children, unless they are on.
func enable(dir string, ctrls []string) error {
	if len(ctrls) == 0 {
		return nil
	}
	path := filepath.Join(dir, "cgroup.subtree_control")
	cur, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	on := strings.Fields(string(cur))
	var add []string
	for _, c := range ctrls {
		if !slices.Contains(on, c) {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 {
		return nil
	}
	return write(path, strings.Join(add, " "))
}

// write writes one value to an existing cgroup file (the kernel creates
// them; O_CREATE would hide a missing controller).
func write(path, value string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("writing %q to %s: %w", value, path, err)
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %q to %s: %w", value, path, err)
	}
	return nil
}
