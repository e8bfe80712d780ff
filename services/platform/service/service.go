// Package service is the kit every Consortia service is declared to. A service
// says what it is — its name, its stream, and a Build function that makes its
// stores, declares its projections and registers its gRPC handlers — and the
// kit does the rest once for all of them: opens the stream, runs the
// projections (ordered consumers for memory read models, durable ones resuming
// from the stored checkpoint for Mongo read models), listens at once with gRPC
// health NOT_SERVING until every read model has caught up, and stops
// gracefully. Process-level concerns (configuration, NATS, tokens, metrics,
// tracing) are in Main.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
)

// Definition declares a service to the kit.
type Definition struct {
	// Name of the service ("member"): logs, consumer names, the Mongo database
	// (consortia_<name>) and its variables (CONSORTIA_<NAME>_LISTEN_ADDR).
	Name string
	// Stream the service appends to ("MEMBER"), capturing Subjects ("member.>").
	Stream   string
	Subjects []string
	// Build wires the service on k: stores (memory, or Mongo when k.Mongo is
	// set), projections (k.Project), the use cases and gRPC handlers (k.Register).
	Build func(ctx context.Context, k *Kit) error
}

// Env is what a service runs on: shared by every service of a process
// (`consortia dev` runs them all in one), filled from the configuration by
// Main, or by hand in tests.
type Env struct {
	JS       jetstream.JetStream
	Verifier auth.Verifier
	Codes    codes.Lists
	Logger   *slog.Logger
	// ListenAddr is the gRPC listen address (":0" picks a free port).
	ListenAddr string
	// Replicas of the service's stream: 1 embedded, 3 in production.
	Replicas int
	// InstanceID distinguishes the durable consumers of persistent read models
	// of each replica (the pod name).
	InstanceID string
	// Mongo, when set, holds persistent read models (one database per service);
	// nil keeps them in memory, rebuilt from the log at start.
	Mongo *mongo.Client
	// RequestLevel is the level of the per-call log lines (zero: info).
	RequestLevel slog.Level
}

// Kit is what Build declares the service with.
type Kit struct {
	// Log appends to and loads from the service's own stream.
	Log *eventlog.Log
	JS  jetstream.JetStream
	// Codes are the CPV and NUTS lists.
	Codes  codes.Lists
	Logger *slog.Logger
	// Mongo is the service's database when read models are persistent, else nil.
	Mongo *mongo.Database

	name, instance string
	projections    []*eventlog.Runner
	streams        []string // of each projection
	register       []func(*grpc.Server)
}

// Persistent reports whether read models are kept in Mongo.
func (k *Kit) Persistent() bool { return k.Mongo != nil }

// Project declares a projection the kit runs; the service is not ready (health
// NOT_SERVING) until it has caught up. p.Name is the projection's short name
// ("readmodel"); the kit makes the consumer name from it. A memory read model
// is rebuilt at every start from an ordered consumer, which leaves nothing
// behind on the server; a persistent one keeps a durable consumer per instance
// (removed by the server after a day unused) and resumes from the store's
// checkpoint.
func (k *Kit) Project(p eventlog.Projection) *eventlog.Runner {
	p.Name = k.name + "-" + p.Name
	if p.Logger == nil {
		p.Logger = k.Logger
	}
	if k.Persistent() {
		p.Name += "-" + k.instance
		p.Durable = true
		if p.InactiveThreshold == 0 {
			p.InactiveThreshold = 24 * time.Hour
		}
	}
	r := eventlog.NewRunner(k.JS, p)
	k.projections = append(k.projections, r)
	k.streams = append(k.streams, p.Stream)
	return r
}

// Register adds gRPC services to the server.
func (k *Kit) Register(fn func(s *grpc.Server)) { k.register = append(k.register, fn) }

// Running is a built service, listening, not yet serving (call Run).
type Running struct {
	name        string
	server      *grpcserver.Server
	projections []*eventlog.Runner
	streams     []string
	js          jetstream.JetStream
	logger      *slog.Logger
	ready       chan struct{}
}

// Start opens the service's stream, builds it and binds its gRPC port.
func Start(ctx context.Context, def Definition, env Env) (*Running, error) {
	if def.Name == "" || def.Stream == "" || len(def.Subjects) == 0 || def.Build == nil {
		return nil, errors.New("service: a definition needs a name, a stream, subjects and Build")
	}
	if env.JS == nil {
		return nil, fmt.Errorf("%s: no JetStream connection", def.Name)
	}
	if env.Logger == nil {
		env.Logger = slog.Default()
	}
	if env.InstanceID == "" {
		env.InstanceID = "default"
	}
	log, err := eventlog.Open(ctx, env.JS, eventlog.StreamConfig{Name: def.Stream, Subjects: def.Subjects, Replicas: env.Replicas}, "consortia/"+def.Name)
	if err != nil {
		return nil, err
	}
	k := &Kit{Log: log, JS: env.JS, Codes: env.Codes, Logger: env.Logger, name: def.Name, instance: env.InstanceID}
	if env.Mongo != nil {
		k.Mongo = env.Mongo.Database(Database(def.Name))
	}
	if err := def.Build(ctx, k); err != nil {
		return nil, fmt.Errorf("%s: %w", def.Name, err)
	}
	srv, err := grpcserver.New(grpcserver.Config{Name: def.Name, Addr: env.ListenAddr, Verifier: env.Verifier, Logger: env.Logger, RequestLevel: env.RequestLevel})
	if err != nil {
		return nil, err
	}
	for _, fn := range k.register {
		fn(srv.Server)
	}
	return &Running{name: def.Name, server: srv, projections: k.projections, streams: k.streams, js: env.JS, logger: env.Logger, ready: make(chan struct{})}, nil
}

// Database is the Mongo database of a service's read models.
func Database(service string) string { return "consortia_" + strings.ReplaceAll(service, "-", "_") }

// Addr is the gRPC address the service listens on.
func (r *Running) Addr() string { return r.server.Addr() }

// Ready is closed once every projection has caught up (health SERVING).
func (r *Running) Ready() <-chan struct{} { return r.ready }

// Run runs the projections and serves gRPC until ctx ends, then stops
// gracefully. The port answers from the start: health NOT_SERVING and other
// calls Unavailable until the read models have caught up.
func (r *Running) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	start := time.Now()
	for i, p := range r.projections {
		g.Go(func() error {
			// A projection of another service's stream waits for that service to
			// create it (services may start in any order).
			if err := waitForStream(ctx, r.js, r.streams[i], r.logger); err != nil || ctx.Err() != nil {
				return err
			}
			if err := p.Run(ctx); err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		for _, p := range r.projections {
			select {
			case <-p.Ready():
			case <-ctx.Done():
				return nil
			}
		}
		r.logger.Info(r.name+" read models ready", "took", time.Since(start).Round(time.Millisecond).String())
		close(r.ready)
		return nil
	})
	g.Go(func() error {
		if err := r.server.ServeWhenReady(ctx, r.ready); err != nil {
			return fmt.Errorf("%s gRPC: %w", r.name, err)
		}
		return nil
	})
	return g.Wait()
}

// waitForStream returns once the stream exists (nil when ctx ends first).
func waitForStream(ctx context.Context, js jetstream.JetStream, stream string, logger *slog.Logger) error {
	for logged := false; ; {
		_, err := js.Stream(ctx, stream)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("stream %s: %w", stream, err)
		}
		if !logged {
			logger.Info("waiting for a stream another service creates", "stream", stream)
			logged = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(500 * time.Millisecond):
		}
	}
}
