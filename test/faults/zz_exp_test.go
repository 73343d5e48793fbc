package faults

import (
	"crypto/rand"
	"io"
	"net"
	"testing"
	"time"
	"os"
	"strings"

	"github.com/qgad/qgad/internal/qgatest"
)

func TestFlood(t *testing.T) {
	a := qgatest.StartQgad(t)
	a.C.Close()
	conn, err := net.Dial("unix", a.Sock)
	if err != nil { t.Fatal(err) }
	var got int64
	done := make(chan struct{})
	go func() { n, _ := io.Copy(io.Discard, conn); got = n; close(done) }()
	buf := make([]byte, 1<<20)
	start := time.Now()
	total := 0
	for i := 0; i < 64; i++ {
		rand.Read(buf)
		n, err := conn.Write(buf)
		total += n
		if err != nil { t.Fatal(err) }
	}
	t.Logf("wrote %d MiB in %s", total>>20, time.Since(start))
	conn.(*net.UnixConn).CloseWrite()
	<-done
	t.Logf("read %d bytes total %s", got, time.Since(start))
	st, _ := os.ReadFile("/proc/"+itoa(a.Cmd.Process.Pid)+"/status")
	for _, l := range strings.Split(string(st), "\n") { if strings.HasPrefix(l, "VmHWM") || strings.HasPrefix(l, "VmRSS") { t.Log(l) } }
}
func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ",0)) + func() string { s := ""; for i > 0 { s = string(rune('0'+i%10)) + s; i /= 10 }; return s }() }
