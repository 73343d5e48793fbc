package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// vmConfig is one boot of the test guest.
type vmConfig struct {
	Kernel, Initrd string
	Agent          string // e2e_agent=: qgad or qemu-ga
	Dir            string // sockets and the disk image (short: unix socket paths)
	ConsoleLog     string // copy of the console
	SMP            int
	MemMiB         int
}

// vm is a running QEMU. It runs under TCG: /dev/kvm on these machines is a
// software nested virtualization on which stock kernels hang.
type vm struct {
	cfg      vmConfig
	cmd      *exec.Cmd
	Started  time.Time // just before QEMU was started
	AgentSck string    // host end of org.qemu.guest_agent.0
	CtlSck   string    // host end of org.qgad.e2e.ctl
	Con      *console
	done     chan struct{} // closed when QEMU has exited
	waitErr  error
}

func qemuArgs(c vmConfig, agentSock, ctlSock, disk string) []string {
	return []string{
		"-accel", "tcg", "-m", fmt.Sprint(c.MemMiB), "-smp", fmt.Sprint(c.SMP),
		"-nographic", "-nodefaults", "-no-user-config",
		"-serial", "stdio", "-monitor", "none", "-no-reboot",
		"-kernel", c.Kernel, "-initrd", c.Initrd,
		"-append", "console=ttyS0 panic=-1 quiet e2e_agent=" + c.Agent,
		"-device", fmt.Sprintf("virtio-serial-pci,id=vser0,addr=%#x", serialSlot),
		"-chardev", "socket,path=" + agentSock + ",server=on,wait=off,id=qga0",
		"-device", "virtserialport,bus=vser0.0,chardev=qga0,name=" + agentPort,
		"-chardev", "socket,path=" + ctlSock + ",server=on,wait=off,id=ctl0",
		"-device", "virtserialport,bus=vser0.0,chardev=ctl0,name=" + ctlPort,
		"-drive", "file=" + disk + ",if=none,id=disk0,format=raw",
		"-device", fmt.Sprintf("virtio-blk-pci,drive=disk0,serial=%s,addr=%#x", diskSerial, diskSlot),
		// restrict=on: the guest has its NIC and addresses but cannot reach
		// the host or any network.
		"-netdev", "user,id=net0,restrict=on",
		// romfile=: no iPXE boot ROM, a second less of firmware under TCG.
		"-device", fmt.Sprintf("virtio-net-pci,netdev=net0,mac=%s,addr=%#x,romfile=", guestMAC, netSlot),
	}
}

// startVM makes a fresh disk and starts QEMU; the console is captured.
func startVM(ctx context.Context, c vmConfig) (*vm, error) {
	disk := filepath.Join(c.Dir, "disk.ext4")
	if err := makeDisk(ctx, disk, 64<<20); err != nil {
		return nil, err
	}
	v := &vm{
		cfg:      c,
		AgentSck: filepath.Join(c.Dir, "qga.sock"),
		CtlSck:   filepath.Join(c.Dir, "ctl.sock"),
		done:     make(chan struct{}),
	}
	logf, err := os.Create(c.ConsoleLog)
	if err != nil {
		return nil, err
	}
	v.Con = newConsole(logf)
	v.cmd = exec.Command("qemu-system-x86_64", qemuArgs(c, v.AgentSck, v.CtlSck, disk)...)
	stdout, err := v.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := v.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	v.Started = time.Now()
	if err := v.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting QEMU: %w", err)
	}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() { defer readers.Done(); v.Con.read(stdout, "") }()
	go func() { defer readers.Done(); v.Con.read(stderr, "QEMU: ") }()
	go func() {
		readers.Wait()
		v.waitErr = v.cmd.Wait()
		logf.Close()
		close(v.done)
	}()
	return v, nil
}

// Exited reports whether QEMU has exited, and how.
func (v *vm) Exited() (bool, error) {
	select {
	case <-v.done:
		return true, v.waitErr
	default:
		return false, nil
	}
}

// WaitExit waits for QEMU to exit on its own.
func (v *vm) WaitExit(ctx context.Context) error {
	select {
	case <-v.done:
		return v.waitErr
	case <-ctx.Done():
		return fmt.Errorf("QEMU still running: %w", ctx.Err())
	}
}

// Kill stops QEMU if it still runs (test cleanup).
func (v *vm) Kill() {
	if ok, _ := v.Exited(); ok {
		return
	}
	v.cmd.Process.Kill()
	<-v.done
}

// dial connects to one of QEMU's chardev sockets, waiting for QEMU to
// create it.
func dial(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "unix", path)
		if err == nil {
			return conn, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connecting to %s: %w", path, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// console collects the guest's serial console and QEMU's stderr, line by
// line, for the markers the test waits for.
type console struct {
	mu      sync.Mutex
	lines   []string
	times   []time.Time   // when each line arrived
	changed chan struct{} // closed and replaced when a line arrives
	log     io.Writer
}

func newConsole(log io.Writer) *console {
	return &console{changed: make(chan struct{}), log: log}
}

func (c *console) read(r io.Reader, prefix string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := prefix + strings.TrimRight(sc.Text(), "\r")
		c.mu.Lock()
		c.lines = append(c.lines, line)
		c.times = append(c.times, time.Now())
		fmt.Fprintln(c.log, line)
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
	}
}

// Len is the number of lines so far: a position for Wait.
func (c *console) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lines)
}

// Wait returns the first line at or after position from that match
// accepts, and the position after it.
func (c *console) Wait(ctx context.Context, from int, match func(string) bool) (string, int, error) {
	for {
		c.mu.Lock()
		for i := from; i < len(c.lines); i++ {
			if match(c.lines[i]) {
				line := c.lines[i]
				c.mu.Unlock()
				return line, i + 1, nil
			}
		}
		from = len(c.lines)
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return "", from, ctx.Err()
		}
	}
}

// Time is when the line before position pos arrived (a position Wait
// returned).
func (c *console) Time(pos int) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.times[pos-1]
}

// Since returns the lines from position from on.
func (c *console) Since(from int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if from > len(c.lines) {
		return nil
	}
	return append([]string(nil), c.lines[from:]...)
}

// Tail is the end of the console, for failure messages.
func (c *console) Tail(n int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	from := max(0, len(c.lines)-n)
	return strings.Join(c.lines[from:], "\n")
}
