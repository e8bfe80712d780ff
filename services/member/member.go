// Package member declares the member service to the service kit: its stream,
// its read model and its gRPC API. cmd/member runs it alone; the consortia
// command runs it in process.
package member

import (
	"context"

	"google.golang.org/grpc"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/member/app"
	"github.com/consortia-dev/consortia/services/member/domain"
	membergrpc "github.com/consortia-dev/consortia/services/member/grpc"
	"github.com/consortia-dev/consortia/services/member/store"
	"github.com/consortia-dev/consortia/services/member/store/memory"
	mongostore "github.com/consortia-dev/consortia/services/member/store/mongo"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/service"
)

// Stream is the member service's event stream.
const Stream = "MEMBER"

// Member is a built member service.
type Member struct {
	*service.Running
	Service *app.Service
}

// New builds the member service on env.
func New(ctx context.Context, env service.Env) (*Member, error) {
	m := &Member{}
	r, err := service.Start(ctx, service.Definition{
		Name: "member", Stream: Stream, Subjects: []string{domain.SubjectPrefix + ">"},
		Build: func(ctx context.Context, k *service.Kit) error {
			var st store.Store = memory.New()
			if k.Persistent() {
				var err error
				if st, err = mongostore.New(ctx, k.Mongo); err != nil {
					return err
				}
			}
			readModel := k.Project(eventlog.Projection{Name: "readmodel", Stream: Stream, Handler: app.Projection(st)})
			m.Service = app.New(k.Log, st, readModel, k.Codes)
			k.Register(func(s *grpc.Server) { memberv1.RegisterMemberServiceServer(s, membergrpc.NewServer(m.Service)) })
			return nil
		},
	}, env)
	m.Running = r
	return m, err
}

// Serve runs the member service alone from the environment.
func Serve(ctx context.Context) error {
	return service.Main(ctx, "member", ":7101", func(ctx context.Context, env service.Env) (*service.Running, error) {
		m, err := New(ctx, env)
		if err != nil {
			return nil, err
		}
		return m.Running, nil
	})
}
