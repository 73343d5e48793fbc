package system

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const memDirRel = "sys/devices/system/memory"

func TestGetMemoryBlocks(t *testing.T) {
	f := testFamily(t, guestRoot, nil)
	got := mustCall(t, f, "guest-get-memory-blocks", "")
	state := map[string]string{
		"memory0":  `{"phys-index": 0, "online": true, "can-offline": false}`,
		"memory1":  `{"phys-index": 1, "online": false, "can-offline": true}`,
		"memory32": `{"phys-index": 32, "online": true, "can-offline": false}`, // no removable
		"memory33": `{"phys-index": 33, "online": true, "can-offline": false}`, // no state
	}
	var want []string
	for _, name := range getdentsOrder(t, filepath.Join(guestRoot, memDirRel)) {
		if s, ok := state[name]; ok {
			want = append(want, s)
		}
	}
	sameJSON(t, got, "["+strings.Join(want, ", ")+"]")
	if !strings.Contains(got, `{"online": false, "can-offline": true, "phys-index": 1}`) {
		t.Errorf("member order: %s", got)
	}
}

func TestGetMemoryBlocksCases(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, root string)
		want   string // JSON result, or error text
	}{
		{
			name:   "no memory directory",
			mutate: func(t *testing.T, root string) { os.RemoveAll(filepath.Join(root, memDirRel)) },
			want:   `[]`,
		},
		{
			name: "memory directory is a file",
			mutate: func(t *testing.T, root string) {
				os.RemoveAll(filepath.Join(root, memDirRel))
				writeFile(t, root, memDirRel, "")
			},
			want: `Can't open directory"/sys/devices/system/memory/": Not a directory`,
		},
		{
			name: "no blocks",
			mutate: func(t *testing.T, root string) {
				for _, b := range []string{"memory0", "memory1", "memory32", "memory33"} {
					os.RemoveAll(filepath.Join(root, memDirRel, b))
				}
				writeFile(t, root, memDirRel+"/memory7", "a file, not a block")
			},
			want: "guest reported zero memory blocks!",
		},
		{
			name: "one block; odd names",
			mutate: func(t *testing.T, root string) {
				for _, b := range []string{"memory1", "memory32", "memory33"} {
					os.RemoveAll(filepath.Join(root, memDirRel, b))
				}
				// "memoryX" reads as block 0 (strtoul gives 0), as in qemu-ga.
				os.Mkdir(filepath.Join(root, memDirRel, "memoryX"), 0o755)
			},
			want: `[{"phys-index": 0, "online": true, "can-offline": false}, {"phys-index": 0, "online": true, "can-offline": false}]`,
		},
		{
			name:   "empty state",
			mutate: func(t *testing.T, root string) { writeFile(t, root, memDirRel+"/memory1/state", "") },
			want:   `pread sysfs file "state": unexpected EOF`,
		},
		{
			name:   "empty removable",
			mutate: func(t *testing.T, root string) { writeFile(t, root, memDirRel+"/memory0/removable", "") },
			want:   `pread sysfs file "removable": unexpected EOF`,
		},
		{
			name: "state is a directory",
			mutate: func(t *testing.T, root string) {
				os.Remove(filepath.Join(root, memDirRel, "memory0/state"))
				os.Mkdir(filepath.Join(root, memDirRel, "memory0/state"), 0o755)
			},
			want: `pread sysfs file "state": Is a directory`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := mutatedFamily(t, nil, tc.mutate)
			wantListOrError(t, f, "guest-get-memory-blocks", "", tc.want)
		})
	}
}

func TestSetMemoryBlocks(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, root string)
		args   string
		want   string
		state  map[string]string // block -> expected state file content
	}{
		{
			name:  "online an offline block",
			args:  `{"mem-blks": [{"phys-index": 1, "online": true}]}`,
			want:  `[{"phys-index": 1, "response": "success"}]`,
			state: map[string]string{"memory1": "onlinee\n"}, // pwrite over "offline\n"
		},
		{
			name:  "offline an online block, can-offline ignored",
			args:  `{"mem-blks": [{"phys-index": 0, "online": false, "can-offline": false}]}`,
			want:  `[{"phys-index": 0, "response": "success"}]`,
			state: map[string]string{"memory0": "offline"},
		},
		{
			name:  "already in the requested state",
			args:  `{"mem-blks": [{"phys-index": 0, "online": true}, {"phys-index": 1, "online": false}]}`,
			want:  `[{"phys-index": 0, "response": "success"}, {"phys-index": 1, "response": "success"}]`,
			state: map[string]string{"memory0": "online\n", "memory1": "offline\n"},
		},
		{
			name: "missing block; index printed signed",
			args: `{"mem-blks": [{"phys-index": 5, "online": true}, {"phys-index": 18446744073709551615, "online": true}]}`,
			want: `[{"phys-index": 5, "response": "not-found", "error-code": 2}, {"phys-index": 18446744073709551615, "response": "not-found", "error-code": 2}]`,
		},
		{
			name:   "no memory directory",
			mutate: func(t *testing.T, root string) { os.RemoveAll(filepath.Join(root, memDirRel)) },
			args:   `{"mem-blks": [{"phys-index": 0, "online": false}]}`,
			want:   `[{"phys-index": 0, "response": "operation-not-supported", "error-code": 2}]`,
		},
		{
			name: "memory directory unusable: success with an error code",
			mutate: func(t *testing.T, root string) {
				os.RemoveAll(filepath.Join(root, memDirRel))
				writeFile(t, root, memDirRel, "")
			},
			args: `{"mem-blks": [{"phys-index": 0, "online": false}]}`,
			want: `[{"phys-index": 0, "response": "success", "error-code": 20}]`,
		},
		{
			name:   "block is not a directory",
			mutate: func(t *testing.T, root string) { writeFile(t, root, memDirRel+"/memory5", "") },
			args:   `{"mem-blks": [{"phys-index": 5, "online": true}]}`,
			want:   `[{"phys-index": 5, "response": "operation-failed", "error-code": 20}]`,
		},
		{
			name: "no state file",
			args: `{"mem-blks": [{"phys-index": 33, "online": false}, {"phys-index": 33, "online": true}]}`,
			want: `[{"phys-index": 33, "response": "operation-not-supported", "error-code": 2}, {"phys-index": 33, "response": "success", "error-code": 2}]`,
		},
		{
			name:   "empty state file",
			mutate: func(t *testing.T, root string) { writeFile(t, root, memDirRel+"/memory1/state", "") },
			args:   `{"mem-blks": [{"phys-index": 1, "online": true}]}`,
			want:   `[{"phys-index": 1, "response": "operation-failed", "error-code": 0}]`,
		},
		{
			name: "state is a directory",
			mutate: func(t *testing.T, root string) {
				os.Remove(filepath.Join(root, memDirRel, "memory1/state"))
				os.Mkdir(filepath.Join(root, memDirRel, "memory1/state"), 0o755)
			},
			args: `{"mem-blks": [{"phys-index": 1, "online": true}]}`,
			want: `[{"phys-index": 1, "response": "operation-failed", "error-code": 21}]`,
		},
		{
			// /dev/full reads as NULs (so "not online") and fails writes
			// with ENOSPC: the write path's failure.
			name: "write fails",
			mutate: func(t *testing.T, root string) {
				p := filepath.Join(root, memDirRel, "memory1/state")
				os.Remove(p)
				if err := os.Symlink("/dev/full", p); err != nil {
					t.Fatal(err)
				}
			},
			args: `{"mem-blks": [{"phys-index": 1, "online": true}]}`,
			want: `[{"phys-index": 1, "response": "operation-failed", "error-code": 28}]`,
		},
		{
			name: "empty list",
			args: `{"mem-blks": []}`,
			want: `[]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, root := mutatedFamily(t, nil, tc.mutate)
			sameJSON(t, mustCall(t, f, "guest-set-memory-blocks", tc.args), tc.want)
			for blk, want := range tc.state {
				if got := readFile(t, root, memDirRel+"/"+blk+"/state"); got != want {
					t.Errorf("%s/state = %q, want %q", blk, got, want)
				}
			}
		})
	}
}

func TestSetMemoryBlocksMemberOrder(t *testing.T) {
	f := testFamily(t, copyRoot(t, guestRoot), nil)
	got := mustCall(t, f, "guest-set-memory-blocks", `{"mem-blks": [{"phys-index": 5, "online": true}]}`)
	if want := `[{"response": "not-found", "error-code": 2, "phys-index": 5}]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestGetMemoryBlockInfo(t *testing.T) {
	tests := []struct {
		name    string
		content *string // block_size_bytes; nil keeps the fixture's
		mutate  func(t *testing.T, root string)
		want    string
	}{
		{name: "fixture", want: `{"size": 134217728}`},
		{name: "0x prefix", content: ptr("0x10\n"), want: `{"size": 16}`},
		{name: "saturates like strtol", content: ptr("ffffffffffffffffff\n"), want: `{"size": 9223372036854775807}`},
		{name: "negative wraps", content: ptr("-1\n"), want: `{"size": 18446744073709551615}`},
		{name: "not hex", content: ptr("zz\n"), want: `{"size": 0}`},
		{name: "empty", content: ptr(""), want: `pread sysfs file "block_size_bytes": unexpected EOF`},
		{
			name:   "missing file",
			mutate: func(t *testing.T, root string) { os.Remove(filepath.Join(root, memDirRel, "block_size_bytes")) },
			want:   `open sysfs file "block_size_bytes": No such file or directory`,
		},
		{
			name:   "no memory directory",
			mutate: func(t *testing.T, root string) { os.RemoveAll(filepath.Join(root, memDirRel)) },
			want:   `open("/sys/devices/system/memory/"): No such file or directory`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := mutatedFamily(t, nil, func(t *testing.T, root string) {
				if tc.content != nil {
					writeFile(t, root, memDirRel+"/block_size_bytes", *tc.content)
				}
				if tc.mutate != nil {
					tc.mutate(t, root)
				}
			})
			if strings.HasPrefix(tc.want, "{") {
				if got := mustCall(t, f, "guest-get-memory-block-info", ""); got != tc.want {
					t.Errorf("got %s, want %s", got, tc.want)
				}
				return
			}
			wantError(t, f, "guest-get-memory-block-info", "", tc.want)
		})
	}
}

func TestHasDirBit(t *testing.T) {
	for _, tc := range []struct {
		mode fs.FileMode
		want bool
	}{
		{fs.ModeDir, true},
		{fs.ModeSocket, true}, // DT_SOCK (12) & DT_DIR (4) != 0
		{fs.ModeDevice, true}, // DT_BLK (6)
		{0, false},
		{fs.ModeSymlink, false},
		{fs.ModeNamedPipe, false},
		{fs.ModeDevice | fs.ModeCharDevice, false},
	} {
		if got := hasDirBit(tc.mode); got != tc.want {
			t.Errorf("hasDirBit(%v) = %v, want %v", tc.mode, got, tc.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
