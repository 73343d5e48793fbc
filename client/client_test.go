package client_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qgad/qgad/client"
	"github.com/qgad/qgad/internal/qgatest"
)

// A new client finds its replies although the stream holds a stale reply
// and a half-written request from an earlier client.
func TestSyncDropsStaleReplies(t *testing.T) {
	_, a := liveAgent(t)
	a.C.Close()
	conn, err := net.Dial("unix", a.Sock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte(`{"execute": "guest-sync", "arguments": {"id": 7}}` + "\n" + `{"execute": "guest-pi`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the stale reply is in the stream now
	c := client.New(conn)
	defer c.Close()
	if err := c.Sync(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GuestSync(ctx(t), 99); err != nil || got != 99 {
		t.Fatalf("GuestSync(99) = %d, %v", got, err)
	}
}

// Agent errors are *client.Error values with the agent's class and text.
func TestErrorValues(t *testing.T) {
	c, _ := liveAgent(t)
	tests := []struct {
		command string
		args    any
		want    client.Error
	}{
		{"guest-pong", nil, client.Error{Class: "CommandNotFound", Desc: "The command guest-pong has not been found"}},
		{"guest-sync", nil, client.Error{Class: "GenericError", Desc: "Parameter 'id' is missing"}},
		{"guest-ping", map[string]int{"foo": 1}, client.Error{Class: "GenericError", Desc: "Parameter 'foo' is unexpected"}},
		{"guest-file-close", map[string]int{"handle": 123456}, client.Error{Class: "GenericError", Desc: "handle '123456' has not been found"}},
	}
	for _, tt := range tests {
		_, err := c.Call(ctx(t), tt.command, tt.args)
		var e *client.Error
		if !errors.As(err, &e) || *e != tt.want {
			t.Errorf("%s: %v, want %v", tt.command, err, &tt.want)
		}
	}
}

// A deadline cuts a slow command short with context.DeadlineExceeded;
// its late reply does not become the answer to the next call.
func TestDeadlineAndResync(t *testing.T) {
	root := fixtureRoot(t)
	hook := filepath.Join(root, "slow-hook")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\nsleep 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	a := qgatest.StartQgad(t, "--sysroot", root, "--fsfreeze-hook="+hook, "--runtime-dir", filepath.Join(qgatest.TempDir(t), "rt"))
	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := a.C.FsfreezeFreeze(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("FsfreezeFreeze past its deadline: %v, want DeadlineExceeded", err)
	}
	if got, err := a.C.GuestSync(ctx(t), 4242); err != nil || got != 4242 {
		t.Fatalf("GuestSync after the cut-short call = %d, %v", got, err)
	}
	if st, err := a.C.FsfreezeStatus(ctx(t)); err != nil || st != "thawed" {
		t.Fatalf("FsfreezeStatus = %q, %v", st, err)
	}
}

// Cancelling the context aborts a pending call at once.
func TestCancel(t *testing.T) {
	server, conn := net.Pipe()
	defer server.Close()
	go func() { _, _ = server.Read(make([]byte, 4096)) }() // reads, never answers
	c := client.New(conn)
	defer c.Close()
	cctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Call(cctx, "guest-ping", nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Call: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancel took %v", d)
	}
}

// Calls from many goroutines are serialized: each gets its own reply.
func TestConcurrentCalls(t *testing.T) {
	c, _ := liveAgent(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				id := int64(g*1000 + i)
				got, err := c.GuestSync(ctx(t), id)
				if err != nil || got != id {
					errs <- errors.New("GuestSync mixed up replies")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// Commands that answer only on error: silence is success, an error is
// returned, and the next call is in step either way.
func TestCallNoResponse(t *testing.T) {
	c, root := fixtureAgent(t)
	c.NoReplyWait = 500 * time.Millisecond
	if err := c.Shutdown(ctx(t), client.Powerdown); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if log := readFile(t, filepath.Join(root, "power.log")); strings.TrimSpace(log) != "poweroff" {
		t.Errorf("the fixture's poweroff ran as %q", log)
	}
	var e *client.Error
	err := c.Shutdown(ctx(t), "bogus")
	if !errors.As(err, &e) || e.Desc != "mode is invalid (valid values are: halt|powerdown|reboot" {
		t.Errorf("Shutdown(bogus): %v", err)
	}
	// No systemctl, no pm-utils in the root: the sysfs strategy writes
	// "mem" to the fixture's /sys/power/state.
	if err := c.SuspendRAM(ctx(t)); err != nil {
		t.Fatalf("SuspendRAM: %v", err)
	}
	if got := readFile(t, filepath.Join(root, "sys/power/state")); got != "mem" {
		t.Errorf("sys/power/state = %q, want mem", got)
	}
	err = c.SuspendHybrid(ctx(t))
	if !errors.As(err, &e) || e.Desc != "the requested suspend mode is not supported by the guest" {
		t.Errorf("SuspendHybrid: %v", err)
	}
	if got, err := c.GuestSync(ctx(t), 5); err != nil || got != 5 {
		t.Fatalf("GuestSync after no-reply commands = %d, %v", got, err)
	}
}
