package system

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const guestRoot = "testdata/roots/guest"

// TestGetVcpusOrderAndState checks the fixture guest's CPUs: states from
// the online files (cpu0 has none), in the directory's own order.
func TestGetVcpusOrderAndState(t *testing.T) {
	f := testFamily(t, guestRoot, nil)
	got := mustCall(t, f, "guest-get-vcpus", "")

	state := map[int]string{
		0: `{"logical-id": 0, "online": true, "can-offline": false}`,
		1: `{"logical-id": 1, "online": true, "can-offline": true}`,
		2: `{"logical-id": 2, "online": false, "can-offline": true}`,
		3: `{"logical-id": 3, "online": true, "can-offline": true}`,
	}
	cpuN := regexp.MustCompile(`^cpu([0-9]+)$`)
	var want []string
	for _, name := range getdentsOrder(t, filepath.Join(guestRoot, cpuDir)) {
		if m := cpuN.FindStringSubmatch(name); m != nil {
			n, _ := strconv.Atoi(m[1])
			want = append(want, state[n])
		}
	}
	if len(want) != 4 {
		t.Fatalf("fixture lists %d cpus, want 4", len(want))
	}
	sameJSON(t, got, "["+strings.Join(want, ", ")+"]")
	// Byte-exact member order of GuestLogicalProcessor (QDict order).
	if !strings.Contains(got, `{"online": true, "can-offline": false, "logical-id": 0}`) {
		t.Errorf("member order: %s", got)
	}
}

func TestGetVcpusErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, root string)
		want   string // error text, or a JSON result when it starts with '['
	}{
		{
			name:   "no cpu directory",
			mutate: func(t *testing.T, root string) { os.RemoveAll(filepath.Join(root, "sys")) },
			want:   "failed to list entries: /sys/devices/system/cpu: No such file or directory",
		},
		{
			name: "cpu directory is a file",
			mutate: func(t *testing.T, root string) {
				os.RemoveAll(filepath.Join(root, cpuDir))
				writeFile(t, root, cpuDir, "")
			},
			want: "failed to list entries: /sys/devices/system/cpu: Not a directory",
		},
		{
			name:   "empty online file",
			mutate: func(t *testing.T, root string) { writeFile(t, root, cpuDir+"/cpu1/online", "") },
			want:   `pread("/sys/devices/system/cpu/cpu1//online"): unexpected EOF`,
		},
		{
			name: "online is a directory",
			mutate: func(t *testing.T, root string) {
				os.Remove(filepath.Join(root, cpuDir, "cpu2/online"))
				os.Mkdir(filepath.Join(root, cpuDir, "cpu2/online"), 0o755)
			},
			want: `pread("/sys/devices/system/cpu/cpu2//online"): Is a directory`,
		},
		{
			name: "cpu entry is a file",
			mutate: func(t *testing.T, root string) {
				os.RemoveAll(filepath.Join(root, cpuDir, "cpu3"))
				writeFile(t, root, cpuDir+"/cpu3", "")
			},
			want: `open("/sys/devices/system/cpu/cpu3/"): Not a directory`,
		},
		{
			// qemu-ga opens the directory of the parsed number, cpu5 for cpu05.
			name:   "leading zero",
			mutate: func(t *testing.T, root string) { os.Mkdir(filepath.Join(root, cpuDir, "cpu05"), 0o755) },
			want:   `open("/sys/devices/system/cpu/cpu5/"): No such file or directory`,
		},
		{
			name: "no cpu entries",
			mutate: func(t *testing.T, root string) {
				for _, n := range []string{"cpu0", "cpu1", "cpu2", "cpu3"} {
					os.RemoveAll(filepath.Join(root, cpuDir, n))
				}
			},
			want: `[]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := mutatedFamily(t, nil, tc.mutate)
			wantListOrError(t, f, "guest-get-vcpus", "", tc.want)
		})
	}
}

func TestSetVcpus(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(t *testing.T, root string)
		args    string
		want    int64  // processed count
		wantErr string // error text instead of a count
		online  map[string]string
	}{
		{
			name: "empty list",
			args: `{"vcpus": []}`,
			want: 0,
		},
		{
			name:   "offline one",
			args:   `{"vcpus": [{"logical-id": 1, "online": false}]}`,
			want:   1,
			online: map[string]string{"cpu1": "0\n", "cpu2": "0\n"},
		},
		{
			name:   "online one, can-offline ignored",
			args:   `{"vcpus": [{"logical-id": 2, "online": true, "can-offline": false}]}`,
			want:   1,
			online: map[string]string{"cpu2": "1\n"},
		},
		{
			name:   "already in the requested state",
			args:   `{"vcpus": [{"logical-id": 1, "online": true}, {"logical-id": 2, "online": false}]}`,
			want:   2,
			online: map[string]string{"cpu1": "1\n", "cpu2": "0\n"},
		},
		{
			name:    "offline a cpu without switch",
			args:    `{"vcpus": [{"logical-id": 0, "online": false}]}`,
			wantErr: "logical processor #0 can't be offlined",
		},
		{
			name: "online a cpu without switch",
			args: `{"vcpus": [{"logical-id": 0, "online": true}]}`,
			want: 1,
		},
		{
			name:   "partial success stops at the first failure",
			args:   `{"vcpus": [{"logical-id": 1, "online": false}, {"logical-id": 0, "online": false}, {"logical-id": 2, "online": true}]}`,
			want:   1,
			online: map[string]string{"cpu1": "0\n", "cpu2": "0\n"},
		},
		{
			name:   "repeated ids processed in order",
			args:   `{"vcpus": [{"logical-id": 3, "online": false}, {"logical-id": 3, "online": true}, {"logical-id": 2, "online": true}]}`,
			want:   3,
			online: map[string]string{"cpu3": "1\n", "cpu2": "1\n"},
		},
		{
			name:    "missing cpu",
			args:    `{"vcpus": [{"logical-id": 9, "online": true}]}`,
			wantErr: `open("/sys/devices/system/cpu/cpu9/"): No such file or directory`,
		},
		{
			name:    "negative id",
			args:    `{"vcpus": [{"logical-id": -1, "online": true}]}`,
			wantErr: `open("/sys/devices/system/cpu/cpu-1/"): No such file or directory`,
		},
		{
			name: "online is a directory",
			mutate: func(t *testing.T, root string) {
				os.Remove(filepath.Join(root, cpuDir, "cpu1/online"))
				os.Mkdir(filepath.Join(root, cpuDir, "cpu1/online"), 0o755)
			},
			args:    `{"vcpus": [{"logical-id": 1, "online": false}]}`,
			wantErr: `open("/sys/devices/system/cpu/cpu1//online"): Is a directory`,
		},
		{
			name:    "empty online file",
			mutate:  func(t *testing.T, root string) { writeFile(t, root, cpuDir+"/cpu2/online", "") },
			args:    `{"vcpus": [{"logical-id": 2, "online": true}]}`,
			wantErr: `pread("/sys/devices/system/cpu/cpu2//online"): unexpected EOF`,
		},
		{
			name:    "schema: online is required",
			args:    `{"vcpus": [{"logical-id": 2}]}`,
			wantErr: "Parameter 'vcpus[0].online' is missing",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, root := mutatedFamily(t, nil, tc.mutate)
			if tc.wantErr != "" {
				wantError(t, f, "guest-set-vcpus", tc.args, tc.wantErr)
			} else {
				got := mustCall(t, f, "guest-set-vcpus", tc.args)
				if got != strconv.FormatInt(tc.want, 10) {
					t.Errorf("processed %s, want %d", got, tc.want)
				}
			}
			for cpu, want := range tc.online {
				if got := readFile(t, root, cpuDir+"/"+cpu+"/online"); got != want {
					t.Errorf("%s/online = %q, want %q", cpu, got, want)
				}
			}
		})
	}
}

// TestVcpusRoundTrip sets what get reports after an offline request.
func TestVcpusRoundTrip(t *testing.T) {
	root := copyRoot(t, guestRoot)
	f := testFamily(t, root, nil)
	mustCall(t, f, "guest-set-vcpus", `{"vcpus": [{"logical-id": 3, "online": false}]}`)
	var cpus []map[string]any
	if err := json.Unmarshal([]byte(mustCall(t, f, "guest-get-vcpus", "")), &cpus); err != nil {
		t.Fatal(err)
	}
	for _, c := range cpus {
		if c["logical-id"] == float64(3) && c["online"] != false {
			t.Errorf("cpu3 after offlining: %v", c)
		}
	}
}

func TestCPUNumber(t *testing.T) {
	// Expected values from glibc's sscanf(name, "cpu%" PRId64, &id).
	tests := []struct {
		name string
		id   int64
		ok   bool
	}{
		{"cpu0", 0, true},
		{"cpu12", 12, true},
		{"cpufreq", 0, false},
		{"cpuidle", 0, false},
		{"cpu-3", -3, true},
		{"cpu+4", 4, true},
		{"cpu 5", 5, true},
		{"cpu007", 7, true},
		{"cpu99999999999999999999", 9223372036854775807, true},
		{"cpu1abc", 1, true},
		{"xcpu1", 0, false},
		{"CPU1", 0, false},
		{"cpu", 0, false}, // sscanf returns EOF; see cpuNumber
	}
	for _, tc := range tests {
		id, ok := cpuNumber(tc.name)
		if ok != tc.ok || (ok && id != tc.id) {
			t.Errorf("cpuNumber(%q) = %d, %v; want %d, %v", tc.name, id, ok, tc.id, tc.ok)
		}
	}
}
