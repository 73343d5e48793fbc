package client_test

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/client"
)

// The typed calls of the commands that only read the system, on this
// machine, checked against what the machine says.
func TestReadOnlyCommands(t *testing.T) {
	c, _ := liveAgent(t)
	x := ctx(t)

	if err := c.Ping(x); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if got, err := c.GuestSyncDelimited(x, 31337); err != nil || got != 31337 {
		t.Errorf("GuestSyncDelimited = %d, %v", got, err)
	}
	info, err := c.GuestInfo(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range client.Commands() {
		if ci := info.Command(name); ci == nil || !ci.Enabled {
			t.Errorf("guest-info: %s missing or disabled (%+v)", name, ci)
		}
	}
	if ci := info.Command("guest-shutdown"); ci == nil || ci.SuccessResponse {
		t.Errorf("guest-shutdown success-response: %+v", ci)
	}

	host, _ := os.Hostname()
	if got, err := c.GetHostName(x); err != nil || got != host {
		t.Errorf("GetHostName = %q, %v; want %q", got, err, host)
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		t.Fatal(err)
	}
	if os, err := c.GetOSInfo(x); err != nil || os.KernelRelease != unix.ByteSliceToString(uts.Release[:]) || os.Machine != unix.ByteSliceToString(uts.Machine[:]) {
		t.Errorf("GetOSInfo = %+v, %v", os, err)
	}
	if tz, err := c.GetTimezone(x); err != nil || tz.Offset < -14*3600 || tz.Offset > 14*3600 {
		t.Errorf("GetTimezone = %+v, %v", tz, err)
	}
	if l, err := c.GetLoad(x); err != nil || l.Load1m < 0 || l.Load15m < 0 {
		t.Errorf("GetLoad = %+v, %v", l, err)
	}
	stat := readFile(t, "/proc/stat")
	if cpus, err := c.GetCPUStats(x); err != nil || len(cpus) != strings.Count(stat, "\ncpu") || cpus[0].Type != "linux" || cpus[0].IOWait == nil {
		t.Errorf("GetCPUStats = %d entries, %v; /proc/stat has %d", len(cpus), err, strings.Count(stat, "\ncpu"))
	}
	if ds, err := c.GetDiskstats(x); err != nil || len(ds) == 0 || ds[0].Name == "" {
		t.Errorf("GetDiskstats = %+v, %v", ds, err)
	}
	ifaces, err := c.NetworkGetInterfaces(x)
	if err != nil {
		t.Fatal(err)
	}
	lo := slices.IndexFunc(ifaces, func(i client.NetworkInterface) bool { return i.Name == "lo" })
	if lo < 0 || ifaces[lo].HardwareAddress != "00:00:00:00:00:00" ||
		!slices.ContainsFunc(ifaces[lo].IPAddresses, func(a client.IPAddress) bool { return a.Address == "127.0.0.1" && a.Type == "ipv4" && a.Prefix == 8 }) {
		t.Errorf("NetworkGetInterfaces: lo = %+v", ifaces)
	}
	goIfaces, _ := net.Interfaces()
	if len(ifaces) > len(goIfaces) {
		t.Errorf("%d interfaces, the kernel has %d", len(ifaces), len(goIfaces))
	}
	routes, err := c.NetworkGetRoute(x)
	if err != nil {
		t.Fatal(err)
	}
	v4 := strings.Count(readFile(t, "/proc/net/route"), "\n") - 1
	if n := len(slices.DeleteFunc(slices.Clone(routes), func(r client.NetworkRoute) bool { return r.Version != 4 })); n != v4 {
		t.Errorf("%d IPv4 routes, /proc/net/route has %d", n, v4)
	}
	if fsinfo, err := c.GetFsinfo(x); err != nil || fsinfo == nil {
		t.Errorf("GetFsinfo = %+v, %v", fsinfo, err)
	}
	if _, err := c.GetDisks(x); err != nil {
		t.Errorf("GetDisks: %v", err)
	}
	if users, err := c.GetUsers(x); err != nil || users == nil {
		t.Errorf("GetUsers = %v, %v", users, err)
	}
	if st, err := c.FsfreezeStatus(x); err != nil || st != "thawed" {
		t.Errorf("FsfreezeStatus = %q, %v", st, err)
	}
	if vcpus, err := c.GetVcpus(x); err != nil || len(vcpus) == 0 || vcpus[0].CanOffline == nil {
		t.Errorf("GetVcpus = %+v, %v", vcpus, err)
	}
}

// The file commands and the chunked transfers, on a temp dir.
func TestFileCommands(t *testing.T) {
	c, _ := liveAgent(t)
	x := ctx(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "f")

	h, err := c.FileOpen(x, path, "w+")
	if err != nil {
		t.Fatal(err)
	}
	if w, err := c.FileWrite(x, h, []byte("hello, guest\n")); err != nil || w.Count != 13 {
		t.Fatalf("FileWrite = %+v, %v", w, err)
	}
	if err := c.FileFlush(x, h); err != nil {
		t.Fatal(err)
	}
	if s, err := c.FileSeek(x, h, 7, client.SeekSet); err != nil || s.Position != 7 {
		t.Fatalf("FileSeek = %+v, %v", s, err)
	}
	if r, err := c.FileRead(x, h, 100); err != nil || string(r.Data) != "guest\n" || r.Count != 6 || !r.EOF {
		t.Fatalf("FileRead = %+v, %v", r, err)
	}
	if err := c.FileClose(x, h); err != nil {
		t.Fatal(err)
	}
	var e *client.Error
	if _, err := c.FileRead(x, h, 1); !errors.As(err, &e) || e.Desc != "handle '"+strconv.FormatInt(h, 10)+"' has not been found" {
		t.Fatalf("FileRead after close: %v", err)
	}

	// 2.5 chunks each way, with progress reports.
	data := bytes.Repeat([]byte("0123456789abcdef"), 5<<10)
	var reports []int64
	tr := &client.Transfer{ChunkSize: 32 << 10, Progress: func(done, total int64) {
		reports = append(reports, done)
		if total != int64(len(data)) {
			t.Errorf("progress total %d, want %d", total, len(data))
		}
	}}
	big := filepath.Join(dir, "big")
	if n, err := c.WriteFile(x, big, bytes.NewReader(data), int64(len(data)), tr); err != nil || n != int64(len(data)) {
		t.Fatalf("WriteFile = %d, %v", n, err)
	}
	if got := readFile(t, big); got != string(data) {
		t.Fatal("WriteFile wrote something else")
	}
	if !slices.Equal(reports, []int64{32 << 10, 64 << 10, 80 << 10}) {
		t.Errorf("write progress %v", reports)
	}
	reports = nil
	var out bytes.Buffer
	if n, err := c.ReadFile(x, big, &out, tr); err != nil || n != int64(len(data)) || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("ReadFile = %d, %v", n, err)
	}
	if len(reports) < 3 || reports[len(reports)-1] != int64(len(data)) {
		t.Errorf("read progress %v", reports)
	}
	if _, err := c.ReadFile(x, filepath.Join(dir, "missing"), &out, nil); !errors.As(err, &e) || !strings.Contains(e.Desc, "No such file or directory") {
		t.Errorf("ReadFile(missing): %v", err)
	}
}

// guest-exec and guest-exec-status through Exec, ExecStatus and ExecWait.
func TestExecCommands(t *testing.T) {
	c, _ := liveAgent(t)
	x := ctx(t)
	tests := []struct {
		name     string
		req      client.ExecRequest
		out, err string
		code     int64
	}{
		{"separated", client.ExecRequest{Path: "sh", Args: []string{"-c", "echo out; echo err >&2; exit 3"}, Capture: client.CaptureSeparated}, "out\n", "err\n", 3},
		{"merged", client.ExecRequest{Path: "/bin/sh", Args: []string{"-c", "echo a; echo b >&2"}, Capture: client.CaptureMerged}, "a\nb\n", "", 0},
		{"input", client.ExecRequest{Path: "cat", Input: []byte("piped\n"), Capture: client.CaptureSeparated}, "piped\n", "", 0},
		{"empty env", client.ExecRequest{Path: "/usr/bin/env", Env: []string{}, Capture: client.CaptureSeparated}, "", "", 0},
		{"env", client.ExecRequest{Path: "/usr/bin/env", Env: []string{"A=1"}, Capture: client.CaptureSeparated}, "A=1\n", "", 0},
		{"no capture", client.ExecRequest{Path: "sh", Args: []string{"-c", "echo lost"}}, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := c.ExecWait(x, tt.req, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Exited || st.ExitCode == nil || *st.ExitCode != tt.code || string(st.OutData) != tt.out || string(st.ErrData) != tt.err {
				t.Errorf("status %+v (out %q err %q)", st, st.OutData, st.ErrData)
			}
		})
	}
	pid, err := c.Exec(x, client.ExecRequest{Path: "sh", Args: []string{"-c", "kill -9 $$"}})
	if err != nil {
		t.Fatal(err)
	}
	for {
		st, err := c.ExecStatus(x, pid)
		if err != nil {
			t.Fatal(err)
		}
		if st.Exited {
			if st.Signal == nil || *st.Signal != 9 || st.ExitCode != nil {
				t.Errorf("killed child: %+v", st)
			}
			break
		}
	}
	var e *client.Error
	if _, err := c.ExecStatus(x, pid); !errors.As(err, &e) {
		t.Errorf("ExecStatus of a reported pid: %v, want an agent error", err)
	}
}

// The commands that change the system, on a fixture root.
func TestChangingCommands(t *testing.T) {
	c, root := fixtureAgent(t)
	x := ctx(t)

	ns := int64(1768478400123456000)
	if err := c.SetTime(x, &ns); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetTime(x); err != nil || got != ns {
		t.Errorf("GetTime after SetTime = %d, %v", got, err)
	}
	if err := c.SetTime(x, nil); err != nil {
		t.Errorf("SetTime(nil): %v", err)
	}
	if got, err := c.GetHostName(x); err != nil || got != "fixture-host" {
		t.Errorf("GetHostName = %q, %v", got, err)
	}

	vcpus, err := c.GetVcpus(x)
	if err != nil || len(vcpus) != 2 {
		t.Fatalf("GetVcpus = %+v, %v", vcpus, err)
	}
	if n, err := c.SetVcpus(x, []client.LogicalProcessor{{LogicalID: 1, Online: false}}); err != nil || n != 1 {
		t.Errorf("SetVcpus = %d, %v", n, err)
	}
	if got := readFile(t, filepath.Join(root, "sys/devices/system/cpu/cpu1/online")); got[0] != '0' {
		t.Errorf("cpu1/online = %q after offlining", got)
	}

	blocks, err := c.GetMemoryBlocks(x)
	if err != nil || len(blocks) != 1 || blocks[0].PhysIndex != 0 || !blocks[0].Online || blocks[0].CanOffline == nil || !*blocks[0].CanOffline {
		t.Fatalf("GetMemoryBlocks = %+v, %v", blocks, err)
	}
	resp, err := c.SetMemoryBlocks(x, []client.MemoryBlock{{PhysIndex: 0, Online: false}, {PhysIndex: 9, Online: true}})
	if err != nil || len(resp) != 2 || resp[0].Response != "success" || resp[1].Response != "not-found" || resp[1].ErrorCode == nil {
		t.Errorf("SetMemoryBlocks = %+v, %v", resp, err)
	}
	if info, err := c.GetMemoryBlockInfo(x); err != nil || info.Size != 0x8000000 {
		t.Errorf("GetMemoryBlockInfo = %+v, %v", info, err)
	}

	if err := c.SetUserPassword(x, "alice", []byte("s3cret"), false); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(root, "chpasswd.log")); got != "alice:s3cret\n\n" {
		t.Errorf("chpasswd got %q", got)
	}
	if err := c.SSHAddAuthorizedKeys(x, "alice", []string{"ssh-ed25519 AAAA k1", "ssh-ed25519 AAAA k2"}, false); err != nil {
		t.Fatal(err)
	}
	if err := c.SSHRemoveAuthorizedKeys(x, "alice", []string{"ssh-ed25519 AAAA k1"}); err != nil {
		t.Fatal(err)
	}
	if keys, err := c.SSHGetAuthorizedKeys(x, "alice"); err != nil || !slices.Equal(keys, []string{"ssh-ed25519 AAAA k2"}) {
		t.Errorf("SSHGetAuthorizedKeys = %q, %v", keys, err)
	}
	if got := readFile(t, filepath.Join(root, "home/alice/.ssh/authorized_keys")); got != "ssh-ed25519 AAAA k2" {
		t.Errorf("authorized_keys = %q", got)
	}

	// The fixture's mount table is empty: nothing to freeze, trim or list.
	if n, err := c.FsfreezeFreeze(x); err != nil || n != 0 {
		t.Errorf("FsfreezeFreeze = %d, %v", n, err)
	}
	if n, err := c.FsfreezeFreezeList(x, []string{"/nowhere"}); err != nil || n != 0 {
		t.Errorf("FsfreezeFreezeList = %d, %v", n, err)
	}
	if n, err := c.FsfreezeThaw(x); err != nil || n != 0 {
		t.Errorf("FsfreezeThaw = %d, %v", n, err)
	}
	if r, err := c.Fstrim(x, 4096); err != nil || r.Paths == nil || len(r.Paths) != 0 {
		t.Errorf("Fstrim = %+v, %v", r, err)
	}
	if fs, err := c.GetFsinfo(x); err != nil || len(fs) != 0 {
		t.Errorf("GetFsinfo = %+v, %v", fs, err)
	}
}
