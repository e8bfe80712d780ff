// Package tender wires the tender service: event log, read model (tenders,
// consortia and the company index projected from member events), membership
// checks and the gRPC server.
package tender

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/serve"
	"github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/domain"
	tendergrpc "github.com/consortia-dev/consortia/services/tender/grpc"
	"github.com/consortia-dev/consortia/services/tender/memberindex"
	"github.com/consortia-dev/consortia/services/tender/membership"
	"github.com/consortia-dev/consortia/services/tender/store/memory"
)

// Stream is the tender service's event stream; MemberStream the one it follows.
const (
	Stream       = "TENDER"
	MemberStream = "MEMBER"
)

// Config configures the tender service.
type Config struct {
	GRPCAddr   string
	Replicas   int
	InstanceID string
}

// Deps are the service's collaborators.
type Deps struct {
	JS       jetstream.JetStream
	Verifier auth.Verifier
	Codes    domain.Codes
	// Members is a client of the member service (nil: local index only).
	Members memberv1.MemberServiceClient
	Logger  *slog.Logger
}

// Tender is a started (not yet serving) tender service.
type Tender struct {
	Service       *app.Service
	Server        *grpcserver.Server
	js            jetstream.JetStream
	tenders, orgs *eventlog.Runner
	logger        *slog.Logger
	ready         chan struct{}
}

// New opens the stream, builds the read model and binds the gRPC port.
func New(ctx context.Context, cfg Config, d Deps) (*Tender, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if cfg.InstanceID == "" {
		cfg.InstanceID = "default"
	}
	log, err := eventlog.Open(ctx, d.JS, eventlog.StreamConfig{Name: Stream, Subjects: []string{domain.SubjectPrefix + ">"}, Replicas: cfg.Replicas}, "consortia/tender")
	if err != nil {
		return nil, err
	}
	st := memory.New()
	tenders := eventlog.NewRunner(d.JS, eventlog.Projection{Name: "tender-readmodel-" + cfg.InstanceID, Stream: Stream, Handler: app.Projection(st), Logger: d.Logger})
	orgs := eventlog.NewRunner(d.JS, eventlog.Projection{Name: "tender-memberindex-" + cfg.InstanceID, Stream: MemberStream, FilterSubjects: []string{memberindex.Filter}, Handler: memberindex.Projection(st), Logger: d.Logger})
	svc := app.New(log, st, tenders, d.Codes, membership.New(d.Members, st, d.Logger), d.Logger)
	srv, err := grpcserver.New(grpcserver.Config{Name: tenderv1.TenderService_ServiceDesc.ServiceName, Addr: cfg.GRPCAddr, Verifier: d.Verifier, Logger: d.Logger})
	if err != nil {
		return nil, err
	}
	tenderv1.RegisterTenderServiceServer(srv.Server, tendergrpc.NewServer(svc))
	return &Tender{Service: svc, Server: srv, js: d.JS, tenders: tenders, orgs: orgs, logger: d.Logger, ready: make(chan struct{})}, nil
}

// Addr is the gRPC address.
func (t *Tender) Addr() string { return t.Server.Addr() }

// Ready is closed once both projections have caught up.
func (t *Tender) Ready() <-chan struct{} { return t.ready }

// Run rebuilds the read model, then serves gRPC until ctx ends. It waits for the
// member stream to exist (the member service creates it).
func (t *Tender) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return t.tenders.Run(ctx) })
	g.Go(func() error {
		for {
			_, err := t.js.Stream(ctx, MemberStream)
			if err == nil {
				break
			}
			if !errors.Is(err, jetstream.ErrStreamNotFound) {
				return fmt.Errorf("member stream: %w", err)
			}
			t.logger.Info("waiting for the member stream", "stream", MemberStream)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
		}
		return t.orgs.Run(ctx)
	})
	g.Go(func() error {
		start := time.Now()
		for _, ch := range []<-chan struct{}{t.tenders.Ready(), t.orgs.Ready()} {
			select {
			case <-ch:
			case <-ctx.Done():
				return nil
			}
		}
		close(t.ready)
		t.logger.Info("tender read model ready", "took", time.Since(start).String())
		return t.Server.Serve(ctx)
	})
	return g.Wait()
}

// Serve runs the tender service alone from the environment (cmd/tender and
// `consortia serve tender`); CONSORTIA_MEMBER_ADDR says where the member service is.
func Serve(ctx context.Context) error {
	env, err := serve.Load(ctx, "tender")
	if err != nil {
		return err
	}
	defer env.Close()
	memberAddr := config.String("CONSORTIA_MEMBER_ADDR", "127.0.0.1:7101")
	conn, err := grpcserver.Dial(memberAddr)
	if err != nil {
		return err
	}
	defer conn.Close()
	t, err := New(ctx, Config{
		GRPCAddr:   config.String("CONSORTIA_TENDER_ADDR", ":7102"),
		Replicas:   env.Replicas,
		InstanceID: env.InstanceID,
	}, Deps{JS: env.JS, Verifier: env.Verifier, Codes: env.Codes, Members: memberv1.NewMemberServiceClient(conn), Logger: env.Log})
	if err != nil {
		return err
	}
	env.Log.Info("tender service starting", "grpc", t.Addr(), "nats", env.NATSURL, "member", memberAddr)
	return t.Run(ctx)
}
