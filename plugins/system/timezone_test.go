package system

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// zoneRoot builds a test root holding copies of the host's zoneinfo files
// (tzdata) under usr/share/zoneinfo.
func zoneRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, z := range []string{"Europe/Berlin", "Asia/Tokyo", "America/New_York", "Australia/Sydney", "UTC", "EST5EDT"} {
		data, err := os.ReadFile(filepath.Join("/usr/share/zoneinfo", z))
		if err != nil {
			t.Fatalf("tzdata is needed for this test: %v", err)
		}
		writeFile(t, root, "usr/share/zoneinfo/"+z, string(data))
	}
	// Japan -> Asia/Tokyo, a symlink as in tzdata.
	if err := os.Symlink("Asia/Tokyo", filepath.Join(root, "usr/share/zoneinfo/Japan")); err != nil {
		t.Fatal(err)
	}
	return root
}

func symlink(t *testing.T, target, root, rel string) {
	t.Helper()
	p := filepath.Join(root, rel)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func TestGetTimezone(t *testing.T) {
	summer := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	tokyo := func(t *testing.T, root string) {
		data, _ := os.ReadFile(filepath.Join(root, "usr/share/zoneinfo/Asia/Tokyo"))
		writeFile(t, root, "etc/localtime", string(data))
	}
	tests := []struct {
		name   string
		tz     *string // nil: TZ unset
		tzdir  string
		now    time.Time
		mutate func(t *testing.T, root string)
		want   string
	}{
		// TZ unset: glib's rules for /etc/localtime.
		{
			name:   "localtime symlink, absolute",
			mutate: func(t *testing.T, root string) { symlink(t, "/usr/share/zoneinfo/Asia/Tokyo", root, "etc/localtime") },
			want:   `{"zone": "JST", "offset": 32400}`,
		},
		{
			name: "localtime symlink, relative",
			mutate: func(t *testing.T, root string) {
				symlink(t, "../usr/share/zoneinfo/Europe/Berlin", root, "etc/localtime")
			},
			want: `{"zone": "CET", "offset": 3600}`,
		},
		{
			name: "localtime symlink, summer",
			now:  summer,
			mutate: func(t *testing.T, root string) {
				symlink(t, "/usr/share/zoneinfo/Europe/Berlin", root, "etc/localtime")
			},
			want: `{"zone": "CEST", "offset": 7200}`,
		},
		{
			name:   "localtime regular file without a zone name",
			mutate: tokyo,
			want:   `{"zone": "UTC", "offset": 0}`,
		},
		{
			name: "localtime regular file, /etc/timezone present",
			mutate: func(t *testing.T, root string) {
				tokyo(t, root)
				writeFile(t, root, "etc/timezone", "Europe/Berlin\n") // not used for the data
			},
			want: `{"zone": "JST", "offset": 32400}`,
		},
		{
			name: "localtime regular file, /var/db/zoneinfo present",
			mutate: func(t *testing.T, root string) {
				tokyo(t, root)
				writeFile(t, root, "var/db/zoneinfo", "")
			},
			want: `{"zone": "JST", "offset": 32400}`,
		},
		{
			name:   "localtime symlink to a symlink",
			mutate: func(t *testing.T, root string) { symlink(t, "/usr/share/zoneinfo/Japan", root, "etc/localtime") },
			want:   `{"zone": "UTC", "offset": 0}`,
		},
		{
			name: "localtime symlink to a symlink, /etc/timezone present",
			mutate: func(t *testing.T, root string) {
				symlink(t, "/usr/share/zoneinfo/Japan", root, "etc/localtime")
				writeFile(t, root, "etc/timezone", "Japan\n")
			},
			want: `{"zone": "JST", "offset": 32400}`,
		},
		{
			name:   "dangling localtime",
			mutate: func(t *testing.T, root string) { symlink(t, "/usr/share/zoneinfo/Nowhere", root, "etc/localtime") },
			want:   `{"zone": "UTC", "offset": 0}`,
		},
		{
			name: "localtime is not TZif",
			mutate: func(t *testing.T, root string) {
				writeFile(t, root, "etc/localtime", "not a zone file")
				writeFile(t, root, "etc/timezone", "Asia/Tokyo\n")
			},
			want: `{"zone": "UTC", "offset": 0}`,
		},
		{name: "no localtime", want: `{"zone": "UTC", "offset": 0}`},

		// TZ set.
		{
			name:   "TZ empty means UTC, not localtime",
			tz:     ptr(""),
			mutate: func(t *testing.T, root string) { symlink(t, "/usr/share/zoneinfo/Asia/Tokyo", root, "etc/localtime") },
			want:   `{"zone": "UTC", "offset": 0}`,
		},
		{name: "zone name", tz: ptr("America/New_York"), want: `{"zone": "EST", "offset": -18000}`},
		{name: "zone name, summer", tz: ptr("America/New_York"), now: summer, want: `{"zone": "EDT", "offset": -14400}`},
		{name: "colon prefix", tz: ptr(":Asia/Tokyo"), want: `{"zone": "JST", "offset": 32400}`},
		{name: "absolute path", tz: ptr("/usr/share/zoneinfo/Europe/Berlin"), want: `{"zone": "CET", "offset": 3600}`},
		{name: "dot-dot in name", tz: ptr("Asia/../Asia/Tokyo"), want: `{"zone": "JST", "offset": 32400}`},
		{name: "symlinked zone", tz: ptr("Japan"), want: `{"zone": "JST", "offset": 32400}`},
		{name: "unknown zone", tz: ptr("Foo/Bar"), want: `{"zone": "UTC", "offset": 0}`},
		{
			name:  "TZDIR",
			tz:    ptr("Custom"),
			tzdir: "/opt/zones",
			mutate: func(t *testing.T, root string) {
				data, _ := os.ReadFile(filepath.Join(root, "usr/share/zoneinfo/Asia/Tokyo"))
				writeFile(t, root, "opt/zones/Custom", string(data))
			},
			want: `{"zone": "JST", "offset": 32400}`,
		},
		{
			name: "a FIFO is not waited for",
			tz:   ptr("/run/fifo"),
			mutate: func(t *testing.T, root string) {
				os.MkdirAll(filepath.Join(root, "run"), 0o755)
				if err := syscall.Mkfifo(filepath.Join(root, "run/fifo"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: `{"zone": "UTC", "offset": 0}`,
		},
		{name: "a directory", tz: ptr("Asia"), want: `{"zone": "UTC", "offset": 0}`},
		{name: "UTC", tz: ptr("UTC"), want: `{"zone": "UTC", "offset": 0}`},
		{name: "Z", tz: ptr("Z"), want: `{"zone": "Z", "offset": 0}`},
		{name: "ISO offset", tz: ptr("+05:30"), want: `{"zone": "+05:30", "offset": 19800}`},
		{name: "ISO offset without colon", tz: ptr("+0530"), want: `{"zone": "+0530", "offset": 19800}`},
		{name: "negative ISO hours", tz: ptr("-03"), want: `{"zone": "-03", "offset": -10800}`},
		{name: "bare digit is ISO", tz: ptr("5"), want: `{"zone": "5", "offset": 18000}`},
		{name: "hh:mm", tz: ptr("12:30"), want: `{"zone": "12:30", "offset": 45000}`},
		{name: "POSIX std only", tz: ptr("EST5"), want: `{"zone": "EST", "offset": -18000}`},
		{name: "POSIX east", tz: ptr("XYZ-14"), want: `{"zone": "XYZ", "offset": 50400}`},
		{name: "POSIX west with sign", tz: ptr("GMT+2"), want: `{"zone": "GMT", "offset": -7200}`},
		{name: "POSIX minutes", tz: ptr("IST-5:30"), want: `{"zone": "IST", "offset": 19800}`},
		{name: "POSIX quoted name", tz: ptr("<+0330>-3:30"), want: `{"zone": "+0330", "offset": 12600}`},
		{name: "POSIX UTC0", tz: ptr("UTC0"), want: `{"zone": "UTC", "offset": 0}`},
		{name: "POSIX rule, winter", tz: ptr("CET-1CEST,M3.5.0,M10.5.0/3"), want: `{"zone": "CET", "offset": 3600}`},
		{name: "POSIX rule, summer", tz: ptr("CET-1CEST,M3.5.0,M10.5.0/3"), now: summer, want: `{"zone": "CEST", "offset": 7200}`},
		{name: "POSIX rule, southern", tz: ptr("AEST-10AEDT,M10.1.0,M4.1.0/3"), want: `{"zone": "AEDT", "offset": 39600}`},
		{name: "POSIX rule, explicit DST offset", tz: ptr("NZST-12NZDT-13,M9.5.0,M4.1.0/3"), want: `{"zone": "NZDT", "offset": 46800}`},
		{name: "POSIX rule, julian days", tz: ptr("ABC3DEF,J1/0,J100"), want: `{"zone": "DEF", "offset": -7200}`},
		// A DST name without dates is not a rule on Unix: glib looks for a
		// file of that name (tzdata has EST5EDT), else falls back to UTC.
		{name: "DST name without dates, file exists", tz: ptr("EST5EDT"), want: `{"zone": "EST", "offset": -18000}`},
		{name: "DST name without dates", tz: ptr("EST5EDT4"), want: `{"zone": "UTC", "offset": 0}`},
		{name: "name too short", tz: ptr("AB5"), want: `{"zone": "UTC", "offset": 0}`},
		{name: "no offset", tz: ptr("ABC"), want: `{"zone": "UTC", "offset": 0}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := zoneRoot(t)
			if tc.mutate != nil {
				tc.mutate(t, root)
			}
			env := map[string]string{}
			if tc.tz != nil {
				env["TZ"] = *tc.tz
			}
			if tc.tzdir != "" {
				env["TZDIR"] = tc.tzdir
			}
			f := testFamily(t, root, env)
			if !tc.now.IsZero() {
				f.now = func() time.Time { return tc.now }
			}
			got := mustCall(t, f, "guest-get-timezone", "")
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseConstantOffset(t *testing.T) {
	tests := []struct {
		in      string
		rfc8536 bool
		want    int
		ok      bool
	}{
		{"UTC", false, 0, true},
		{"UTC", true, 0, false},
		{"Z", false, 0, true},
		{"Z", true, 0, false},
		{"Zx", false, 0, false},
		{"5", false, 18000, true},
		{"+05", false, 18000, true},
		{"-0530", false, -19800, true},
		{"+05:30:15", false, 19815, true},
		{"+053015", false, 19815, true},
		{"25", false, 0, false},
		{"24", false, 86400, true},
		{"167", true, 167 * 3600, true},
		{"168", true, 0, false},
		{"0530", true, 0, false}, // rfc8536 needs the colon
		{"5:30", true, 19800, true},
		{"5:60", false, 0, false},
		{"", false, 0, false},
		{"x", false, 0, false},
	}
	for _, tc := range tests {
		got, ok := parseConstantOffset(tc.in, tc.rfc8536)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseConstantOffset(%q, %v) = %d, %v; want %d, %v", tc.in, tc.rfc8536, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseTZRule(t *testing.T) {
	tests := []struct {
		in    string
		ok    bool
		posix string // Go-evaluable form, for DST rules
	}{
		{"EST5", true, ""},
		{"EST5EDT,M3.2.0,M11.1.0", true, "<EST>5:00:00<EDT>4:00:00,M3.2.0/2:00:00,M11.1.0/2:00:00"},
		{"CET-1CEST,M3.5.0,M10.5.0/3", true, "<CET>-1:00:00<CEST>-2:00:00,M3.5.0/2:00:00,M10.5.0/3:00:00"},
		{"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", true, "<-03>3:00:00<-02>2:00:00,M3.5.0/-2:00:00,M10.5.0/-1:00:00"},
		{"ABC3DEF,J1/0,J365/25,ignored", true, "<ABC>3:00:00<DEF>2:00:00,J1/0:00:00,J365/25:00:00"},
		{"ABC3DEF,0,365", true, "<ABC>3:00:00<DEF>2:00:00,0/2:00:00,365/2:00:00"},
		{"EST5EDT", false, ""},
		{"EST5EDT,M3.2.0", false, ""},
		{"EST5EDT,M13.2.0,M11.1.0", false, ""},
		{"EST5EDT,M3.6.0,M11.1.0", false, ""},
		{"EST5EDT,M3.2.7,M11.1.0", false, ""},
		{"EST5EDT,J0,J100", false, ""},
		{"EST5EDT,366,1", false, ""},
		{"EST5EDT,M3.2.0/x,M11.1.0", false, ""},
		{"EST", false, ""},
		{"ES5", false, ""},
		{"<AB>5", false, ""},
		{"<ABC5", false, ""},
		{"Europe/Berlin", false, ""},
	}
	for _, tc := range tests {
		r, ok := parseTZRule(tc.in)
		if ok != tc.ok {
			t.Errorf("parseTZRule(%q) ok = %v, want %v", tc.in, ok, tc.ok)
			continue
		}
		if ok && r.dst && r.posix() != tc.posix {
			t.Errorf("parseTZRule(%q).posix() = %q, want %q", tc.in, r.posix(), tc.posix)
		}
	}
}
