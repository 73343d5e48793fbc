package sdk

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // the standard codec executeCodec falls back on
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/qgad/qgad/proto/pluginv1"
	"github.com/qgad/qgad/qapi"
)

// ProtocolVersion is the plugin protocol version (the go-plugin handshake's
// ProtocolVersion and DescribeResponse.protocol_version).
const ProtocolVersion = 1

// Handshake is shared by the core and every plugin. The cookie only keeps a
// plugin from being run by hand by mistake; it is not a security feature.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "QGAD_PLUGIN",
	MagicCookieValue: "8f1c2e7a-qgad-command-family",
}

// PluginKey is the name the single plugin type is dispensed under.
const PluginKey = "family"

// MaxMessageSize bounds one gRPC message both ways. A 48 MiB guest-file-read
// is 64 MiB of base64 plus the JSON around it, so gRPC's 4 MiB default
// cannot apply.
const MaxMessageSize = 96 << 20

// GRPCPlugin is the go-plugin glue shared by both sides: GRPCServer runs in
// the plugin process, GRPCClient in the core.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl *Plugin // set on the plugin side only
}

// GRPCServer registers the Base and Commands services.
func (g *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pluginv1.RegisterBaseServer(s, &baseServer{p: g.Impl})
	pluginv1.RegisterCommandsServer(s, &commandsServer{p: g.Impl})
	return nil
}

// GRPCClient returns a *Remote for the core.
func (g *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &Remote{base: pluginv1.NewBaseClient(c), cmds: pluginv1.NewCommandsClient(c)}, nil
}

// windowSize is the HTTP/2 flow-control window of both ends, stream and
// connection: larger than any message, so a sender never waits for window
// updates, even on the first call after a plugin (re)start, where gRPC's
// default (64 KiB, grown by BDP estimation up to 16 MiB) would take many
// round trips for a 64 MiB result. It is credit, not memory: unary calls
// are read as they arrive.
const windowSize = 2 * MaxMessageSize

// ServerOptions are the gRPC server options a plugin runs with.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageSize), grpc.MaxSendMsgSize(MaxMessageSize),
		grpc.InitialWindowSize(windowSize), grpc.InitialConnWindowSize(windowSize),
		grpc.ForceServerCodecV2(executeCodec{}),
	}
}

// DialOptions are the gRPC dial options the core uses.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(MaxMessageSize), grpc.MaxCallSendMsgSize(MaxMessageSize),
			grpc.ForceCodecV2(executeCodec{}),
		),
		grpc.WithInitialWindowSize(windowSize), grpc.WithInitialConnWindowSize(windowSize),
	}
}

// executeCodec is gRPC's proto codec, except for the one big byte field of
// an Execute call: a 48 MiB guest-file-read answers 64 MiB of result, a
// guest-file-write sends as much in arguments. The standard codec copies
// such a field twice per side (into a marshal buffer; out of the received
// frames, then again into the message); this one sends it from where it
// is and, on receipt, aliases it in the one contiguous copy of the frames.
// Messages that are small or carry anything else take the standard path,
// so the bytes on the wire are those proto.Marshal writes.
type executeCodec struct{}

// bigField is the size from which a field is worth the special path.
const bigField = 64 << 10

func (executeCodec) Name() string { return "proto" }

func (executeCodec) Marshal(v any) (mem.BufferSlice, error) {
	switch m := v.(type) {
	case *pluginv1.ExecuteResponse:
		if len(m.Result) >= bigField && m.Error == nil && len(m.ProtoReflect().GetUnknown()) == 0 {
			head := protowire.AppendTag(nil, 1, protowire.BytesType)
			head = protowire.AppendVarint(head, uint64(len(m.Result)))
			return mem.BufferSlice{mem.SliceBuffer(head), mem.SliceBuffer(m.Result)}, nil
		}
	case *pluginv1.ExecuteRequest:
		if len(m.Arguments) >= bigField && len(m.ProtoReflect().GetUnknown()) == 0 {
			var head []byte
			if m.Command != "" {
				head = protowire.AppendTag(head, 1, protowire.BytesType)
				head = protowire.AppendString(head, m.Command)
			}
			head = protowire.AppendTag(head, 2, protowire.BytesType)
			head = protowire.AppendVarint(head, uint64(len(m.Arguments)))
			return mem.BufferSlice{mem.SliceBuffer(head), mem.SliceBuffer(m.Arguments)}, nil
		}
	}
	return stdCodec().Marshal(v)
}

func (executeCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if data.Len() >= bigField {
		switch v.(type) {
		case *pluginv1.ExecuteResponse, *pluginv1.ExecuteRequest:
			return unmarshalExecute(data.Materialize(), v)
		}
	}
	return stdCodec().Unmarshal(data, v)
}

// unmarshalExecute decodes an ExecuteRequest or ExecuteResponse from b; a
// big one keeps its payload field as a sub-slice of b.
func unmarshalExecute(b []byte, v any) error {
	if len(b) >= bigField {
		switch m := v.(type) {
		case *pluginv1.ExecuteResponse:
			return unmarshalAliased(b, m, 1, &m.Result)
		case *pluginv1.ExecuteRequest:
			return unmarshalAliased(b, m, 2, &m.Arguments)
		}
	}
	pm, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("unmarshalExecute: %T is not a proto message", v)
	}
	return proto.Unmarshal(b, pm)
}

// unmarshalAliased decodes b into m like proto.Unmarshal, except that the
// bytes field number big is set to a sub-slice of b instead of a copy.
// The other fields go through proto.Unmarshal, then big is set.
func unmarshalAliased(b []byte, m proto.Message, big protowire.Number, dst *[]byte) error {
	var aliased []byte
	var rest []byte // the other fields, in order
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("proto: %w", protowire.ParseError(n))
		}
		if num == big && typ == protowire.BytesType {
			v, k := protowire.ConsumeBytes(b[n:])
			if k < 0 {
				return fmt.Errorf("proto: %w", protowire.ParseError(k))
			}
			aliased = v // the last occurrence wins, as in proto
			b = b[n+k:]
			continue
		}
		k := protowire.ConsumeFieldValue(num, typ, b[n:])
		if k < 0 {
			return fmt.Errorf("proto: %w", protowire.ParseError(k))
		}
		rest = append(rest, b[:n+k]...)
		b = b[n+k:]
	}
	if err := proto.Unmarshal(rest, m); err != nil { // resets m first
		return err
	}
	if aliased != nil {
		*dst = aliased
	}
	return nil
}

func stdCodec() encoding.CodecV2 { return encoding.GetCodecV2("proto") }

type baseServer struct {
	pluginv1.UnimplementedBaseServer
	p *Plugin
}

func (b *baseServer) Describe(context.Context, *pluginv1.DescribeRequest) (*pluginv1.DescribeResponse, error) {
	return Describe(b.p)
}

// Describe renders a plugin's identity and command list as the Base service
// reports it.
func Describe(p *Plugin) (*pluginv1.DescribeResponse, error) {
	resp := &pluginv1.DescribeResponse{Name: p.Name, Version: p.Version, ProtocolVersion: ProtocolVersion}
	for _, c := range p.Commands {
		args, err := json.Marshal(c.Args)
		if err != nil {
			return nil, fmt.Errorf("schema of %s: %w", c.Name, err)
		}
		spec := &pluginv1.CommandSpec{Name: c.Name, ArgsSchema: args, SuccessResponse: !c.NoSuccessResponse, Doc: c.Doc}
		if c.Returns != nil {
			if spec.ReturnsSchema, err = json.Marshal(c.Returns); err != nil {
				return nil, fmt.Errorf("return schema of %s: %w", c.Name, err)
			}
		}
		resp.Commands = append(resp.Commands, spec)
	}
	return resp, nil
}

func (b *baseServer) Status(context.Context, *pluginv1.StatusRequest) (*pluginv1.StatusResponse, error) {
	return &pluginv1.StatusResponse{Busy: b.p.Busy != nil && b.p.Busy()}, nil
}

type commandsServer struct {
	pluginv1.UnimplementedCommandsServer
	p *Plugin
}

func (s *commandsServer) Execute(ctx context.Context, req *pluginv1.ExecuteRequest) (*pluginv1.ExecuteResponse, error) {
	res, qerr := s.p.Execute(ctx, req.Command, req.Arguments)
	if qerr != nil {
		return &pluginv1.ExecuteResponse{Error: &pluginv1.Error{Class: qerr.Class, Desc: qerr.Desc}}, nil
	}
	return &pluginv1.ExecuteResponse{Result: res}, nil
}

// Remote is the core's handle on a running plugin.
type Remote struct {
	base   pluginv1.BaseClient
	cmds   pluginv1.CommandsClient
	direct *Direct // nil: Execute over gRPC only
}

// UseDirect makes Execute go over the plugin's direct channel when it is
// free (see direct.go). The Remote owns d from then on.
func (r *Remote) UseDirect(d *Direct) { r.direct = d }

// Close releases the direct channel; the gRPC connection belongs to
// go-plugin's client.
func (r *Remote) Close() {
	if r.direct != nil {
		r.direct.Close()
	}
}

// Describe asks the plugin for its identity and commands.
func (r *Remote) Describe(ctx context.Context) (*pluginv1.DescribeResponse, error) {
	return r.base.Describe(ctx, &pluginv1.DescribeRequest{})
}

// Busy asks whether the plugin holds state a stop would lose.
func (r *Remote) Busy(ctx context.Context) (bool, error) {
	resp, err := r.base.Status(ctx, &pluginv1.StatusRequest{})
	if err != nil {
		return false, err
	}
	return resp.Busy, nil
}

// Execute runs a command in the plugin. A non-nil error is a transport
// failure (the plugin died or timed out); command errors come back as qerr.
func (r *Remote) Execute(ctx context.Context, name string, args []byte) (result qapi.RawJSON, qerr *qapi.Error, err error) {
	if r.direct != nil {
		if result, qerr, err, ok := r.direct.Execute(ctx, name, args); ok {
			return result, qerr, err
		}
	}
	resp, err := r.cmds.Execute(ctx, &pluginv1.ExecuteRequest{Command: name, Arguments: args})
	if err != nil {
		return nil, nil, err
	}
	if e := resp.GetError(); e != nil {
		return nil, &qapi.Error{Class: e.Class, Desc: e.Desc}, nil
	}
	return resp.Result, nil, nil
}
