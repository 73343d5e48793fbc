// Package sdk is what a command-family plugin is written with: a Go function
// per command plus its argument schema, and a main of a few lines:
//
//	func main() { sdk.Serve(hello.New) }
//
// The built-in families use it too. Handlers are plain Go; tests call them
// in-process through Plugin.Call, and Serve wraps the same Plugin in the
// go-plugin/gRPC shim.
package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/qgad/qgad/internal/memtrim"
	"github.com/qgad/qgad/qapi"
)

// Plugin is one command family.
type Plugin struct {
	Name     string // family name: "file", "fsfreeze", "com.example.hello"
	Version  string
	Commands []Command
	// Close, if set, runs when the plugin process is asked to stop.
	Close func()
	// Busy, if set, reports whether the plugin holds state that stopping
	// it would lose (open handles, running children, frozen filesystems).
	Busy func() bool

	trimOnce sync.Once
	trim     *memtrim.Idle // gives memory back when the plugin goes quiet
}

// trimDelay is how long a plugin must be quiet before it trims its memory:
// after a 48 MiB guest-file-read it would otherwise keep ~100 MB until it
// is stopped.
const trimDelay = 2 * time.Second

// Command is one QMP command the family provides.
type Command struct {
	Name    string
	Doc     string
	Args    []qapi.Field // argument members in schema order
	Returns *qapi.Type   // nil for commands that return {} or nothing
	// NoSuccessResponse marks commands that send nothing on success
	// (guest-shutdown, guest-suspend-*); in guest-info "success-response": false.
	NoSuccessResponse bool
	Run               Func
}

// Func runs a command. args is the validated arguments object as JSON; the
// result is serialized with qapi.Marshal (structs with json tags work).
type Func func(ctx context.Context, args json.RawMessage) (any, error)

// Empty is the result of commands that return {}.
type Empty struct{}

// Handle adapts a typed handler: the arguments are decoded into A (fields
// tagged `json:"name"`; json.Number for "any"-typed members).
func Handle[A any, R any](fn func(context.Context, A) (R, error)) Func {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var a A
		if len(raw) > 0 {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&a); err != nil {
				return nil, fmt.Errorf("decoding arguments: %w", err)
			}
		}
		return fn(ctx, a)
	}
}

// HandleNoArgs adapts a handler of a command without arguments.
func HandleNoArgs[R any](fn func(context.Context) (R, error)) Func {
	return func(ctx context.Context, _ json.RawMessage) (any, error) { return fn(ctx) }
}

// Lookup returns the command named name.
func (p *Plugin) Lookup(name string) (*Command, bool) {
	for i := range p.Commands {
		if p.Commands[i].Name == name {
			return &p.Commands[i], true
		}
	}
	return nil, false
}

// Execute runs a command on already validated arguments and serializes its
// result. A panicking handler becomes a GenericError, never a dead plugin.
func (p *Plugin) Execute(ctx context.Context, name string, args json.RawMessage) (result qapi.RawJSON, qerr *qapi.Error) {
	result, st, qerr := p.execute(ctx, name, args)
	if st != nil {
		return materialize(st), nil
	}
	return result, qerr
}

// Streamed is a result serialized while it is sent: Len bytes of JSON,
// produced in order by WriteTo. On the direct channel the core receives
// the first megabytes while the plugin still encodes the rest (a 48 MiB
// guest-file-read is 64 MiB of base64); elsewhere it is written to memory
// first. WriteTo must write exactly Len bytes.
type Streamed interface {
	Len() int
	WriteTo(w io.Writer) (int64, error)
}

func materialize(st Streamed) qapi.RawJSON {
	var b bytes.Buffer
	b.Grow(st.Len())
	_, _ = st.WriteTo(&b) // a bytes.Buffer does not fail
	return b.Bytes()
}

// execute is Execute that leaves a Streamed result unserialized.
func (p *Plugin) execute(ctx context.Context, name string, args json.RawMessage) (result qapi.RawJSON, st Streamed, qerr *qapi.Error) {
	cmd, ok := p.Lookup(name)
	if !ok {
		return nil, nil, &qapi.Error{Class: qapi.ClassCommandNotFound, Desc: fmt.Sprintf("The command %s has not been found", name)}
	}
	defer func() {
		if r := recover(); r != nil {
			result, st, qerr = nil, nil, qapi.Errorf("command %s failed in plugin %s: %v", name, p.Name, r)
		}
		p.trimOnce.Do(func() { p.trim = memtrim.NewIdle(trimDelay) })
		p.trim.Kick(trimDelay)
	}()
	v, err := cmd.Run(ctx, args)
	if err != nil {
		return nil, nil, qapi.AsError(err)
	}
	if cmd.NoSuccessResponse {
		return nil, nil, nil
	}
	switch v := v.(type) {
	case Streamed:
		return nil, v, nil
	case qapi.RawJSON:
		if len(v) > 0 {
			return v, nil, nil // already serialized
		}
	}
	res, qerr := marshalResult(name, v)
	return res, nil, qerr
}

func marshalResult(name string, v any) (qapi.RawJSON, *qapi.Error) {
	if v == nil {
		v = Empty{}
	}
	out, err := qapi.Marshal(v)
	if err != nil {
		return nil, qapi.Errorf("command %s: serializing result: %v", name, err)
	}
	return out, nil
}

// Call validates args (a JSON object, or "" for none) against the command's
// schema exactly as the core does, then executes it: the in-process path for
// unit tests. It returns the serialized result.
func (p *Plugin) Call(ctx context.Context, name, args string) (string, error) {
	cmd, ok := p.Lookup(name)
	if !ok {
		return "", &qapi.Error{Class: qapi.ClassCommandNotFound, Desc: fmt.Sprintf("The command %s has not been found", name)}
	}
	var obj *qapi.Object
	if args != "" {
		v, err := qapi.ParseJSON([]byte(args))
		if err != nil {
			return "", fmt.Errorf("test arguments: %w", err)
		}
		o, ok := v.(*qapi.Object)
		if !ok {
			return "", qapi.Errorf("QMP input member 'arguments' must be an object")
		}
		obj = o
	}
	valid, err := qapi.ValidateArgs(cmd.Args, obj)
	if err != nil {
		return "", err
	}
	raw, err := qapi.Marshal(valid)
	if err != nil {
		return "", err
	}
	res, qerr := p.Execute(ctx, name, raw)
	if qerr != nil {
		return "", qerr
	}
	return string(res), nil
}
