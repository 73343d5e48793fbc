package fs

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseDiskstats(t *testing.T) {
	tests := []struct {
		name  string
		table string
		want  string // encoding/json of the entries, for brevity
	}{
		{"17 counters", "8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
			`[{"name":"sda","major":8,"minor":0,"stats":{"read-sectors":3,"read-ios":1,"read-merges":2,"write-sectors":7,"write-ios":5,"write-merges":6,"discard-sectors":14,"discard-ios":12,"discard-merges":13,"flush-ios":16,"read-ticks":4,"write-ticks":8,"discard-ticks":15,"flush-ticks":17,"ios-pgr":9,"total-ticks":10,"weight-ticks":11}}]`},
		{"16 counters: no flush", "8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
			`[{"name":"sda","major":8,"minor":0,"stats":{"read-sectors":3,"read-ios":1,"read-merges":2,"write-sectors":7,"write-ios":5,"write-merges":6,"discard-sectors":14,"discard-ios":12,"discard-merges":13,"read-ticks":4,"write-ticks":8,"discard-ticks":15,"ios-pgr":9,"total-ticks":10,"weight-ticks":11}}]`},
		{"14 counters: no discard", "8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14\n",
			`[{"name":"sda","major":8,"minor":0,"stats":{"read-sectors":3,"read-ios":1,"read-merges":2,"write-sectors":7,"write-ios":5,"write-merges":6,"read-ticks":4,"write-ticks":8,"ios-pgr":9,"total-ticks":10,"weight-ticks":11}}]`},
		{"10 counters: empty stats", "8 0 sda 1 2 3 4 5 6 7 8 9 10\n",
			`[{"name":"sda","major":8,"minor":0,"stats":{}}]`},
		{"5 counters: empty stats", "8 0 sda 1 2 3 4 5\n",
			`[{"name":"sda","major":8,"minor":0,"stats":{}}]`},
		{"4 counters: old partition line", "8 1 sda1 1 2 3 4\n",
			`[{"name":"sda1","major":8,"minor":1,"stats":{"read-sectors":2,"read-ios":1,"write-sectors":4,"write-ios":3}}]`},
		{"3 counters: skipped", "8 1 sda1 1 2 3\n", `[]`},
		{"no name: skipped", "8 1\n", `[]`},
		{"garbage stops the counters", "8 0 sda 1 2 3 4 x 6 7 8 9 10 11\n",
			`[{"name":"sda","major":8,"minor":0,"stats":{"read-sectors":2,"read-ios":1,"write-sectors":4,"write-ios":3}}]`},
		{"unsigned int counters wrap", "8 0 sda 1 2 3 4 5 6 7 4294967297 4294967298 4294967299 4294967300\n",
			`[{"name":"sda","major":8,"minor":0,"stats":{"read-sectors":3,"read-ios":1,"read-merges":2,"write-sectors":7,"write-ios":5,"write-merges":6,"read-ticks":4,"write-ticks":1,"ios-pgr":2,"total-ticks":3,"weight-ticks":4}}]`},
		{"no final newline, blank lines", "\n   \n7 0 loop0 0 0 0 0", `[{"name":"loop0","major":7,"minor":0,"stats":{"read-sectors":0,"read-ios":0,"write-sectors":0,"write-ios":0}}]`},
		{"empty file", "", `[]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDiskstats(strings.NewReader(tc.table))
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("got  %s\nwant %s", b, tc.want)
			}
		})
	}
}
