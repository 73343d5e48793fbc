package dispatch

import (
	"context"
	"testing"

	"github.com/qgad/qgad/qapi"
)

// fakeProvider answers plugin commands in-process.
type fakeProvider struct{}

func (fakeProvider) Execute(_ context.Context, family, command string, args []byte) (qapi.RawJSON, *qapi.Error, error) {
	switch command {
	case "guest-get-time":
		return qapi.RawJSON("1700000000000000000"), nil, nil
	case "guest-file-read":
		return qapi.RawJSON(`{"count": 0, "buf-b64": "", "eof": true}`), nil, nil
	case "guest-shutdown":
		return nil, nil, nil
	}
	return qapi.RawJSON(args), nil, nil
}

type frozenState bool

func (f frozenState) Frozen() bool { return bool(f) }

func newTestDispatcher(t *testing.T, policy Policy, frozen bool) *Dispatcher {
	t.Helper()
	d := &Dispatcher{Registry: &Registry{}, Policy: policy, Provider: fakeProvider{}, State: frozenState(frozen), Version: "1.0.0"}
	if err := d.RegisterCore(); err != nil {
		t.Fatal(err)
	}
	plugin := []*Command{
		{Name: "guest-get-time", Family: "system", SuccessResponse: true},
		{Name: "guest-shutdown", Family: "power", Args: []qapi.Field{qapi.Opt("mode", qapi.String)}},
		{Name: "guest-file-read", Family: "file", SuccessResponse: true,
			Args: []qapi.Field{qapi.Req("handle", qapi.Int), qapi.Opt("count", qapi.Int)}},
		{Name: "guest-fsfreeze-status", Family: "fsfreeze", SuccessResponse: true},
		{Name: "guest-set-vcpus", Family: "system", SuccessResponse: true,
			Args: []qapi.Field{qapi.Req("vcpus", qapi.List(qapi.Struct("GuestLogicalProcessor",
				qapi.Req("logical-id", qapi.Int), qapi.Req("online", qapi.Bool), qapi.Opt("can-offline", qapi.Bool))))}},
		{Name: "guest-set-memory-blocks", Family: "system", SuccessResponse: true,
			Args: []qapi.Field{qapi.Req("mem-blks", qapi.List(qapi.Struct("GuestMemoryBlock",
				qapi.Req("phys-index", qapi.Uint64), qapi.Req("online", qapi.Bool))))}},
		{Name: "guest-file-seek", Family: "file", SuccessResponse: true,
			Args: []qapi.Field{qapi.Req("handle", qapi.Int), qapi.Req("offset", qapi.Int),
				qapi.Req("whence", qapi.Alternate("GuestFileWhence", qapi.Int, qapi.Enum("QGASeek", "set", "cur", "end")))}},
	}
	for _, c := range plugin {
		if err := d.Registry.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func handle(t *testing.T, d *Dispatcher, req string) string {
	t.Helper()
	v, err := qapi.ParseJSON([]byte(req))
	if err != nil {
		t.Fatalf("bad test request %s: %v", req, err)
	}
	return string(d.Handle(context.Background(), v))
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name, req, want string
	}{
		{"not an object", `[1]`, `{"error": {"class": "GenericError", "desc": "QMP input must be a JSON object"}}` + "\n"},
		{"string", `"x"`, `{"error": {"class": "GenericError", "desc": "QMP input must be a JSON object"}}` + "\n"},
		{"ping", `{"execute": "guest-ping"}`, `{"return": {}}` + "\n"},
		{"ping with id", `{"execute": "guest-ping", "id": "a"}`, `{"return": {}, "id": "a"}` + "\n"},
		{"id object", `{"execute": "guest-ping", "id": {"b": [1, 2.5]}}`, `{"return": {}, "id": {"b": [1, 2.5]}}` + "\n"},
		{"empty arguments", `{"execute": "guest-ping", "arguments": {}}`, `{"return": {}}` + "\n"},
		{"unknown", `{"execute": "guest-pong", "id": 7}`, `{"id": 7, "error": {"class": "CommandNotFound", "desc": "The command guest-pong has not been found"}}` + "\n"},
		{"unexpected arg", `{"execute": "guest-ping", "arguments": {"foo": 42}}`, `{"error": {"class": "GenericError", "desc": "Parameter 'foo' is unexpected"}}` + "\n"},
		{"exec-oob", `{"exec-oob": "guest-ping"}`, `{"error": {"class": "GenericError", "desc": "QMP input member 'exec-oob' is unexpected"}}` + "\n"},
		{"execute not string", `{"execute": 1}`, `{"error": {"class": "GenericError", "desc": "QMP input member 'execute' must be a string"}}` + "\n"},
		{"arguments null", `{"execute": "guest-ping", "arguments": null}`, `{"error": {"class": "GenericError", "desc": "QMP input member 'arguments' must be an object"}}` + "\n"},
		{"lacks execute", `{"id": 1}`, `{"id": 1, "error": {"class": "GenericError", "desc": "QMP input lacks member 'execute'"}}` + "\n"},
		{"other member", `{"execute": "guest-ping", "foo": 1}`, `{"error": {"class": "GenericError", "desc": "QMP input member 'foo' is unexpected"}}` + "\n"},
		{"sync", `{"execute": "guest-sync", "arguments": {"id": 123}}`, `{"return": 123}` + "\n"},
		{"sync negative", `{"execute": "guest-sync", "arguments": {"id": -5}}`, `{"return": -5}` + "\n"},
		{"sync missing", `{"execute": "guest-sync"}`, `{"error": {"class": "GenericError", "desc": "Parameter 'id' is missing"}}` + "\n"},
		{"sync float", `{"execute": "guest-sync", "arguments": {"id": 1.0}}`, `{"error": {"class": "GenericError", "desc": "Invalid parameter type for 'id', expected: integer"}}` + "\n"},
		{"sync string", `{"execute": "guest-sync", "arguments": {"id": "1"}}`, `{"error": {"class": "GenericError", "desc": "Invalid parameter type for 'id', expected: integer"}}` + "\n"},
		{"sync too big", `{"execute": "guest-sync", "arguments": {"id": 9223372036854775808}}`, `{"error": {"class": "GenericError", "desc": "Invalid parameter type for 'id', expected: integer"}}` + "\n"},
		{"sync-delimited", `{"execute": "guest-sync-delimited", "arguments": {"id": 42}}`, "\xff" + `{"return": 42}` + "\n"},
		{"sync-delimited error has no 0xff", `{"execute": "guest-sync-delimited"}`, `{"error": {"class": "GenericError", "desc": "Parameter 'id' is missing"}}` + "\n"},
		{"plugin result", `{"execute": "guest-file-read", "arguments": {"handle": 1000}, "id": 3}`, `{"return": {"count": 0, "buf-b64": "", "eof": true}, "id": 3}` + "\n"},
		{"no success response", `{"execute": "guest-shutdown"}`, ""},
		{"nested path", `{"execute": "guest-set-vcpus", "arguments": {"vcpus": [{"logical-id": 0, "online": "yes"}]}}`, `{"error": {"class": "GenericError", "desc": "Invalid parameter type for 'vcpus[0].online', expected: boolean"}}` + "\n"},
		{"nested missing", `{"execute": "guest-set-vcpus", "arguments": {"vcpus": [{"online": true}]}}`, `{"error": {"class": "GenericError", "desc": "Parameter 'vcpus[0].logical-id' is missing"}}` + "\n"},
		{"nested unexpected", `{"execute": "guest-set-vcpus", "arguments": {"vcpus": [{"logical-id": 0, "online": true, "x": 1}]}}`, `{"error": {"class": "GenericError", "desc": "Parameter 'vcpus[0].x' is unexpected"}}` + "\n"},
		{"uint64 float", `{"execute": "guest-set-memory-blocks", "arguments": {"mem-blks": [{"phys-index": 1.5, "online": true}]}}`, `{"error": {"class": "GenericError", "desc": "Parameter 'mem-blks[0].phys-index' expects uint64"}}` + "\n"},
		{"uint64 negative wraps", `{"execute": "guest-set-memory-blocks", "arguments": {"mem-blks": [{"phys-index": -1, "online": true}]}}`, `{"return": {"mem-blks": [{"online": true, "phys-index": 18446744073709551615}]}}` + "\n"},
		{"alternate bad type", `{"execute": "guest-file-seek", "arguments": {"handle": 1, "offset": 0, "whence": true}}`, `{"error": {"class": "GenericError", "desc": "Invalid parameter type for 'whence', expected: GuestFileWhence"}}` + "\n"},
		{"alternate bad enum", `{"execute": "guest-file-seek", "arguments": {"handle": 1, "offset": 0, "whence": "top"}}`, `{"error": {"class": "GenericError", "desc": "Parameter 'whence' does not accept value 'top'"}}` + "\n"},
		{"alternate float", `{"execute": "guest-file-seek", "arguments": {"handle": 1, "offset": 0, "whence": 1.5}}`, `{"error": {"class": "GenericError", "desc": "Invalid parameter type for 'whence', expected: integer"}}` + "\n"},
		{"list type", `{"execute": "guest-set-vcpus", "arguments": {"vcpus": {}}}`, `{"error": {"class": "GenericError", "desc": "Invalid parameter type for 'vcpus', expected: array"}}` + "\n"},
	}
	d := newTestDispatcher(t, Policy{}, false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := handle(t, d, tt.req); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	disabled := func(n string) string {
		return `{"error": {"class": "CommandNotFound", "desc": "Command ` + n + ` has been disabled: the command is not allowed"}}` + "\n"
	}
	tests := []struct {
		name   string
		policy Policy
		frozen bool
		req    string
		want   string
	}{
		{"blocked", Policy{Block: []string{"guest-ping", "guest-get-time"}}, false, `{"execute": "guest-get-time"}`, disabled("guest-get-time")},
		{"not blocked", Policy{Block: []string{"guest-ping"}}, false, `{"execute": "guest-get-time"}`, `{"return": 1700000000000000000}` + "\n"},
		{"allowed", Policy{Allow: []string{"guest-ping"}}, false, `{"execute": "guest-ping"}`, `{"return": {}}` + "\n"},
		{"not allowed", Policy{Allow: []string{"guest-ping"}}, false, `{"execute": "guest-get-time"}`, disabled("guest-get-time")},
		{"block beats allow", Policy{Allow: []string{"guest-ping"}, Block: []string{"guest-ping"}}, false, `{"execute": "guest-ping"}`, disabled("guest-ping")},
		{"frozen gate", Policy{}, true, `{"execute": "guest-get-time", "id": 1}`, `{"id": 1, "error": {"class": "CommandNotFound", "desc": "Command guest-get-time has been disabled: the command is not allowed"}}` + "\n"},
		{"frozen beats block", Policy{Block: []string{"guest-ping"}}, true, `{"execute": "guest-ping"}`, `{"return": {}}` + "\n"},
		{"frozen status", Policy{}, true, `{"execute": "guest-fsfreeze-status"}`, `{"return": {}}` + "\n"},
		{"disabled then args", Policy{Block: []string{"guest-sync"}}, false, `{"execute": "guest-sync"}`, disabled("guest-sync")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDispatcher(t, tt.policy, tt.frozen)
			if got := handle(t, d, tt.req); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestInfoOrderAndState(t *testing.T) {
	d := newTestDispatcher(t, Policy{Block: []string{"guest-get-time"}}, false)
	got := handle(t, d, `{"execute": "guest-info"}`)
	want := `{"return": {"version": "1.0.0", "supported_commands": [` +
		`{"enabled": true, "name": "guest-set-memory-blocks", "success-response": true}, ` +
		`{"enabled": true, "name": "guest-set-vcpus", "success-response": true}, ` +
		`{"enabled": true, "name": "guest-fsfreeze-status", "success-response": true}, ` +
		`{"enabled": true, "name": "guest-file-seek", "success-response": true}, ` +
		`{"enabled": true, "name": "guest-file-read", "success-response": true}, ` +
		`{"enabled": true, "name": "guest-shutdown", "success-response": false}, ` +
		`{"enabled": true, "name": "guest-info", "success-response": true}, ` +
		`{"enabled": false, "name": "guest-get-time", "success-response": true}, ` +
		`{"enabled": true, "name": "guest-ping", "success-response": true}, ` +
		`{"enabled": true, "name": "guest-sync", "success-response": true}, ` +
		`{"enabled": true, "name": "guest-sync-delimited", "success-response": true}]}}` + "\n"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestDuplicateCommand(t *testing.T) {
	r := &Registry{}
	if err := r.Add(&Command{Name: "__com.example_x", Family: "a"}); err != nil {
		t.Fatal(err)
	}
	err := r.Add(&Command{Name: "__com.example_x", Family: "b"})
	if err == nil || err.Error() != "command __com.example_x is provided by both plugin a and plugin b" {
		t.Fatalf("got %v", err)
	}
}
