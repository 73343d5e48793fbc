package host

import (
	"errors"
	"testing"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/qgad/qgad/proto/pluginv1"
	"github.com/qgad/qgad/qapi"
)

// What a plugin answers is vetted before the core writes it into a
// response verbatim.
func TestVet(t *testing.T) {
	h := &Host{opts: Options{Log: hclog.NewNullLogger()}}
	h.noteSilent(Described{Family: "t", Info: &pluginv1.DescribeResponse{Commands: []*pluginv1.CommandSpec{
		{Name: "__t_silent", SuccessResponse: false},
		{Name: "__t_loud", SuccessResponse: true},
	}}})
	f := newFamily(h, "t", "/p")
	tests := []struct {
		name, command string
		res           string
		qerr          *qapi.Error
		wantRes       string
		wantErr       *qapi.Error
	}{
		{"valid", "__t_loud", `{"a": 1}`, nil, `{"a": 1}`, nil},
		{"malformed", "__t_loud", `{not json`, nil, "",
			qapi.Errorf("plugin t answered __t_loud with an invalid result (offset 1: 'n', want a member name)")},
		{"raw utf-8", "__t_loud", "\"caf\xc3\xa9\"", nil, "",
			qapi.Errorf("plugin t answered __t_loud with an invalid result (offset 4: byte 0xc3 in a string)")},
		{"line break", "__t_loud", "{}\n{}", nil, "",
			qapi.Errorf("plugin t answered __t_loud with an invalid result (offset 2: byte 0x0a after the value)")},
		{"empty for a command that answers", "__t_loud", ``, nil, "",
			qapi.Errorf("plugin t answered __t_loud with an invalid result (empty result)")},
		{"empty for a silent command", "__t_silent", ``, nil, "", nil},
		{"silent command answering anyway", "__t_silent", `{}`, nil, `{}`, nil},
		{"command error", "__t_loud", ``, &qapi.Error{Class: "CommandNotFound", Desc: "x"}, "",
			&qapi.Error{Class: "CommandNotFound", Desc: "x"}},
		{"unknown class", "__t_loud", ``, &qapi.Error{Class: "Weird\nClass", Desc: "y"}, "",
			&qapi.Error{Class: "GenericError", Desc: "y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res qapi.RawJSON
			if tt.res != "" {
				res = qapi.RawJSON(tt.res)
			}
			got, qerr := f.vet(tt.command, res, tt.qerr)
			if string(got) != tt.wantRes {
				t.Errorf("result %q, want %q", got, tt.wantRes)
			}
			switch {
			case tt.wantErr == nil && qerr != nil:
				t.Errorf("error %v, want none", qerr)
			case tt.wantErr != nil && (qerr == nil || *qerr != *tt.wantErr):
				t.Errorf("error %+v, want %+v", qerr, tt.wantErr)
			}
		})
	}
}

func TestUnsendable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{status.Error(codes.Internal, "grpc: error while marshaling: string field contains invalid UTF-8"), true},
		{status.Error(codes.Internal, "error while marshaling: string field contains invalid UTF-8"), true}, // the direct channel
		{status.Error(codes.Unavailable, "error reading from server: EOF"), false},
		{status.Error(codes.Internal, "transport: something else"), false},
		{errors.New("grpc: error while marshaling: x"), false},
	}
	for _, tt := range tests {
		if got := unsendable(tt.err); got != tt.want {
			t.Errorf("unsendable(%v) = %v", tt.err, got)
		}
	}
}
