package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/natsembed"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/tender"
	"google.golang.org/grpc/health/grpc_health_v1"
)

// stack is the product running in this process as `consortia dev` runs it:
// an embedded nats-server with JetStream on a temporary folder, fsync on
// every write, the member and tender services on loopback gRPC ports and the
// gateway on a loopback HTTP port; plus the clients the bench drives them with.
type stack struct {
	dir      string
	stopNATS func()
	nc       *nats.Conn
	js       jetstream.JetStream
	issuer   *auth.Issuer
	lists    codes.Lists
	log      *slog.Logger

	member  *member.Member
	tender  *tender.Tender
	gateway *gateway.Gateway
	httpURL string

	conns   []*grpc.ClientConn
	members memberv1.MemberServiceClient
	tenders tenderv1.TenderServiceClient
	memberH grpc_health_v1.HealthClient // Health on the member service's server
	tenderH grpc_health_v1.HealthClient

	cluster   string          // a cluster the tenders belong to
	admin     context.Context // outgoing contexts carrying a bearer token
	agency    context.Context
	manager   context.Context
	managerTk string // the manager's token, for HTTP

	stop func() error
}

// Development issuer names, as `consortia dev` uses them.
const (
	devIssuer   = "consortia-dev"
	devAudience = "consortia"
)

// startStack starts NATS, member, tender and the gateway, and waits until
// every service has caught up with its stream.
func startStack(ctx context.Context, log *slog.Logger) (*stack, error) {
	dir, err := os.MkdirTemp("", "consortia-bench-e2e-")
	if err != nil {
		return nil, err
	}
	st := &stack{dir: dir, log: log}
	ok := false
	defer func() {
		if !ok {
			st.close()
		}
	}()
	ns, err := natsembed.Start(natsembed.Config{StoreDir: filepath.Join(dir, "nats"), Port: -1, SyncAlways: true})
	if err != nil {
		return nil, err
	}
	st.stopNATS = func() { ns.Shutdown(); ns.WaitForShutdown() }
	if st.nc, err = nats.Connect(ns.ClientURL(), nats.Name("bench-e2e")); err != nil {
		return nil, err
	}
	if st.js, err = jetstream.New(st.nc); err != nil {
		return nil, err
	}
	st.issuer = auth.NewIssuer(newKey(), devIssuer, devAudience)
	st.lists = codes.Load("", log)

	runCtx, cancel := context.WithCancel(context.Background())
	g, gctx := errgroup.WithContext(runCtx)
	st.stop = func() error {
		cancel()
		err := g.Wait()
		if errors.Is(err, context.Canceled) {
			err = nil
		}
		return err
	}
	env := func(name string) service.Env {
		return service.Env{ListenAddr: "127.0.0.1:0", JS: st.js, Verifier: st.issuer.Verifier(), Codes: st.lists, Logger: log.With("component", name)}
	}
	if st.member, err = member.New(ctx, env("member")); err != nil {
		return nil, fmt.Errorf("member: %w", err)
	}
	g.Go(func() error { return st.member.Run(gctx) })
	memberConn, err := grpcserver.Dial(st.member.Addr())
	if err != nil {
		return nil, err
	}
	st.conns = append(st.conns, memberConn)
	if st.tender, err = tender.New(ctx, env("tender"), memberv1.NewMemberServiceClient(memberConn)); err != nil {
		return nil, fmt.Errorf("tender: %w", err)
	}
	g.Go(func() error { return st.tender.Run(gctx) })
	st.gateway, err = gateway.New(ctx, gateway.Config{HTTPAddr: "127.0.0.1:0",
		// Only member and tender run; the other backends' routes are not benchmarked.
		Backends: map[string]string{"member": st.member.Addr(), "tender": st.tender.Addr(), "commission": "127.0.0.1:1", "notification": "127.0.0.1:1"},
	}, gateway.Deps{Issuer: st.issuer, Logger: log.With("component", "gateway")})
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.Go(func() error { return st.gateway.Run(gctx) })
	st.httpURL = "http://" + st.gateway.Addr()
	for _, r := range []<-chan struct{}{st.member.Ready(), st.tender.Ready()} {
		select {
		case <-r:
		case <-gctx.Done():
			return nil, fmt.Errorf("stack stopped while starting: %w", context.Cause(gctx))
		}
	}

	// The bench's own clients: one connection per service, as a caller keeps.
	dial := func(addr string) (*grpc.ClientConn, error) {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err == nil {
			st.conns = append(st.conns, cc)
		}
		return cc, err
	}
	mc, err := dial(st.member.Addr())
	if err != nil {
		return nil, err
	}
	tc, err := dial(st.tender.Addr())
	if err != nil {
		return nil, err
	}
	st.members, st.memberH = memberv1.NewMemberServiceClient(mc), grpc_health_v1.NewHealthClient(mc)
	st.tenders, st.tenderH = tenderv1.NewTenderServiceClient(tc), grpc_health_v1.NewHealthClient(tc)

	if st.admin, _, err = st.as(auth.Claims{Roles: []string{auth.RoleAdmin}}, "bench-admin"); err != nil {
		return nil, err
	}
	if st.agency, _, err = st.as(auth.Claims{Roles: []string{auth.RoleAgency}}, "bench-agency"); err != nil {
		return nil, err
	}
	cl, err := st.members.CreateCluster(st.admin, &memberv1.CreateClusterRequest{Name: "Bench cluster", RegionNuts: "ES130"})
	if err != nil {
		return nil, fmt.Errorf("create cluster: %w", err)
	}
	st.cluster = cl.GetCluster().GetId()
	if st.manager, st.managerTk, err = st.as(auth.Claims{Roles: []string{auth.RoleClusterManager}, Clusters: []string{st.cluster}}, "bench-manager"); err != nil {
		return nil, err
	}
	ok = true
	return st, nil
}

// as returns an outgoing context carrying a token for claims, and the token.
func (st *stack) as(c auth.Claims, subject string) (context.Context, string, error) {
	c.Subject = subject
	tok, err := st.issuer.Issue(c, 24*time.Hour)
	if err != nil {
		return nil, "", err
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok), tok, nil
}

// close stops everything and removes the temporary folder.
func (st *stack) close() {
	for _, c := range st.conns {
		_ = c.Close()
	}
	if st.stop != nil {
		if err := st.stop(); err != nil {
			st.log.Warn("stack stopped with an error", "err", err)
		}
	}
	if st.nc != nil {
		st.nc.Close()
	}
	if st.stopNATS != nil {
		st.stopNATS()
	}
	_ = os.RemoveAll(st.dir)
}

// uniqueName is a fresh subject token.
func uniqueName() string { return rand.Text()[:10] }
