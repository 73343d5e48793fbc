package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// report is the whole result, as written with -json.
type report struct {
	Started  time.Time                      `json:"started"`
	Duration string                         `json:"duration"`
	Command  string                         `json:"command"`
	Config   config                         `json:"config"`
	Machine  machine                        `json:"machine"`
	Metrics  []*metric                      `json:"metrics"`
	Memory   map[string]map[string]memUsage `json:"memory"`
	Sizes    sizes                          `json:"sizes"`
}

type machine struct {
	NProc   int    `json:"nproc"`
	CPU     string `json:"cpu"`
	Kernel  string `json:"kernel"`
	Free    string `json:"free"`
	QemuGA  string `json:"qemu_ga_version"`
	Qgad    string `json:"qgad_version"`
	Go      string `json:"go"`
	TempDir string `json:"temp_dir_fs"`
}

func describeMachine(cfg config) machine {
	m := machine{NProc: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.Free = command("free", "-h")
	m.QemuGA = command(cfg.QemuGA, "-V")
	m.Qgad = command(cfg.Bin+"/qgad", "-V")
	m.TempDir = command("df", "--output=fstype,source", cfg.TempDir)
	return m
}

// command returns a program's trimmed output, or the error.
func command(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(%s: %v)", name, err)
	}
	return strings.TrimRight(string(out), "\n ")
}

func writeOutputs(cfg config, rep *report) error {
	rep.Command = "go run ./cmd/qgad-bench " + strings.Join(os.Args[1:], " ")
	if cfg.JSONOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding the results: %w", err)
		}
		if err := os.WriteFile(cfg.JSONOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	md := markdown(rep)
	if cfg.MDOut != "" {
		if err := os.WriteFile(cfg.MDOut, []byte(md), 0o644); err != nil {
			return err
		}
	}
	if cfg.Update != "" {
		if err := updateSection(cfg.Update, md); err != nil {
			return err
		}
	}
	if cfg.MDOut == "" && cfg.JSONOut == "" && cfg.Update == "" {
		fmt.Print(md)
	}
	return nil
}

// markdown renders the results table and the machine description.
func markdown(rep *report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run %s (%s), `%s`.\n\n", rep.Started.UTC().Format("2006-01-02 15:04 UTC"), rep.Duration, "make bench")
	b.WriteString("| metric | unit | qemu-ga | qgad | qgad ÷ qemu-ga | target | met |\n")
	b.WriteString("|---|---|---:|---:|---:|---|---|\n")
	for _, m := range rep.Metrics {
		met := ""
		if m.Met != nil {
			met = "✗"
			if *m.Met {
				met = "✓"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", m.Name, m.Unit,
			format(float64(m.MedianQemuGA)), format(float64(m.MedianQgad)), ratioText(m), m.Target, met)
	}
	fmt.Fprintf(&b, "\nMedians over %d latency batches (%d round trips each; %d for guest-info and the plugin commands), %d fresh starts, %d throughput runs per agent; ratios are the median of the per-pair ratios. Memory (kB) per phase and tree size:\n\n",
		rep.Config.Pairs, rep.Config.Batch, rep.Config.Batch/2, rep.Config.StartPairs, rep.Config.IOPairs)
	b.WriteString("| agent | phase | processes | RSS kB | PSS kB |\n|---|---|---:|---:|---:|\n")
	for _, agent := range []string{"qemu-ga", "qgad"} {
		for _, phase := range []string{"idle", "peak", "after", "idle_stop"} {
			if u, ok := rep.Memory[agent][phase]; ok {
				fmt.Fprintf(&b, "| %s | %s | %d | %d | %d |\n", agent, phase, u.Procs, u.RSSKB, u.PSSKB)
			}
		}
	}
	m := rep.Machine
	fmt.Fprintf(&b, "\nMachine: %d CPUs (`nproc`), %s, kernel %s, %s; %s; %s; test files on %s.\n\n```\n$ free -h\n%s\n```\n",
		m.NProc, m.CPU, m.Kernel, m.Go, m.QemuGA, m.Qgad, strings.Join(strings.Fields(lastLine(m.TempDir)), " "), m.Free)
	return b.String()
}

func ratioText(m *metric) string {
	r := float64(m.MedianRatio)
	if math.IsNaN(r) {
		return ""
	}
	return format(r) + "×"
}

// format prints 3 significant digits, without exponent for the values
// this benchmark produces.
func format(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case math.Abs(v) >= 1000:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.1f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

const (
	beginMarker = "<!-- bench:begin (written by make bench) -->"
	endMarker   = "<!-- bench:end -->"
)

// updateSection replaces the text between the markers of path with md,
// leaving the rest of the file (hand-written sections) alone.
func updateSection(path, md string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	updated, err := replaceSection(old, md)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, updated, 0o644)
}

func replaceSection(doc []byte, md string) ([]byte, error) {
	i := bytes.Index(doc, []byte(beginMarker))
	j := bytes.Index(doc, []byte(endMarker))
	if i < 0 || j < i {
		return nil, fmt.Errorf("no %q … %q section", beginMarker, endMarker)
	}
	var out bytes.Buffer
	out.Write(doc[:i+len(beginMarker)])
	out.WriteString("\n")
	out.WriteString(md)
	out.Write(doc[j:])
	return out.Bytes(), nil
}
