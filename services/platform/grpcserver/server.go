// Package grpcserver bootstraps every Consortia gRPC server the same way: health,
// reflection, OpenTelemetry stats handler, panic recovery, slog request logs,
// bearer-token authentication, one error mapping, and graceful stop.
package grpcserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// IdempotencyKeyHeader is the gRPC metadata key carrying a client's idempotency key.
const IdempotencyKeyHeader = "idempotency-key"

// IdempotencyKey returns the caller's idempotency key, if any.
func IdempotencyKey(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get(IdempotencyKeyHeader); len(v) > 0 {
		return v[0]
	}
	return ""
}

// Config configures a server.
type Config struct {
	// Name of the service, for logs and health ("consortia.member.v1.MemberService").
	Name string
	// Addr to listen on, e.g. "127.0.0.1:7001"; ":0" picks a free port.
	Addr string
	// Verifier checks bearer tokens; nil disables authentication (tests of
	// unauthenticated behaviour only; never in a deployment).
	Verifier auth.Verifier
	// Logger for request logs.
	Logger *slog.Logger
	// RequestLevel is the level of each call's log line (zero: info);
	// `consortia dev` uses debug so a terminal shows what matters. Failed
	// calls (Internal, Unknown, DataLoss) are logged at error regardless.
	RequestLevel slog.Level
	// StopTimeout bounds graceful stop before in-flight calls are cut.
	StopTimeout time.Duration
}

// Server is a configured gRPC server.
type Server struct {
	*grpc.Server
	cfg    Config
	health *health.Server
	lis    net.Listener
	ready  atomic.Bool // read models caught up: non-probe calls are served
}

// unauthenticated methods: probes and discovery only.
func public(method string) bool {
	return strings.HasPrefix(method, "/grpc.health.v1.Health/") || strings.HasPrefix(method, "/grpc.reflection.")
}

// New creates a server listening on cfg.Addr. Register services on s.Server,
// then call Serve.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.StopTimeout == 0 {
		cfg.StopTimeout = 10 * time.Second
	}
	if cfg.Verifier != nil {
		// Callers send the same token on every call: check its signature once.
		cfg.Verifier = auth.NewCache(cfg.Verifier, auth.DefaultCacheSize)
	}
	lis, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	s := &Server{cfg: cfg, lis: lis, health: health.NewServer()}
	s.Server = grpc.NewServer(
		grpc.StatsHandler(otelgrpc.NewServerHandler()),
		// Undecodable requests are the client's fault: INVALID_ARGUMENT (decode.go).
		grpc.ForceServerCodecV2(newStrictCodec()),
		// Source documents (OpenPLACSP spreadsheets) are a few MB.
		grpc.MaxRecvMsgSize(64<<20),
		grpc.ChainUnaryInterceptor(s.recoverUnary, s.logUnary, s.decodeUnary, s.gateUnary, s.authUnary, s.mapUnary),
		grpc.ChainStreamInterceptor(s.recoverStream, s.logStream, s.decodeStream, s.gateStream, s.authStream, s.mapStream),
	)
	healthpb.RegisterHealthServer(s.Server, s.health)
	reflection.Register(s.Server)
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// Serve marks every registered service SERVING and serves until ctx is done,
// then stops gracefully (NOT_SERVING first, so load balancers drain).
func (s *Server) Serve(ctx context.Context) error {
	ready := make(chan struct{})
	close(ready)
	return s.ServeWhenReady(ctx, ready)
}

// ServeWhenReady serves at once, but reports NOT_SERVING on health and
// answers other calls with Unavailable until ready is closed (the read models
// have caught up with the log); then SERVING until ctx is done, and a graceful
// stop. The port answers probes during a long rebuild, so an orchestrator can
// tell "starting" from "dead".
func (s *Server) ServeWhenReady(ctx context.Context, ready <-chan struct{}) error {
	s.setServing(healthpb.HealthCheckResponse_NOT_SERVING)
	go func() {
		select {
		case <-ready:
			s.ready.Store(true)
			s.setServing(healthpb.HealthCheckResponse_SERVING)
		case <-ctx.Done():
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- s.Server.Serve(s.lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.health.Shutdown()
	stopped := make(chan struct{})
	go func() { s.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(s.cfg.StopTimeout):
		s.Stop()
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

func (s *Server) setServing(st healthpb.HealthCheckResponse_ServingStatus) {
	for name := range s.GetServiceInfo() {
		s.health.SetServingStatus(name, st)
	}
	s.health.SetServingStatus("", st)
}

// errStarting answers calls that arrive while the read models catch up.
var errStarting = status.Error(codes.Unavailable, "starting: the read model is catching up with the event log; retry shortly")

func (s *Server) gateUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if !s.ready.Load() && !public(info.FullMethod) {
		return nil, errStarting
	}
	return h(ctx, req)
}

func (s *Server) gateStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if !s.ready.Load() && !public(info.FullMethod) {
		return errStarting
	}
	return h(srv, ss)
}

func (s *Server) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Logger.ErrorContext(ctx, "panic in handler", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
			err = status.Error(codes.Internal, "internal error")
		}
	}()
	return h(ctx, req)
}

func (s *Server) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Logger.ErrorContext(ss.Context(), "panic in handler", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
			err = status.Error(codes.Internal, "internal error")
		}
	}()
	return h(srv, ss)
}

func (s *Server) logUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := h(ctx, req)
	code := status.Code(err)
	level := s.cfg.RequestLevel
	if code == codes.Internal || code == codes.Unknown || code == codes.DataLoss {
		level = slog.LevelError
	}
	// Enabled first: a call whose line is not written costs no formatting.
	if !public(info.FullMethod) && s.cfg.Logger.Enabled(ctx, level) {
		attrs := []any{"method", info.FullMethod, "code", code.String(), "duration_ms", float64(time.Since(start).Microseconds()) / 1000}
		if p := auth.FromContext(ctx); p != nil {
			attrs = append(attrs, "actor", p.Subject)
		}
		if err != nil {
			attrs = append(attrs, "err", err.Error())
		}
		s.cfg.Logger.Log(ctx, level, "rpc", attrs...)
	}
	return resp, err
}

func (s *Server) mapUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	resp, err := h(ctx, req)
	return resp, Status(ctx, err)
}

func (s *Server) mapStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	return Status(ss.Context(), h(srv, ss))
}

func (s *Server) logStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	start := time.Now()
	err := h(srv, ss)
	if !public(info.FullMethod) && s.cfg.Logger.Enabled(ss.Context(), s.cfg.RequestLevel) {
		s.cfg.Logger.Log(ss.Context(), s.cfg.RequestLevel, "rpc", "method", info.FullMethod, "code", status.Code(err).String(),
			"duration_ms", float64(time.Since(start).Microseconds())/1000)
	}
	return err
}

func (s *Server) authenticate(ctx context.Context, method string) (context.Context, error) {
	if s.cfg.Verifier == nil || public(method) {
		return ctx, nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) == 0 {
		return nil, status.Error(codes.Unauthenticated, "missing bearer token (metadata \"authorization: Bearer <jwt>\")")
	}
	tok, ok := strings.CutPrefix(vals[0], "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(vals[0], "bearer ")
	}
	if !ok || tok == "" {
		return nil, status.Error(codes.Unauthenticated, "authorization metadata is not \"Bearer <jwt>\"")
	}
	p, err := s.cfg.Verifier.Verify(ctx, tok)
	if err != nil {
		if errors.Is(err, domainerr.ErrUnauthenticated) {
			return nil, status.Error(codes.Unauthenticated, err.Error())
		}
		return nil, status.Error(codes.Unavailable, "token verification unavailable")
	}
	return auth.WithPrincipal(ctx, p), nil
}

func (s *Server) authUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	ctx, err := s.authenticate(ctx, info.FullMethod)
	if err != nil {
		return nil, err
	}
	return h(ctx, req)
}

type wrappedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (w wrappedStream) Context() context.Context { return w.ctx }

func (s *Server) authStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	ctx, err := s.authenticate(ss.Context(), info.FullMethod)
	if err != nil {
		return err
	}
	return h(srv, wrappedStream{ServerStream: ss, ctx: ctx})
}

// ForwardToken is a client interceptor that forwards the caller's bearer token
// to the next service, so each service authorises the original user itself.
func ForwardToken(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if p := auth.FromContext(ctx); p != nil && p.Token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+p.Token)
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}
