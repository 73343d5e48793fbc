package statefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The accepted files and counters were checked against qemu-ga 7.2, except
// where noted.
func TestParse(t *testing.T) {
	tests := []struct {
		name string
		data string
		want int64
	}{
		{"empty file", "", 1000},
		{"other group only", "[other]\nx=1\n", 1000},
		{"qemu-ga's own output", "[global]\nfd_counter=1003\n", 1003},
		{"no final newline", "[global]\nfd_counter=2147483647", 2147483647},
		{"last duplicate key wins", "[global]\nfd_counter=5\nfd_counter=9\n", 9},
		{"duplicate groups merge", "[global]\nfd_counter=5\n[x]\ny=1\n[global]\na=1\n", 5},
		{"comments, blank lines, CRLF", "# c\n\n[global]\r\nfd_counter=12\r\n", 12},
		{"plus sign", "[global]\nfd_counter=+8\n", 8},
		{"leading zero", "[global]\nfd_counter=010\n", 10},
		{"blanks around group and key", "  [global]  \n  fd_counter = 42\n", 42},
		{"blanks around value", "[global]\nfd_counter= 77 \t\n", 77},
		{"group name with a space", "[glo bal]\nfd_counter=4\n", 1000},
		{"localized key is another key", "[global]\nfd_counter[de]=5\n", 1000},
		{"NUL ends the line", "[global]\nfd_counter=5\x00junk\n", 5},
		{"invalid UTF-8 in a comment", "# \xff\n[global]\nfd_counter=5\n", 5},
		{"invalid UTF-8 in a group name", "[g\xffx]\nfd_counter=5\n[global]\nfd_counter=6\n", 6},
		{"space inside a key", "[global]\n fd counter=5\nfd_counter =7\n", 7},
		// qemu-ga would read 0 here (g_key_file_get_integer is 32-bit).
		{"beyond 32 bits", "[global]\nfd_counter=3000000000\n", 3000000000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := Parse([]byte(tt.data))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.data, err)
			}
			if st.FDCounter != tt.want {
				t.Errorf("Parse(%q).FDCounter = %d, want %d", tt.data, st.FDCounter, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		// glib's texts, as qemu-ga 7.2 logs them.
		{"garbage", "garbage\n", "Key file contains line \u201cgarbage\u201d which is not a key-value pair, group, or comment"},
		{"key before group", "fd_counter=5\n", "Key file does not start with a group"},
		{"empty key", "[global]\n=5\n", "Key file contains line \u201c=5\u201d which is not a key-value pair, group, or comment"},
		{"empty group name", "[]\nfd_counter=5\n", "Invalid group name: "},
		{"text after group", "[global]x\n", "Key file contains line \u201c[global]x\u201d which is not a key-value pair, group, or comment"},
		{"bracket in group name", "[a[b]\n", "Invalid group name: a[b"},
		{"bracket in key", "[global]\nk]=1\n", "Invalid key name: k]"},
		{"invalid UTF-8 in a bad line", "x\xffy\n", "Key file contains line \u201cx\ufffdy\u201d which is not a key-value pair, group, or comment"},
		// qemu-ga would silently use 0 (or, for -5, hand out -1) here.
		{"letters", "[global]\nfd_counter=abc\n", "Value \u201cabc\u201d cannot be interpreted as a number."},
		{"hex", "[global]\nfd_counter=0x10\n", "Value \u201c0x10\u201d cannot be interpreted as a number."},
		{"empty value", "[global]\nfd_counter=\n", "Value \u201c\u201d cannot be interpreted as a number."},
		{"beyond 64 bits", "[global]\nfd_counter=99999999999999999999\n", "Value \u201c99999999999999999999\u201d cannot be interpreted as a number."},
		{"negative", "[global]\nfd_counter=-5\n", "Value \u201c-5\u201d of fd_counter is negative."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Parse(%q) error = %v, want %q", tt.data, err, tt.want)
			}
		})
	}
}

func TestMarshalIsQemuGAFormat(t *testing.T) {
	if got, want := string(Marshal(State{FDCounter: 1003})), "[global]\nfd_counter=1003\n"; got != want {
		t.Fatalf("Marshal = %q, want %q", got, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	st, exists, err := Load(Path(t.TempDir()))
	if err != nil || exists || st.FDCounter != DefaultFDCounter {
		t.Fatalf("Load(missing) = %+v, %v, %v; want defaults, false, nil", st, exists, err)
	}
}

func TestLoadInvalidFile(t *testing.T) {
	path := Path(t.TempDir())
	if err := os.WriteFile(path, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, exists, err := Load(path)
	if err == nil || !exists || !strings.Contains(err.Error(), "error loading persistent state from path: "+path) {
		t.Fatalf("Load(invalid) = %v, %v; want an error naming the file", exists, err)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := Path(dir)
	for _, n := range []int64{1000, 1001, 1 << 40} {
		if err := Save(path, State{FDCounter: n}); err != nil {
			t.Fatalf("Save(%d): %v", n, err)
		}
		st, exists, err := Load(path)
		if err != nil || !exists || st.FDCounter != n {
			t.Fatalf("Load after Save(%d) = %+v, %v, %v", n, st, exists, err)
		}
	}
	// The temporary files are renamed, never left behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != FileName {
		t.Fatalf("state dir holds %v, want only %s", entries, FileName)
	}
}

func TestSaveFailsWithoutDirectory(t *testing.T) {
	path := Path(filepath.Join(t.TempDir(), "missing"))
	if err := Save(path, Default()); err == nil {
		t.Fatal("Save into a missing directory succeeded")
	}
}

func TestFrozen(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(t *testing.T, dir string) string // returns the state dir
		wantFrozen bool
		wantErr    bool
	}{
		{"no marker", func(t *testing.T, dir string) string { return dir }, false, false},
		{"marker", func(t *testing.T, dir string) string {
			if err := os.WriteFile(FrozenMarkerPath(dir), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return dir
		}, true, false},
		{"state dir is a file", func(t *testing.T, dir string) string {
			f := filepath.Join(dir, "file")
			if err := os.WriteFile(f, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return f
		}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frozen, err := Frozen(tt.setup(t, t.TempDir()))
			if frozen != tt.wantFrozen || (err != nil) != tt.wantErr {
				t.Fatalf("Frozen = %v, %v; want %v, error %v", frozen, err, tt.wantFrozen, tt.wantErr)
			}
		})
	}
}
