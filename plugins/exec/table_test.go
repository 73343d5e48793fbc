package exec

import "testing"

func finishedChild(pid int64) *child {
	c := &child{pid: pid, done: make(chan struct{})}
	close(c.done)
	return c
}

func TestTable(t *testing.T) {
	tb := newTable(3)
	running := &child{pid: 7, done: make(chan struct{})}
	first, second := finishedChild(9), finishedChild(9)
	for _, c := range []*child{running, first, second} {
		if err := tb.reserve(); err != nil {
			t.Fatalf("reserve: %v", err)
		}
		tb.add(c)
	}
	if err := tb.reserve(); err == nil {
		t.Fatal("reserve beyond the limit succeeded")
	}
	if !tb.busy() {
		t.Fatal("busy() = false with records")
	}

	steps := []struct {
		pid      int64
		want     *child
		finished bool
		ok       bool
	}{
		{7, running, false, true}, // running: reported, kept
		{7, running, false, true},
		{9, first, true, true}, // a reused pid: the oldest record first
		{9, second, true, true},
		{9, nil, false, false}, // both reported
		{1, nil, false, false},
	}
	for i, s := range steps {
		c, finished, ok := tb.take(s.pid)
		if c != s.want || finished != s.finished || ok != s.ok {
			t.Fatalf("step %d take(%d) = %p %v %v, want %p %v %v", i, s.pid, c, finished, ok, s.want, s.finished, s.ok)
		}
	}
	if err := tb.reserve(); err != nil {
		t.Fatalf("reserve after two records were reported: %v", err)
	}
	tb.release()
	if len(tb.all()) != 1 {
		t.Fatalf("all() = %d records, want 1", len(tb.all()))
	}
}
