package grpc_test

// Component tests: the member service as deployed (member.New + Run) on a real
// embedded nats-server, called over loopback gRPC with real bearer tokens.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/protobuf/proto"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

func TestRegisterInvalidArgumentNamesEachFieldAndAppendsNothing(t *testing.T) {
	if codeLists().Catalog == nil {
		t.Fatal("CPV catalogue not loaded: the unknown-CPV case needs the shared data folder (set CONSORTIA_DATA_DIR)")
	}
	e := newEnv(t)
	e.register(1, "Existing S.L.")
	e.wantEvents(1)

	req := orgRequest(2, "Bad S.L.")
	req.TaxId = "12345678A"                         // NIF with a wrong control letter (want Z)
	req.Profile.CpvInterests = []string{"99999999"} // well-formed, not in CPV 2008
	req.Certifications = []*memberv1.Certification{{Kind: "ISO9001", IssueDate: "2025-05-01", ExpiryDate: "2024-05-01"}}
	req.Turnover = []*memberv1.Turnover{{Year: 2024, AmountCents: -1}}
	for _, who := range []auth.Claims{admin(), company("")} {
		_, err := e.c.RegisterOrganization(withKey(e.ctxAs(who), "bad-1"), req)
		st := wantCode(t, err, codes.InvalidArgument)
		got := fieldViolations(t, st)
		want := []string{"tax_id", "profile.cpv_interests[0]", "certifications[0].expiry_date", "turnover[0].amount_cents"}
		if !slices.Equal(got, want) {
			t.Fatalf("field violations = %q, want %q", got, want)
		}
	}
	e.wantEvents(1)

	// The idempotency key of a rejected request is not burnt: fixed input goes through.
	res, err := e.c.RegisterOrganization(withKey(e.ctxAs(admin()), "bad-1"), orgRequest(2, "Fixed S.L."))
	if err != nil {
		t.Fatalf("corrected registration: %v", err)
	}
	if res.GetOrganization().GetLegalName() != "Fixed S.L." {
		t.Errorf("got %v", res.GetOrganization())
	}
	e.wantEvents(2)
}

func TestUnauthenticated(t *testing.T) {
	e := newEnv(t)
	org := e.register(1, "Acme")
	before := e.events()

	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	forger := auth.NewIssuer(otherKey, "test", "consortia")
	forged, _ := forger.Issue(admin(), time.Hour)
	expired, _ := e.issuer.Issue(admin(), -time.Hour)
	wrongAudience, _ := auth.NewIssuer(e.issuerKey(), "test", "elsewhere").Issue(admin(), time.Hour)
	wrongIssuer, _ := auth.NewIssuer(e.issuerKey(), "someone-else", "consortia").Issue(admin(), time.Hour)
	noSubject, _ := e.issuer.Issue(auth.Claims{Roles: []string{auth.RoleAdmin}}, time.Hour)

	cases := map[string]context.Context{
		"no token":        e.ctx(),
		"not bearer":      metadataCtx(e.ctx(), "authorization", "Basic YWRtaW46YWRtaW4="),
		"empty bearer":    metadataCtx(e.ctx(), "authorization", "Bearer "),
		"garbage":         withToken(e.ctx(), "not.a.jwt"),
		"expired":         withToken(e.ctx(), expired),
		"another key":     withToken(e.ctx(), forged),
		"wrong audience":  withToken(e.ctx(), wrongAudience),
		"wrong issuer":    withToken(e.ctx(), wrongIssuer),
		"without subject": withToken(e.ctx(), noSubject),
	}
	for name, ctx := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := e.c.GetOrganization(ctx, &memberv1.GetOrganizationRequest{OrganizationId: org.GetId()})
			wantCode(t, err, codes.Unauthenticated)
			_, err = e.c.ListClusters(ctx, &memberv1.ListClustersRequest{})
			wantCode(t, err, codes.Unauthenticated)
			_, err = e.c.RegisterOrganization(ctx, orgRequest(2, "Sneaky"))
			wantCode(t, err, codes.Unauthenticated)
			_, err = e.c.UpdateOrganizationProfile(ctx, &memberv1.UpdateOrganizationProfileRequest{OrganizationId: org.GetId(), Profile: orgRequest(1, "").Profile})
			wantCode(t, err, codes.Unauthenticated)
		})
	}
	e.wantEvents(before)

	// The genuine token works (the cases above fail for the reason given).
	if _, err := e.c.GetOrganization(e.ctxAs(admin()), &memberv1.GetOrganizationRequest{OrganizationId: org.GetId()}); err != nil {
		t.Fatalf("valid token: %v", err)
	}
}

func TestHealthAndReflectionNeedNoToken(t *testing.T) {
	e := newEnv(t)
	h := healthpb.NewHealthClient(e.conn)
	for _, svc := range []string{"", memberv1.MemberService_ServiceDesc.ServiceName} {
		var last *healthpb.HealthCheckResponse
		eventually(t, 10*time.Second, 20*time.Millisecond, func() bool {
			res, err := h.Check(e.ctx(), &healthpb.HealthCheckRequest{Service: svc})
			last = res
			return err == nil && res.GetStatus() == healthpb.HealthCheckResponse_SERVING
		}, "health of %q: %v", svc, last)
	}

	stream, err := reflectionpb.NewServerReflectionClient(e.conn).ServerReflectionInfo(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{ListServices: "*"}}); err != nil {
		t.Fatal(err)
	}
	res, err := stream.Recv()
	if err != nil {
		t.Fatalf("reflection without token: %v", err)
	}
	_ = stream.CloseSend()
	var names []string
	for _, s := range res.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	if !slices.Contains(names, memberv1.MemberService_ServiceDesc.ServiceName) || !slices.Contains(names, "grpc.health.v1.Health") {
		t.Errorf("reflection lists %q, want the member and health services", names)
	}
}

func TestCreateClusterPermissionsAndUniqueNames(t *testing.T) {
	e := newEnv(t)
	req := &memberv1.CreateClusterRequest{Name: "TERA ICT", RegionNuts: "ES130", Description: "ICT"}

	for name, who := range map[string]auth.Claims{"company": company(""), "cluster manager": manager("x")} {
		_, err := e.c.CreateCluster(e.ctxAs(who), req)
		if st := wantCode(t, err, codes.PermissionDenied); st.Message() == "" {
			t.Errorf("%s: empty message", name)
		}
	}
	e.wantEvents(0)

	res, err := e.c.CreateCluster(e.ctxAs(agency()), req)
	if err != nil {
		t.Fatalf("agency creates a cluster: %v", err)
	}
	c := res.GetCluster()
	if c.GetId() != domain.ClusterID("TERA ICT") || c.GetName() != "TERA ICT" || c.GetRegionNuts() != "ES130" || c.GetVersion() == 0 || c.GetCreateTime() == nil {
		t.Errorf("created cluster = %v", c)
	}

	// Names are unique, ignoring case and surrounding spaces.
	for _, name := range []string{"TERA ICT", "  tera ict "} {
		_, err = e.c.CreateCluster(e.ctxAs(admin()), &memberv1.CreateClusterRequest{Name: name, RegionNuts: "ES130"})
		wantCode(t, err, codes.AlreadyExists)
	}
	_, err = e.c.CreateCluster(e.ctxAs(admin()), &memberv1.CreateClusterRequest{Name: "", RegionNuts: "ZZ9"})
	if got := fieldViolations(t, wantCode(t, err, codes.InvalidArgument)); !slices.Equal(got, []string{"name", "region_nuts"}) {
		t.Errorf("field violations = %q", got)
	}
	e.wantEvents(1)

	e.cluster("GIRA")
	list, err := e.c.ListClusters(e.ctxAs(company("")), &memberv1.ListClustersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetClusters()) != 2 || list.GetClusters()[0].GetName() != "GIRA" || !proto.Equal(list.GetClusters()[1], c) {
		t.Errorf("ListClusters = %v", list.GetClusters())
	}
	got, err := e.c.GetCluster(e.ctxAs(company("")), &memberv1.GetClusterRequest{ClusterId: c.GetId()})
	if err != nil || !proto.Equal(got.GetCluster(), c) {
		t.Errorf("GetCluster = %v, %v", got, err)
	}
	_, err = e.c.GetCluster(e.ctxAs(admin()), &memberv1.GetClusterRequest{ClusterId: unknownID})
	wantCode(t, err, codes.NotFound)
}

func TestRegisterDuplicateTaxIDIsAlreadyExists(t *testing.T) {
	e := newEnv(t)
	org := e.register(7, "First S.L.")
	if org.GetId() != domain.OrganizationID(cif(7)) || org.GetTaxId() != cif(7) || org.GetVersion() == 0 {
		t.Fatalf("registered %v", org)
	}
	req := orgRequest(7, "Second S.L.")
	req.TaxId = "es-" + cif(7)[:1] + "." + cif(7)[1:] // same tax id, written differently
	_, err := e.c.RegisterOrganization(e.ctxAs(admin()), req)
	wantCode(t, err, codes.AlreadyExists)
	e.wantEvents(1)
	if got := e.get(org.GetId()); got.GetLegalName() != "First S.L." {
		t.Errorf("the first registration was overwritten: %v", got)
	}
}

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	ctx := withKey(e.ctxAs(admin()), "register-acme-1")
	first, err := e.c.RegisterOrganization(ctx, orgRequest(11, "Acme"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.c.RegisterOrganization(ctx, orgRequest(11, "Acme"))
	if err != nil {
		t.Fatalf("retry with the same idempotency key: %v", err)
	}
	if !proto.Equal(first.GetOrganization(), second.GetOrganization()) {
		t.Errorf("retry returned a different organisation:\n%v\n%v", first.GetOrganization(), second.GetOrganization())
	}
	e.wantEvents(1)
	// Without the key (or with another one), a second registration is a conflict.
	_, err = e.c.RegisterOrganization(withKey(e.ctxAs(admin()), "register-acme-2"), orgRequest(11, "Acme"))
	wantCode(t, err, codes.AlreadyExists)
	e.wantEvents(1)

	// Commands on an existing organisation: one event per key.
	id := first.GetOrganization().GetId()
	add := &memberv1.AddCertificationRequest{OrganizationId: id, Certification: &memberv1.Certification{Kind: "ISO9001", IssueDate: "2025-01-01", ExpiryDate: "2028-01-01"}}
	kctx := withKey(e.ctxAs(company(id)), "add-iso9001")
	a1, err := e.c.AddCertification(kctx, add)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := e.c.AddCertification(kctx, add)
	if err != nil {
		t.Fatalf("AddCertification retry: %v", err)
	}
	if n := len(a2.GetOrganization().GetCertifications()); n != 2 {
		t.Errorf("after a retried AddCertification the organisation has %d certifications, want 2", n)
	}
	if !proto.Equal(a1.GetOrganization(), a2.GetOrganization()) {
		t.Errorf("retry answered differently:\n%v\n%v", a1.GetOrganization(), a2.GetOrganization())
	}
	e.wantEvents(2)

	// Clusters too.
	cctx := withKey(e.ctxAs(admin()), "create-tera")
	c1, err := e.c.CreateCluster(cctx, &memberv1.CreateClusterRequest{Name: "TERA", RegionNuts: "ES130"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := e.c.CreateCluster(cctx, &memberv1.CreateClusterRequest{Name: "TERA", RegionNuts: "ES130"})
	if err != nil {
		t.Fatalf("CreateCluster retry: %v", err)
	}
	if !proto.Equal(c1.GetCluster(), c2.GetCluster()) {
		t.Errorf("cluster retry answered differently: %v vs %v", c1, c2)
	}
	e.wantEvents(3)
}

func TestMembershipFlow(t *testing.T) {
	e := newEnv(t)
	tera, gira := e.cluster("TERA"), e.cluster("GIRA")
	org := e.register(21, "Member S.L.")
	id := org.GetId()
	check := func(wantStatus memberv1.MembershipStatus, wantActive bool) {
		t.Helper()
		res, err := e.c.CheckMembership(e.ctxAs(agency()), &memberv1.CheckMembershipRequest{OrganizationId: id, ClusterId: tera.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if res.GetStatus() != wantStatus || res.GetActive() != wantActive {
			t.Fatalf("CheckMembership = %v/%v, want %v/%v", res.GetStatus(), res.GetActive(), wantStatus, wantActive)
		}
	}
	check(memberv1.MembershipStatus_MEMBERSHIP_STATUS_UNSPECIFIED, false)

	// Another company may not ask on its behalf.
	_, err := e.c.RequestMembership(e.ctxAs(company(domain.OrganizationID(cif(99)))), &memberv1.RequestMembershipRequest{OrganizationId: id, ClusterId: tera.GetId()})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.c.RequestMembership(e.ctxAs(company(id)), &memberv1.RequestMembershipRequest{OrganizationId: id, ClusterId: unknownID})
	wantCode(t, err, codes.NotFound)

	req, err := e.c.RequestMembership(e.ctxAs(company(id)), &memberv1.RequestMembershipRequest{OrganizationId: id, ClusterId: tera.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if ms := req.GetOrganization().GetMemberships(); len(ms) != 1 || ms[0].GetStatus() != memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED {
		t.Fatalf("memberships after request = %v", ms)
	}
	check(memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED, false)
	_, err = e.c.RequestMembership(e.ctxAs(company(id)), &memberv1.RequestMembershipRequest{OrganizationId: id, ClusterId: tera.GetId()})
	st := wantCode(t, err, codes.FailedPrecondition)
	wantPreconditionType(t, st, "membership")

	// Only the manager of that cluster approves.
	events := e.events()
	approve := &memberv1.ApproveMembershipRequest{OrganizationId: id, ClusterId: tera.GetId()}
	for name, who := range map[string]auth.Claims{
		"manager of another cluster": manager(gira.GetId()),
		"the company itself":         company(id),
		"agency":                     agency(),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.c.ApproveMembership(e.ctxAs(who), approve)
			wantCode(t, err, codes.PermissionDenied)
		})
	}
	e.wantEvents(events)
	check(memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED, false)

	teraManager := manager(tera.GetId())
	ok, err := e.c.ApproveMembership(e.ctxAs(teraManager), approve)
	if err != nil {
		t.Fatalf("manager approves: %v", err)
	}
	if ms := ok.GetOrganization().GetMemberships(); len(ms) != 1 || ms[0].GetStatus() != memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE {
		t.Fatalf("memberships after approval = %v", ms)
	}
	check(memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE, true)
	_, err = e.c.ApproveMembership(e.ctxAs(teraManager), approve)
	wantPreconditionType(t, wantCode(t, err, codes.FailedPrecondition), "membership")

	// Suspend: needs a reason, and the manager of that cluster.
	_, err = e.c.SuspendMembership(e.ctxAs(teraManager), &memberv1.SuspendMembershipRequest{OrganizationId: id, ClusterId: tera.GetId(), Reason: "  "})
	if got := fieldViolations(t, wantCode(t, err, codes.InvalidArgument)); !slices.Equal(got, []string{"reason"}) {
		t.Errorf("field violations = %q", got)
	}
	_, err = e.c.SuspendMembership(e.ctxAs(manager(gira.GetId())), &memberv1.SuspendMembershipRequest{OrganizationId: id, ClusterId: tera.GetId(), Reason: "x"})
	wantCode(t, err, codes.PermissionDenied)
	sus, err := e.c.SuspendMembership(e.ctxAs(teraManager), &memberv1.SuspendMembershipRequest{OrganizationId: id, ClusterId: tera.GetId(), Reason: "unpaid fees"})
	if err != nil {
		t.Fatal(err)
	}
	if m := sus.GetOrganization().GetMemberships()[0]; m.GetStatus() != memberv1.MembershipStatus_MEMBERSHIP_STATUS_SUSPENDED || m.GetReason() != "unpaid fees" {
		t.Errorf("membership after suspension = %v", m)
	}
	check(memberv1.MembershipStatus_MEMBERSHIP_STATUS_SUSPENDED, false)
	_, err = e.c.SuspendMembership(e.ctxAs(teraManager), &memberv1.SuspendMembershipRequest{OrganizationId: id, ClusterId: tera.GetId(), Reason: "again"})
	wantPreconditionType(t, wantCode(t, err, codes.FailedPrecondition), "membership")

	// Reinstated.
	if _, err := e.c.ApproveMembership(e.ctxAs(teraManager), approve); err != nil {
		t.Fatal(err)
	}
	check(memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE, true)
	e.wantEvents(events + 3)

	// The cluster filter lists members of the cluster only.
	res, err := e.c.ListOrganizations(e.ctxAs(agency()), &memberv1.ListOrganizationsRequest{ClusterId: tera.GetId()})
	if err != nil || len(res.GetOrganizations()) != 1 || res.GetOrganizations()[0].GetId() != id {
		t.Errorf("ListOrganizations(cluster) = %v, %v", res, err)
	}
	res, err = e.c.ListOrganizations(e.ctxAs(agency()), &memberv1.ListOrganizationsRequest{ClusterId: gira.GetId()})
	if err != nil || len(res.GetOrganizations()) != 0 {
		t.Errorf("ListOrganizations(other cluster) = %v, %v", res, err)
	}
}

func wantPreconditionType(t *testing.T, st interface{ Details() []any }, typ string) {
	t.Helper()
	for _, d := range st.Details() {
		if pf, ok := d.(*errdetails.PreconditionFailure); ok {
			if len(pf.GetViolations()) == 1 && pf.GetViolations()[0].GetType() == typ {
				return
			}
			t.Fatalf("precondition violations = %v, want one of type %q", pf.GetViolations(), typ)
		}
	}
	t.Fatalf("no PreconditionFailure detail in %v", st.Details())
}

func TestCompanyCannotEditAnotherCompany(t *testing.T) {
	e := newEnv(t)
	mine, theirs := e.register(31, "Mine S.L."), e.register(32, "Theirs S.L.")
	before := e.events()
	me := company(mine.GetId())
	profile := &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_MICRO, Description: "hijacked"}

	_, err := e.c.UpdateOrganizationProfile(e.ctxAs(me), &memberv1.UpdateOrganizationProfileRequest{OrganizationId: theirs.GetId(), Profile: profile})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.c.AddCertification(e.ctxAs(me), &memberv1.AddCertificationRequest{OrganizationId: theirs.GetId(), Certification: &memberv1.Certification{Kind: "ISO9001", IssueDate: "2025-01-01", ExpiryDate: "2026-01-01"}})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.c.RemoveCertification(e.ctxAs(me), &memberv1.RemoveCertificationRequest{OrganizationId: theirs.GetId(), CertificationId: theirs.GetCertifications()[0].GetId()})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.c.ReportTurnover(e.ctxAs(me), &memberv1.ReportTurnoverRequest{OrganizationId: theirs.GetId(), Turnover: &memberv1.Turnover{Year: 2025, AmountCents: 1}})
	wantCode(t, err, codes.PermissionDenied)
	// Agency staff read but do not edit.
	_, err = e.c.UpdateOrganizationProfile(e.ctxAs(agency()), &memberv1.UpdateOrganizationProfileRequest{OrganizationId: theirs.GetId(), Profile: profile})
	wantCode(t, err, codes.PermissionDenied)
	// A company user registers its own organisation only.
	_, err = e.c.RegisterOrganization(e.ctxAs(me), orgRequest(33, "Someone Else S.L."))
	wantCode(t, err, codes.PermissionDenied)
	e.wantEvents(before)
	if got := e.get(theirs.GetId()); !proto.Equal(got, theirs) {
		t.Errorf("their organisation changed:\n%v\n%v", got, theirs)
	}

	// Editing one's own is fine.
	res, err := e.c.UpdateOrganizationProfile(e.ctxAs(me), &memberv1.UpdateOrganizationProfileRequest{OrganizationId: mine.GetId(), Profile: profile})
	if err != nil {
		t.Fatalf("own profile: %v", err)
	}
	if res.GetOrganization().GetProfile().GetDescription() != "hijacked" {
		t.Errorf("profile = %v", res.GetOrganization().GetProfile())
	}
	e.wantEvents(before + 1)
}

func TestStaleExpectedVersionIsAborted(t *testing.T) {
	e := newEnv(t)
	org := e.register(41, "Versioned S.L.")
	v1 := org.GetVersion()
	ctx := e.ctxAs(company(org.GetId()))
	p := func(desc string) *memberv1.OrganizationProfile {
		return &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Description: desc}
	}
	res, err := e.c.UpdateOrganizationProfile(ctx, &memberv1.UpdateOrganizationProfileRequest{OrganizationId: org.GetId(), Profile: p("v2"), ExpectedVersion: v1})
	if err != nil {
		t.Fatalf("update at the current version: %v", err)
	}
	v2 := res.GetOrganization().GetVersion()
	if v2 <= v1 {
		t.Fatalf("version did not advance: %d -> %d", v1, v2)
	}
	before := e.events()
	_, err = e.c.UpdateOrganizationProfile(ctx, &memberv1.UpdateOrganizationProfileRequest{OrganizationId: org.GetId(), Profile: p("stale"), ExpectedVersion: v1})
	wantCode(t, err, codes.Aborted)
	_, err = e.c.AddCertification(ctx, &memberv1.AddCertificationRequest{OrganizationId: org.GetId(), ExpectedVersion: v1, Certification: &memberv1.Certification{Kind: "ISO9001", IssueDate: "2025-01-01", ExpiryDate: "2026-01-01"}})
	wantCode(t, err, codes.Aborted)
	e.wantEvents(before)
	if got := e.get(org.GetId()); got.GetProfile().GetDescription() != "v2" || got.GetVersion() != v2 {
		t.Errorf("after stale writes: %v", got)
	}
}

func TestConcurrentPinnedUpdatesExactlyOneWins(t *testing.T) {
	e := newEnv(t)
	org := e.register(51, "Contended S.L.")
	ctx := e.ctxAs(company(org.GetId()))
	version := org.GetVersion()
	for round := range 5 {
		before := e.events()
		const writers = 2
		var wg sync.WaitGroup
		start := make(chan struct{})
		results := make([]*memberv1.UpdateOrganizationProfileResponse, writers)
		errs := make([]error, writers)
		for i := range writers {
			wg.Go(func() {
				<-start
				results[i], errs[i] = e.c.UpdateOrganizationProfile(ctx, &memberv1.UpdateOrganizationProfileRequest{
					OrganizationId: org.GetId(), ExpectedVersion: version,
					Profile: &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Description: fmt.Sprintf("round %d writer %d", round, i)},
				})
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("round %d: both pinned updates succeeded", round)
				}
				winner = i
				continue
			}
			wantCode(t, err, codes.Aborted)
		}
		if winner < 0 {
			t.Fatalf("round %d: no update succeeded: %v", round, errs)
		}
		e.wantEvents(before + 1)
		got := e.get(org.GetId())
		if want := fmt.Sprintf("round %d writer %d", round, winner); got.GetProfile().GetDescription() != want || got.GetVersion() != results[winner].GetOrganization().GetVersion() {
			t.Fatalf("round %d: organisation = %v, want the winner's %q", round, got, want)
		}
		version = got.GetVersion()
	}
}

func TestConcurrentUnpinnedCommandsAllApply(t *testing.T) {
	e := newEnv(t)
	org := e.register(61, "Busy S.L.") // one certification already
	before := e.events()
	ctx := e.ctxAs(company(org.GetId()))
	const writers = 20
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			<-start
			scope := fmt.Sprintf("writer-%02d", i)
			res, err := e.c.AddCertification(ctx, &memberv1.AddCertificationRequest{OrganizationId: org.GetId(),
				Certification: &memberv1.Certification{Kind: "ISO9001", IssueDate: "2025-01-01", ExpiryDate: "2028-01-01", Scope: scope}})
			if err == nil && !slices.ContainsFunc(res.GetOrganization().GetCertifications(), func(c *memberv1.Certification) bool { return c.GetScope() == scope }) {
				err = fmt.Errorf("response of %s does not contain its certification", scope)
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	got := e.get(org.GetId())
	if n := len(got.GetCertifications()); n != writers+1 {
		t.Errorf("organisation has %d certifications, want %d (lost updates)", n, writers+1)
	}
	e.wantEvents(before + writers)
	scopes := map[string]bool{}
	for _, c := range got.GetCertifications()[1:] {
		scopes[c.GetScope()] = true
	}
	if len(scopes) != writers {
		t.Errorf("distinct certifications = %d, want %d", len(scopes), writers)
	}
}

func TestReadYourWrites(t *testing.T) {
	e := newEnv(t)
	tera := e.cluster("TERA")
	org := e.register(71, "Fresh S.L.")
	id := org.GetId()
	own := e.ctxAs(company(id))
	// Each step's change must be visible to the very next read, with no waiting.
	type step struct {
		name  string
		do    func() (*memberv1.Organization, error)
		check func(*memberv1.Organization) bool
	}
	var certID, refID string
	steps := []step{
		{"update profile", func() (*memberv1.Organization, error) {
			r, err := e.c.UpdateOrganizationProfile(own, &memberv1.UpdateOrganizationProfileRequest{OrganizationId: id, Profile: &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_MEDIUM, Capabilities: []string{"ai"}, CpvInterests: []string{"48000000-8"}}})
			return r.GetOrganization(), err
		}, func(o *memberv1.Organization) bool {
			return o.GetProfile().GetSizeBand() == memberv1.SizeBand_SIZE_BAND_MEDIUM && slices.Equal(o.GetProfile().GetCpvInterests(), []string{"48000000"})
		}},
		{"add certification", func() (*memberv1.Organization, error) {
			r, err := e.c.AddCertification(own, &memberv1.AddCertificationRequest{OrganizationId: id, Certification: &memberv1.Certification{Kind: "ISO27001", IssueDate: "2025-01-01", ExpiryDate: "2028-01-01"}})
			if n := len(r.GetOrganization().GetCertifications()); n > 0 {
				certID = r.GetOrganization().GetCertifications()[n-1].GetId()
			}
			return r.GetOrganization(), err
		}, func(o *memberv1.Organization) bool {
			return len(o.GetCertifications()) == 2 && o.GetCertifications()[1].GetKind() == "ISO27001"
		}},
		{"remove certification", func() (*memberv1.Organization, error) {
			r, err := e.c.RemoveCertification(own, &memberv1.RemoveCertificationRequest{OrganizationId: id, CertificationId: certID})
			return r.GetOrganization(), err
		}, func(o *memberv1.Organization) bool {
			return len(o.GetCertifications()) == 1 && o.GetCertifications()[0].GetId() != certID
		}},
		{"report turnover", func() (*memberv1.Organization, error) {
			r, err := e.c.ReportTurnover(own, &memberv1.ReportTurnoverRequest{OrganizationId: id, Turnover: &memberv1.Turnover{Year: 2024, AmountCents: 7}})
			return r.GetOrganization(), err
		}, func(o *memberv1.Organization) bool {
			ts := o.GetTurnover()
			return len(ts) == 2 && ts[0].GetYear() == 2025 && ts[1].GetYear() == 2024 && ts[1].GetAmountCents() == 7
		}},
		{"add reference", func() (*memberv1.Organization, error) {
			r, err := e.c.AddReference(own, &memberv1.AddReferenceRequest{OrganizationId: id, Reference: &memberv1.Reference{Buyer: "Ayuntamiento", Cpv: "72000000", AmountCents: 5, Year: 2025}})
			if n := len(r.GetOrganization().GetReferences()); n > 0 {
				refID = r.GetOrganization().GetReferences()[n-1].GetId()
			}
			return r.GetOrganization(), err
		}, func(o *memberv1.Organization) bool { return len(o.GetReferences()) == 2 }},
		{"remove reference", func() (*memberv1.Organization, error) {
			r, err := e.c.RemoveReference(own, &memberv1.RemoveReferenceRequest{OrganizationId: id, ReferenceId: refID})
			return r.GetOrganization(), err
		}, func(o *memberv1.Organization) bool {
			return len(o.GetReferences()) == 1 && o.GetReferences()[0].GetId() != refID
		}},
		{"request membership", func() (*memberv1.Organization, error) {
			r, err := e.c.RequestMembership(own, &memberv1.RequestMembershipRequest{OrganizationId: id, ClusterId: tera.GetId()})
			return r.GetOrganization(), err
		}, func(o *memberv1.Organization) bool {
			return len(o.GetMemberships()) == 1 && o.GetMemberships()[0].GetStatus() == memberv1.MembershipStatus_MEMBERSHIP_STATUS_REQUESTED
		}},
		{"approve membership", func() (*memberv1.Organization, error) {
			r, err := e.c.ApproveMembership(e.ctxAs(manager(tera.GetId())), &memberv1.ApproveMembershipRequest{OrganizationId: id, ClusterId: tera.GetId()})
			return r.GetOrganization(), err
		}, func(o *memberv1.Organization) bool {
			return len(o.GetMemberships()) == 1 && o.GetMemberships()[0].GetStatus() == memberv1.MembershipStatus_MEMBERSHIP_STATUS_ACTIVE
		}},
	}
	version := org.GetVersion()
	for _, s := range steps {
		resp, err := s.do()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !s.check(resp) {
			t.Fatalf("%s: response does not show the change: %v", s.name, resp)
		}
		if resp.GetVersion() <= version {
			t.Fatalf("%s: version %d did not advance past %d", s.name, resp.GetVersion(), version)
		}
		version = resp.GetVersion()
		got := e.get(id)
		if !s.check(got) || got.GetVersion() != version || !proto.Equal(got, resp) {
			t.Fatalf("%s: GetOrganization right after the write is stale:\n got %v\nwant %v", s.name, got, resp)
		}
		list, err := e.c.ListOrganizations(e.ctxAs(agency()), &memberv1.ListOrganizationsRequest{})
		if err != nil || len(list.GetOrganizations()) != 1 || !proto.Equal(list.GetOrganizations()[0], resp) {
			t.Fatalf("%s: ListOrganizations right after the write is stale: %v, %v", s.name, list, err)
		}
	}
}

func TestListOrganizationsPagination(t *testing.T) {
	e := newEnv(t)
	names := []string{"Golf", "Alfa", "Echo", "Charlie", "Foxtrot", "Bravo", "Delta"}
	for i, n := range names {
		e.register(100+i, n+" S.L.")
	}
	ctx := e.ctxAs(agency()) // agency staff read across clusters
	var got []string
	seen := map[string]bool{}
	token, pages := "", 0
	for {
		res, err := e.c.ListOrganizations(ctx, &memberv1.ListOrganizationsRequest{PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(res.GetOrganizations()) > 3 {
			t.Fatalf("page of %d, page size 3", len(res.GetOrganizations()))
		}
		for _, o := range res.GetOrganizations() {
			if seen[o.GetId()] {
				t.Fatalf("%s on two pages", o.GetLegalName())
			}
			seen[o.GetId()] = true
			got = append(got, o.GetLegalName())
		}
		if token = res.GetNextPageToken(); token == "" {
			break
		}
		if pages > 10 {
			t.Fatal("page tokens never end")
		}
	}
	want := []string{"Alfa S.L.", "Bravo S.L.", "Charlie S.L.", "Delta S.L.", "Echo S.L.", "Foxtrot S.L.", "Golf S.L."}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("pages = %d, names = %q; want 3 pages of %q", pages, got, want)
	}

	// Filters over gRPC.
	res, err := e.c.ListOrganizations(ctx, &memberv1.ListOrganizationsRequest{Capability: "cloud", CpvPrefix: "72"})
	if err != nil || len(res.GetOrganizations()) != len(names) {
		t.Errorf("capability+cpv filter: %d organisations, %v", len(res.GetOrganizations()), err)
	}
	res, err = e.c.ListOrganizations(ctx, &memberv1.ListOrganizationsRequest{CpvPrefix: "45"})
	if err != nil || len(res.GetOrganizations()) != 0 {
		t.Errorf("cpv 45 filter: %v, %v", res, err)
	}
	for name, req := range map[string]*memberv1.ListOrganizationsRequest{
		"page_size":  {PageSize: -1},
		"capability": {Capability: "telepathy"},
		"cpv_prefix": {CpvPrefix: "7a"},
	} {
		_, err := e.c.ListOrganizations(ctx, req)
		if got := fieldViolations(t, wantCode(t, err, codes.InvalidArgument)); !slices.Equal(got, []string{name}) {
			t.Errorf("violations = %q, want %q", got, name)
		}
	}
}

func TestRestartRebuildsReadModel(t *testing.T) {
	e := newEnv(t)
	tera := e.cluster("TERA")
	e.cluster("GIRA")
	var ids []string
	for i := range 5 {
		o := e.register(200+i, fmt.Sprintf("Org %d", i))
		ids = append(ids, o.GetId())
		own := e.ctxAs(company(o.GetId()))
		if _, err := e.c.RequestMembership(own, &memberv1.RequestMembershipRequest{OrganizationId: o.GetId(), ClusterId: tera.GetId()}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := e.c.ApproveMembership(e.ctxAs(manager(tera.GetId())), &memberv1.ApproveMembershipRequest{OrganizationId: o.GetId(), ClusterId: tera.GetId()}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.c.ReportTurnover(own, &memberv1.ReportTurnoverRequest{OrganizationId: o.GetId(), Turnover: &memberv1.Turnover{Year: 2023, AmountCents: int64(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	snapshot := func() (map[string]*memberv1.Organization, []*memberv1.Cluster, []*memberv1.Organization) {
		orgs := map[string]*memberv1.Organization{}
		for _, id := range ids {
			orgs[id] = e.get(id)
		}
		cs, err := e.c.ListClusters(e.ctxAs(agency()), &memberv1.ListClustersRequest{})
		if err != nil {
			t.Fatal(err)
		}
		members, err := e.c.ListOrganizations(e.ctxAs(agency()), &memberv1.ListOrganizationsRequest{ClusterId: tera.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		return orgs, cs.GetClusters(), members.GetOrganizations()
	}
	orgs, clusters, members := snapshot()
	if len(clusters) != 2 || len(members) != 5 {
		t.Fatalf("before restart: %d clusters, %d members", len(clusters), len(members))
	}
	events := e.events()

	e.restart()

	orgs2, clusters2, members2 := snapshot()
	for _, id := range ids {
		if !proto.Equal(orgs[id], orgs2[id]) {
			t.Errorf("organisation %s differs after restart:\n%v\n%v", id, orgs[id], orgs2[id])
		}
	}
	if !slices.EqualFunc(clusters, clusters2, func(a, b *memberv1.Cluster) bool { return proto.Equal(a, b) }) {
		t.Errorf("clusters differ after restart:\n%v\n%v", clusters, clusters2)
	}
	if !slices.EqualFunc(members, members2, func(a, b *memberv1.Organization) bool { return proto.Equal(a, b) }) {
		t.Errorf("cluster members differ after restart")
	}
	e.wantEvents(events)

	// Versions carry on: a write pinned to the pre-restart version succeeds.
	o := orgs[ids[0]]
	res, err := e.c.AddCertification(e.ctxAs(company(o.GetId())), &memberv1.AddCertificationRequest{OrganizationId: o.GetId(), ExpectedVersion: o.GetVersion(),
		Certification: &memberv1.Certification{Kind: "CMMI", IssueDate: "2025-01-01", ExpiryDate: "2027-01-01"}})
	if err != nil {
		t.Fatalf("write after restart: %v", err)
	}
	if len(res.GetOrganization().GetCertifications()) != 2 {
		t.Errorf("after restart + add: %v", res.GetOrganization().GetCertifications())
	}
}

// A retried update (same idempotency key) answers like the first call even when
// deciding again would now fail, and appends nothing more.
func TestRetriedUpdatesAreIdempotent(t *testing.T) {
	e := newEnv(t)
	org := e.register(21, "Retry")
	id := org.GetId()
	certID := org.GetCertifications()[0].GetId()
	ctx := withKey(e.ctxAs(company(id)), "remove-cert-1")
	req := &memberv1.RemoveCertificationRequest{OrganizationId: id, CertificationId: certID}
	first, err := e.c.RemoveCertification(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	before := e.events()
	second, err := e.c.RemoveCertification(ctx, req)
	if err != nil {
		t.Fatalf("retried RemoveCertification: %v (want the first answer, not an error)", err)
	}
	if !proto.Equal(first.GetOrganization(), second.GetOrganization()) {
		t.Errorf("retry answered differently")
	}
	e.wantEvents(before)

	// Pinned to the version the first call saw: still the first answer, not Aborted.
	pctx := withKey(e.ctxAs(company(id)), "turnover-2025")
	rt := &memberv1.ReportTurnoverRequest{OrganizationId: id, Turnover: &memberv1.Turnover{Year: 2025, AmountCents: 42}, ExpectedVersion: second.GetOrganization().GetVersion()}
	if _, err := e.c.ReportTurnover(pctx, rt); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ReportTurnover(pctx, rt); err != nil {
		t.Fatalf("retried pinned ReportTurnover: %v", err)
	}
	e.wantEvents(before + 1)
	// A new key is a new command: without the key's protection, the stale pin conflicts.
	_, err = e.c.ReportTurnover(withKey(e.ctxAs(company(id)), "turnover-2025-b"), rt)
	wantCode(t, err, codes.Aborted)
}

// Renewing a certification is one event that keeps the id; an unknown id is
// NotFound and a bad date names the field; neither appends anything.
func TestReplaceCertification(t *testing.T) {
	e := newEnv(t)
	org := e.register(31, "Renewals")
	id, cert := org.GetId(), org.GetCertifications()[0]
	before := e.events()
	res, err := e.c.ReplaceCertification(e.ctxAs(company(id)), &memberv1.ReplaceCertificationRequest{
		OrganizationId: id, CertificationId: cert.GetId(),
		Certification: &memberv1.Certification{Kind: "ENS", Level: "alta", IssueDate: "2026-01-01", ExpiryDate: "2029-01-01"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := res.GetOrganization().GetCertifications()
	if len(got) != 1 || got[0].GetId() != cert.GetId() || got[0].GetLevel() != "alta" || got[0].GetExpiryDate() != "2029-01-01" {
		t.Fatalf("certifications after replace = %v", got)
	}
	e.wantEvents(before + 1)
	_, err = e.c.ReplaceCertification(e.ctxAs(company(id)), &memberv1.ReplaceCertificationRequest{
		OrganizationId: id, CertificationId: unknownID,
		Certification: &memberv1.Certification{Kind: "ENS", Level: "alta", IssueDate: "2026-01-01", ExpiryDate: "2029-01-01"},
	})
	wantCode(t, err, codes.NotFound)
	_, err = e.c.ReplaceCertification(e.ctxAs(company(id)), &memberv1.ReplaceCertificationRequest{
		OrganizationId: id, CertificationId: cert.GetId(),
		Certification: &memberv1.Certification{Kind: "ENS", Level: "alta", IssueDate: "2026-01-01", ExpiryDate: "2025-01-01"},
	})
	if st := wantCode(t, err, codes.InvalidArgument); !slices.Contains(fieldViolations(t, st), "certification.expiry_date") {
		t.Errorf("violations = %v", fieldViolations(t, st))
	}
	e.wantEvents(before + 1)
}

// Profiles (turnover, references) are not public: a company sees itself and
// the fellow active members of its clusters; a manager the organisations of
// the clusters they manage; agency staff everyone.
func TestOrganizationVisibility(t *testing.T) {
	e := newEnv(t)
	x, y := e.cluster("Cluster X").GetId(), e.cluster("Cluster Y").GetId()
	a, b, c, p := e.register(61, "A S.L.").GetId(), e.register(62, "B S.L.").GetId(), e.register(63, "C S.L.").GetId(), e.register(64, "P S.L.").GetId()
	join := func(org, cluster string, approve bool) {
		t.Helper()
		if _, err := e.c.RequestMembership(e.ctxAs(admin()), &memberv1.RequestMembershipRequest{OrganizationId: org, ClusterId: cluster}); err != nil {
			t.Fatal(err)
		}
		if approve {
			if _, err := e.c.ApproveMembership(e.ctxAs(admin()), &memberv1.ApproveMembershipRequest{OrganizationId: org, ClusterId: cluster}); err != nil {
				t.Fatal(err)
			}
		}
	}
	join(a, x, true)
	join(b, x, true)
	join(c, y, true)
	join(p, x, false) // requested only: not a fellow member yet

	visible := func(who auth.Claims, want ...string) {
		t.Helper()
		res, err := e.c.ListOrganizations(e.ctxAs(who), &memberv1.ListOrganizationsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range res.GetOrganizations() {
			got = append(got, o.GetId())
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s sees %d organisations %v, want %v", who.Subject, len(got), got, want)
		}
	}
	visible(company(a), a, b)
	visible(company(p), p)
	visible(manager(y), c)
	visible(manager(x), a, b, p)
	visible(agency(), a, b, c, p)

	_, err := e.c.GetOrganization(e.ctxAs(company(a)), &memberv1.GetOrganizationRequest{OrganizationId: c})
	wantCode(t, err, codes.PermissionDenied)
	if _, err := e.c.GetOrganization(e.ctxAs(company(a)), &memberv1.GetOrganizationRequest{OrganizationId: b}); err != nil {
		t.Errorf("a fellow member's profile: %v", err)
	}
}
