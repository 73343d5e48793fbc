package sdk

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

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

// ServerOptions are the gRPC server options a plugin runs with.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.MaxRecvMsgSize(MaxMessageSize), grpc.MaxSendMsgSize(MaxMessageSize)}
}

// DialOptions are the gRPC dial options the core uses.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageSize), grpc.MaxCallSendMsgSize(MaxMessageSize))}
}

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
	base pluginv1.BaseClient
	cmds pluginv1.CommandsClient
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
	resp, err := r.cmds.Execute(ctx, &pluginv1.ExecuteRequest{Command: name, Arguments: args})
	if err != nil {
		return nil, nil, err
	}
	if e := resp.GetError(); e != nil {
		return nil, &qapi.Error{Class: e.Class, Desc: e.Desc}, nil
	}
	return resp.Result, nil, nil
}
