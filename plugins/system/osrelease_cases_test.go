package system

import (
	"os"
	"path/filepath"
	"testing"
)

// osReleaseCase is an os-release file and the members of guest-get-osinfo it
// yields (besides the uname ones). Every expectation was observed with
// qemu-ga 7.2 (glib 2.74) through QGA_OS_RELEASE; compare_test.go re-checks
// them against the installed qemu-ga.
type osReleaseCase struct {
	name    string
	file    string // testdata/osrelease/<file>, or
	content string // inline content (control bytes, invalid UTF-8, …)
	want    string // JSON object of the os-release members
}

var osReleaseCases = []osReleaseCase{
	// tests/data/test-qga-os-release and the expectations of test-qga.c.
	{name: "qemu test file", file: "qemu-ga-test", want: `{"id": "qemu-ga-test", "name": "QEMU-GA",
		"pretty-name": "QEMU Guest Agent test", "version": "Test 1", "version-id": "1",
		"variant": "Unit test \"'$` + "`" + `\\ and \\\\ etc.", "variant-id": "unit-test"}`},
	{name: "debian 12", file: "debian12", want: `{"id": "debian", "name": "Debian GNU/Linux",
		"pretty-name": "Debian GNU/Linux 12 (bookworm)", "version": "12 (bookworm)", "version-id": "12"}`},
	{name: "quoting quirks", file: "quoting", want: `{"name": "'Single", "id": "unquoted",
		"pretty-name": "escapes $ \" ` + "`" + ` \\ kept: \\n \\t \\a", "version": "closed", "version-id": "a",
		"variant": "unterminated $x$x", "variant-id": "\""}`},
	{name: "layout: spaces, groups, repeats", file: "layout", want: `{"id": "last", "name": "Plain", "version-id": "back"}`},
	{name: "invalid line", file: "invalid-line", want: `{}`},
	{name: "invalid key", file: "invalid-key", want: `{}`},
	{name: "encoding latin1", file: "encoding-latin1", want: `{}`},
	{name: "encoding utf-8", file: "encoding-utf8", want: `{"id": "encoded"}`},

	{name: "crlf", content: "ID=foo\r\nNAME=\"Foo Bar\"\r\nVERSION=x\r", want: `{"id": "foo", "name": "Foo Bar", "version": "x\r"}`},
	{name: "one cr dropped", content: "ID=foo\r\r\nNAME=a\r b\n", want: `{"id": "foo\r", "name": "a\r"}`},
	{name: "nul ends the file", content: "ID=foo\nNAME=ba\x00r\nVERSION=v\n", want: `{"id": "foo", "name": "ba"}`},
	{name: "invalid utf-8", content: "ID=foo\nNAME=\xff\n", want: `{}`},
	{name: "encoded surrogate", content: "ID=\xed\xa0\x80\n", want: `{}`},
	{name: "overlong nul", content: "ID=\xc0\x80\n", want: `{}`},
	{name: "noncharacter is valid", content: "ID=foo\xef\xbf\xbe\n", want: `{"id": "foo\uFFFD"}`},
	{name: "utf-8 value", content: "NAME=\"Caf\xc3\xa9 \xf0\x9f\x98\x80\"\nID=x\n", want: `{"id": "x", "name": "Caf\u00e9 \ud83d\ude00"}`},
	{name: "vertical tab is not space", content: "\x0bID=foo\n\x0cNAME=bar\n", want: `{"name": "bar"}`},
	{name: "vertical tab line", content: "ID=foo\n\x0b\n", want: `{}`},
	{name: "control byte in key", content: "I\x01D=x\nID=y\n", want: `{"id": "y"}`},
	{name: "control byte in group", content: "ID=foo\n[a\x01b]\n", want: `{}`},
	{name: "empty group", content: "ID=foo\n[]\n", want: `{}`},
	{name: "text after group", content: "ID=foo\n[foo] x\n", want: `{}`},
	{name: "group-like key", content: "ID=foo\n[x]=1\n", want: `{}`},
	{name: "empty key", content: "ID=foo\n=foo\n", want: `{}`},
	{name: "bad locale", content: "NAME[d e]=a\nID=x\n", want: `{}`},
	{name: "text after locale", content: "NAME[de]x=a\nID=x\n", want: `{}`},
	{name: "locale characters", content: "NAME[de@x.y_z-1]=a\nID=x\n", want: `{"id": "x"}`},
	{name: "trailing white space kept", content: "NAME=\"abc  \nID=x\nVERSION=a\t\n", want: `{"id": "x", "name": "abc   ", "version": "a\t"}`},
	{name: "encoding with a space", content: "Encoding=UTF-8 \nID=x\n", want: `{}`},
	{name: "encoding in another group", content: "ID=x\n[g]\nEncoding=latin1\n", want: `{"id": "x"}`},
	{name: "empty values", content: "ID=\nNAME=\"\"\n", want: `{"id": "", "name": ""}`},
	{name: "empty file", content: "", want: `{}`},
}

// path writes the case into dir and returns the file's path.
func (c osReleaseCase) path(t *testing.T, dir string) string {
	t.Helper()
	data := []byte(c.content)
	if c.file != "" {
		var err error
		if data, err = os.ReadFile(filepath.Join("testdata/osrelease", c.file)); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "os-release")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
