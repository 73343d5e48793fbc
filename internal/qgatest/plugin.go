package qgatest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// NewPlugin builds a family with its New function on sdk.TestEnv(root).
func NewPlugin(t testing.TB, newFamily func(sdk.Env) (*sdk.Plugin, error), root string) *sdk.Plugin {
	t.Helper()
	p, err := newFamily(sdk.TestEnv(root))
	if err != nil {
		t.Fatalf("New(%s): %v", root, err)
	}
	return p
}

// CallText runs a command (args "" for none) through the plugin as the
// core would and returns the serialized result, or the error text.
func CallText(t testing.TB, p *sdk.Plugin, cmd, args string) (res, errText string) {
	t.Helper()
	out, err := p.Call(context.Background(), cmd, args)
	if err != nil {
		return "", err.Error()
	}
	return out, ""
}

// Golden reads the expected serialized result of cmd for a fixture root:
// root/want/<cmd>.json without its final newline.
func Golden(t testing.TB, root, cmd string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "want", cmd+".json"))
	if err != nil {
		t.Fatalf("reading golden result: %v", err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

// Request is the request line (without newline) that runs cmd, with the
// arguments object args ("" for none).
func Request(cmd, args string) string {
	if args == "" {
		return `{"execute": "` + cmd + `"}`
	}
	return `{"execute": "` + cmd + `", "arguments": ` + args + `}`
}

// Response runs cmd (args "" for none) on the agent and returns its
// response line.
func (a *Agent) Response(t testing.TB, cmd, args string) string {
	t.Helper()
	return a.Line(t, Request(cmd, args))
}

// Frame renders an in-process result (res, err from sdk.Plugin.Call) as the
// response line qemu-ga sends for it.
func Frame(t testing.TB, res string, err error) string {
	t.Helper()
	if err == nil {
		return `{"return": ` + res + `}`
	}
	var qe *qapi.Error
	if !errors.As(err, &qe) {
		t.Fatalf("non-QMP error: %v", err)
	}
	desc, merr := qapi.Marshal(qe.Desc)
	if merr != nil {
		t.Fatal(merr)
	}
	return `{"error": {"class": "` + qe.Class + `", "desc": ` + string(desc) + `}}`
}

// PluginResponse runs cmd (args "" for none) in-process and returns the
// response line an agent would send: Response's counterpart.
func PluginResponse(t testing.TB, p *sdk.Plugin, cmd, args string) string {
	t.Helper()
	res, err := p.Call(context.Background(), cmd, args)
	return Frame(t, res, err)
}

// ReturnLists runs cmd (args "" for none) on the agent, then in-process,
// and returns both results, which must be lists, parsed with
// qapi.ParseJSON. An error from either side fails the test. Counters in
// ours were read after theirs.
func ReturnLists(t testing.TB, a *Agent, p *sdk.Plugin, cmd, args string) (theirs, ours []any) {
	t.Helper()
	v, qerr := a.Call(t, cmd, args)
	if qerr != nil {
		t.Fatalf("%s: agent error %s: %s", cmd, qerr.Class, qerr.Desc)
	}
	theirs, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: agent returned %s, not a list", cmd, Marshal(t, v))
	}
	got, errText := CallText(t, p, cmd, args)
	if errText != "" {
		t.Fatalf("%s: %s", cmd, errText)
	}
	return theirs, ParseList(t, got)
}

// ParseList parses s, which must be a JSON list.
func ParseList(t testing.TB, s string) []any {
	t.Helper()
	v, err := qapi.ParseJSON([]byte(s))
	if err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("not a list: %s", s)
	}
	return l
}

// Marshal serializes v as qemu-ga does.
func Marshal(t testing.TB, v any) string {
	t.Helper()
	b, err := qapi.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
