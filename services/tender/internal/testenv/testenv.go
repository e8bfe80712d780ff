// Package testenv runs the tender service as deployed for component tests: a
// real embedded nats-server with JetStream, the member service and the tender
// service (tender.New + Run) on loopback gRPC, the tender service asking the
// member service over gRPC with the caller's token forwarded. Tests call both
// over gRPC with real bearer tokens, and wait with Eventually, never with sleeps.
package testenv

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/member"
	memberdomain "github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/platform/auth"
	codelists "github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/platform/taxid"
	"github.com/consortia-dev/consortia/services/tender"
	"github.com/consortia-dev/consortia/services/tender/domain"
)

// The official code lists are read once per test binary (they take a while).
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

// Env is a NATS server with a member and a tender service.
type Env struct {
	T      *testing.T
	NATS   *natstest.Server
	Issuer *auth.Issuer

	Member  *member.Member
	Members memberv1.MemberServiceClient // the test's own client of the member service

	Tender  *tender.Tender
	Tenders tenderv1.TenderServiceClient

	// TenderMongo, when set before StartTender, keeps the tender service's
	// read models in MongoDB (instance TenderInstance) instead of memory.
	TenderMongo    *mongo.Client
	TenderInstance string

	memberStop, tenderStop func()
	memberConn             *grpc.ClientConn // the tender service's client (forwards tokens)
}

// New starts NATS, the member service and the tender service; everything stops
// when the test ends.
func New(t *testing.T) *Env {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{T: t, NATS: natstest.Start(t), Issuer: auth.NewIssuer(priv, "test", "consortia")}
	e.StartMember()
	e.StartTender()
	t.Cleanup(e.assertNothingParked)
	return e
}

// Logger sends warnings and errors to the test output, drops the rest.
func Logger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// run starts a service's Run and waits for ready; stop cancels and waits.
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
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		// No wall clock here: a stop that hangs is caught by go test's timeout,
		// which also prints every goroutine.
		if err := <-done; err != nil {
			t.Errorf("%s.Run: %v", name, err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// StartMember starts the member service (and, the first time, the tender
// service's client of it).
func (e *Env) StartMember() {
	t := e.T
	t.Helper()
	m, err := member.New(context.Background(), service.Env{ListenAddr: "127.0.0.1:0",
		JS: e.NATS.JS, Verifier: e.Issuer.Verifier(), Codes: Codes(t), Logger: Logger(t).With("service", "member")})
	if err != nil {
		t.Fatalf("member.New: %v", err)
	}
	e.memberStop = run(t, "member", m.Run, m.Ready())
	e.Member = m
	conn := e.dial(m.Addr())
	e.Members = memberv1.NewMemberServiceClient(conn)
	if e.memberConn == nil {
		e.memberConn = e.dial(m.Addr(), grpc.WithUnaryInterceptor(grpcserver.ForwardToken))
	}
}

// StopMember stops the member service: its gRPC server goes away, its
// events stay in NATS.
func (e *Env) StopMember() { e.memberStop() }

// StartTender starts a tender service on the env's NATS and waits until its
// read model (tenders and the member index) has caught up.
func (e *Env) StartTender() {
	t := e.T
	t.Helper()
	tn, err := tender.New(context.Background(), service.Env{ListenAddr: "127.0.0.1:0",
		Mongo: e.TenderMongo, InstanceID: e.TenderInstance,
		JS: e.NATS.JS, Verifier: e.Issuer.Verifier(), Codes: Codes(t), Logger: Logger(t).With("service", "tender"),
	}, memberv1.NewMemberServiceClient(e.memberConn))
	if err != nil {
		t.Fatalf("tender.New: %v", err)
	}
	e.tenderStop = run(t, "tender", tn.Run, tn.Ready())
	e.Tender = tn
	e.Tenders = tenderv1.NewTenderServiceClient(e.dial(tn.Addr()))
}

// StopTender stops the tender service.
func (e *Env) StopTender() { e.tenderStop() }

// RestartTender stops the tender service and starts a new one on the same NATS.
func (e *Env) RestartTender() {
	e.T.Helper()
	e.StopTender()
	e.StartTender()
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
	ctx := context.Background() // runs in Cleanup, after the test context ended
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

// Messages is the number of messages on a subject of the TENDER stream ("" = all).
func (e *Env) Messages(subject string) uint64 {
	e.T.Helper()
	ctx := e.T.Context()
	s, err := e.NATS.JS.Stream(ctx, tender.Stream)
	if err != nil {
		e.T.Fatal(err)
	}
	if subject == "" {
		info, err := s.Info(ctx)
		if err != nil {
			e.T.Fatal(err)
		}
		return info.State.Msgs
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(subject))
	if err != nil {
		e.T.Fatal(err)
	}
	return info.State.Subjects[subject]
}

// Personas.

func persona(sub string, c auth.Claims) auth.Claims {
	c.Subject = sub
	return c
}

// Admin operates the platform.
func Admin() auth.Claims {
	return persona("u-admin", auth.Claims{Name: "Admin", Roles: []string{auth.RoleAdmin}})
}

// Agency reads across clusters.
func Agency() auth.Claims {
	return persona("u-agency", auth.Claims{Name: "Agency", Roles: []string{auth.RoleAgency}})
}

// Manager manages the clusters.
func Manager(clusters ...string) auth.Claims {
	return persona(fmt.Sprint("u-manager-", clusters), auth.Claims{Name: "Manager", Roles: []string{auth.RoleClusterManager}, Clusters: clusters})
}

// Company acts for organisation org.
func Company(org string) auth.Claims {
	return persona("u-company-"+org, auth.Claims{Name: "Company user", Roles: []string{auth.RoleCompany}, Organization: org})
}

// Actor is the event actor recorded for a persona.
func Actor(c auth.Claims) string { return "user:" + c.Subject }

// Ctx returns a call context with a fresh bearer token for c.
func (e *Env) Ctx(c auth.Claims) context.Context {
	e.T.Helper()
	tok, err := e.Issuer.Issue(c, time.Hour)
	if err != nil {
		e.T.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(e.NoToken(), "authorization", "Bearer "+tok)
}

// NoToken returns a call context without credentials. It ends with the test,
// never on a wall clock of its own: a busy machine is slow, not wrong.
func (e *Env) NoToken() context.Context { return e.T.Context() }

// AppCtx returns a context carrying c as the authenticated principal, for
// calling app.Service directly (as the gRPC interceptor would).
func (e *Env) AppCtx(c auth.Claims) context.Context {
	e.T.Helper()
	tok, err := e.Issuer.Issue(c, time.Hour)
	if err != nil {
		e.T.Fatal(err)
	}
	return auth.WithPrincipal(e.NoToken(), &auth.Principal{Claims: c, Token: tok})
}

// Fixtures built through the member service.

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

// Profile describes a company to register: turnover and references in euros by year.
type Profile struct {
	N            int // tax id seed (CIF(N))
	Name         string
	Capabilities []string
	Turnover     map[int]int64 // year → euros
	References   []Reference
	ENS          string    // ENS level held ("" none)
	ENSExpires   time.Time // zero: a year after now
}

// Reference is a past contract.
type Reference struct {
	CPV   string
	Euros int64
	Year  int
}

// Register registers the company and returns its organisation id.
func (e *Env) Register(p Profile) string {
	e.T.Helper()
	req := &memberv1.RegisterOrganizationRequest{
		Kind: memberv1.OrganizationKind_ORGANIZATION_KIND_COMPANY, LegalName: p.Name, TaxId: CIF(p.N),
		Profile: &memberv1.OrganizationProfile{
			SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Headcount: 15,
			Address:      &memberv1.Address{Locality: "Santander", Nuts: "ES130"},
			Capabilities: p.Capabilities, CpvInterests: []string{"72000000"},
		},
	}
	years := make([]int, 0, len(p.Turnover))
	for y := range p.Turnover {
		years = append(years, y)
	}
	slices.Sort(years)
	for _, y := range years {
		req.Turnover = append(req.Turnover, &memberv1.Turnover{Year: int32(y), AmountCents: p.Turnover[y] * 100})
	}
	for _, r := range p.References {
		req.References = append(req.References, &memberv1.Reference{Buyer: "Gobierno de Cantabria", Title: "Contrato " + r.CPV, Cpv: r.CPV, AmountCents: r.Euros * 100, Year: int32(r.Year)})
	}
	if p.ENS != "" {
		exp := p.ENSExpires
		if exp.IsZero() {
			exp = time.Now().AddDate(1, 0, 0)
		}
		req.Certifications = append(req.Certifications, &memberv1.Certification{Kind: "ENS", Level: p.ENS, IssueDate: "2024-01-01", ExpiryDate: exp.Format(time.DateOnly)})
	}
	res, err := e.Members.RegisterOrganization(e.Ctx(Admin()), req)
	if err != nil {
		e.T.Fatalf("RegisterOrganization(%s): %v", p.Name, err)
	}
	id := res.GetOrganization().GetId()
	if id != memberdomain.OrganizationID(CIF(p.N)) {
		e.T.Fatalf("organisation id %q", id)
	}
	return id
}

// Request makes org request membership of cluster (as the company itself).
func (e *Env) Request(org, cluster string) {
	e.T.Helper()
	if _, err := e.Members.RequestMembership(e.Ctx(Company(org)), &memberv1.RequestMembershipRequest{OrganizationId: org, ClusterId: cluster}); err != nil {
		e.T.Fatalf("RequestMembership(%s, %s): %v", org, cluster, err)
	}
}

// Approve approves org's membership of cluster (as its manager).
func (e *Env) Approve(org, cluster string) {
	e.T.Helper()
	if _, err := e.Members.ApproveMembership(e.Ctx(Manager(cluster)), &memberv1.ApproveMembershipRequest{OrganizationId: org, ClusterId: cluster}); err != nil {
		e.T.Fatalf("ApproveMembership(%s, %s): %v", org, cluster, err)
	}
}

// Suspend suspends org's membership of cluster (as its manager).
func (e *Env) Suspend(org, cluster string) {
	e.T.Helper()
	if _, err := e.Members.SuspendMembership(e.Ctx(Manager(cluster)), &memberv1.SuspendMembershipRequest{OrganizationId: org, ClusterId: cluster, Reason: "unpaid fees"}); err != nil {
		e.T.Fatalf("SuspendMembership(%s, %s): %v", org, cluster, err)
	}
}

// Join registers p and makes it an active member of cluster, then waits for
// the tender service's member index to see it.
func (e *Env) Join(p Profile, cluster string) string {
	e.T.Helper()
	id := e.Register(p)
	e.Request(id, cluster)
	e.Approve(id, cluster)
	e.WaitActive(id, cluster)
	return id
}

// WaitIndexed waits until the tender service's member index holds org and
// cond accepts it.
func (e *Env) WaitIndexed(org string, cond func(domain.Company) bool) domain.Company {
	e.T.Helper()
	var last domain.Company
	Eventually(e.T, 10*time.Second, func() bool {
		c, err := e.Tender.Service.Store().GetCompany(context.Background(), org)
		last = c
		return err == nil && cond(c)
	}, "member index: organisation %s (last seen %+v)", org, &last)
	return last
}

// WaitActive waits until the member index has org active in cluster.
func (e *Env) WaitActive(org, cluster string) {
	e.T.Helper()
	e.WaitIndexed(org, func(c domain.Company) bool { return slices.Contains(c.ActiveIn, cluster) })
}

// Eventually polls cond every 10ms until it holds, failing the test after timeout.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not true after %v: "+msg, append([]any{timeout}, args...)...)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Errors.

// WantCode fails unless err is a gRPC status with code c.
func WantCode(t testing.TB, err error, c codes.Code) *status.Status {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || st.Code() != c {
		t.Fatalf("got %v, want code %v", err, c)
	}
	if st.Message() == "" {
		t.Errorf("status %v has no message", c)
	}
	return st
}

// FieldViolations returns the fields of the status's BadRequest detail.
func FieldViolations(t testing.TB, st *status.Status) []string {
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
	t.Fatalf("status %v has no BadRequest detail", st)
	return nil
}

// PreconditionViolations returns the violations of the status's PreconditionFailure detail.
func PreconditionViolations(t testing.TB, st *status.Status) []*errdetails.PreconditionFailure_Violation {
	t.Helper()
	for _, d := range st.Details() {
		if pf, ok := d.(*errdetails.PreconditionFailure); ok {
			for _, v := range pf.GetViolations() {
				if v.GetType() == "" || v.GetSubject() == "" || v.GetDescription() == "" {
					t.Errorf("incomplete precondition violation %v", v)
				}
			}
			return pf.GetViolations()
		}
	}
	t.Fatalf("status %v has no PreconditionFailure detail", st)
	return nil
}

// Violation returns the first violation of type typ, failing the test when there is none.
func Violation(t testing.TB, err error, typ string) *errdetails.PreconditionFailure_Violation {
	t.Helper()
	st := WantCode(t, err, codes.FailedPrecondition)
	vs := PreconditionViolations(t, st)
	for _, v := range vs {
		if v.GetType() == typ {
			return v
		}
	}
	t.Fatalf("no %q violation in %v", typ, vs)
	return nil
}
