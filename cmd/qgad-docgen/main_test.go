package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qgad/qgad/core/dispatch"
	"github.com/qgad/qgad/internal/qgatest"
	"github.com/qgad/qgad/qapi"
)

// commands collects the reference's commands from the built plugins.
func commands(t *testing.T) []*dispatch.Command {
	t.Helper()
	qgatest.Bin(t, "qgad") // builds bin/ when missing
	root := qgatest.RepoRoot(t)
	cmds, err := collect(t.Context(), []string{filepath.Join(root, "bin"), filepath.Join(root, "bin", "examples")})
	if err != nil {
		t.Fatal(err)
	}
	return cmds
}

// docs/commands.md is what the generator writes now.
func TestReferenceUpToDate(t *testing.T) {
	text, err := render(commands(t))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join(qgatest.RepoRoot(t), "docs", "commands.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(committed) != text {
		fresh := filepath.Join(t.TempDir(), "commands.md")
		_ = os.WriteFile(fresh, []byte(text), 0o644)
		t.Errorf("docs/commands.md is stale: run `make docs` (diff docs/commands.md %s)", fresh)
	}
}

// The reference lists exactly the commands a running agent reports, with
// the same success-response.
func TestReferenceMatchesAgent(t *testing.T) {
	cmds := commands(t)
	root := qgatest.RepoRoot(t)
	a := qgatest.StartQgad(t, "--plugin-dir", filepath.Join(root, "bin"), "--plugin-dir", filepath.Join(root, "bin", "examples"),
		"--runtime-dir", filepath.Join(qgatest.TempDir(t), "rt"))
	var info struct {
		Commands []struct {
			Name            string `json:"name"`
			SuccessResponse bool   `json:"success-response"`
		} `json:"supported_commands"`
	}
	if err := a.C.CallInto(t.Context(), "guest-info", nil, &info); err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, c := range info.Commands {
		got = append(got, c.Name+map[bool]string{true: "", false: " (no response)"}[c.SuccessResponse])
	}
	for _, c := range cmds {
		want = append(want, c.Name+map[bool]string{true: "", false: " (no response)"}[c.SuccessResponse])
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("guest-info:\n%v\nreference:\n%v", got, want)
	}
}

// Every example request is valid for its command's schema, and every
// example reply has the shape of its result type.
func TestExamplesValid(t *testing.T) {
	cmds := commands(t)
	table := examples()
	for _, c := range cmds {
		t.Run(c.Name, func(t *testing.T) {
			ex, ok := table[c.Name]
			if !ok {
				t.Fatal("no example")
			}
			delete(table, c.Name)
			req := parseObject(t, ex.request)
			if name, _ := req.Get("execute"); name != c.Name {
				t.Errorf("the example runs %v", name)
			}
			args, _ := req.Get("arguments")
			obj, _ := args.(*qapi.Object)
			if _, err := qapi.ValidateArgs(c.Args, obj); err != nil {
				t.Errorf("request %s: %v", ex.request, err)
			}
			if ex.reply == "" {
				if c.SuccessResponse {
					t.Error("no reply shown for a command that replies")
				}
				return
			}
			reply := parseObject(t, strings.TrimPrefix(ex.reply, `\xff`))
			ret, ok := reply.Get("return")
			if !ok {
				t.Fatalf("reply %s has no return", ex.reply)
			}
			if err := checkShape(c.Returns, ret); err != nil {
				t.Errorf("reply %s: %v", ex.reply, err)
			}
		})
	}
	for name := range table {
		t.Errorf("example for %s, which no plugin provides", name)
	}
}

func parseObject(t *testing.T, s string) *qapi.Object {
	t.Helper()
	v, err := qapi.ParseJSON([]byte(s))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	o, ok := v.(*qapi.Object)
	if !ok {
		t.Fatalf("%s is not an object", s)
	}
	return o
}

// checkShape checks a result against its type: struct members through the
// same validation as arguments, lists element by element.
func checkShape(typ *qapi.Type, v any) error {
	if typ == nil {
		if o, ok := v.(*qapi.Object); !ok || len(o.Members) != 0 {
			return errors.New("want {}")
		}
		return nil
	}
	switch typ.Kind {
	case qapi.KindStruct:
		o, ok := v.(*qapi.Object)
		if !ok {
			return errors.New("want an object")
		}
		_, err := qapi.ValidateArgs(typ.Fields, o)
		return err
	case qapi.KindList:
		l, ok := v.([]any)
		if !ok {
			return errors.New("want a list")
		}
		for _, e := range l {
			if err := checkShape(typ.Elem, e); err != nil {
				return err
			}
		}
	}
	return nil
}
