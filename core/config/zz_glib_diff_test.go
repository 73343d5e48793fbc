package config

import (
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var frags = []string{"[general]", "[g]", "[general", "[ general]", "[gen]eral]", "[]", "[general]  ", "[general]\t\x80", "[general]\x80 ", "[a\x01]", "[a\x7f]",
	"path", "daemon", "k", "Encoding", "path[de]", "path [de]", "path[d e]", "path[é]", "k[", "k]", "=", " = ", "\t", " ", "\r", "\n", "\n", "\n", "\n", "#", "\x00", "\xff", "\xc3\xa9", "\xe2\x82",
	"true", "1", "0", "false", "yes", "UTF-8", "utf-8", "\\s", "\\t", "\\n", "\\r", "\\\\", "\\x", "\\", "\\;", "a", "b;c", ",", "x y"}

func TestZZGlibDiff(t *testing.T) {
	h := "/tmp/kfh/h"
	dir := t.TempDir()
	r := rand.New(rand.NewSource(int64(len(os.Getenv("ZZS")))+1))
	n := 4000
	if s := os.Getenv("ZZN"); s != "" {
		fmt.Sscan(s, &n)
	}
	queries := []string{"s:general:path", "b:general:daemon", "s:general:k", "b:general:k", "s:g:k", "s:general:Encoding", "s:g:path", "b:general:path"}
	bad := 0
	for i := 0; i < n && bad < 15; i++ {
		var b strings.Builder
		if r.Intn(2) == 0 {
			b.WriteString("[general]\n")
		}
		m := r.Intn(14)
		for j := 0; j < m; j++ {
			b.WriteString(frags[r.Intn(len(frags))])
		}
		data := b.String()
		f := filepath.Join(dir, "c")
		os.WriteFile(f, []byte(data), 0o644)
		out, err := exec.Command(h, append([]string{"load", f}, queries...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		want := string(out)
		var got strings.Builder
		kf, perr := parseKeyFile([]byte(data))
		if perr != nil {
			got.WriteString("LOADERR kf " + hex.EncodeToString([]byte(perr.Error())) + "\n")
		} else {
			got.WriteString("OK\n")
			for _, q := range queries {
				parts := strings.SplitN(q, ":", 3)
				if !kf.hasKey(parts[1], parts[2]) {
					got.WriteString("ABSENT\n")
					continue
				}
				if parts[0] == "s" {
					v, err := kf.getString(parts[1], parts[2])
					if err != nil {
						got.WriteString("ERR " + hex.EncodeToString([]byte(err.Error())) + "\n")
					} else {
						got.WriteString("VAL " + hex.EncodeToString([]byte(v)) + "\n")
					}
				} else {
					v, err := kf.getBoolean(parts[1], parts[2])
					if err != nil {
						got.WriteString("ERR " + hex.EncodeToString([]byte(err.Error())) + "\n")
					} else if v {
						got.WriteString("BOOL 1\n")
					} else {
						got.WriteString("BOOL 0\n")
					}
				}
			}
		}
		if got.String() != want {
			bad++
			t.Errorf("input %q\n got %s\nwant %s", data, dec(got.String()), dec(want))
		}
	}
}

func dec(s string) string {
	var o []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		f := strings.Fields(l)
		last := f[len(f)-1]
		if b, err := hex.DecodeString(last); err == nil && len(f) > 1 {
			f[len(f)-1] = fmt.Sprintf("%q", b)
		}
		o = append(o, strings.Join(f, " "))
	}
	return strings.Join(o, " | ")
}

func TestZZGlibEscape(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	chars := []string{" ", "\t", "\n", "\r", "\\", "a", ";", ",", "é", "\x01"}
	for i := 0; i < 2000; i++ {
		var b strings.Builder
		for j := r.Intn(8); j > 0; j-- {
			b.WriteString(chars[r.Intn(len(chars))])
		}
		v := b.String()
		out, err := exec.Command("/tmp/kfh/h", "dump", "general", "k", hex.EncodeToString([]byte(v))).Output()
		if err != nil {
			t.Fatal(err)
		}
		wantB, _ := hex.DecodeString(strings.TrimSpace(string(out)))
		got := "[general]\nk=" + escapeValue(v) + "\n"
		if got != string(wantB) {
			t.Errorf("value %q: got %q want %q", v, got, wantB)
		}
	}
}
