// Package testenv runs the commission service as deployed for component
// tests: a real embedded nats-server with JetStream, the member and tender
// services, and the commission service on loopback gRPC, each built on the
// service kit. Tests call all three over gRPC with real bearer tokens and wait
// for projections by polling, bounded only by the test's own context.
package testenv

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/commission"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/platform/auth"
	codelists "github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/platform/taxid"
	"github.com/consortia-dev/consortia/services/tender"
)

// The official code lists are read once per test binary.
var (
	listsOnce sync.Once
	lists     codelists.Lists
)

// Codes returns the official CPV and NUTS lists; it fails the test when the
// CPV list is missing (set CONSORTIA_DATA_DIR to the shared data folder).
func Codes(t testing.TB) codelists.Lists {
	t.Helper()
	listsOnce.Do(func() { lists = codelists.Load("", slog.New(slog.DiscardHandler)) })
	if lists.Catalog == nil {
		t.Fatal("CPV catalogue not loaded: the tests need the shared data folder (set CONSORTIA_DATA_DIR)")
	}
	return lists
}

// Env is NATS with the member, tender and commission services.
type Env struct {
	T      *testing.T
	NATS   *natstest.Server
	Issuer *auth.Issuer

	Member      *member.Member
	Members     memberv1.MemberServiceClient
	Tender      *tender.Tender
	Tenders     tenderv1.TenderServiceClient
	Commission  *commission.Commission
	Commissions commissionv1.CommissionServiceClient

	tenderStop func()
	n          int // next tax-id seed
}

// New starts everything; it all stops when the test ends.
func New(t *testing.T) *Env {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{T: t, NATS: natstest.Start(t), Issuer: auth.NewIssuer(priv, "test", "consortia"), n: 500}
	env := func(name string) service.Env {
		return service.Env{ListenAddr: "127.0.0.1:0", JS: e.NATS.JS, Verifier: e.Issuer.Verifier(), Codes: Codes(t),
			Logger: logger(t).With("service", name)}
	}
	m, err := member.New(context.Background(), env("member"))
	if err != nil {
		t.Fatalf("member.New: %v", err)
	}
	run(t, "member", m.Run, m.Ready())
	e.Member, e.Members = m, memberv1.NewMemberServiceClient(e.dial(m.Addr()))

	memberConn := e.dial(m.Addr(), grpc.WithUnaryInterceptor(grpcserver.ForwardToken))
	tn, err := tender.New(context.Background(), env("tender"), memberv1.NewMemberServiceClient(memberConn))
	if err != nil {
		t.Fatalf("tender.New: %v", err)
	}
	e.tenderStop = run(t, "tender", tn.Run, tn.Ready())
	e.Tender, e.Tenders = tn, tenderv1.NewTenderServiceClient(e.dial(tn.Addr()))

	c, err := commission.New(context.Background(), env("commission"))
	if err != nil {
		t.Fatalf("commission.New: %v", err)
	}
	run(t, "commission", c.Run, c.Ready())
	e.Commission, e.Commissions = c, commissionv1.NewCommissionServiceClient(e.dial(c.Addr()))
	t.Cleanup(e.assertNothingParked)
	return e
}

// StopTender stops the tender service: its gRPC server goes away, its events
// stay in NATS.
func (e *Env) StopTender() { e.tenderStop() }

func logger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// run starts a service's Run and waits for it to be ready; stop cancels and waits.
func run(t *testing.T, name string, runFn func(context.Context) error, ready <-chan struct{}) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runFn(ctx) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("%s ended before ready: %v", name, err)
	case <-t.Context().Done():
		cancel()
		t.Fatalf("%s not ready before the test ended", name)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("%s.Run: %v", name, err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func (e *Env) dial(addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	e.T.Helper()
	conn, err := grpc.NewClient(addr, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
	if err != nil {
		e.T.Fatal(err)
	}
	e.T.Cleanup(func() { _ = conn.Close() })
	return conn
}

func (e *Env) assertNothingParked() {
	ctx := context.Background()
	s, err := e.NATS.JS.Stream(ctx, eventlog.ParkedStream)
	if err != nil {
		e.T.Errorf("parked stream: %v", err)
		return
	}
	info, err := s.Info(ctx)
	if err != nil {
		e.T.Errorf("parked stream info: %v", err)
		return
	}
	if info.State.Msgs != 0 {
		e.T.Errorf("%d events were parked by a projection", info.State.Msgs)
	}
}

// StreamMessages is the number of messages in a stream.
func (e *Env) StreamMessages(stream string) uint64 {
	e.T.Helper()
	s, err := e.NATS.JS.Stream(e.T.Context(), stream)
	if err != nil {
		e.T.Fatal(err)
	}
	info, err := s.Info(e.T.Context())
	if err != nil {
		e.T.Fatal(err)
	}
	return info.State.Msgs
}

// Personas.

// Admin operates the platform.
func Admin() auth.Claims { return auth.Claims{Name: "Admin", Roles: []string{auth.RoleAdmin}} }

// Agency is regional agency staff.
func Agency() auth.Claims { return auth.Claims{Name: "Agency", Roles: []string{auth.RoleAgency}} }

// Manager manages the clusters.
func Manager(clusters ...string) auth.Claims {
	return auth.Claims{Name: "Manager", Roles: []string{auth.RoleClusterManager}, Clusters: clusters}
}

// Company acts for organisation org.
func Company(org string) auth.Claims {
	return auth.Claims{Name: "Company user", Roles: []string{auth.RoleCompany}, Organization: org}
}

// Ctx returns a call context with a fresh bearer token for c; it ends with the test.
func (e *Env) Ctx(c auth.Claims) context.Context {
	e.T.Helper()
	if c.Subject == "" {
		c.Subject = fmt.Sprintf("u-%s-%s-%v", c.Roles, c.Organization, c.Clusters)
	}
	tok, err := e.Issuer.Issue(c, time.Hour)
	if err != nil {
		e.T.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(e.T.Context(), "authorization", "Bearer "+tok)
}

// Fixtures through the member and tender services.

// CIF returns a valid company tax id "B" + 7 digits + control digit.
func CIF(n int) string {
	base := fmt.Sprintf("B%07d", n%10_000_000)
	for c := '0'; c <= '9'; c++ {
		if _, err := taxid.Validate(base + string(c)); err == nil {
			return base + string(c)
		}
	}
	panic("no control digit for " + base)
}

// Cluster creates a cluster and returns its id.
func (e *Env) Cluster(name string) string {
	e.T.Helper()
	res, err := e.Members.CreateCluster(e.Ctx(Admin()), &memberv1.CreateClusterRequest{Name: name, RegionNuts: "ES130"})
	if err != nil {
		e.T.Fatalf("CreateCluster(%s): %v", name, err)
	}
	return res.GetCluster().GetId()
}

// Join registers a company and makes it an active member of cluster.
func (e *Env) Join(name, cluster string) string {
	e.T.Helper()
	e.n++
	res, err := e.Members.RegisterOrganization(e.Ctx(Admin()), &memberv1.RegisterOrganizationRequest{
		Kind: memberv1.OrganizationKind_ORGANIZATION_KIND_COMPANY, LegalName: name, TaxId: CIF(e.n),
		Profile: &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Headcount: 12,
			Address: &memberv1.Address{Locality: "Santander", Nuts: "ES130"}, Capabilities: []string{"software-development"}, CpvInterests: []string{"72000000"}},
	})
	if err != nil {
		e.T.Fatalf("RegisterOrganization(%s): %v", name, err)
	}
	org := res.GetOrganization().GetId()
	if _, err := e.Members.RequestMembership(e.Ctx(Company(org)), &memberv1.RequestMembershipRequest{OrganizationId: org, ClusterId: cluster}); err != nil {
		e.T.Fatalf("RequestMembership(%s): %v", name, err)
	}
	if _, err := e.Members.ApproveMembership(e.Ctx(Manager(cluster)), &memberv1.ApproveMembershipRequest{OrganizationId: org, ClusterId: cluster}); err != nil {
		e.T.Fatalf("ApproveMembership(%s): %v", name, err)
	}
	e.Wait("commission directory sees "+name+" active", func() bool {
		o, err := e.Commission.Service.Store().GetOrganization(context.Background(), org)
		return err == nil && o.ActiveInCluster(cluster)
	})
	return org
}

// NewTender creates a published tender of cluster (shared with others) that asks
// no solvency, capability or certification, so any team of active members
// with shares summing to 100 % can submit; it waits until the commission
// service's projection knows it.
func (e *Env) NewTender(cluster, title string, estimatedCents int64, shared ...string) string {
	e.T.Helper()
	res, err := e.Tenders.CreateTender(e.Ctx(Manager(cluster)), &tenderv1.CreateTenderRequest{ClusterId: cluster, Publish: true, SharedWith: shared,
		Details: &tenderv1.TenderDetails{
			Authority: &tenderv1.Authority{Name: "Gobierno de Cantabria", Nif: "S3933002B"}, Title: title,
			ProcedureType: tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN, ContractType: tenderv1.ContractType_CONTRACT_TYPE_SERVICES,
			CpvCodes: []string{"72200000"}, Nuts: []string{"ES130"}, EstimatedValueCents: estimatedCents, BudgetWithoutVatCents: estimatedCents,
			DurationMonths: 12, SubmissionDeadline: timestamppb.New(time.Now().AddDate(0, 2, 0)),
			Requirements: &tenderv1.Requirements{EconomicExempt: true, Technical: &tenderv1.TechnicalSolvency{Exempt: true}},
		}})
	if err != nil {
		e.T.Fatalf("CreateTender(%s): %v", title, err)
	}
	id := res.GetTender().GetId()
	e.Wait("commission projection knows tender "+title, func() bool {
		_, err := e.Commission.Service.Store().GetTender(context.Background(), id)
		return err == nil
	})
	return id
}

// Member is a consortium member with its share in basis points.
type Member struct {
	Org     string
	ShareBP int32
}

// AwardedConsortium forms a consortium for the tender (the first member
// leads), has every member accept, submits it and records its award for
// amountCents, as the manager of the tender's cluster; it returns the
// consortium id.
func (e *Env) AwardedConsortium(cluster, tenderID string, amountCents int64, members ...Member) string {
	e.T.Helper()
	mgr := e.Ctx(Manager(cluster))
	var drafts []*tenderv1.DraftMember
	for i, m := range members {
		drafts = append(drafts, &tenderv1.DraftMember{OrganizationId: m.Org, ShareBp: m.ShareBP, Lead: i == 0})
	}
	res, err := e.Tenders.CreateConsortium(mgr, &tenderv1.CreateConsortiumRequest{TenderId: tenderID, Name: "UTE interclúster", Members: drafts})
	if err != nil {
		e.T.Fatalf("CreateConsortium: %v", err)
	}
	id := res.GetConsortium().GetId()
	for _, m := range members {
		if _, err := e.Tenders.AcceptInvitation(e.Ctx(Company(m.Org)), &tenderv1.AcceptInvitationRequest{ConsortiumId: id, OrganizationId: m.Org}); err != nil {
			e.T.Fatalf("AcceptInvitation(%s): %v", m.Org, err)
		}
	}
	if _, err := e.Tenders.SubmitConsortium(mgr, &tenderv1.SubmitConsortiumRequest{ConsortiumId: id}); err != nil {
		e.T.Fatalf("SubmitConsortium: %v", err)
	}
	if _, err := e.Tenders.AwardTender(mgr, &tenderv1.AwardTenderRequest{TenderId: tenderID, Award: &tenderv1.Award{
		ConsortiumId: id, WinnerName: "UTE interclúster", AmountCents: amountCents, AwardTime: timestamppb.Now()}}); err != nil {
		e.T.Fatalf("AwardTender: %v", err)
	}
	return id
}

// Wait polls cond every 10 ms until it holds; only the test's own deadline
// (go test -timeout) bounds it.
func (e *Env) Wait(what string, cond func() bool) {
	e.T.Helper()
	for !cond() {
		select {
		case <-e.T.Context().Done():
			e.T.Fatalf("test ended waiting until %s", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// WantCode fails unless err is a gRPC status with code c.
func WantCode(t testing.TB, err error, c codes.Code) *status.Status {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || st.Code() != c {
		t.Fatalf("got %v, want code %v", err, c)
	}
	return st
}
