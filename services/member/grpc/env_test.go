package grpc_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/platform/auth"
	codelists "github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/platform/taxid"
)

// The official code lists are read once for the package (they take a while).
var (
	listsOnce sync.Once
	lists     codelists.Lists
)

func codeLists() codelists.Lists {
	listsOnce.Do(func() { lists = codelists.Load("", slog.New(slog.DiscardHandler)) })
	return lists
}

// env is one member service on a real embedded NATS, reached over loopback gRPC.
type env struct {
	t      *testing.T
	nats   *natstest.Server
	issuer *auth.Issuer
	key    ed25519.PrivateKey
	m      *member.Member
	conn   *grpc.ClientConn
	c      memberv1.MemberServiceClient
	stop   func()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, nats: natstest.Start(t), key: priv, issuer: auth.NewIssuer(priv, "test", "consortia")}
	e.start()
	return e
}

// testLogger sends warnings and errors to the test output, drops the rest.
func testLogger(t *testing.T) *slog.Logger {
	var w io.Writer = t.Output()
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// start builds and runs a member service on the env's NATS and dials it.
func (e *env) start() {
	t := e.t
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m, err := member.New(ctx, service.Env{ListenAddr: "127.0.0.1:0",
		JS: e.nats.JS, Verifier: e.issuer.Verifier(), Codes: codeLists(), Logger: testLogger(t)})
	if err != nil {
		cancel()
		t.Fatalf("member.New: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case <-m.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("member.Run ended before ready: %v", err)
	case <-t.Context().Done():
		cancel()
		t.Fatal("member read model not ready before the test ended")
	}
	conn, err := grpc.NewClient(m.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = conn.Close()
		cancel()
		// No wall clock: a hanging stop is caught by go test's timeout.
		if err := <-done; err != nil {
			t.Errorf("member.Run: %v", err)
		}
	}
	e.m, e.conn, e.c, e.stop = m, conn, memberv1.NewMemberServiceClient(conn), stop
	t.Cleanup(func() {
		stop()
		e.assertNothingParked()
	})
}

// restart stops the service and starts a new one on the same NATS.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.start()
}

func (e *env) assertNothingParked() {
	e.t.Helper()
	ctx := context.Background() // runs in Cleanup, after the test context ended
	s, err := e.nats.JS.Stream(ctx, eventlog.ParkedStream)
	if err != nil {
		e.t.Errorf("parked stream: %v", err)
		return
	}
	info, err := s.Info(ctx)
	if err != nil {
		e.t.Errorf("parked stream info: %v", err)
		return
	}
	if info.State.Msgs != 0 {
		e.t.Errorf("%d events were parked by the projection", info.State.Msgs)
	}
}

// events is the number of events in the MEMBER stream.
func (e *env) events() uint64 {
	e.t.Helper()
	ctx := e.t.Context()
	s, err := e.nats.JS.Stream(ctx, member.Stream)
	if err != nil {
		e.t.Fatalf("stream %s: %v", member.Stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return info.State.Msgs
}

// wantEvents fails unless the MEMBER stream holds n events.
func (e *env) wantEvents(n uint64) {
	e.t.Helper()
	if got := e.events(); got != n {
		e.t.Fatalf("MEMBER stream has %d events, want %d", got, n)
	}
}

// Personas.

func persona(subject string, c auth.Claims) auth.Claims {
	c.Subject = subject
	return c
}

func admin() auth.Claims {
	return persona("u-admin", auth.Claims{Name: "Admin", Roles: []string{auth.RoleAdmin}})
}

func agency() auth.Claims {
	return persona("u-agency", auth.Claims{Name: "Agency", Roles: []string{auth.RoleAgency}})
}

func manager(clusterIDs ...string) auth.Claims {
	return persona(fmt.Sprint("u-manager-", clusterIDs), auth.Claims{Name: "Manager", Roles: []string{auth.RoleClusterManager}, Clusters: clusterIDs})
}

func company(orgID string) auth.Claims {
	return persona("u-company-"+orgID, auth.Claims{Name: "Company user", Roles: []string{auth.RoleCompany}, Organization: orgID})
}

// ctxAs returns a call context carrying a fresh token for c.
func (e *env) ctxAs(c auth.Claims) context.Context {
	e.t.Helper()
	tok, err := e.issuer.Issue(c, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return withToken(e.ctx(), tok)
}

// ctx ends with the test, never on a wall clock of its own.
func (e *env) ctx() context.Context { return e.t.Context() }

func withToken(ctx context.Context, tok string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
}

// issuerKey is the signing key the service trusts.
func (e *env) issuerKey() ed25519.PrivateKey { return e.key }

func metadataCtx(ctx context.Context, kv ...string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

func withKey(ctx context.Context, key string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "idempotency-key", key)
}

// cif returns a valid organisation tax id "B" + 7 digits + control digit.
func cif(n int) string {
	base := fmt.Sprintf("B%07d", n%10_000_000)
	for c := '0'; c <= '9'; c++ {
		if _, err := taxid.Validate(base + string(c)); err == nil {
			return base + string(c)
		}
	}
	panic("no control digit for " + base)
}

// orgRequest is a valid company registration.
func orgRequest(n int, name string) *memberv1.RegisterOrganizationRequest {
	return &memberv1.RegisterOrganizationRequest{
		Kind: memberv1.OrganizationKind_ORGANIZATION_KIND_COMPANY, LegalName: name, TaxId: cif(n),
		Profile: &memberv1.OrganizationProfile{
			SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Headcount: 12,
			Address:      &memberv1.Address{Locality: "Santander", Nuts: "ES130"},
			Capabilities: []string{"software-development", "cloud"}, CpvInterests: []string{"72000000-5"},
		},
		Certifications: []*memberv1.Certification{{Kind: "ENS", Level: "media", IssueDate: "2024-01-01", ExpiryDate: "2027-01-01"}},
		Turnover:       []*memberv1.Turnover{{Year: 2024, AmountCents: 1_000_000_00}, {Year: 2025, AmountCents: 1_200_000_00}},
		References:     []*memberv1.Reference{{Buyer: "Gobierno de Cantabria", Title: "Portal", Cpv: "72212000", AmountCents: 40_000_00, Year: 2024}},
	}
}

func (e *env) register(n int, name string) *memberv1.Organization {
	e.t.Helper()
	res, err := e.c.RegisterOrganization(e.ctxAs(admin()), orgRequest(n, name))
	if err != nil {
		e.t.Fatalf("RegisterOrganization(%s): %v", name, err)
	}
	return res.GetOrganization()
}

func (e *env) cluster(name string) *memberv1.Cluster {
	e.t.Helper()
	res, err := e.c.CreateCluster(e.ctxAs(admin()), &memberv1.CreateClusterRequest{Name: name, RegionNuts: "ES130"})
	if err != nil {
		e.t.Fatalf("CreateCluster(%s): %v", name, err)
	}
	return res.GetCluster()
}

func (e *env) get(id string) *memberv1.Organization {
	e.t.Helper()
	res, err := e.c.GetOrganization(e.ctxAs(agency()), &memberv1.GetOrganizationRequest{OrganizationId: id})
	if err != nil {
		e.t.Fatalf("GetOrganization(%s): %v", id, err)
	}
	return res.GetOrganization()
}

// wantCode fails unless err is a gRPC status with code c.
func wantCode(t *testing.T, err error, c codes.Code) *status.Status {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || st.Code() != c {
		t.Fatalf("got %v, want code %v", err, c)
	}
	return st
}

// fieldViolations returns the fields of the status's BadRequest detail.
func fieldViolations(t *testing.T, st *status.Status) []string {
	t.Helper()
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			var out []string
			for _, v := range br.GetFieldViolations() {
				if v.GetDescription() == "" {
					t.Errorf("field violation %s has no description", v.GetField())
				}
				out = append(out, v.GetField())
			}
			return out
		}
	}
	t.Fatalf("status %v has no BadRequest detail (details %v)", st, st.Details())
	return nil
}

// eventually polls cond every tick until it holds or timeout passes.
func eventually(t *testing.T, timeout, tick time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %v: "+msg, append([]any{timeout}, args...)...)
		}
		time.Sleep(tick)
	}
}
