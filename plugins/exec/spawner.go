package exec

import (
	"errors"
	"runtime"
	"sync"
)

var errClosed = errors.New("the exec plugin is shutting down")

// spawner forks every child from one OS thread that lives as long as the
// plugin. Children get Pdeathsig, and Linux sends it when the thread that
// forked them exits, not the process; forking from an arbitrary Go thread
// could kill a child whenever the runtime retires that thread.
type spawner struct {
	reqs chan func()
	stop chan struct{}
	once sync.Once
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan func()), stop: make(chan struct{})}
	go s.loop()
	return s
}

func (s *spawner) loop() {
	// Never unlocked: when loop returns the runtime ends the thread, which
	// fires Pdeathsig on leftover children, as Close wants anyway.
	runtime.LockOSThread()
	for {
		select {
		case f := <-s.reqs:
			f()
		case <-s.stop:
			return
		}
	}
}

// do runs f on the spawner thread and waits for it.
func (s *spawner) do(f func()) error {
	done := make(chan struct{})
	select {
	case s.reqs <- func() { f(); close(done) }:
	case <-s.stop:
		return errClosed
	}
	<-done
	return nil
}

func (s *spawner) close() {
	s.once.Do(func() { close(s.stop) })
}
