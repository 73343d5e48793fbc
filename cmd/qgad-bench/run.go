package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

const procDir = "/proc"

var agentNames = [2]string{iQemuGA: "qemu-ga", iQgad: "qgad"}

// live is a long-running agent with its connection.
type live struct {
	*agent
	c *conn
}

// bench holds a run's state.
type bench struct {
	cfg     config
	specs   [2]spec
	agents  [2]*live
	metrics []*metric
	memory  map[string]map[string]memUsage // agent → phase → usage
}

func (b *bench) metric(key, name, unit string, t target) *metric {
	m := newMetric(key, name, unit, t)
	b.metrics = append(b.metrics, m)
	return m
}

// run measures everything and returns the report.
func run(cfg config) (*report, error) {
	begin := time.Now()
	b := &bench{cfg: cfg, memory: map[string]map[string]memUsage{"qemu-ga": {}, "qgad": {}}}
	b.specs[iQemuGA] = spec{Name: "qemu-ga", Bin: cfg.QemuGA}
	b.specs[iQgad] = spec{Name: "qgad", Bin: filepath.Join(cfg.Bin, "qgad"), Args: cfg.QgadArgs}

	rep := &report{Started: begin, Config: cfg, Machine: describeMachine(cfg)}
	var err error
	if rep.Sizes, err = measureSizes(cfg.Bin, cfg.QemuGA); err != nil {
		// Sizes need a real qemu-ga binary (not a wrapper script).
		logf("sizes: %v", err)
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"start-up", b.startup},
		{"long-running agents", b.startLive},
		{"small commands", b.latency},
		{"throughput", b.throughput},
	}
	defer b.stopLive()
	for _, s := range steps {
		logf("%s ...", s.name)
		if err := s.fn(); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	if err := b.stopLive(); err != nil {
		return nil, err
	}
	b.memoryMetrics()
	b.sizeMetrics(rep.Sizes)
	for _, m := range b.metrics {
		m.summarize()
	}
	rep.Metrics, rep.Memory = b.metrics, b.memory
	rep.Duration = time.Since(begin).Round(time.Second).String()
	logf("done in %s", rep.Duration)
	return rep, nil
}

// pairs runs trial for qemu-ga then qgad, n times, adding each trial's
// values to ms in order.
func pairs(n int, ms []*metric, trial func(agent int) ([]float64, error)) error {
	for range n {
		for agent := range 2 {
			vs, err := trial(agent)
			if err != nil {
				return fmt.Errorf("%s: %w", agentNames[agent], err)
			}
			for i, m := range ms {
				m.add(agent, vs[i])
			}
		}
	}
	return nil
}

func (b *bench) startup() error {
	one := func(req []byte) func(int) ([]float64, error) {
		return func(agent int) ([]float64, error) {
			d, err := startupTrial(b.specs[agent], b.cfg.TempDir, req)
			return []float64{float64(d) / float64(time.Millisecond)}, err
		}
	}
	ping := b.metric("start_to_ping", "start → first guest-ping reply", "ms", target{ratioAtMost, 1.5})
	if err := pairs(b.cfg.StartPairs, []*metric{ping}, one(reqPing)); err != nil {
		return err
	}
	plug := b.metric("start_to_plugin", "start → first guest-get-host-name reply", "ms", target{qgadAtMost, 100})
	return pairs(b.cfg.StartPairs, []*metric{plug}, one(reqHostName))
}

// startLive starts both agents for the rest of the run, writes their test
// file, and measures their idle memory once they settled.
func (b *bench) startLive() error {
	for i, s := range b.specs {
		a, err := startAgent(s, b.cfg.TempDir)
		if err != nil {
			return err
		}
		b.agents[i] = &live{agent: a}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		b.agents[i].c, err = a.dial(ctx)
		cancel()
		if err != nil {
			return err
		}
		if _, err := b.agents[i].c.callOK(reqPing); err != nil {
			return err
		}
	}
	data := testData(b.cfg.FileSize)
	for _, l := range b.agents {
		if err := os.WriteFile(filepath.Join(l.dir, "read.bin"), data, 0o600); err != nil {
			return fmt.Errorf("writing the test file: %w", err)
		}
	}
	time.Sleep(b.cfg.Settle)
	return b.sampleMemory("idle")
}

// sampleMemory records each agent tree's memory (the median of 5 samples
// 100 ms apart) under phase.
func (b *bench) sampleMemory(phase string) error {
	for _, l := range b.agents {
		var rss, pss []float64
		var procs int
		for i := range 5 {
			if i > 0 {
				time.Sleep(100 * time.Millisecond)
			}
			m, err := treeMemory(procDir, l.pid())
			if err != nil {
				return fmt.Errorf("memory of %s: %w", l.Name, err)
			}
			rss, pss = append(rss, float64(m.RSSKB)), append(pss, float64(m.PSSKB))
			procs = m.Procs
		}
		b.memory[l.Name][phase] = memUsage{RSSKB: int64(median(rss)), PSSKB: int64(median(pss)), Procs: procs}
	}
	return nil
}

func (b *bench) latency() error {
	n := b.cfg.Batch
	onConn := func(fn func(c *conn) ([]float64, error)) func(int) ([]float64, error) {
		return func(agent int) ([]float64, error) { return fn(b.agents[agent].c) }
	}
	steps := []struct {
		ms    []*metric
		trial func(int) ([]float64, error)
	}{
		{[]*metric{
			b.metric("ping_p50", "guest-ping round trip p50", "µs", target{ratioAtMost, 1.0}),
			b.metric("ping_p99", "guest-ping round trip p99", "µs", target{}),
		}, onConn(func(c *conn) ([]float64, error) { return latencyTrial(c, n, reqPing) })},
		{[]*metric{
			b.metric("ping_pipelined", fmt.Sprintf("guest-ping pipelined (%d at once)", b.cfg.Pipeline), "req/s", target{ratioAtLeast, 1.0}),
		}, onConn(func(c *conn) ([]float64, error) {
			rps, err := pipelined(c, b.cfg.Pipeline)
			return []float64{rps}, err
		})},
		{[]*metric{
			b.metric("info_p50", "guest-info round trip p50", "µs", target{ratioAtMost, 1.0}),
			b.metric("info_p99", "guest-info round trip p99", "µs", target{}),
		}, onConn(func(c *conn) ([]float64, error) { return latencyTrial(c, n/2, reqInfo) })},
		{[]*metric{
			b.metric("hostname_p50", "guest-get-host-name round trip p50 (plugin)", "µs", target{ratioAtMost, 1.5}),
			b.metric("hostname_p99", "guest-get-host-name round trip p99 (plugin)", "µs", target{}),
		}, onConn(func(c *conn) ([]float64, error) { return latencyTrial(c, n/2, reqHostName) })},
		{[]*metric{
			b.metric("read4k_p50", "guest-file-read 4 KiB round trip p50 (plugin)", "µs", target{ratioAtMost, 1.5}),
			b.metric("read4k_p99", "guest-file-read 4 KiB round trip p99 (plugin)", "µs", target{}),
		}, func(agent int) ([]float64, error) {
			l := b.agents[agent]
			return smallReadTrial(l.c, filepath.Join(l.dir, "read.bin"), n/2)
		}},
	}
	for _, s := range steps {
		logf("  %s", s.ms[0].Name)
		if err := pairs(b.cfg.Pairs, s.ms, s.trial); err != nil {
			return fmt.Errorf("%s: %w", s.ms[0].Name, err)
		}
	}
	return nil
}

func (b *bench) throughput() error {
	data := testData(b.cfg.FileSize)
	scratch := make([]byte, maxReadChunk)
	mib := fmt.Sprintf("%d MiB", b.cfg.FileSize>>20)
	var samplers [2]*peakSampler
	for i, l := range b.agents {
		samplers[i] = startPeakSampler(procDir, l.pid(), 50*time.Millisecond)
	}
	for _, chunk := range []int{4 << 20, maxReadChunk} {
		key, label := chunkLabel(chunk)
		agentM := b.metric("read_"+key, "guest-file-read "+mib+", "+label+" chunks", "MiB/s", target{ratioAtLeast, 3})
		decM := b.metric("decode_"+key, "  client base64 decode of those reads (not in the above)", "MiB/s", target{})
		logf("  %s", agentM.Name)
		err := pairs(b.cfg.IOPairs, []*metric{agentM, decM}, func(agent int) ([]float64, error) {
			l := b.agents[agent]
			r, err := readRun(l.c, filepath.Join(l.dir, "read.bin"), data, chunk, scratch)
			return []float64{mibPerSec(r.bytes, r.agent), mibPerSec(r.bytes, r.decode)}, err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", agentM.Name, err)
		}
	}
	for _, chunk := range []int{4 << 20, maxWriteChunk} {
		key, label := chunkLabel(chunk)
		full := newWritePayload(data[:min(int64(chunk), b.cfg.FileSize)])
		last := newWritePayload(data[:b.cfg.FileSize%int64(chunk)])
		m := b.metric("write_"+key, "guest-file-write "+mib+", "+label+" chunks", "MiB/s", target{ratioAtLeast, 3})
		logf("  %s", m.Name)
		err := pairs(b.cfg.IOPairs, []*metric{m}, func(agent int) ([]float64, error) {
			l := b.agents[agent]
			r, err := writeRun(l.c, filepath.Join(l.dir, "write.bin"), b.cfg.FileSize, full, last)
			return []float64{mibPerSec(r.bytes, r.agent)}, err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	for i, s := range samplers {
		peak, err := s.finish()
		if err != nil {
			return err
		}
		b.memory[b.agents[i].Name]["peak"] = peak
	}
	ioEnd := time.Now()
	logf("  waiting %s after the throughput runs", b.cfg.After)
	time.Sleep(time.Until(ioEnd.Add(b.cfg.After)))
	if err := b.sampleMemory("after"); err != nil {
		return err
	}
	if b.cfg.IdleStop > 0 {
		// qgad checks for idle plugins every second.
		wait := b.cfg.IdleStop + 3*time.Second
		logf("  waiting until %s after the throughput runs (qgad's plugin idle stop)", wait)
		time.Sleep(time.Until(ioEnd.Add(wait)))
		return b.sampleMemory("idle_stop")
	}
	return nil
}

// chunkLabel names a chunk size for metric keys and for people.
func chunkLabel(chunk int) (key, label string) {
	if chunk%(1<<20) == 0 {
		return fmt.Sprintf("%dMiB", chunk>>20), fmt.Sprintf("%d MiB", chunk>>20)
	}
	return "max", fmt.Sprintf("maximum (%d B)", chunk)
}

// testData is size bytes of fixed pseudo-random data (incompressible,
// and the same in every run).
func testData(size int64) []byte {
	r := rand.NewChaCha8([32]byte{'q', 'g', 'a', 'd'})
	b := make([]byte, size)
	_, _ = r.Read(b)
	return b
}

func (b *bench) stopLive() error {
	var errs []error
	for i, l := range b.agents {
		if l == nil {
			continue
		}
		if l.c != nil {
			l.c.close()
		}
		errs = append(errs, l.stop())
		b.agents[i] = nil
	}
	return errors.Join(errs...)
}

// memoryMetrics turns the memory samples into metrics (one value each).
func (b *bench) memoryMetrics() {
	q, g := b.memory["qemu-ga"], b.memory["qgad"]
	add := func(key, name string, t target, f func(map[string]memUsage) float64) {
		m := b.metric(key, name, "MB", t)
		m.add(iQemuGA, f(q))
		m.add(iQgad, f(g))
	}
	mb := func(kb int64) float64 { return float64(kb) / 1000 }
	add("idle_pss", "idle PSS, whole process tree", target{ratioAtMost, 4}, func(m map[string]memUsage) float64 { return mb(m["idle"].PSSKB) })
	add("idle_rss", "idle RSS, whole process tree", target{}, func(m map[string]memUsage) float64 { return mb(m["idle"].RSSKB) })
	add("peak_pss", "peak PSS during the throughput runs", target{}, func(m map[string]memUsage) float64 { return mb(m["peak"].PSSKB) })
	add("peak_rss", "peak RSS during the throughput runs", target{}, func(m map[string]memUsage) float64 { return mb(m["peak"].RSSKB) })
	add("after_pss", fmt.Sprintf("PSS %s after the throughput runs", b.cfg.After), target{}, func(m map[string]memUsage) float64 { return mb(m["after"].PSSKB) })
	add("after_rss", fmt.Sprintf("RSS %s after the throughput runs", b.cfg.After), target{}, func(m map[string]memUsage) float64 { return mb(m["after"].RSSKB) })
	m := b.metric("after_over_idle", fmt.Sprintf("PSS %s after ÷ idle PSS (same agent)", b.cfg.After), "×", target{qgadAtMost, 2})
	m.add(iQemuGA, float64(q["after"].PSSKB)/float64(q["idle"].PSSKB))
	m.add(iQgad, float64(g["after"].PSSKB)/float64(g["idle"].PSSKB))
	if b.cfg.IdleStop > 0 {
		wait := b.cfg.IdleStop + 3*time.Second
		add("idle_stop_pss", fmt.Sprintf("PSS %s after the throughput runs (past qgad's plugin idle stop)", wait), target{}, func(m map[string]memUsage) float64 { return mb(m["idle_stop"].PSSKB) })
		m := b.metric("idle_stop_over_idle", fmt.Sprintf("PSS %s after ÷ idle PSS (same agent)", wait), "×", target{})
		m.add(iQemuGA, float64(q["idle_stop"].PSSKB)/float64(q["idle"].PSSKB))
		m.add(iQgad, float64(g["idle_stop"].PSSKB)/float64(g["idle"].PSSKB))
	}
}

// sizeMetrics adds the on-disk sizes, qemu-ga's next to the qgad files
// that play the same part.
func (b *bench) sizeMetrics(s sizes) {
	mb := func(n int64) float64 { return float64(n) / 1e6 }
	add := func(key, name string, q, g int64) {
		m := b.metric(key, name, "MB", target{})
		m.add(iQemuGA, mb(q))
		m.add(iQgad, mb(g))
	}
	add("size_core", "binary: qemu-ga vs bin/qgad", s.Files["qemu-ga"], s.Files["bin/qgad"])
	add("size_families", "built-in families: qemu-ga + non-libc libraries vs bin/qgad-builtin + links", s.QemuGATotal, s.Families)
	add("size_installed", "installed: qemu-ga + non-libc libraries vs qgad + qgad-builtin + links", s.QemuGATotal, s.QgadInstalled)
	m := b.metric("size_qgactl", "bin/qgactl (no qemu-ga counterpart)", "MB", target{})
	m.add(iQgad, mb(s.Files["bin/qgactl"]))
}
