package grpc_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/intake"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// unknownID is a well-formed id no object has.
const unknownID = "00000000-0000-4000-8000-000000000000"

// checkAs runs CheckEligibility for a draft team as who.
func (w *world) checkAs(who auth.Claims, tenderID string, orgs ...string) (*tenderv1.CheckEligibilityResponse, error) {
	var ms []*tenderv1.DraftMember
	for i, o := range orgs {
		ms = append(ms, draft(o, 0, i == 0))
	}
	return w.Tenders.CheckEligibility(w.Ctx(who), &tenderv1.CheckEligibilityRequest{TenderId: tenderID, Members: ms})
}

// An eligibility check shows each member's name, tax id, capabilities and
// turnover, so it takes only organisations the caller may see; a refusal does
// not say whether an unknown id exists (issue 10 §2: company1 read another
// cluster's organisation through :checkEligibility although GET was 403).
func TestCheckEligibilityRevealsOnlyVisibleOrganizations(t *testing.T) {
	w := newWorld(t)
	tn := w.tender(w.details(), w.gira)
	a, b, c := w.leadA(w.tera), w.memberB(w.tera), w.memberC(w.gira)
	d := w.solo("Delta Sistemas S.L.", w.other)
	teraMgr, giraMgr := testenv.Manager(w.tera), testenv.Manager(w.gira)

	denied := func(who auth.Claims, orgs ...string) {
		t.Helper()
		_, err := w.checkAs(who, tn.GetId(), orgs...)
		st := testenv.WantCode(t, err, codes.PermissionDenied)
		for _, secret := range []string{"Gamma", "Delta", "B0000"} {
			if strings.Contains(st.Message(), secret) {
				t.Errorf("the refusal shows %q: %s", secret, st.Message())
			}
		}
	}
	allowed := func(who auth.Claims, orgs ...string) {
		t.Helper()
		if _, err := w.checkAs(who, tn.GetId(), orgs...); err != nil {
			t.Errorf("%s checks %v: %v", who.Subject, orgs, err)
		}
	}
	allowed(testenv.Company(a), a, b)     // fellow active members of tera
	denied(testenv.Company(a), a, c)      // c is gira's
	denied(testenv.Company(a), d)         // d is another cluster's
	denied(testenv.Company(a), unknownID) // same answer as a hidden one
	denied(teraMgr, a, c)
	allowed(giraMgr, c)
	allowed(testenv.Agency(), a, b, c, d)

	// Once a and c are in one consortium, its members and the managers of the
	// tender's clusters see each other; outsiders still do not.
	w.consortium(teraMgr, tn.GetId(), "", draft(a, 0, true), draft(c, 0, false))
	allowed(testenv.Company(a), a, c)
	allowed(testenv.Company(c), c, a)
	allowed(teraMgr, a, c)
	denied(testenv.Company(b), b, c) // b is in no consortium with c
	denied(testenv.Company(d), c)
}

// An eligibility check takes at most domain.MaxTeamMembers members, each once
// (issue 10 §4: 5,000 copies of one member were accepted).
func TestCheckEligibilityLimitsMembers(t *testing.T) {
	w := newWorld(t)
	tn := w.tender(w.details())
	a := w.leadA(w.tera)
	ctx := w.Ctx(testenv.Agency())
	copies := make([]*tenderv1.DraftMember, 5000)
	for i := range copies {
		copies[i] = draft(a, 0, i == 0)
	}
	_, err := w.Tenders.CheckEligibility(ctx, &tenderv1.CheckEligibilityRequest{TenderId: tn.GetId(), Members: copies})
	if got := testenv.FieldViolations(t, testenv.WantCode(t, err, codes.InvalidArgument)); !slices.Equal(got, []string{"members"}) {
		t.Errorf("5,000 members: violations %v, want [members]", got)
	}
	_, err = w.Tenders.CheckEligibility(ctx, &tenderv1.CheckEligibilityRequest{TenderId: tn.GetId(), Members: copies[:domain.MaxTeamMembers+1]})
	testenv.WantCode(t, err, codes.InvalidArgument)
	_, err = w.Tenders.CheckEligibility(ctx, &tenderv1.CheckEligibilityRequest{TenderId: tn.GetId(), Members: copies[:2]})
	if got := testenv.FieldViolations(t, testenv.WantCode(t, err, codes.InvalidArgument)); !slices.Equal(got, []string{"members[1].organization_id"}) {
		t.Errorf("a member twice: violations %v", got)
	}
}

// Recommendations name companies and show their solvency: they are for the
// managers of the tender's clusters, agency staff and administrators.
func TestRecommendationsAreForManagers(t *testing.T) {
	w := newWorld(t)
	tn := w.tender(w.details())
	w.solo("Solo S.L.", w.tera)
	for _, who := range []auth.Claims{testenv.Manager(w.tera), testenv.Agency(), testenv.Admin()} {
		if _, err := w.Tenders.RecommendConsortia(w.Ctx(who), &tenderv1.RecommendConsortiaRequest{TenderId: tn.GetId()}); err != nil {
			t.Errorf("%s: %v", who.Subject, err)
		}
	}
	for _, who := range []auth.Claims{testenv.Company(w.leadA(w.tera)), testenv.Manager(w.gira)} {
		_, err := w.Tenders.RecommendConsortia(w.Ctx(who), &tenderv1.RecommendConsortiaRequest{TenderId: tn.GetId()})
		testenv.WantCode(t, err, codes.PermissionDenied)
	}
}

// A tender without a deadline (most imported tenders) is evaluated as of
// today and the answer says so; requirements that cannot be evaluated at all
// are a FailedPrecondition, never INTERNAL (issue 10 §4: :recommend on any
// imported spreadsheet tender answered 500).
func TestTenderWithoutDeadlineIsEvaluatedToday(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	a := w.solo("Solo S.L.", w.tera)
	imported := func(sourceID string, value int64) string {
		t.Helper()
		rec := intake.Tender{Source: intake.SourceOpenPLACSPXLSX, SourceID: sourceID, Updated: time.Now().Add(-time.Hour).UTC().Truncate(time.Second),
			Status: intake.StatusActive, Title: "Mantenimiento de aplicaciones", Authority: intake.Authority{Name: "Ayuntamiento de Santander"},
			ContractType: intake.ContractServices, CPVs: []string{"72212000"}, EstimatedValueCents: value}
		tn, _, err := w.Tender.Service.ImportTender(w.AppCtx(mgr), w.tera, app.Import{Tender: rec})
		if err != nil {
			t.Fatal(err)
		}
		if !tn.Details.Deadline.IsZero() {
			t.Fatalf("imported tender has a deadline: %v", tn.Details.Deadline)
		}
		return tn.ID
	}
	withValue := imported("9000001", 50_000_00)
	rec, err := w.Tenders.RecommendConsortia(w.Ctx(mgr), &tenderv1.RecommendConsortiaRequest{TenderId: withValue})
	if err != nil {
		t.Fatalf("recommend without a deadline: %v", err)
	}
	if len(rec.GetRecommendations()) == 0 {
		t.Fatal("no recommendation for a tender the solo company meets alone")
	}
	for _, r := range rec.GetRecommendations() {
		if !strings.HasPrefix(r.GetExplanation(), app.NoDeadlineNote) {
			t.Errorf("explanation does not say the deadline is missing: %q", r.GetExplanation())
		}
	}
	chk, err := w.checkAs(mgr, withValue, a)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(rules(chk.GetReport(), false), "requirements") {
		t.Errorf("the check calls the requirements incomplete: %v", chk.GetReport())
	}

	noValue := imported("9000002", 0)
	_, err = w.Tenders.RecommendConsortia(w.Ctx(mgr), &tenderv1.RecommendConsortiaRequest{TenderId: noValue})
	testenv.Violation(t, err, "tender_requirements")
}

// A company forming a bid as its own lead joins at once, so it takes its seat
// for the lot: of 10 simultaneous formations for one lot exactly one succeeds
// (issue 10 §3: 10 × 200, joined 10 times), and an invitation to another
// consortium of the lot cannot be accepted afterwards.
func TestFormingOwnBidTakesTheLotSeat(t *testing.T) {
	w := newWorld(t)
	tn := w.tender(withLots(w.details()))
	a := w.leadA(w.tera)
	// Invited (not joined) to a consortium of lot 1 first: no seat yet.
	other := w.consortium(testenv.Manager(w.tera), tn.GetId(), "1", draft(w.memberB(w.tera), 0, true), draft(a, 0, false))
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = w.Tenders.CreateConsortium(w.Ctx(testenv.Company(a)), &tenderv1.CreateConsortiumRequest{
				TenderId: tn.GetId(), LotId: "1", Members: []*tenderv1.DraftMember{draft(a, 0, true)}})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch status.Code(err) {
		case codes.OK:
			ok++
		case codes.FailedPrecondition:
			testenv.Violation(t, err, "one_consortium_per_lot")
		default:
			t.Errorf("a concurrent formation failed with %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d simultaneous formations succeeded, want exactly 1", ok, n)
	}
	cs, err := w.Tenders.ListConsortia(w.Ctx(testenv.Company(a)), &tenderv1.ListConsortiaRequest{TenderId: tn.GetId(), OrganizationId: a})
	if err != nil || len(cs.GetConsortia()) != 2 {
		t.Fatalf("consortia with A: %d, %v; want its own and the one it is invited to", len(cs.GetConsortia()), err)
	}

	// Invited to another consortium of the same lot, it cannot join it too.
	_, err = w.Tenders.AcceptInvitation(w.Ctx(testenv.Company(a)), &tenderv1.AcceptInvitationRequest{ConsortiumId: other.GetId(), OrganizationId: a})
	testenv.Violation(t, err, "one_consortium_per_lot")
	// Another lot is another seat.
	if _, err := w.Tenders.CreateConsortium(w.Ctx(testenv.Company(a)), &tenderv1.CreateConsortiumRequest{
		TenderId: tn.GetId(), LotId: "2", Members: []*tenderv1.DraftMember{draft(a, 0, true)}}); err != nil {
		t.Errorf("own bid for lot 2: %v", err)
	}
}

// Every id of every tender RPC is checked before anything builds a subject
// from it: "*", ">", "." and anything not a canonical UUID are InvalidArgument
// naming the field, and nothing is appended.
func TestTenderPathIDsAreValidatedAtTheEdge(t *testing.T) {
	w := newWorld(t)
	tn := w.tender(w.details())
	ctx := w.Ctx(testenv.Admin())
	before := w.Messages("")
	tid := tn.GetId()
	calls := map[string]struct {
		field string
		do    func(bad string) error
	}{
		"CreateTender": {"shared_with[0]", func(bad string) error {
			_, err := w.Tenders.CreateTender(ctx, &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: w.details(), SharedWith: []string{bad}})
			return err
		}},
		"GetTender": {"tender_id", func(bad string) error {
			_, err := w.Tenders.GetTender(ctx, &tenderv1.GetTenderRequest{TenderId: bad})
			return err
		}},
		"PublishTender": {"tender_id", func(bad string) error {
			_, err := w.Tenders.PublishTender(ctx, &tenderv1.PublishTenderRequest{TenderId: bad})
			return err
		}},
		"ShareTender": {"cluster_ids[0]", func(bad string) error {
			_, err := w.Tenders.ShareTender(ctx, &tenderv1.ShareTenderRequest{TenderId: tid, ClusterIds: []string{bad}})
			return err
		}},
		"CancelTender": {"tender_id", func(bad string) error {
			_, err := w.Tenders.CancelTender(ctx, &tenderv1.CancelTenderRequest{TenderId: bad, Reason: "x"})
			return err
		}},
		"ListTenders": {"cluster_id", func(bad string) error {
			_, err := w.Tenders.ListTenders(ctx, &tenderv1.ListTendersRequest{ClusterId: bad})
			return err
		}},
		"CreateConsortium": {"members[0].organization_id", func(bad string) error {
			_, err := w.Tenders.CreateConsortium(ctx, &tenderv1.CreateConsortiumRequest{TenderId: tid, Members: []*tenderv1.DraftMember{draft(bad, 0, true)}})
			return err
		}},
		"AcceptInvitation": {"consortium_id", func(bad string) error {
			_, err := w.Tenders.AcceptInvitation(ctx, &tenderv1.AcceptInvitationRequest{ConsortiumId: bad, OrganizationId: unknownID})
			return err
		}},
		"InviteMember": {"organization_id", func(bad string) error {
			_, err := w.Tenders.InviteMember(ctx, &tenderv1.InviteMemberRequest{ConsortiumId: unknownID, OrganizationId: bad})
			return err
		}},
		"CheckEligibility": {"tender_id", func(bad string) error {
			_, err := w.Tenders.CheckEligibility(ctx, &tenderv1.CheckEligibilityRequest{TenderId: bad, Members: []*tenderv1.DraftMember{draft(unknownID, 0, true)}})
			return err
		}},
		"GetAuditTrail": {"id", func(bad string) error {
			_, err := w.Tenders.GetAuditTrail(ctx, &tenderv1.GetAuditTrailRequest{Aggregate: "tender", Id: bad})
			return err
		}},
	}
	for name, c := range calls {
		for _, bad := range []string{"*", ">", tid + ".x", "tender.>", strings.ToUpper(tid)} {
			st := testenv.WantCode(t, c.do(bad), codes.InvalidArgument)
			if got := testenv.FieldViolations(t, st); !slices.Contains(got, c.field) {
				t.Errorf("%s(%q): violations %v do not name %s", name, bad, got, c.field)
			}
		}
	}
	if after := w.Messages(""); after != before {
		t.Errorf("bad ids appended %d events", after-before)
	}
}
