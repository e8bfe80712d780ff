// Package tender declares the tender service to the service kit: its stream,
// its read models (tenders and consortia; the company index projected from
// member events), the membership checks and its gRPC API.
package tender

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/domain"
	tendergrpc "github.com/consortia-dev/consortia/services/tender/grpc"
	"github.com/consortia-dev/consortia/services/tender/memberindex"
	"github.com/consortia-dev/consortia/services/tender/membership"
	"github.com/consortia-dev/consortia/services/tender/store"
	"github.com/consortia-dev/consortia/services/tender/store/memory"
	mongostore "github.com/consortia-dev/consortia/services/tender/store/mongo"
)

// Stream is the tender service's event stream; MemberStream the one it follows.
const (
	Stream       = "TENDER"
	MemberStream = "MEMBER"
)

// Tender is a built tender service.
type Tender struct {
	*service.Running
	Service *app.Service
	// Deadlines closes bidding as deadlines pass (runs with Run).
	Deadlines *app.Deadlines
}

// New builds the tender service on env; members is a client of the member
// service (nil: the local company index only).
func New(ctx context.Context, env service.Env, members memberv1.MemberServiceClient) (*Tender, error) {
	t := &Tender{Deadlines: app.NewDeadlines()}
	r, err := service.Start(ctx, service.Definition{
		Name: "tender", Stream: Stream, Subjects: []string{domain.SubjectPrefix + ">"},
		Build: func(ctx context.Context, k *service.Kit) error {
			var st store.Store = memory.New()
			if k.Persistent() {
				var err error
				if st, err = mongostore.New(ctx, k.Mongo); err != nil {
					return err
				}
			}
			tenders := k.Project(eventlog.Projection{Name: "readmodel", Stream: Stream, Handler: app.ObservedProjection(st, t.Deadlines.Observe)})
			k.Project(eventlog.Projection{Name: "memberindex", Stream: MemberStream, FilterSubjects: []string{memberindex.Filter}, Handler: memberindex.Projection(st)})
			t.Service = app.New(k.Log, st, tenders, k.Codes, membership.New(members, st, k.Logger), k.Logger)
			k.Register(func(s *grpc.Server) { tenderv1.RegisterTenderServiceServer(s, tendergrpc.NewServer(t.Service)) })
			return nil
		},
	}, env)
	t.Running = r
	return t, err
}

// Run serves the tender service until ctx ends and, once its read models have
// caught up, runs the deadline scheduler.
func (t *Tender) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	scheduler := make(chan error, 1)
	go func() {
		err := t.runDeadlines(ctx)
		if err != nil {
			cancel() // the service stops rather than run without closing deadlines
		}
		scheduler <- err
	}()
	err := t.Running.Run(ctx)
	cancel()
	return errors.Join(err, <-scheduler)
}

func (t *Tender) runDeadlines(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-t.Ready():
	}
	return t.Deadlines.Run(ctx, t.Service)
}

// Peers is where the tender service reaches the services it calls.
type Peers struct {
	MemberURL string `env:"CONSORTIA_MEMBER_URL" envDefault:"127.0.0.1:7101"`
}

func init() { config.Register(&Peers{}) }

// Validate implements the configuration's post-parse check.
func (p *Peers) Validate() error { return service.CheckAddr("CONSORTIA_MEMBER_URL", p.MemberURL) }

// Serve runs the tender service alone from the environment.
func Serve(ctx context.Context) error {
	var peers Peers
	return service.Main(ctx, "tender", ":7102", func(ctx context.Context, env service.Env) (*service.Running, error) {
		conn, err := grpcserver.Dial(peers.MemberURL)
		if err != nil {
			return nil, fmt.Errorf("member service at %s: %w", peers.MemberURL, err)
		}
		context.AfterFunc(ctx, func() { _ = conn.Close() })
		t, err := New(ctx, env, memberv1.NewMemberServiceClient(conn))
		if err != nil {
			return nil, err
		}
		// Main runs t.Running with this ctx; the scheduler waits for it to be ready.
		go func() {
			if err := t.runDeadlines(ctx); err != nil {
				env.Logger.Error("deadline scheduler stopped", "err", err)
			}
		}()
		return t.Running, nil
	}, &peers)
}
