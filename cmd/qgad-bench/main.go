// Command qgad-bench measures bin/qgad against Debian's qemu-ga on unix
// sockets on this machine, alternately in the same run (qemu-ga, qgad,
// qemu-ga, qgad, ...), and reports per metric the median of each agent and
// the median of the per-pair ratios qgad ÷ qemu-ga: the machines it runs on
// are noisy, and only values measured side by side are comparable.
//
//	make bench   (go run ./cmd/qgad-bench -bin bin -json ... -md ... -update BENCHMARKS.md)
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// config is the command line.
type config struct {
	Bin        string        `json:"-"`
	QemuGA     string        `json:"qemu_ga"`
	QgadArgs   []string      `json:"qgad_args"`
	TempDir    string        `json:"-"`
	JSONOut    string        `json:"-"`
	MDOut      string        `json:"-"`
	Update     string        `json:"-"`
	Pairs      int           `json:"pairs"`       // latency batches per agent
	Batch      int           `json:"batch"`       // round trips per latency batch
	Pipeline   int           `json:"pipeline"`    // requests per pipelined batch
	StartPairs int           `json:"start_pairs"` // fresh starts per agent and kind
	IOPairs    int           `json:"io_pairs"`    // throughput runs per agent and kind
	FileSize   int64         `json:"file_size"`
	Settle     time.Duration `json:"settle"`
	After      time.Duration `json:"after"`
	IdleStop   time.Duration `json:"idle_stop"`
}

func parseFlags(args []string) (config, error) {
	var c config
	var qgadArgs string
	var fileMiB int64
	fs := flag.NewFlagSet("qgad-bench", flag.ContinueOnError)
	fs.StringVar(&c.Bin, "bin", "bin", "directory holding qgad, qgad-builtin, qgactl and the qgad-plugin-* links")
	fs.StringVar(&c.QemuGA, "qemu-ga", "/usr/sbin/qemu-ga", "the qemu-ga to compare with")
	fs.StringVar(&qgadArgs, "qgad-args", "", "extra arguments for qgad, space-separated (e.g. --plugin-idle-stop=5s)")
	fs.StringVar(&c.TempDir, "dir", os.TempDir(), "where the agents' directories (and the test files) go; the same filesystem for both")
	fs.StringVar(&c.JSONOut, "json", "", "write the results as JSON to this file")
	fs.StringVar(&c.MDOut, "md", "", "write the results as a Markdown table to this file")
	fs.StringVar(&c.Update, "update", "", "replace the generated section of this Markdown file (between the bench:begin and bench:end markers)")
	fs.IntVar(&c.Pairs, "pairs", 15, "latency batches per agent")
	fs.IntVar(&c.Batch, "batch", 1000, "round trips per latency batch")
	fs.IntVar(&c.Pipeline, "pipeline", 2000, "requests per pipelined batch")
	fs.IntVar(&c.StartPairs, "start-pairs", 10, "fresh starts per agent for each start-up metric")
	fs.IntVar(&c.IOPairs, "io-pairs", 3, "throughput runs per agent, chunk size and direction")
	fs.Int64Var(&fileMiB, "file-mib", 256, "size of the throughput file in MiB")
	fs.DurationVar(&c.Settle, "settle", 2*time.Second, "wait after start-up before measuring idle memory")
	fs.DurationVar(&c.After, "after", 10*time.Second, "wait after the throughput runs before measuring memory again")
	fs.DurationVar(&c.IdleStop, "idle-stop", 30*time.Second, "qgad's plugin idle-stop period: memory is measured again once it passed after the throughput runs (0: not)")
	quick := fs.Bool("quick", false, "a fast smoke run: few iterations, a 48 MiB file")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	c.QgadArgs = strings.Fields(qgadArgs)
	if *quick {
		c.Pairs, c.Batch, c.Pipeline, c.StartPairs, c.IOPairs, fileMiB = 3, 200, 500, 3, 1, 48
		c.After, c.IdleStop = 2*time.Second, 0
	}
	c.FileSize = fileMiB << 20
	bin, err := filepath.Abs(c.Bin)
	if err != nil {
		return c, err
	}
	c.Bin = bin
	return c, nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "qgad-bench:", err)
		os.Exit(2)
	}
	rep, err := run(cfg)
	if err == nil {
		err = writeOutputs(cfg, rep)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "qgad-bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
