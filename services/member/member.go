// Package member wires the member service: event log, read model, projection and
// gRPC server. cmd/member runs it alone; the consortia command runs it in process.
package member

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/member/app"
	"github.com/consortia-dev/consortia/services/member/domain"
	membergrpc "github.com/consortia-dev/consortia/services/member/grpc"
	"github.com/consortia-dev/consortia/services/member/store/memory"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/serve"
)

// Stream is the member service's event stream.
const Stream = "MEMBER"

// Config configures the member service.
type Config struct {
	GRPCAddr   string // e.g. 127.0.0.1:7101
	Replicas   int    // stream replicas (1 embedded, 3 in production)
	InstanceID string // distinguishes this instance's read-model consumer
}

// Deps are the service's collaborators.
type Deps struct {
	JS       jetstream.JetStream
	Verifier auth.Verifier
	Codes    domain.Codes
	Logger   *slog.Logger
}

// Member is a started (not yet serving) member service.
type Member struct {
	Service *app.Service
	Server  *grpcserver.Server
	Log     *eventlog.Log
	runner  *eventlog.Runner
	logger  *slog.Logger
}

// New opens the stream, builds the read model and binds the gRPC port.
func New(ctx context.Context, cfg Config, d Deps) (*Member, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if cfg.InstanceID == "" {
		cfg.InstanceID = "default"
	}
	log, err := eventlog.Open(ctx, d.JS, eventlog.StreamConfig{Name: Stream, Subjects: []string{domain.SubjectPrefix + ">"}, Replicas: cfg.Replicas}, "consortia/member")
	if err != nil {
		return nil, err
	}
	st := memory.New()
	runner := eventlog.NewRunner(d.JS, eventlog.Projection{
		Name: "member-readmodel-" + cfg.InstanceID, Stream: Stream, Handler: app.Projection(st), Logger: d.Logger,
	})
	svc := app.New(log, st, runner, d.Codes)
	srv, err := grpcserver.New(grpcserver.Config{Name: memberv1.MemberService_ServiceDesc.ServiceName, Addr: cfg.GRPCAddr, Verifier: d.Verifier, Logger: d.Logger})
	if err != nil {
		return nil, err
	}
	memberv1.RegisterMemberServiceServer(srv.Server, membergrpc.NewServer(svc))
	return &Member{Service: svc, Server: srv, Log: log, runner: runner, logger: d.Logger}, nil
}

// Addr is the gRPC address.
func (m *Member) Addr() string { return m.Server.Addr() }

// Run rebuilds the read model from the log, then serves gRPC until ctx ends.
func (m *Member) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return m.runner.Run(ctx) })
	g.Go(func() error {
		start := time.Now()
		select {
		case <-m.runner.Ready():
		case <-ctx.Done():
			return nil
		}
		m.logger.Info("member read model ready", "events_applied_through", m.runner.Done(), "took", time.Since(start).String())
		if err := m.Server.Serve(ctx); err != nil {
			return fmt.Errorf("member gRPC: %w", err)
		}
		return nil
	})
	return g.Wait()
}

// Ready is closed once the read model has caught up with the log.
func (m *Member) Ready() <-chan struct{} { return m.runner.Ready() }

// Serve runs the member service alone from the environment (cmd/member and
// `consortia serve member`).
func Serve(ctx context.Context) error {
	env, err := serve.Load(ctx, "member")
	if err != nil {
		return err
	}
	defer env.Close()
	m, err := New(ctx, Config{
		GRPCAddr:   config.String("CONSORTIA_MEMBER_ADDR", ":7101"),
		Replicas:   env.Replicas,
		InstanceID: env.InstanceID,
	}, Deps{JS: env.JS, Verifier: env.Verifier, Codes: env.Codes, Logger: env.Log})
	if err != nil {
		return err
	}
	env.Log.Info("member service starting", "grpc", m.Addr(), "nats", env.NATSURL)
	return m.Run(ctx)
}
