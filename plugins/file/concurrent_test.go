package file

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"sync"
	"testing"
)

// Calls arrive concurrently over gRPC: ids stay unique and every handle
// keeps its own data. Run with -race.
func TestConcurrentHandles(t *testing.T) {
	tf := newTestFamily(t)
	const workers = 16
	ids := make([]int64, workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			ctx := context.Background()
			res, err := tf.p.Call(ctx, "guest-file-open", fmt.Sprintf(`{"path": "/f%d", "mode": "w+"}`, w))
			if err != nil {
				errs <- err
				return
			}
			id, _ := strconv.ParseInt(res, 10, 64)
			ids[w] = id
			payload := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("worker %d", w)))
			for range 20 {
				if _, err := tf.p.Call(ctx, "guest-file-write", fmt.Sprintf(`{"handle": %d, "buf-b64": %q}`, id, payload)); err != nil {
					errs <- err
					return
				}
			}
			if _, err := tf.p.Call(ctx, "guest-file-seek", fmt.Sprintf(`{"handle": %d, "offset": 0, "whence": 0}`, id)); err != nil {
				errs <- err
				return
			}
			res, err = tf.p.Call(ctx, "guest-file-read", fmt.Sprintf(`{"handle": %d, "count": 8}`, id))
			if want := fmt.Sprintf(`{"count": 8, "buf-b64": %q, "eof": false}`, base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("worker %d", w))[:8])); err != nil || res != want {
				errs <- fmt.Errorf("worker %d read %s, %v; want %s", w, res, err, want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if id < 1000 || id >= 1000+workers || seen[id] {
			t.Fatalf("ids %v are not 1000..%d each once", ids, 1000+workers-1)
		}
		seen[id] = true
	}
	if got, want := readFile(t, tf.stateDir+"/qga.state"), fmt.Sprintf("[global]\nfd_counter=%d\n", 1000+workers); got != want {
		t.Fatalf("qga.state = %q, want %q", got, want)
	}
}

// A close racing with reads on the same handle: every read either
// completes or finds the handle gone.
func TestConcurrentCloseAndRead(t *testing.T) {
	tf := newTestFamily(t)
	writeFile(t, tf.path("f"), "data", 0o644)
	tf.run(t, []step{{"guest-file-open", `{"path": "/f"}`, "1000"}})
	var wg sync.WaitGroup
	results := make(chan string, 51)
	for range 50 {
		wg.Go(func() {
			r, err := tf.result("guest-file-read", `{"handle": 1000, "count": 1}`)
			if err != nil {
				r = err.Error()
			}
			results <- r
		})
	}
	wg.Go(func() {
		if r, err := tf.result("guest-file-close", `{"handle": 1000}`); err != nil || r != `{}` {
			results <- fmt.Sprintf("close: %s, %v", r, err)
		}
	})
	wg.Wait()
	close(results)
	for r := range results {
		switch r {
		case `{"count": 1, "buf-b64": "ZA==", "eof": false}`, `{"count": 1, "buf-b64": "YQ==", "eof": false}`,
			`{"count": 1, "buf-b64": "dA==", "eof": false}`, `{"count": 0, "buf-b64": "", "eof": true}`,
			"error: handle '1000' has not been found":
		default:
			t.Errorf("unexpected read result %s", r)
		}
	}
	tf.run(t, []step{{"guest-file-read", `{"handle": 1000}`, "error: handle '1000' has not been found"}})
}

// Busy tells the core that stopping the plugin would lose handles; Close
// closes them all.
func TestBusyAndClose(t *testing.T) {
	tf := newTestFamily(t)
	if tf.p.Busy() {
		t.Fatal("busy without handles")
	}
	tf.run(t, []step{
		{"guest-file-open", `{"path": "/a", "mode": "w"}`, "1000"},
		{"guest-file-open", `{"path": "/b", "mode": "w"}`, "1001"},
		{"guest-file-close", `{"handle": 1000}`, `{}`},
	})
	if !tf.p.Busy() {
		t.Fatal("not busy with a handle open")
	}
	tf.p.Close()
	if tf.p.Busy() {
		t.Fatal("busy after Close")
	}
	tf.run(t, []step{{"guest-file-write", `{"handle": 1001, "buf-b64": ""}`, "error: handle '1001' has not been found"}})
}
