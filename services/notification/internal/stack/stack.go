// Package stack runs, for the notification service's tests, what it runs
// with in production: a real embedded nats-server with JetStream, the member
// and tender services and the notification service on loopback gRPC, called
// with real bearer tokens. Waiting is polling bounded by the test's context,
// never a wall clock.
package stack

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

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/platform/auth"
	codelists "github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/platform/taxid"
	"github.com/consortia-dev/consortia/services/tender"
)

var (
	listsOnce sync.Once
	lists     codelists.Lists
)

// Codes returns the official CPV and NUTS lists (read once per test binary).
func Codes(t testing.TB) codelists.Lists {
	t.Helper()
	listsOnce.Do(func() { lists = codelists.Load("", slog.New(slog.DiscardHandler)) })
	if lists.Catalog == nil {
		t.Fatal("CPV catalogue not loaded: the tests need the shared data folder (set CONSORTIA_DATA_DIR)")
	}
	return lists
}

// Stack is NATS with the member, tender and notification services.
type Stack struct {
	T      *testing.T
	NATS   *natstest.Server
	Issuer *auth.Issuer

	Member        *member.Member
	Members       memberv1.MemberServiceClient
	Tender        *tender.Tender
	Tenders       tenderv1.TenderServiceClient
	Notification  *notification.Notification
	Notifications notificationv1.NotificationServiceClient

	Config notification.Config
	dir    string
	stops  []func()
	nstop  func()
	n      int
}

// Logger sends warnings and errors to the test output.
func Logger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// New starts the stack on a fresh NATS; cfg configures the notification service.
func New(t *testing.T, cfg notification.Config) *Stack {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &Stack{T: t, NATS: natstest.Start(t), Issuer: auth.NewIssuer(priv, "test", "consortia"), Config: cfg}
	s.startMemberTender()
	s.StartNotification()
	return s
}

// NewIn starts the stack on a NATS store in dir, so RestartAll can restart
// everything, NATS included, on the same data.
func NewIn(t *testing.T, dir string, cfg notification.Config) *Stack {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &Stack{T: t, NATS: natstest.StartIn(t, dir), Issuer: auth.NewIssuer(priv, "test", "consortia"), Config: cfg, dir: dir}
	s.startMemberTender()
	s.StartNotification()
	return s
}

// RestartAll stops the three services and NATS, then starts them again on the
// same NATS store (the whole dev stack restarting).
func (s *Stack) RestartAll() {
	s.T.Helper()
	if s.dir == "" {
		s.T.Fatal("RestartAll needs a stack made with NewIn")
	}
	s.nstop()
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
	s.stops = nil
	s.NATS.Stop()
	s.NATS = natstest.StartIn(s.T, s.dir)
	s.startMemberTender()
	s.StartNotification()
}

// Run starts a service's run function and waits for ready; stop cancels and waits.
func Run(t *testing.T, name string, runFn func(context.Context) error, ready <-chan struct{}) (stop func()) {
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
		if err := <-done; err != nil {
			t.Errorf("%s.Run: %v", name, err)
		}
	}
	t.Cleanup(stop)
	return stop
}

func (s *Stack) env() service.Env {
	return service.Env{ListenAddr: "127.0.0.1:0", JS: s.NATS.JS, Verifier: s.Issuer.Verifier(), Codes: Codes(s.T), Logger: Logger(s.T)}
}

func (s *Stack) dial(addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	s.T.Helper()
	conn, err := grpc.NewClient(addr, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
	if err != nil {
		s.T.Fatal(err)
	}
	s.T.Cleanup(func() { _ = conn.Close() })
	return conn
}

func (s *Stack) startMemberTender() {
	t := s.T
	m, err := member.New(context.Background(), s.env())
	if err != nil {
		t.Fatalf("member.New: %v", err)
	}
	s.stops = append(s.stops, Run(t, "member", m.Run, m.Ready()))
	s.Member, s.Members = m, memberv1.NewMemberServiceClient(s.dial(m.Addr()))
	conn, err := grpcserver.Dial(m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	tn, err := tender.New(context.Background(), s.env(), memberv1.NewMemberServiceClient(conn))
	if err != nil {
		t.Fatalf("tender.New: %v", err)
	}
	s.stops = append(s.stops, Run(t, "tender", tn.Run, tn.Ready()))
	s.Tender, s.Tenders = tn, tenderv1.NewTenderServiceClient(s.dial(tn.Addr()))
}

// StartNotification starts (or restarts) the notification service in process.
func (s *Stack) StartNotification() {
	t := s.T
	n, err := notification.New(context.Background(), s.env(), s.Config)
	if err != nil {
		t.Fatalf("notification.New: %v", err)
	}
	s.nstop = Run(t, "notification", n.Run, n.Ready())
	s.Notification, s.Notifications = n, notificationv1.NewNotificationServiceClient(s.dial(n.Addr()))
}

// StopNotification stops the in-process notification service.
func (s *Stack) StopNotification() { s.nstop() }

// Personas.

func persona(sub string, c auth.Claims) auth.Claims {
	c.Subject = sub
	return c
}

// Admin operates the platform.
func Admin() auth.Claims {
	return persona("u-admin", auth.Claims{Name: "Admin", Roles: []string{auth.RoleAdmin}})
}

// Manager manages the clusters.
func Manager(clusters ...string) auth.Claims {
	return persona(fmt.Sprint("u-manager-", clusters), auth.Claims{Name: "Manager", Roles: []string{auth.RoleClusterManager}, Clusters: clusters})
}

// Company is a user of organisation org, e-mail <org>@companies.invalid, language lang.
func Company(org, lang string) auth.Claims {
	return persona("u-company-"+org, auth.Claims{Name: "User of " + org, Email: "user-" + org + "@companies.invalid", Roles: []string{auth.RoleCompany}, Organization: org, Locale: lang})
}

// Ctx returns a call context with a fresh bearer token for c, ending with the test.
func (s *Stack) Ctx(c auth.Claims) context.Context {
	s.T.Helper()
	tok, err := s.Issuer.Issue(c, time.Hour)
	if err != nil {
		s.T.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(s.T.Context(), "authorization", "Bearer "+tok)
}

// Token issues a bearer token for c.
func (s *Stack) Token(c auth.Claims) string {
	tok, err := s.Issuer.Issue(c, time.Hour)
	if err != nil {
		s.T.Fatal(err)
	}
	return tok
}

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

// Cluster creates a cluster.
func (s *Stack) Cluster(name string) string {
	s.T.Helper()
	res, err := s.Members.CreateCluster(s.Ctx(Admin()), &memberv1.CreateClusterRequest{Name: name, RegionNuts: "ES130"})
	if err != nil {
		s.T.Fatalf("CreateCluster: %v", err)
	}
	return res.GetCluster().GetId()
}

// Profile describes a company fixture.
type Profile struct {
	Name          string
	Capabilities  []string
	CPVInterests  []string
	TurnoverEuros int64
	// RefCPV and RefEuros: a past contract of last year.
	RefCPV   string
	RefEuros int64
	// ENS level held ("" none), valid for a year.
	ENS string
}

// Join registers p, makes it an active member of cluster and returns its id.
func (s *Stack) Join(p Profile, cluster string) string {
	s.T.Helper()
	s.n++
	year := time.Now().Year() - 1
	req := &memberv1.RegisterOrganizationRequest{
		Kind: memberv1.OrganizationKind_ORGANIZATION_KIND_COMPANY, LegalName: p.Name, TaxId: CIF(1000 + s.n),
		Profile: &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Headcount: 15,
			Address: &memberv1.Address{Locality: "Santander", Nuts: "ES130"}, Capabilities: p.Capabilities, CpvInterests: p.CPVInterests},
		Turnover: []*memberv1.Turnover{{Year: int32(year), AmountCents: p.TurnoverEuros * 100}},
	}
	if p.RefEuros > 0 {
		req.References = []*memberv1.Reference{{Buyer: "Gobierno de Cantabria", Title: "Contrato", Cpv: p.RefCPV, AmountCents: p.RefEuros * 100, Year: int32(year)}}
	}
	if p.ENS != "" {
		req.Certifications = []*memberv1.Certification{{Kind: "ENS", Level: p.ENS, IssueDate: "2024-01-01", ExpiryDate: time.Now().AddDate(1, 0, 0).Format(time.DateOnly)}}
	}
	res, err := s.Members.RegisterOrganization(s.Ctx(Admin()), req)
	if err != nil {
		s.T.Fatalf("RegisterOrganization(%s): %v", p.Name, err)
	}
	id := res.GetOrganization().GetId()
	if _, err := s.Members.RequestMembership(s.Ctx(Company(id, "es")), &memberv1.RequestMembershipRequest{OrganizationId: id, ClusterId: cluster}); err != nil {
		s.T.Fatalf("RequestMembership: %v", err)
	}
	if _, err := s.Members.ApproveMembership(s.Ctx(Manager(cluster)), &memberv1.ApproveMembershipRequest{OrganizationId: id, ClusterId: cluster}); err != nil {
		s.T.Fatalf("ApproveMembership: %v", err)
	}
	s.Eventually(func() bool {
		c, err := s.Tender.Service.Store().GetCompany(context.Background(), id)
		return err == nil && slices.Contains(c.ActiveIn, cluster)
	}, "tender member index sees %s active", id)
	return id
}

// Details is a services tender of 300,000 € over 24 months (economic
// threshold 225,000 €), CPV cpv, requiring caps, deadline as given.
func Details(title, cpv string, caps []string, deadline time.Time) *tenderv1.TenderDetails {
	return &tenderv1.TenderDetails{
		Authority: &tenderv1.Authority{Name: "Gobierno de Cantabria", Nif: "S3933002B"}, Title: title, Description: "Servicios",
		ProcedureType: tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN, ContractType: tenderv1.ContractType_CONTRACT_TYPE_SERVICES,
		CpvCodes: []string{cpv}, Nuts: []string{"ES130"}, EstimatedValueCents: 300_000_00, BudgetWithoutVatCents: 300_000_00, BudgetWithVatCents: 363_000_00,
		DurationMonths: 24, SubmissionDeadline: timestamppb.New(deadline),
		Requirements: &tenderv1.Requirements{Capabilities: caps},
	}
}

// PublishTender creates and publishes a tender of cluster.
func (s *Stack) PublishTender(cluster string, d *tenderv1.TenderDetails) *tenderv1.Tender {
	s.T.Helper()
	res, err := s.Tenders.CreateTender(s.Ctx(Manager(cluster)), &tenderv1.CreateTenderRequest{ClusterId: cluster, Details: d, Publish: true})
	if err != nil {
		s.T.Fatalf("CreateTender: %v", err)
	}
	return res.GetTender()
}

// Eventually polls cond every 10 ms until it holds; the test's own deadline
// (go test -timeout) bounds it.
func (s *Stack) Eventually(cond func() bool, msg string, args ...any) {
	s.T.Helper()
	for !cond() {
		select {
		case <-s.T.Context().Done():
			s.T.Fatalf("never true: "+msg, args...)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Settled waits until the notification service has planned every source event
// and applied every notification event present now, so that what was not
// recorded by then will not be.
func (s *Stack) Settled() {
	s.T.Helper()
	ctx := s.T.Context()
	last := func(stream string) uint64 {
		st, err := s.NATS.JS.Stream(ctx, stream)
		if err != nil {
			s.T.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			s.T.Fatal(err)
		}
		return info.State.LastSeq
	}
	tenderLast := last("TENDER")
	memberLast := uint64(0)
	if st, err := s.NATS.JS.Stream(ctx, "MEMBER"); err == nil {
		// The planner follows organisation events only; the last of those is its target.
		if m, err := st.GetLastMsgForSubject(ctx, "member.organization.>"); err == nil {
			memberLast = m.Sequence
		}
	}
	s.Eventually(func() bool {
		return s.Notification.Planner.Seen("TENDER") >= tenderLast && s.Notification.Planner.Seen("MEMBER") >= memberLast
	}, "planner caught up with TENDER %d and MEMBER %d", tenderLast, memberLast)
	n := last("NOTIFICATION")
	if err := s.Notification.Service.Projector().WaitFor(ctx, n); err != nil {
		s.T.Fatal(err)
	}
}
