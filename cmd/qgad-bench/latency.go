package main

import (
	"fmt"
	"time"
)

// Requests of the small-command metrics.
var (
	reqPing     = []byte(`{"execute": "guest-ping"}` + "\n")
	reqInfo     = []byte(`{"execute": "guest-info"}` + "\n")
	reqHostName = []byte(`{"execute": "guest-get-host-name"}` + "\n")
)

const warmup = 20

// roundTrips times n sequential exchanges of req after a short warm-up.
func roundTrips(c *conn, n int, req ...[]byte) ([]time.Duration, error) {
	for range warmup {
		if _, err := c.callOK(req...); err != nil {
			return nil, err
		}
	}
	out := make([]time.Duration, n)
	for i := range out {
		t := time.Now()
		line, err := c.call(req...)
		out[i] = time.Since(t)
		if err != nil {
			return nil, err
		}
		if err := checkReturn(line); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// latencyTrial returns p50 and p99 in µs of a batch of n round trips.
func latencyTrial(c *conn, n int, req ...[]byte) ([]float64, error) {
	d, err := roundTrips(c, n, req...)
	if err != nil {
		return nil, err
	}
	us := micros(d)
	return []float64{percentile(us, 50), percentile(us, 99)}, nil
}

// pipelined writes n pings at once (from another goroutine, so a full
// socket buffer cannot deadlock) and reads the n responses; requests/s.
func pipelined(c *conn, n int) (float64, error) {
	batch := make([]byte, 0, n*len(reqPing))
	for range n {
		batch = append(batch, reqPing...)
	}
	if _, err := roundTrips(c, 0, reqPing); err != nil { // warm-up
		return 0, err
	}
	t := time.Now()
	werr := make(chan error, 1)
	go func() { werr <- c.write(batch) }()
	for i := range n {
		line, err := c.readLine()
		if err != nil {
			return 0, fmt.Errorf("pipelined response %d of %d: %w", i+1, n, err)
		}
		if err := checkReturn(line); err != nil {
			return 0, err
		}
	}
	elapsed := time.Since(t)
	if err := <-werr; err != nil {
		return 0, fmt.Errorf("writing pipelined requests: %w", err)
	}
	return float64(n) / elapsed.Seconds(), nil
}

// smallReadTrial opens path, times n guest-file-read calls of 4 KiB and
// closes it; p50 and p99 in µs. The file must hold (n+warm-up) × 4 KiB so
// every read returns full data.
func smallReadTrial(c *conn, path string, n int) ([]float64, error) {
	h, err := openFile(c, path, "r")
	if err != nil {
		return nil, err
	}
	req := []byte(fmt.Sprintf(`{"execute": "guest-file-read", "arguments": {"handle": %d, "count": 4096}}`+"\n", h))
	res, err := latencyTrial(c, n, req)
	if cerr := closeFile(c, h); err == nil {
		err = cerr
	}
	return res, err
}
