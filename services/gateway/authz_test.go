package gateway_test

// The authorisation table: every RPC of every consortia.* service × role ×
// own/other object → allowed or denied, run against the real services over
// gRPC and over HTTP through the gateway.
//
// One table per service, one file each (authz_member_test.go,
// authz_tender_test.go, …). TestAuthorizationTable enumerates the RPCs of
// every consortia.* service linked into this test binary (protoregistry: the
// gateway links every service it serves), so a new RPC without a row, a row
// without an RPC, or a new service without a table fails it. To add a
// service: write authz_<service>_test.go with an authzTable like
// memberAuthz (Service, Addr and one row per RPC), add it to authzTables below,
// and give its rows fixtures on both sides (fixture, below, builds the shared
// world; add what the service needs to it).
//
// Roles, in the order of a row's Want: anonymous (no token), company A (an
// active member of cluster X), company B (of cluster Y), the manager of X, the
// manager of Y, agency staff, an administrator. Objects are on side X
// (cluster X, companies A and A2, a tender of X, a consortium on it led by A)
// or side Y (the same with B); a role's own side is X for A and X's manager,
// Y for B and Y's manager, and X for the others; "other" is the opposite side.
//
// Want is seven pairs, one per role, each (own, other): "A" allowed, "."
// denied. Allowed means the call passes authorisation: it succeeds, or fails
// a rule of the domain (FailedPrecondition, AlreadyExists, Aborted); anything
// else (InvalidArgument, NotFound …) is a broken fixture and fails the test.
// Denied means PermissionDenied (or the row's Denied code, e.g. NotFound where
// a service does not tell others' objects exist); for anonymous,
// Unauthenticated.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/gateway/api"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/taxid"
)

// authzTables are the tables of every service, one file each.
var authzTables = []authzTable{memberAuthz, tenderAuthz, commissionAuthz, notificationAuthz}

// authzTable is the authorisation table of one service.
type authzTable struct {
	Service string              // full name, e.g. "consortia.member.v1.MemberService"
	Addr    func(*stack) string // its gRPC address in the test stack
	// Setup, when set, adds the service's own shared objects to the fixture
	// (f.objects), on both sides.
	Setup func(f *fixture)
	Rows  []authzRow
}

// authzRow is one RPC of a table.
type authzRow struct {
	RPC string
	//        anon coA coB mgrX mgrY agency admin
	Want string // e.g. ".. A. A. A. A. AA AA"
	// Denied is the code of a denial (PermissionDenied when zero).
	Denied codes.Code
	// Request builds the request on an object of side s; fresh is true when
	// the call is expected to be allowed (it may change the object, so it gets
	// one of its own; denied calls share the fixture's objects).
	Request func(f *fixture, s side, fresh bool) proto.Message
}

// side is X or Y.
type side int

const (
	sideX side = iota
	sideY
)

func (s side) other() side { return 1 - s }

// role is a caller of the table.
type role struct {
	name   string
	claims *auth.Claims // nil: anonymous
	own    side
}

// fixture is the shared world of the table: per side a cluster, three active
// companies, a published tender and a consortium on it led by the first
// company (joined, the second invited), a spare published tender where
// nobody has joined (fresh consortia go there), and a certification and a
// reference of the first company.
type fixture struct {
	t       *testing.T
	s       *stack
	admin   context.Context
	members memberv1.MemberServiceClient
	tenders tenderv1.TenderServiceClient

	cluster, lead, second, third, tender, spare, consortium, cert, ref [2]string
	n                                                                  *atomic.Int64
	// objects are the services' own shared objects (authzTable.Setup), by name.
	objects map[string][2]string
	conns   map[string]*grpc.ClientConn // by address, one per service
}

// dial is the connection to a service of the stack.
func (f *fixture) dial(addr string) *grpc.ClientConn {
	cc, ok := f.conns[addr]
	if !ok {
		f.t.Fatalf("fixture: no connection to %s", addr)
	}
	return cc
}

// obj is a shared object of a service's Setup.
func (f *fixture) obj(name string, s side) string {
	o, ok := f.objects[name]
	if !ok {
		f.t.Fatalf("fixture: no object %q (set it in the table's Setup)", name)
	}
	return o[s]
}

// set records a service's shared object for side s.
func (f *fixture) set(name string, s side, id string) {
	o := f.objects[name]
	o[s] = id
	f.objects[name] = o
}

// eventually waits until cond holds, for as long as the test may run.
func (f *fixture) eventually(what string, cond func() bool) {
	f.t.Helper()
	for !cond() {
		select {
		case <-f.t.Context().Done():
			f.t.Fatalf("fixture: the test ended waiting until %s", what)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// with is f for a subtest: fixture failures fail t.
func (f *fixture) with(t *testing.T) *fixture {
	c := *f
	c.t = t
	return &c
}

// as names the subject of claims.
func as(sub string, c auth.Claims) auth.Claims {
	c.Subject = sub
	return c
}

// roles are the table's callers, in the order of Want.
func (f *fixture) roles() []role {
	company := func(org string) *auth.Claims {
		return &auth.Claims{Name: "Company", Roles: []string{auth.RoleCompany}, Organization: org}
	}
	manager := func(cluster string) *auth.Claims {
		return &auth.Claims{Name: "Manager", Roles: []string{auth.RoleClusterManager}, Clusters: []string{cluster}}
	}
	rs := []role{
		{"anonymous", nil, sideX},
		{"company A", company(f.lead[sideX]), sideX},
		{"company B", company(f.lead[sideY]), sideY},
		{"manager of X", manager(f.cluster[sideX]), sideX},
		{"manager of Y", manager(f.cluster[sideY]), sideY},
		{"agency", &auth.Claims{Name: "Agency", Roles: []string{auth.RoleAgency}}, sideX},
		{"admin", &auth.Claims{Name: "Admin", Roles: []string{auth.RoleAdmin}}, sideX},
	}
	for i := range rs {
		if rs[i].claims != nil {
			rs[i].claims.Subject = "authz-" + strings.ReplaceAll(rs[i].name, " ", "-")
		}
	}
	return rs
}

func (f *fixture) token(r role) string {
	if r.claims == nil {
		return ""
	}
	tok, err := f.s.Issuer.Issue(*r.claims, time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

func (f *fixture) ctxAs(c auth.Claims) context.Context {
	tok, err := f.s.Issuer.Issue(c, time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(f.t.Context(), "authorization", "Bearer "+tok)
}

// seq is a number unique in the test (tax ids, names).
func (f *fixture) seq() int64 { return f.n.Add(1) }

// check(call()).or(f, what) is call's result, failing the test on an error.
func check[T any](v T, err error) result[T] { return result[T]{v, err} }

type result[T any] struct {
	v   T
	err error
}

func (r result[T]) or(f *fixture, what string) T {
	f.t.Helper()
	if r.err != nil {
		f.t.Fatalf("fixture: %s: %v", what, r.err)
	}
	return r.v
}

// cif is a valid company tax id, unique in the test (B5… is not used by the demo data).
func (f *fixture) cif() string {
	base := fmt.Sprintf("B5%06d", f.seq())
	for c := '0'; c <= '9'; c++ {
		if _, err := taxid.Validate(base + string(c)); err == nil {
			return base + string(c)
		}
	}
	f.t.Fatalf("no control digit for %s", base)
	return ""
}

func (f *fixture) freshCluster() string {
	res := check(f.members.CreateCluster(f.admin, &memberv1.CreateClusterRequest{Name: fmt.Sprintf("Authz cluster %d", f.seq()), RegionNuts: "ES130"})).or(f, "cluster")
	return res.GetCluster().GetId()
}

// company registers an organisation and, unless status is UNSPECIFIED, asks
// (as itself) to join cluster; ACTIVE also has it approved.
func (f *fixture) company(cluster string, st memberv1.MembershipStatus) string {
	f.t.Helper()
	res := check(f.members.RegisterOrganization(f.admin, &memberv1.RegisterOrganizationRequest{
		Kind: memberv1.OrganizationKind_ORGANIZATION_KIND_COMPANY, LegalName: fmt.Sprintf("Authz %d S.L.", f.seq()), TaxId: f.cif(),
		Profile:  &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Capabilities: []string{"software-development"}, CpvInterests: []string{"72000000"}},
		Turnover: []*memberv1.Turnover{{Year: int32(f.s.Year - 1), AmountCents: 900_000_00}},
	})).or(f, "register")
	org := res.GetOrganization().GetId()
	if st == memberv1.MembershipStatus_MEMBERSHIP_STATUS_UNSPECIFIED {
		return org
	}
	self := f.ctxAs(as("authz-self-"+org, auth.Claims{Name: "Company", Roles: []string{auth.RoleCompany}, Organization: org}))
	check(f.members.RequestMembership(self, &memberv1.RequestMembershipRequest{OrganizationId: org, ClusterId: cluster})).or(f, "request membership")
	if st == memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE {
		check(f.members.ApproveMembership(f.admin, &memberv1.ApproveMembershipRequest{OrganizationId: org, ClusterId: cluster})).or(f, "approve")
	}
	return org
}

// waitActive waits until the tender service's member index has org active in cluster.
func (f *fixture) waitActive(org, cluster string) {
	f.t.Helper()
	f.eventually("the tender service sees "+org+" active in "+cluster, func() bool {
		c, err := f.s.Tender.Service.Store().GetCompany(f.t.Context(), org)
		return err == nil && slices.Contains(c.ActiveIn, cluster)
	})
}

func (f *fixture) tenderDetails() *tenderv1.TenderDetails {
	return &tenderv1.TenderDetails{
		Authority: &tenderv1.Authority{Name: "Gobierno de Cantabria"}, Title: fmt.Sprintf("Authz tender %d", f.seq()),
		ContractType: tenderv1.ContractType_CONTRACT_TYPE_SERVICES, CpvCodes: []string{"72200000"}, Nuts: []string{"ES130"},
		EstimatedValueCents: 300_000_00, DurationMonths: 12, SubmissionDeadline: timestamppb.New(time.Now().AddDate(0, 6, 0).Truncate(time.Second)),
	}
}

// freshTender creates a tender of side s (published when publish).
func (f *fixture) freshTender(s side, publish bool) string {
	res := check(f.tenders.CreateTender(f.admin, &tenderv1.CreateTenderRequest{ClusterId: f.cluster[s], Details: f.tenderDetails(), Publish: publish})).or(f, "tender")
	return res.GetTender().GetId()
}

// freshConsortium forms a consortium (as an administrator: every member
// invited, no seat taken) on tenderID with side s's two companies, its first
// the lead.
func (f *fixture) freshConsortium(s side, tenderID string) string {
	res := check(f.tenders.CreateConsortium(f.admin, &tenderv1.CreateConsortiumRequest{TenderId: tenderID, Members: []*tenderv1.DraftMember{
		{OrganizationId: f.lead[s], Lead: true}, {OrganizationId: f.second[s]},
	}})).or(f, "consortium")
	return res.GetConsortium().GetId()
}

func (f *fixture) freshCert(s side) string {
	res := check(f.members.AddCertification(f.admin, &memberv1.AddCertificationRequest{OrganizationId: f.lead[s],
		Certification: &memberv1.Certification{Kind: "ISO27001", IssueDate: "2025-01-01", ExpiryDate: "2028-01-01"}})).or(f, "certification")
	certs := res.GetOrganization().GetCertifications()
	return certs[len(certs)-1].GetId()
}

func (f *fixture) freshRef(s side) string {
	res := check(f.members.AddReference(f.admin, &memberv1.AddReferenceRequest{OrganizationId: f.lead[s],
		Reference: &memberv1.Reference{Buyer: "Ayuntamiento de Santander", Title: "Portal", Cpv: "72212000", AmountCents: 50_000_00, Year: int32(f.s.Year - 1)}})).or(f, "reference")
	refs := res.GetOrganization().GetReferences()
	return refs[len(refs)-1].GetId()
}

func newFixture(t *testing.T, s *stack) *fixture {
	t.Helper()
	f := &fixture{t: t, s: s, n: new(atomic.Int64), objects: map[string][2]string{}, conns: map[string]*grpc.ClientConn{}}
	for _, tb := range authzTables {
		addr := tb.Addr(s)
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cc.Close() })
		f.conns[addr] = cc
	}
	f.members = memberv1.NewMemberServiceClient(f.dial(s.Member.Addr()))
	f.tenders = tenderv1.NewTenderServiceClient(f.dial(s.Tender.Addr()))
	f.admin = f.ctxAs(as("authz-fixture", auth.Claims{Name: "Fixture admin", Roles: []string{auth.RoleAdmin}}))
	active := memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE
	for _, sd := range []side{sideX, sideY} {
		f.cluster[sd] = f.freshCluster()
		f.lead[sd], f.second[sd], f.third[sd] = f.company(f.cluster[sd], active), f.company(f.cluster[sd], active), f.company(f.cluster[sd], active)
		for _, org := range []string{f.lead[sd], f.second[sd], f.third[sd]} {
			f.waitActive(org, f.cluster[sd])
		}
		f.tender[sd], f.spare[sd] = f.freshTender(sd, true), f.freshTender(sd, true)
		f.consortium[sd] = f.freshConsortium(sd, f.tender[sd])
		lead := f.ctxAs(as("authz-lead", auth.Claims{Name: "Lead", Roles: []string{auth.RoleCompany}, Organization: f.lead[sd]}))
		check(f.tenders.AcceptInvitation(lead, &tenderv1.AcceptInvitationRequest{ConsortiumId: f.consortium[sd], OrganizationId: f.lead[sd]})).or(f, "accept")
		f.cert[sd], f.ref[sd] = f.freshCert(sd), f.freshRef(sd)
	}
	for _, tb := range authzTables {
		if tb.Setup != nil {
			tb.Setup(f)
		}
	}
	return f
}

// registeredServices are the consortia.* services linked into the test, by
// full name.
func registeredServices() map[string]protoreflect.ServiceDescriptor {
	out := map[string]protoreflect.ServiceDescriptor{}
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if strings.HasPrefix(string(fd.Package()), "consortia.") {
			for i := range fd.Services().Len() {
				sd := fd.Services().Get(i)
				out[string(sd.FullName())] = sd
			}
		}
		return true
	})
	return out
}

// TestAuthorizationTableCoversEveryRPC fails for an RPC of a registered
// service without a row, a row without an RPC, or a malformed Want.
func TestAuthorizationTableCoversEveryRPC(t *testing.T) {
	if problems := coverage(registeredServices(), authzTables); len(problems) > 0 {
		t.Fatalf("the authorisation table is incomplete:\n  %s", strings.Join(problems, "\n  "))
	}
}

// coverage lists what the tables lack against the services.
func coverage(services map[string]protoreflect.ServiceDescriptor, tables []authzTable) []string {
	var problems []string
	byService := map[string]authzTable{}
	for _, tb := range tables {
		byService[tb.Service] = tb
	}
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		sd := services[name]
		tb, ok := byService[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("service %s has no table: add authz_<service>_test.go and list it in authzTables", name))
			continue
		}
		rows := map[string]bool{}
		for _, r := range tb.Rows {
			if rows[r.RPC] {
				problems = append(problems, fmt.Sprintf("%s/%s has two rows", name, r.RPC))
			}
			rows[r.RPC] = true
			if sd.Methods().ByName(protoreflect.Name(r.RPC)) == nil {
				problems = append(problems, fmt.Sprintf("%s has a row for %s, which is not one of its RPCs", name, r.RPC))
			}
			if _, err := parseWant(r.Want); err != nil {
				problems = append(problems, fmt.Sprintf("%s/%s: %v", name, r.RPC, err))
			}
		}
		for i := range sd.Methods().Len() {
			if m := string(sd.Methods().Get(i).Name()); !rows[m] {
				problems = append(problems, fmt.Sprintf("RPC %s/%s has no row in the authorisation table", name, m))
			}
		}
	}
	return problems
}

// The completeness check itself fails when a row goes missing.
func TestAuthorizationCoverageFailsWithoutARow(t *testing.T) {
	services := registeredServices()
	for _, tb := range authzTables {
		cut := tb
		cut.Rows = tb.Rows[1:]
		problems := coverage(services, []authzTable{cut})
		want := fmt.Sprintf("RPC %s/%s has no row", tb.Service, tb.Rows[0].RPC)
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, want) }) {
			t.Errorf("removing the %s row went unnoticed: %v", tb.Rows[0].RPC, problems)
		}
	}
}

// parseWant reads "anon coA coB mgrX mgrY agency admin" pairs into
// allowed[role][0 own, 1 other].
func parseWant(w string) ([7][2]bool, error) {
	var out [7][2]bool
	f := strings.Fields(w)
	if len(f) != 7 {
		return out, fmt.Errorf("want %q: 7 pairs (anon coA coB mgrX mgrY agency admin), got %d", w, len(f))
	}
	for i, p := range f {
		if len(p) != 2 || strings.Trim(p, "A.") != "" {
			return out, fmt.Errorf("want %q: pair %q is not two of A (allowed) and . (denied)", w, p)
		}
		out[i] = [2]bool{p[0] == 'A', p[1] == 'A'}
	}
	if out[0][0] || out[0][1] {
		return out, fmt.Errorf("want %q: an anonymous call is never allowed", w)
	}
	return out, nil
}

// TestAuthorizationTable runs every cell of every table over gRPC and over
// HTTP against the real services, then checks every id field of every RPC at
// the edge (pathIDs). Issue 10's HTTP reproductions (issue10) share its stack.
func TestAuthorizationTable(t *testing.T) {
	s := startStack(t, true)
	t.Run("Issue10", func(t *testing.T) { issue10(t, s) }) // on the demo data, before the table adds its own
	f := newFixture(t, s)
	services := registeredServices()
	hc := httpCaller(t, s)
	roles := f.roles()
	tokens := make([]string, len(roles))
	for i, r := range roles {
		tokens[i] = f.token(r)
	}
	var calls atomic.Int64
	for _, tb := range authzTables {
		sd, ok := services[tb.Service]
		if !ok {
			t.Errorf("table for %s, which is not registered", tb.Service)
			continue
		}
		conn := f.dial(tb.Addr(s))
		t.Run(string(sd.Name()), func(t *testing.T) {
			for _, row := range tb.Rows {
				md := sd.Methods().ByName(protoreflect.Name(row.RPC))
				want, err := parseWant(row.Want)
				if md == nil || err != nil {
					continue // reported by TestAuthorizationTableCoversEveryRPC
				}
				t.Run(row.RPC, func(t *testing.T) {
					t.Parallel()
					f := f.with(t)
					denied := row.Denied
					if denied == codes.OK {
						denied = codes.PermissionDenied
					}
					for i, r := range roles {
						for o, obj := range []side{r.own, r.own.other()} {
							allowed := want[i][o]
							expect := denied
							if i == 0 {
								expect = codes.Unauthenticated
							}
							for _, via := range []string{"gRPC", "HTTP"} {
								req := row.Request(f, obj, allowed)
								var got codes.Code
								var msg string
								if via == "gRPC" {
									got, msg = grpcCall(t, conn, md, req, tokens[i])
								} else {
									got, msg = hc.call(t, md, req, tokens[i])
								}
								calls.Add(1)
								which := [2]string{"own", "other"}[o]
								switch {
								case allowed && !slices.Contains([]codes.Code{codes.OK, codes.FailedPrecondition, codes.AlreadyExists, codes.Aborted}, got):
									t.Errorf("%s as %s on %s object over %s: %v %q, want allowed", row.RPC, r.name, which, via, got, msg)
								case !allowed && got != expect:
									t.Errorf("%s as %s on %s object over %s: %v %q, want %v", row.RPC, r.name, which, via, got, msg, expect)
								}
							}
						}
					}
				})
			}
		})
	}
	t.Logf("authorisation table: %d calls", calls.Load())
	t.Run("PathIDs", func(t *testing.T) { pathIDs(t, s, f.with(t)) })
}

// grpcCall invokes md with req as the bearer of tok and returns the code.
func grpcCall(t *testing.T, conn *grpc.ClientConn, md protoreflect.MethodDescriptor, req proto.Message, tok string) (codes.Code, string) {
	ctx := t.Context()
	if tok != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
	}
	method := "/" + string(md.Parent().FullName()) + "/" + string(md.Name())
	out, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
	if err != nil {
		t.Fatal(err)
	}
	if !md.IsStreamingServer() && !md.IsStreamingClient() {
		err = conn.Invoke(ctx, method, req, out.New().Interface())
		return status.Code(err), status.Convert(err).Message()
	}
	cs, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: md.IsStreamingServer(), ClientStreams: md.IsStreamingClient()}, method)
	if err == nil {
		err = cs.SendMsg(req)
	}
	if err == nil {
		err = cs.CloseSend()
	}
	for err == nil {
		err = cs.RecvMsg(out.New().Interface())
	}
	if err == io.EOF {
		err = nil
	}
	return status.Code(err), status.Convert(err).Message()
}

// httpCaller calls RPCs through the gateway, on the routes of its OpenAPI document.
type httpCallerT struct {
	base   string
	routes map[string]route // operationId → route
	client *http.Client
}

type route struct {
	method, path string
	body         bool
}

func httpCaller(t *testing.T, s *stack) *httpCallerT {
	t.Helper()
	doc, err := gateway.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				In string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		t.Fatal(err)
	}
	h := &httpCallerT{base: s.URL, routes: map[string]route{}, client: &http.Client{}}
	for path, ops := range spec.Paths {
		for method, op := range ops {
			r := route{method: strings.ToUpper(method), path: path}
			for _, p := range op.Parameters {
				r.body = r.body || p.In == "body"
			}
			h.routes[op.OperationID] = r
		}
	}
	return h
}

// call sends req to md's route: path parameters from the request's fields,
// the rest as the JSON body (or the query string for GET and DELETE).
func (h *httpCallerT) call(t *testing.T, md protoreflect.MethodDescriptor, req proto.Message, tok string) (codes.Code, string) {
	r, ok := h.routes[string(md.Parent().Name())+"_"+string(md.Name())]
	if !ok {
		t.Fatalf("no HTTP route for %s in the OpenAPI document", md.FullName())
	}
	m := req.ProtoReflect()
	used := map[string]bool{}
	path := r.path
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			break
		}
		j := strings.Index(path[i:], "}") + i
		name := path[i+1 : j]
		fd := m.Descriptor().Fields().ByJSONName(name)
		if fd == nil {
			fd = m.Descriptor().Fields().ByName(protoreflect.Name(name))
		}
		if fd == nil {
			t.Fatalf("%s: path parameter %s is not a field of %s", md.Name(), name, m.Descriptor().FullName())
		}
		used[string(fd.Name())] = true
		path = path[:i] + url.PathEscape(m.Get(fd).String()) + path[j+1:]
	}
	var body io.Reader
	if r.body {
		b, err := protojson.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		body = strings.NewReader(string(b))
	} else {
		q := url.Values{}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if used[string(fd.Name())] || fd.Message() != nil {
				return true
			}
			if fd.IsList() {
				for i := range v.List().Len() {
					q.Add(fd.JSONName(), scalar(fd, v.List().Get(i)))
				}
			} else {
				q.Set(fd.JSONName(), scalar(fd, v))
			}
			return true
		})
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
	}
	hr, err := http.NewRequestWithContext(t.Context(), r.method, h.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.client.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		// A stream that fails after it started ends with an {"error": problem} line.
		for line := range strings.Lines(string(b)) {
			var e struct {
				Error *api.Problem `json:"error"`
			}
			if json.Unmarshal([]byte(line), &e) == nil && e.Error != nil {
				return codeNamed(e.Error.Code), e.Error.Detail
			}
		}
		return codes.OK, ""
	}
	var p api.Problem
	if err := json.Unmarshal(b, &p); err != nil {
		return codes.Unknown, fmt.Sprintf("HTTP %d, not a problem: %.200s", resp.StatusCode, b)
	}
	return codeNamed(p.Code), p.Detail
}

// scalar renders a field value for a query string.
func scalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	if fd.Enum() != nil {
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
	}
	return v.String()
}

// codeNamed is the gRPC code of a problem's "code" ("PERMISSION_DENIED").
func codeNamed(name string) codes.Code {
	for c := codes.OK; c <= codes.Unauthenticated; c++ {
		if strings.EqualFold(strings.ReplaceAll(c.String(), "_", ""), strings.ReplaceAll(name, "_", "")) {
			return c
		}
	}
	return codes.Unknown
}

// notSubjectIDs are id fields that are not object ids: a lot id is the
// source's (it is hashed before it reaches a subject); a tax id is a NIF.
var notSubjectIDs = []string{"lot_id", "winner_tax_id", "tax_id"}

// pathIDs checks that every object id of every RPC of every service is
// checked at the edge: a NATS wildcard or token separator in any of them is
// InvalidArgument naming the field, even for an administrator (issue 10 §2),
// before anything builds a subject from it. The requests are the table's,
// with one id spoiled.
func pathIDs(t *testing.T, s *stack, f *fixture) {
	services := registeredServices()
	admin := f.token(f.roles()[6])
	checked := 0
	for _, tb := range authzTables {
		sd := services[tb.Service]
		conn := f.dial(tb.Addr(s))
		for _, row := range tb.Rows {
			md := sd.Methods().ByName(protoreflect.Name(row.RPC))
			req := row.Request(f, sideX, false)
			var fields []protoreflect.FieldDescriptor
			req.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
				name := string(fd.Name())
				if fd.Kind() == protoreflect.StringKind && !fd.IsList() && (name == "id" || strings.HasSuffix(name, "_id")) && !slices.Contains(notSubjectIDs, name) {
					fields = append(fields, fd)
				}
				return true
			})
			for _, fd := range fields {
				for _, bad := range []string{"*", ">", "a.b", req.ProtoReflect().Get(fd).String() + ".>"} {
					spoiled := proto.Clone(req)
					spoiled.ProtoReflect().Set(fd, protoreflect.ValueOfString(bad))
					code, msg := grpcCall(t, conn, md, spoiled, admin)
					checked++
					if code != codes.InvalidArgument || !strings.Contains(msg, string(fd.Name())) {
						t.Errorf("%s with %s=%q: %v %q, want InvalidArgument naming %s", md.FullName(), fd.Name(), bad, code, msg, fd.Name())
					}
				}
			}
		}
	}
	t.Logf("%d spoiled ids checked", checked)
}
