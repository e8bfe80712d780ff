// Package commission declares the commission service to the service kit: its
// stream, its read model (its own commissions, plus its projections of the
// member and tender streams that the cross-cluster report is computed from)
// and its gRPC API. It calls no other service. cmd/commission runs it alone;
// the consortia command runs it in process.
package commission

import (
	"context"

	"google.golang.org/grpc"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	"github.com/consortia-dev/consortia/services/commission/app"
	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/commission/follow"
	commissiongrpc "github.com/consortia-dev/consortia/services/commission/grpc"
	"github.com/consortia-dev/consortia/services/commission/store"
	"github.com/consortia-dev/consortia/services/commission/store/memory"
	"github.com/consortia-dev/consortia/services/commission/store/mongo"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/service"
)

// Stream is the commission service's event stream.
const Stream = "COMMISSION"

// Commission is a built commission service.
type Commission struct {
	*service.Running
	Service *app.Service
}

// New builds the commission service on env.
func New(ctx context.Context, env service.Env) (*Commission, error) {
	c := &Commission{}
	r, err := service.Start(ctx, service.Definition{
		Name: "commission", Stream: Stream, Subjects: []string{domain.SubjectPrefix + ">"},
		Build: func(ctx context.Context, k *service.Kit) error {
			var st store.Store = memory.New()
			if k.Persistent() {
				ms, err := mongo.New(ctx, k.Mongo)
				if err != nil {
					return err
				}
				st = ms
			}
			readModel := k.Project(eventlog.Projection{Name: "readmodel", Stream: Stream, Handler: app.Projection(st)})
			k.Project(eventlog.Projection{Name: "members", Stream: follow.MemberStream, FilterSubjects: follow.MemberFilter, Handler: follow.Members(st)})
			k.Project(eventlog.Projection{Name: "tenders", Stream: follow.TenderStream, FilterSubjects: follow.TenderFilter, Handler: follow.Tenders(st)})
			c.Service = app.New(k.Log, st, readModel, k.Codes)
			k.Register(func(s *grpc.Server) {
				commissionv1.RegisterCommissionServiceServer(s, commissiongrpc.NewServer(c.Service))
			})
			return nil
		},
	}, env)
	c.Running = r
	return c, err
}

// Serve runs the commission service alone from the environment.
func Serve(ctx context.Context) error {
	return service.Main(ctx, "commission", ":7103", func(ctx context.Context, env service.Env) (*service.Running, error) {
		c, err := New(ctx, env)
		if err != nil {
			return nil, err
		}
		return c.Running, nil
	})
}
