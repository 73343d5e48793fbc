// Package dispatch turns parsed requests into responses exactly as qemu-ga's
// QMP dispatcher does: request validation (spec 1.6), the enabled check,
// argument validation against each command's schema, the core commands,
// and the response envelopes (spec 1.7).
package dispatch

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/qgad/qgad/qapi"
)

// State is what the dispatcher asks of the agent around it.
type State interface {
	Frozen() bool
}

// Dispatcher answers requests.
type Dispatcher struct {
	Registry *Registry
	Policy   Policy
	Provider Provider
	State    State
	Version  string
	// Ready, if set, blocks until plugin discovery is complete (bounded by
	// ctx); commands that are not the core's wait for it before lookup.
	Ready func(ctx context.Context) error
	// Hooks around fsfreeze commands let the agent close its gate before a
	// freeze and settle its state after (see core/agent).
	Around func(ctx context.Context, name string, run RunFunc) (qapi.RawJSON, *qapi.Error)
}

// Response is the outcome of one request: Bytes to write (with the trailing
// newline and, for guest-sync-delimited, the leading 0xFF), or nil for none.
type Response struct {
	Bytes []byte
}

// ErrorResponse renders a parse error (never carries an id).
func ErrorResponse(desc string) []byte {
	return appendError(nil, nil, &qapi.Error{Class: qapi.ClassGeneric, Desc: desc})
}

// Handle answers one complete top-level JSON value: the bytes to write, or
// nil for none.
func (d *Dispatcher) Handle(ctx context.Context, v any) []byte {
	parts := d.HandleParts(ctx, v)
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	return bytes.Join(parts, nil)
}

// HandleParts is Handle with the response in pieces to be written in
// order: a large plugin result (a 48 MiB guest-file-read answers 64 MiB)
// is written from where it arrived rather than copied into its envelope.
func (d *Dispatcher) HandleParts(ctx context.Context, v any) [][]byte {
	req, ok := v.(*qapi.Object)
	if !ok {
		return one(ErrorResponse("QMP input must be a JSON object"))
	}
	id, hasID := req.Get("id")
	var idp *any
	if hasID {
		idp = &id
	}
	name, args, qerr := checkMembers(req)
	if qerr != nil {
		return one(appendError(nil, idp, qerr))
	}
	cmd, ok := d.lookup(ctx, name)
	if !ok {
		return one(appendError(nil, idp, &qapi.Error{Class: qapi.ClassCommandNotFound, Desc: fmt.Sprintf("The command %s has not been found", name)}))
	}
	if !d.Policy.Enabled(cmd, d.frozen()) {
		return one(appendError(nil, idp, &qapi.Error{Class: qapi.ClassCommandNotFound, Desc: fmt.Sprintf("Command %s has been disabled: the command is not allowed", name)}))
	}
	valid, err := qapi.ValidateArgs(cmd.Args, args)
	if err != nil {
		return one(appendError(nil, idp, qapi.AsError(err)))
	}
	result, qerr := d.run(ctx, cmd, valid)
	if qerr != nil {
		return one(appendError(nil, idp, qerr))
	}
	if !cmd.SuccessResponse {
		return nil
	}
	var out []byte
	if name == "guest-sync-delimited" {
		out = append(out, 0xFF)
	}
	if len(result) < bigResult {
		return one(appendReturn(out, result, idp))
	}
	return [][]byte{appendReturnHead(out), result, appendReturnTail(nil, idp)}
}

// bigResult is the result size from which the envelope is written around
// the result instead of copied with it: below it, one write is cheaper.
const bigResult = 64 << 10

func one(b []byte) [][]byte { return [][]byte{b} }

// lookup finds a command; one not registered yet waits until it is, or
// until every plugin has described itself (bounded by Ready), so a command
// of a plugin still starting waits for it instead of "not found".
func (d *Dispatcher) lookup(ctx context.Context, name string) (*Command, bool) {
	if cmd, ok := d.Registry.Lookup(name); ok || d.Ready == nil || isCore(name) {
		return cmd, ok
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		_ = d.Ready(ctx)
		close(done)
	}()
	for {
		changed := d.Registry.Changed()
		if cmd, ok := d.Registry.Lookup(name); ok {
			return cmd, true
		}
		select {
		case <-changed:
		case <-done:
			return d.Registry.Lookup(name)
		}
	}
}

func (d *Dispatcher) frozen() bool { return d.State != nil && d.State.Frozen() }

func isCore(name string) bool {
	switch name {
	case "guest-sync", "guest-sync-delimited", "guest-ping", "guest-info":
		return true
	}
	return false
}

func (d *Dispatcher) run(ctx context.Context, cmd *Command, args *qapi.Object) (qapi.RawJSON, *qapi.Error) {
	if cmd.core != nil {
		v, qerr := cmd.core(ctx, args)
		if qerr != nil {
			return nil, qerr
		}
		raw, err := qapi.Marshal(v)
		if err != nil {
			return nil, qapi.Errorf("serializing result of %s: %v", cmd.Name, err)
		}
		return raw, nil
	}
	raw, err := qapi.Marshal(args)
	if err != nil {
		return nil, qapi.Errorf("serializing arguments of %s: %v", cmd.Name, err)
	}
	exec := func() (qapi.RawJSON, *qapi.Error, error) { return d.Provider.Execute(ctx, cmd.Family, cmd.Name, raw) }
	if d.Around != nil {
		return d.Around(ctx, cmd.Name, exec)
	}
	res, qerr, err := exec()
	if err != nil {
		return nil, qapi.Errorf("%v", err)
	}
	return res, qerr
}

// RunFunc runs a plugin command; err reports a failure of the plugin itself.
type RunFunc func() (result qapi.RawJSON, qerr *qapi.Error, err error)

// checkMembers validates the request's top-level members in QDict order,
// as qemu-ga's dispatcher iterates them (spec 1.6 step 2).
func checkMembers(req *qapi.Object) (name string, args *qapi.Object, qerr *qapi.Error) {
	hasExecute := false
	for _, i := range qapi.QDictOrder(req) {
		m := req.Members[i]
		switch m.Key {
		case "execute":
			s, ok := m.Value.(string)
			if !ok {
				return "", nil, qapi.Errorf("QMP input member 'execute' must be a string")
			}
			name, hasExecute = s, true
		case "arguments":
			o, ok := m.Value.(*qapi.Object)
			if !ok {
				return "", nil, qapi.Errorf("QMP input member 'arguments' must be an object")
			}
			args = o
		case "id":
		default:
			return "", nil, qapi.Errorf("QMP input member '%s' is unexpected", m.Key)
		}
	}
	if !hasExecute {
		return "", nil, qapi.Errorf("QMP input lacks member 'execute'")
	}
	return name, args, nil
}

// appendReturn writes {"return": R, "id": I}\n (return before id, spec 1.7).
func appendReturn(dst []byte, result qapi.RawJSON, id *any) []byte {
	dst = appendReturnHead(dst)
	dst = append(dst, result...)
	return appendReturnTail(dst, id)
}

// appendReturnHead and appendReturnTail are the envelope around a result.
func appendReturnHead(dst []byte) []byte {
	return append(dst, `{"return": `...)
}

func appendReturnTail(dst []byte, id *any) []byte {
	if id != nil {
		dst = append(dst, `, "id": `...)
		dst = appendValue(dst, *id)
	}
	return append(dst, "}\n"...)
}

// appendError writes {"id": I, "error": {"class": C, "desc": D}}\n.
func appendError(dst []byte, id *any, e *qapi.Error) []byte {
	dst = append(dst, '{')
	if id != nil {
		dst = append(dst, `"id": `...)
		dst = appendValue(dst, *id)
		dst = append(dst, ", "...)
	}
	dst = append(dst, `"error": {"class": `...)
	dst = appendValue(dst, e.Class)
	dst = append(dst, `, "desc": `...)
	dst = appendValue(dst, e.Desc)
	return append(dst, "}}\n"...)
}

func appendValue(dst []byte, v any) []byte {
	out, err := qapi.AppendJSON(dst, v)
	if err != nil {
		// Values here come from our own parser; this cannot happen.
		return append(dst, "null"...)
	}
	return out
}

// CommandNames lists every registered command in registration order, for
// `-b help`.
func (d *Dispatcher) CommandNames() string {
	var b strings.Builder
	for _, c := range d.Registry.All() {
		b.WriteString(c.Name)
		b.WriteByte('\n')
	}
	return b.String()
}
