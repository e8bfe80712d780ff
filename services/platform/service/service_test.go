package service_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
)

// gatedReadModel applies events only while its gate is open, so a test can
// hold a service in catch-up.
type gatedReadModel struct {
	gate    chan struct{}
	mu      sync.Mutex
	applied uint64
}

func (g *gatedReadModel) Apply(ctx context.Context, ev eventlog.Event) error {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.applied = max(g.applied, ev.Sequence)
	return nil
}

func (g *gatedReadModel) Checkpoint(context.Context) (uint64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.applied, nil
}

func definition(rm eventlog.Handler) service.Definition {
	return service.Definition{
		Name: "probe", Stream: "PROBE", Subjects: []string{"probe.>"},
		Build: func(_ context.Context, k *service.Kit) error {
			k.Project(eventlog.Projection{Name: "readmodel", Stream: "PROBE", Handler: rm})
			k.Register(func(s *grpc.Server) { s.RegisterService(&probeDesc, struct{}{}) })
			return nil
		},
	}
}

// probeDesc is a one-method gRPC service (test.Probe/Ping echoes Empty): an
// RPC of the service, which the readiness gate holds back, unlike health.
var probeDesc = grpc.ServiceDesc{
	ServiceName: "test.Probe",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{MethodName: "Ping", Handler: func(_ any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
		in := new(emptypb.Empty)
		if err := dec(in); err != nil {
			return nil, err
		}
		echo := func(context.Context, any) (any, error) { return in, nil }
		if ic == nil {
			return echo(ctx, in)
		}
		return ic(ctx, in, &grpc.UnaryServerInfo{FullMethod: "/test.Probe/Ping"}, echo)
	}}},
}

func ping(ctx context.Context, conn *grpc.ClientConn) error {
	return conn.Invoke(ctx, "/test.Probe/Ping", &emptypb.Empty{}, &emptypb.Empty{})
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// appendEvents writes n events to the probe stream.
func appendEvents(t *testing.T, js jetstream.JetStream, n int) {
	t.Helper()
	log, err := eventlog.Open(t.Context(), js, eventlog.StreamConfig{Name: "PROBE", Subjects: []string{"probe.>"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := log.Append(t.Context(), eventlog.Draft{Subject: "probe.agg.1", Event: wrapperspb.String("e"), ExpectedVersion: eventlog.AnyVersion}); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

func health(t *testing.T, addr string) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res, err := healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatalf("health check: %v", err)
	}
	return res.GetStatus()
}

// TestHealthIsNotServingDuringCatchUp: the port answers at once, health says
// NOT_SERVING and other calls are Unavailable while the read model catches
// up; SERVING once it has.
func TestHealthIsNotServingDuringCatchUp(t *testing.T) {
	ns := natstest.Start(t)
	appendEvents(t, ns.JS, 20)
	rm := &gatedReadModel{gate: make(chan struct{})}
	r, err := service.Start(t.Context(), definition(rm), service.Env{JS: ns.JS, Logger: quiet(), ListenAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})

	// The server answers probes while the gate holds the projection back.
	var st healthpb.HealthCheckResponse_ServingStatus
	for st = health(t, r.Addr()); st == healthpb.HealthCheckResponse_SERVICE_UNKNOWN; st = health(t, r.Addr()) {
		time.Sleep(5 * time.Millisecond) // Run has not set the status yet
	}
	if st != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("health during catch-up: %v, want NOT_SERVING", st)
	}
	conn, err := grpc.NewClient(r.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := ping(t.Context(), conn); status.Code(err) != codes.Unavailable {
		t.Fatalf("an RPC during catch-up: %v, want Unavailable", err)
	}
	select {
	case <-r.Ready():
		t.Fatal("ready before the read model caught up")
	default:
	}

	close(rm.gate)
	select {
	case <-r.Ready():
	case <-t.Context().Done():
		t.Fatal("never ready")
	}
	for st = health(t, r.Addr()); st != healthpb.HealthCheckResponse_SERVING; st = health(t, r.Addr()) {
		time.Sleep(5 * time.Millisecond) // the status flips right after Ready
	}
	if err := ping(t.Context(), conn); err != nil {
		t.Errorf("an RPC once ready: %v", err)
	}
	if cp, _ := rm.Checkpoint(t.Context()); cp != 20 {
		t.Errorf("read model at %d when ready, want 20", cp)
	}
}

// TestStartRefusesIncompleteDefinitions.
func TestStartRefusesIncompleteDefinitions(t *testing.T) {
	ns := natstest.Start(t)
	for _, def := range []service.Definition{
		{},
		{Name: "x", Stream: "X"},
		{Name: "x", Stream: "X", Subjects: []string{"x.>"}},
	} {
		if _, err := service.Start(t.Context(), def, service.Env{JS: ns.JS, ListenAddr: "127.0.0.1:0"}); err == nil {
			t.Errorf("Start(%+v) accepted an incomplete definition", def)
		}
	}
	boom := errors.New("boom")
	_, err := service.Start(t.Context(), service.Definition{Name: "x", Stream: "X", Subjects: []string{"x.>"},
		Build: func(context.Context, *service.Kit) error { return boom }}, service.Env{JS: ns.JS, ListenAddr: "127.0.0.1:0"})
	if !errors.Is(err, boom) {
		t.Errorf("Build's error not returned: %v", err)
	}
}

// TestMemoryReadModelsLeaveNoConsumerBehind: a memory-backed service rebuilds
// from an ordered (ephemeral) consumer, so restarting it under another
// instance id (a rollout) leaves no durable consumer, and none named after an
// instance, on the stream.
func TestMemoryReadModelsLeaveNoConsumerBehind(t *testing.T) {
	ns := natstest.Start(t)
	appendEvents(t, ns.JS, 3)
	for _, instance := range []string{"pod-a", "pod-b", "pod-c"} {
		rm := &gatedReadModel{gate: make(chan struct{})}
		close(rm.gate)
		r, err := service.Start(t.Context(), definition(rm), service.Env{JS: ns.JS, Logger: quiet(), ListenAddr: "127.0.0.1:0", InstanceID: instance})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		<-r.Ready()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("%s: Run: %v", instance, err)
		}
	}
	s, err := ns.JS.Stream(t.Context(), "PROBE")
	if err != nil {
		t.Fatal(err)
	}
	lister := s.ListConsumers(t.Context())
	n := 0
	for info := range lister.Info() {
		n++
		if info.Config.Durable != "" || strings.Contains(info.Name, "pod-") {
			t.Errorf("consumer %q (durable %q) left on the stream after the restarts", info.Name, info.Config.Durable)
		}
	}
	if err := lister.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d ephemeral consumers on the stream after 3 starts (none durable)", n)
}
