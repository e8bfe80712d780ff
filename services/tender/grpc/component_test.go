package grpc_test

// Component tests: the tender service as deployed (tender.New + Run) next to
// the member service, on a real embedded nats-server, called over loopback
// gRPC with real bearer tokens; the tender service asks the member service over
// gRPC with the caller's token forwarded.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

const pkg = "consortia.tender.v1."

func TestTenderAndConsortiumLifeOverGRPC(t *testing.T) {
	w := newWorld(t)
	teraMgr := testenv.Manager(w.tera)

	// A tender of tera, planned, then published.
	created, err := w.Tenders.CreateTender(w.Ctx(teraMgr), &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: w.details()})
	if err != nil {
		t.Fatalf("CreateTender: %v", err)
	}
	tn := created.GetTender()
	if tn.GetStatus() != tenderv1.TenderStatus_TENDER_STATUS_PLANNED || tn.GetClusterId() != w.tera || tn.GetVersion() == 0 ||
		!slices.Equal(tn.GetCpvCodes(), []string{"72200000"}) || tn.GetEstimatedValueCents() != 300_000_00 || tn.GetSource().GetSystem() != "manual" {
		t.Fatalf("created tender = %v", tn)
	}
	id := tn.GetId()
	pub, err := w.Tenders.PublishTender(w.Ctx(teraMgr), &tenderv1.PublishTenderRequest{TenderId: id})
	if err != nil || pub.GetTender().GetStatus() != tenderv1.TenderStatus_TENDER_STATUS_ACTIVE {
		t.Fatalf("PublishTender = %v, %v", pub, err)
	}
	_, err = w.Tenders.PublishTender(w.Ctx(teraMgr), &tenderv1.PublishTenderRequest{TenderId: id})
	testenv.Violation(t, err, "tender_status")

	// Shared with gira (the owner and duplicates are dropped).
	sh, err := w.Tenders.ShareTender(w.Ctx(teraMgr), &tenderv1.ShareTenderRequest{TenderId: id, ClusterIds: []string{w.gira, w.tera, w.gira}})
	if err != nil || !slices.Equal(sh.GetTender().GetSharedWith(), []string{w.gira}) {
		t.Fatalf("ShareTender = %v, %v", sh.GetTender().GetSharedWith(), err)
	}

	// The deadline moves a week; the change is recorded.
	newDeadline := w.deadline.AddDate(0, 0, 7)
	ch, err := w.Tenders.ChangeDeadline(w.Ctx(teraMgr), &tenderv1.ChangeDeadlineRequest{TenderId: id, Deadline: timestamppb.New(newDeadline), Reason: "Aclaración al pliego"})
	if err != nil {
		t.Fatalf("ChangeDeadline: %v", err)
	}
	if got := ch.GetTender(); !got.GetSubmissionDeadline().AsTime().Equal(newDeadline) || len(got.GetDeadlineChanges()) != 1 ||
		!got.GetDeadlineChanges()[0].GetPrevious().AsTime().Equal(w.deadline) || !got.GetDeadlineChanges()[0].GetDeadline().AsTime().Equal(newDeadline) ||
		got.GetDeadlineChanges()[0].GetReason() != "Aclaración al pliego" || got.GetDeadlineChanges()[0].GetChangeTime() == nil {
		t.Fatalf("after ChangeDeadline: deadline %v, changes %v", got.GetSubmissionDeadline().AsTime(), got.GetDeadlineChanges())
	}
	// Anyone signed in reads it.
	if got := w.getTender(testenv.Company("B00000000"), id); got.GetVersion() != ch.GetTender().GetVersion() {
		t.Errorf("GetTender version %d, want %d", got.GetVersion(), ch.GetTender().GetVersion())
	}

	// Members: A and B of tera, C of gira (the tender is shared with gira).
	a, b, c := w.leadA(w.tera), w.memberB(w.tera), w.memberC(w.gira)

	// A draft team is checked without storing anything (by agency staff: C is
	// gira's, which A may not see before they share a consortium).
	before := w.Messages("")
	chk, err := w.Tenders.CheckEligibility(w.Ctx(testenv.Agency()), &tenderv1.CheckEligibilityRequest{TenderId: id,
		Members: []*tenderv1.DraftMember{draft(a, 0, true), draft(b, 0, false), draft(c, 0, false)}})
	if err != nil {
		t.Fatalf("CheckEligibility: %v", err)
	}
	if !chk.GetReport().GetEligible() {
		t.Fatalf("the trio is not eligible: %v", rules(chk.GetReport(), false))
	}
	econ := result(chk.GetReport(), "economic_solvency")
	if econ.GetNeededValue() != 225_000_00 || econ.GetHaveValue() != 250_000_00 {
		t.Errorf("economic solvency needed %d, have %d; want 225,000 € and 250,000 €", econ.GetNeededValue(), econ.GetHaveValue())
	}
	alone, err := w.Tenders.CheckEligibility(w.Ctx(testenv.Company(a)), &tenderv1.CheckEligibilityRequest{TenderId: id, Members: []*tenderv1.DraftMember{draft(a, 10000, true)}, RequireShares: true})
	if err != nil {
		t.Fatal(err)
	}
	if alone.GetReport().GetEligible() || !slices.Equal(rules(alone.GetReport(), false), []string{"capabilities", "economic_solvency"}) {
		t.Errorf("A alone: failed %v, want capabilities and economic solvency", rules(alone.GetReport(), false))
	}
	if w.Messages("") != before {
		t.Fatal("CheckEligibility appended events")
	}

	// The cluster manager forms the consortium: everyone is invited.
	cons := w.consortium(teraMgr, id, "", draft(a, 0, true), draft(b, 0, false), draft(c, 0, false))
	cid := cons.GetId()
	if cons.GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_FORMING || cons.GetTenderId() != id || len(cons.GetMembers()) != 3 {
		t.Fatalf("formed = %v", cons)
	}
	for _, m := range cons.GetMembers() {
		if m.GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_INVITED || m.GetLegalName() == "" || m.GetInviteTime() == nil {
			t.Errorf("member after forming = %v", m)
		}
	}
	if !member(cons, a).GetLead() {
		t.Error("A is not the lead")
	}

	// Each company accepts for itself.
	for _, org := range []string{a, b, c} {
		got := w.accept(cid, org)
		if m := member(got, org); m.GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_JOINED || m.GetResponseTime() == nil {
			t.Fatalf("after accepting, %s = %v", org, m)
		}
	}
	// Joined but without shares: every rule holds except the shares.
	got := w.getConsortium(teraMgr, cid)
	if got.GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_FORMING || !slices.Equal(rules(got.GetEligibility(), false), []string{"shares"}) {
		t.Fatalf("joined without shares: status %v, failed %v", got.GetStatus(), rules(got.GetEligibility(), false))
	}

	// Shares: A sets its own, the lead company sets B's, the manager sets C's.
	w.setShare(testenv.Company(a), cid, a, 5000)
	w.setShare(testenv.Company(a), cid, b, 3000)
	w.setShare(teraMgr, cid, c, 2000)
	// Roles: A runs the ENS-certified system and develops; B covers cybersecurity.
	if _, err := w.Tenders.AssignRoles(w.Ctx(testenv.Company(a)), &tenderv1.AssignRolesRequest{ConsortiumId: cid, OrganizationId: a, Covers: []string{"software-development"}, Certifies: []string{"ENS"}}); err != nil {
		t.Fatalf("AssignRoles(A): %v", err)
	}
	if _, err := w.Tenders.AssignRoles(w.Ctx(testenv.Company(b)), &tenderv1.AssignRolesRequest{ConsortiumId: cid, OrganizationId: b, Covers: []string{"cybersecurity"}}); err != nil {
		t.Fatalf("AssignRoles(B): %v", err)
	}

	// Every rule holds and the shares sum to 100 %: READY.
	ready := w.getConsortium(testenv.Agency(), cid)
	if ready.GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_READY || !ready.GetEligibility().GetEligible() {
		t.Fatalf("status %v, failed %v", ready.GetStatus(), rules(ready.GetEligibility(), false))
	}
	if r := result(ready.GetEligibility(), "shares"); r.GetHaveValue() != 10000 {
		t.Errorf("shares have %d", r.GetHaveValue())
	}
	if m := member(ready, a); m.GetShareBp() != 5000 || !slices.Equal(m.GetCovers(), []string{"software-development"}) || !slices.Equal(m.GetCertifies(), []string{"ENS"}) {
		t.Errorf("A = %v", m)
	}
	if r := result(ready.GetEligibility(), "certification"); r.GetOrganizationId() != a || !r.GetOk() {
		t.Errorf("certification result = %v", r)
	}
	// C sees the consortium it is in.
	list, err := w.Tenders.ListConsortia(w.Ctx(testenv.Company(c)), &tenderv1.ListConsortiaRequest{OrganizationId: c})
	if err != nil || len(list.GetConsortia()) != 1 || list.GetConsortia()[0].GetId() != cid {
		t.Fatalf("ListConsortia(C) = %v, %v", list, err)
	}

	// A second bid: G forms its own consortium (it joins at once) and submits it.
	g := w.solo("Omega Sistemas S.L.", w.gira)
	rival := w.consortium(testenv.Company(g), id, "", draft(g, 10000, true))
	if m := member(rival, g); m.GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_JOINED || rival.GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_READY {
		t.Fatalf("own bid = %v", rival)
	}
	if _, err := w.Tenders.SubmitConsortium(w.Ctx(testenv.Company(g)), &tenderv1.SubmitConsortiumRequest{ConsortiumId: rival.GetId()}); err != nil {
		t.Fatalf("SubmitConsortium(rival): %v", err)
	}

	// The lead company submits.
	sub, err := w.Tenders.SubmitConsortium(w.Ctx(testenv.Company(a)), &tenderv1.SubmitConsortiumRequest{ConsortiumId: cid})
	if err != nil || sub.GetConsortium().GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_SUBMITTED {
		t.Fatalf("SubmitConsortium = %v, %v", sub.GetConsortium().GetStatus(), err)
	}
	_, err = w.Tenders.SetShare(w.Ctx(testenv.Company(a)), &tenderv1.SetShareRequest{ConsortiumId: cid, OrganizationId: a, ShareBp: 6000})
	testenv.Violation(t, err, "consortium_status")

	// The award names the consortium: it wins, the rival loses.
	aw, err := w.Tenders.AwardTender(w.Ctx(teraMgr), &tenderv1.AwardTenderRequest{TenderId: id, Award: &tenderv1.Award{
		ConsortiumId: cid, WinnerName: "UTE Alfa-Beta-Gamma", AmountCents: 280_000_00, AwardTime: timestamppb.New(time.Now().UTC().Truncate(time.Second))}})
	if err != nil {
		t.Fatalf("AwardTender: %v", err)
	}
	if got := aw.GetTender(); got.GetStatus() != tenderv1.TenderStatus_TENDER_STATUS_COMPLETE || len(got.GetAwards()) != 1 || got.GetAwards()[0].GetConsortiumId() != cid {
		t.Fatalf("awarded tender = %v / %v", got.GetStatus(), got.GetAwards())
	}
	if s := w.getConsortium(teraMgr, cid).GetStatus(); s != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_AWARDED {
		t.Errorf("winner is %v", s)
	}
	if s := w.getConsortium(testenv.Company(g), rival.GetId()).GetStatus(); s != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_LOST {
		t.Errorf("rival is %v", s)
	}

	// The audit trails show every event with its actor.
	type entry struct{ typ, actor string }
	trail := func(aggregate, id string) []entry {
		t.Helper()
		res, err := w.Tenders.GetAuditTrail(w.Ctx(testenv.Agency()), &tenderv1.GetAuditTrailRequest{Aggregate: aggregate, Id: id})
		if err != nil {
			t.Fatalf("GetAuditTrail(%s): %v", aggregate, err)
		}
		var out []entry
		var last uint64
		for _, e := range res.GetEvents() {
			if e.GetSequence() <= last || e.GetTime() == nil || e.GetId() == "" || !strings.Contains(e.GetSummary(), e.GetActor()) || !strings.Contains(e.GetDataJson(), id) {
				t.Errorf("audit event %v", e)
			}
			last = e.GetSequence()
			out = append(out, entry{strings.TrimPrefix(e.GetType(), pkg), e.GetActor()})
		}
		return out
	}
	mgr := testenv.Actor(teraMgr)
	wantTender := []entry{{"TenderCreated", mgr}, {"TenderPublished", mgr}, {"TenderShared", mgr}, {"TenderDeadlineChanged", mgr}, {"TenderAwarded", mgr}}
	if got := trail("tender", id); !slices.Equal(got, wantTender) {
		t.Errorf("tender audit trail =\n%v\nwant\n%v", got, wantTender)
	}
	actA, actB, actC := testenv.Actor(testenv.Company(a)), testenv.Actor(testenv.Company(b)), testenv.Actor(testenv.Company(c))
	wantCons := []entry{
		{"ConsortiumFormed", mgr},
		{"ConsortiumMemberJoined", actA}, {"ConsortiumMemberJoined", actB}, {"ConsortiumMemberJoined", actC},
		{"ConsortiumShareSet", actA}, {"ConsortiumShareSet", actA}, {"ConsortiumShareSet", mgr},
		{"ConsortiumRolesAssigned", actA}, {"ConsortiumRolesAssigned", actB},
		{"ConsortiumSubmitted", actA}, {"ConsortiumAwarded", mgr},
	}
	if got := trail("consortium", cid); !slices.Equal(got, wantCons) {
		t.Errorf("consortium audit trail =\n%v\nwant\n%v", got, wantCons)
	}
	actG := testenv.Actor(testenv.Company(g))
	if got, want := trail("consortium", rival.GetId()), []entry{{"ConsortiumFormed", actG}, {"ConsortiumSubmitted", actG}, {"ConsortiumLost", mgr}}; !slices.Equal(got, want) {
		t.Errorf("rival audit trail = %v, want %v", got, want)
	}
}

func TestSubmitWithSharesNotHundredChangesNothing(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	g, a := w.solo("Omega Sistemas S.L.", w.tera), w.leadA(w.tera)
	tn := w.tender(w.details())
	cons := w.consortium(mgr, tn.GetId(), "", draft(g, 6000, true), draft(a, 3950, false))
	cid := cons.GetId()
	w.accept(cid, g)
	w.accept(cid, a)

	before := w.getConsortium(mgr, cid)
	subject := domain.ConsortiumSubject(cid)
	msgs := w.Messages(subject)
	if before.GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_FORMING {
		t.Fatalf("status %v", before.GetStatus())
	}

	for _, who := range []auth.Claims{mgr, testenv.Company(g)} {
		_, err := w.Tenders.SubmitConsortium(w.Ctx(who), &tenderv1.SubmitConsortiumRequest{ConsortiumId: cid})
		st := testenv.WantCode(t, err, codes.FailedPrecondition)
		vs := testenv.PreconditionViolations(t, st)
		if len(vs) != 1 || vs[0].GetType() != "shares" || vs[0].GetSubject() != "consortium/"+cid || !strings.Contains(vs[0].GetDescription(), "99.5%") {
			t.Fatalf("violations = %v, want one of type shares naming 99.5%%", vs)
		}
	}
	after := w.getConsortium(mgr, cid)
	if !proto.Equal(before, after) || after.GetVersion() != before.GetVersion() {
		t.Fatalf("a refused submission changed the consortium:\n%v\n%v", before, after)
	}
	if got := w.Messages(subject); got != msgs {
		t.Fatalf("stream has %d events for the consortium, want %d", got, msgs)
	}

	// Fixing the share makes the same submission go through.
	w.setShare(mgr, cid, a, 4000)
	res, err := w.Tenders.SubmitConsortium(w.Ctx(testenv.Company(g)), &tenderv1.SubmitConsortiumRequest{ConsortiumId: cid})
	if err != nil || res.GetConsortium().GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_SUBMITTED {
		t.Fatalf("submit after fixing shares: %v, %v", res.GetConsortium().GetStatus(), err)
	}
}

func TestOnlyActiveMembersOfSharedClustersCanBeInvited(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	g := w.solo("Omega Sistemas S.L.", w.tera)

	requested := w.Register(w.profile("Solicitante S.L.", []string{"cloud"}, 50_000, 0, false))
	w.Request(requested, w.tera)
	suspended := w.Join(w.profile("Suspendida S.L.", []string{"cloud"}, 50_000, 0, false), w.tera)
	w.Suspend(suspended, w.tera)
	outsider := w.Join(w.profile("De Fuera S.L.", []string{"cloud"}, 50_000, 0, false), w.other)
	unknown := unknownID // a well-formed id nobody registered
	ok := w.Join(w.profile("Activa GIRA S.L.", []string{"cloud"}, 50_000, 0, false), w.gira)

	tn := w.tender(w.details(), w.gira)
	cid := w.consortium(mgr, tn.GetId(), "", draft(g, 0, true)).GetId()
	subject := domain.ConsortiumSubject(cid)
	msgs := w.Messages(subject)

	for name, org := range map[string]string{"requested only": requested, "suspended": suspended, "member of a cluster the tender is not shared with": outsider, "never registered": unknown} {
		t.Run(name, func(t *testing.T) {
			_, err := w.Tenders.InviteMember(w.Ctx(mgr), &tenderv1.InviteMemberRequest{ConsortiumId: cid, OrganizationId: org})
			v := testenv.Violation(t, err, "active_membership")
			if v.GetSubject() != "organization/"+org || !strings.Contains(v.GetDescription(), org) || !strings.Contains(v.GetDescription(), "not an active member") ||
				!strings.Contains(v.GetDescription(), w.tera) || !strings.Contains(v.GetDescription(), w.gira) {
				t.Errorf("violation = %v", v)
			}
			// Nor can the consortium be formed with it.
			_, err = w.Tenders.CreateConsortium(w.Ctx(mgr), &tenderv1.CreateConsortiumRequest{TenderId: tn.GetId(), Members: []*tenderv1.DraftMember{draft(g, 0, true), draft(org, 0, false)}})
			testenv.Violation(t, err, "active_membership")
		})
	}
	if got := w.Messages(subject); got != msgs {
		t.Fatalf("refused invitations appended %d events", got-msgs)
	}

	// An active member of a cluster the tender is shared with can be invited;
	// sharing the tender with the outsider's cluster lets it in too.
	if _, err := w.Tenders.InviteMember(w.Ctx(mgr), &tenderv1.InviteMemberRequest{ConsortiumId: cid, OrganizationId: ok}); err != nil {
		t.Fatalf("InviteMember(active in gira): %v", err)
	}
	if _, err := w.Tenders.ShareTender(w.Ctx(mgr), &tenderv1.ShareTenderRequest{TenderId: tn.GetId(), ClusterIds: []string{w.gira, w.other}}); err != nil {
		t.Fatal(err)
	}
	res, err := w.Tenders.InviteMember(w.Ctx(mgr), &tenderv1.InviteMemberRequest{ConsortiumId: cid, OrganizationId: outsider})
	if err != nil || member(res.GetConsortium(), outsider).GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_INVITED {
		t.Fatalf("InviteMember(outsider, now shared): %v", err)
	}
	// A suspended member that was invited earlier cannot accept either.
	w.Approve(suspended, w.tera)
	if _, err := w.Tenders.InviteMember(w.Ctx(mgr), &tenderv1.InviteMemberRequest{ConsortiumId: cid, OrganizationId: suspended}); err != nil {
		t.Fatalf("InviteMember(re-approved): %v", err)
	}
	w.Suspend(suspended, w.tera)
	_, err = w.Tenders.AcceptInvitation(w.Ctx(testenv.Company(suspended)), &tenderv1.AcceptInvitationRequest{ConsortiumId: cid, OrganizationId: suspended})
	testenv.Violation(t, err, "active_membership")
}

func TestAtMostOneConsortiumPerLot(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	a, b, g := w.leadA(w.tera), w.memberB(w.tera), w.solo("Omega Sistemas S.L.", w.tera)
	tn := w.tender(withLots(w.details()))

	_, err := w.Tenders.CreateConsortium(w.Ctx(mgr), &tenderv1.CreateConsortiumRequest{TenderId: tn.GetId(), Members: []*tenderv1.DraftMember{draft(a, 0, true)}})
	if got := testenv.FieldViolations(t, testenv.WantCode(t, err, codes.InvalidArgument)); !slices.Equal(got, []string{"lot_id"}) {
		t.Fatalf("field violations = %q", got)
	}

	// A is invited to X and Y (lot 1) and Z (lot 2) before joining anything.
	x := w.consortium(mgr, tn.GetId(), "1", draft(b, 0, true), draft(a, 0, false)).GetId()
	y := w.consortium(mgr, tn.GetId(), "1", draft(g, 0, true), draft(a, 0, false)).GetId()
	z := w.consortium(mgr, tn.GetId(), "2", draft(g, 0, true), draft(a, 0, false)).GetId()
	w.accept(x, b)
	w.accept(x, a)

	msgs := w.Messages(domain.ConsortiumSubject(y))
	_, err = w.Tenders.AcceptInvitation(w.Ctx(testenv.Company(a)), &tenderv1.AcceptInvitationRequest{ConsortiumId: y, OrganizationId: a})
	v := testenv.Violation(t, err, "one_consortium_per_lot")
	if v.GetSubject() != "organization/"+a || !strings.Contains(v.GetDescription(), x) {
		t.Errorf("violation = %v, want one naming consortium %s", v, x)
	}
	if w.Messages(domain.ConsortiumSubject(y)) != msgs {
		t.Fatal("the refused acceptance appended an event")
	}
	if m := member(w.getConsortium(mgr, y), a); m.GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_INVITED {
		t.Errorf("A in Y = %v", m)
	}
	// Nor can it be invited to, or listed in, another consortium for lot 1.
	w4 := w.consortium(mgr, tn.GetId(), "1", draft(g, 0, true)).GetId()
	_, err = w.Tenders.InviteMember(w.Ctx(mgr), &tenderv1.InviteMemberRequest{ConsortiumId: w4, OrganizationId: a})
	testenv.Violation(t, err, "one_consortium_per_lot")
	_, err = w.Tenders.CreateConsortium(w.Ctx(mgr), &tenderv1.CreateConsortiumRequest{TenderId: tn.GetId(), LotId: "1", Members: []*tenderv1.DraftMember{draft(a, 0, true)}})
	testenv.Violation(t, err, "one_consortium_per_lot")

	// Another lot is fine.
	if m := member(w.accept(z, a), a); m.GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_JOINED {
		t.Fatalf("A in Z (lot 2) = %v", m)
	}
	// Once A withdraws from X it may join Y.
	if _, err := w.Tenders.WithdrawMember(w.Ctx(testenv.Company(a)), &tenderv1.WithdrawMemberRequest{ConsortiumId: x, OrganizationId: a, Reason: "joins another bid"}); err != nil {
		t.Fatalf("WithdrawMember: %v", err)
	}
	if m := member(w.accept(y, a), a); m.GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_JOINED {
		t.Fatalf("A in Y after leaving X = %v", m)
	}
}

// TestConcurrentCommandsOnOneConsortium runs 50 commands at once on one
// consortium: accepts by invited companies and share changes by joined ones
// (and by companies whose acceptance may not have happened yet). Each must
// succeed or fail for a domain reason, and the consortium must reflect every
// success: no lost update, one event per successful command.
func TestConcurrentCommandsOnOneConsortium(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	lead := w.solo("Líder S.L.", w.tera)
	var joined, invited []string
	for i := range 5 {
		joined = append(joined, w.Join(w.profile(fmt.Sprintf("Unida %d S.L.", i), []string{"cloud"}, 10_000, 0, false), w.tera))
	}
	for i := range 20 {
		invited = append(invited, w.Join(w.profile(fmt.Sprintf("Invitada %d S.L.", i), []string{"cloud"}, 10_000, 0, false), w.tera))
	}
	tn := w.tender(w.details()) // max_members 0: no cap
	drafts := []*tenderv1.DraftMember{draft(lead, 0, true)}
	for _, org := range append(slices.Clone(joined), invited...) {
		drafts = append(drafts, draft(org, 0, false))
	}
	cid := w.consortium(mgr, tn.GetId(), "", drafts...).GetId()
	for _, org := range append([]string{lead}, joined...) {
		w.accept(cid, org)
	}
	subject := domain.ConsortiumSubject(cid)
	before := w.Messages(subject)

	type command struct {
		kind string // "accept" or "share"
		org  string
		bp   int32
		err  error
	}
	var cmds []*command
	for _, org := range invited {
		cmds = append(cmds, &command{kind: "accept", org: org})
	}
	for i, org := range invited[:15] {
		cmds = append(cmds, &command{kind: "share", org: org, bp: int32(100 + i)})
	}
	for i := range 15 {
		cmds = append(cmds, &command{kind: "share", org: joined[i%5], bp: int32(1000 + i)})
	}
	if len(cmds) != 50 {
		t.Fatalf("%d commands", len(cmds))
	}
	// Contexts (and tokens) are made before the start, so the calls start together.
	ctxs := make([]context.Context, len(cmds))
	for i, c := range cmds {
		ctxs[i] = w.Ctx(testenv.Company(c.org))
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			switch c.kind {
			case "accept":
				_, c.err = w.Tenders.AcceptInvitation(ctxs[i], &tenderv1.AcceptInvitationRequest{ConsortiumId: cid, OrganizationId: c.org})
			case "share":
				_, c.err = w.Tenders.SetShare(ctxs[i], &tenderv1.SetShareRequest{ConsortiumId: cid, OrganizationId: c.org, ShareBp: c.bp})
			}
		}()
	}
	began := time.Now()
	close(start)
	wg.Wait()
	t.Logf("50 concurrent commands took %v", time.Since(began))

	succeeded := map[string]int{}
	var ok int
	wantShares := map[string][]int32{} // org → successful share values
	for _, c := range cmds {
		if c.err == nil {
			ok++
			succeeded[c.kind]++
			if c.kind == "share" {
				wantShares[c.org] = append(wantShares[c.org], c.bp)
			}
			continue
		}
		st, _ := status.FromError(c.err)
		// The only legitimate failure: setting the share of a company whose
		// acceptance has not been recorded yet.
		if c.kind == "share" && slices.Contains(invited, c.org) && st.Code() == codes.FailedPrecondition {
			if vs := testenv.PreconditionViolations(t, st); len(vs) == 1 && vs[0].GetType() == "membership" {
				continue
			}
		}
		t.Errorf("%s %s (%d): %v", c.kind, c.org, c.bp, c.err)
	}
	if succeeded["accept"] != 20 {
		t.Errorf("%d of 20 acceptances succeeded", succeeded["accept"])
	}
	t.Logf("%d commands succeeded (%d accepts, %d share changes)", ok, succeeded["accept"], succeeded["share"])

	// Exactly one event per successful command.
	if got := w.Messages(subject); got != before+uint64(ok) {
		t.Fatalf("stream has %d new events for %d successful commands", got-before, ok)
	}

	// The read model and the log agree, and hold every write.
	read := w.getConsortium(mgr, cid)
	folded, evs := w.fromLog(cid)
	if read.GetVersion() != folded.Version {
		t.Errorf("read model at version %d, log at %d", read.GetVersion(), folded.Version)
	}
	for _, fm := range folded.Members {
		rm := member(read, fm.OrganizationID)
		if rm == nil || rm.GetStatus() != tenderv1.MemberStatus(fm.Status) || rm.GetShareBp() != int32(fm.ShareBP) {
			t.Errorf("member %s: read model %v, log %+v", fm.OrganizationID, rm, fm)
		}
	}
	for _, org := range invited {
		if m := member(read, org); m.GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_JOINED {
			t.Errorf("%s is %v after accepting", org, m.GetStatus())
		}
	}
	// Every successful share change is an event, and the last one per member is its share.
	logged := map[string][]int32{}
	for _, ev := range evs {
		if m, ok := ev.Data.(*tenderv1.ConsortiumShareSet); ok {
			logged[m.GetOrganizationId()] = append(logged[m.GetOrganizationId()], m.GetShareBp())
		}
	}
	for org, want := range wantShares {
		got := slices.Clone(logged[org])
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: share events %v, successful commands %v", org, logged[org], want)
		}
		if last := logged[org][len(logged[org])-1]; member(read, org).GetShareBp() != last {
			t.Errorf("%s: share %d, last share event %d", org, member(read, org).GetShareBp(), last)
		}
	}
}

func TestAuthorisation(t *testing.T) {
	w := newWorld(t)
	teraMgr, giraMgr := testenv.Manager(w.tera), testenv.Manager(w.gira)
	a, b, c, g := w.leadA(w.tera), w.memberB(w.tera), w.memberC(w.tera), w.solo("Omega Sistemas S.L.", w.tera)
	tn := w.tender(w.details())
	cid := w.consortium(teraMgr, tn.GetId(), "", draft(a, 0, true), draft(b, 0, false), draft(c, 0, false)).GetId()
	before := w.Messages("")

	_, err := w.Tenders.CreateTender(w.Ctx(testenv.Company(a)), &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: w.details()})
	testenv.WantCode(t, err, codes.PermissionDenied)
	_, err = w.Tenders.CreateTender(w.Ctx(giraMgr), &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: w.details()})
	testenv.WantCode(t, err, codes.PermissionDenied)

	planned, err := w.Tenders.CreateTender(w.Ctx(teraMgr), &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: w.details()})
	if err != nil {
		t.Fatal(err)
	}
	before++
	_, err = w.Tenders.PublishTender(w.Ctx(giraMgr), &tenderv1.PublishTenderRequest{TenderId: planned.GetTender().GetId()})
	testenv.WantCode(t, err, codes.PermissionDenied)
	_, err = w.Tenders.PublishTender(w.Ctx(testenv.Company(a)), &tenderv1.PublishTenderRequest{TenderId: planned.GetTender().GetId()})
	testenv.WantCode(t, err, codes.PermissionDenied)
	_, err = w.Tenders.ChangeDeadline(w.Ctx(giraMgr), &tenderv1.ChangeDeadlineRequest{TenderId: tn.GetId(), Deadline: timestamppb.New(w.deadline.AddDate(0, 0, 1)), Reason: "x"})
	testenv.WantCode(t, err, codes.PermissionDenied)
	// A manager of a cluster the tender is not shared with cannot form a consortium for it.
	_, err = w.Tenders.CreateConsortium(w.Ctx(giraMgr), &tenderv1.CreateConsortiumRequest{TenderId: tn.GetId(), Members: []*tenderv1.DraftMember{draft(g, 0, true)}})
	testenv.WantCode(t, err, codes.PermissionDenied)
	// A company forms a bid only as its own lead.
	_, err = w.Tenders.CreateConsortium(w.Ctx(testenv.Company(g)), &tenderv1.CreateConsortiumRequest{TenderId: tn.GetId(), Members: []*tenderv1.DraftMember{draft(a, 0, true), draft(g, 0, false)}})
	testenv.WantCode(t, err, codes.PermissionDenied)

	// A company accepts only for itself.
	_, err = w.Tenders.AcceptInvitation(w.Ctx(testenv.Company(b)), &tenderv1.AcceptInvitationRequest{ConsortiumId: cid, OrganizationId: c})
	testenv.WantCode(t, err, codes.PermissionDenied)
	_, err = w.Tenders.AcceptInvitation(w.Ctx(teraMgr), &tenderv1.AcceptInvitationRequest{ConsortiumId: cid, OrganizationId: c})
	testenv.WantCode(t, err, codes.PermissionDenied)
	w.accept(cid, b)
	before += 2 // the seat for the lot, then the join
	// A member sets only its own share; inviting and submitting is for the lead or a manager.
	_, err = w.Tenders.SetShare(w.Ctx(testenv.Company(b)), &tenderv1.SetShareRequest{ConsortiumId: cid, OrganizationId: a, ShareBp: 100})
	testenv.WantCode(t, err, codes.PermissionDenied)
	_, err = w.Tenders.InviteMember(w.Ctx(testenv.Company(b)), &tenderv1.InviteMemberRequest{ConsortiumId: cid, OrganizationId: g})
	testenv.WantCode(t, err, codes.PermissionDenied)
	_, err = w.Tenders.SubmitConsortium(w.Ctx(testenv.Company(b)), &tenderv1.SubmitConsortiumRequest{ConsortiumId: cid})
	testenv.WantCode(t, err, codes.PermissionDenied)

	// A company sees only the consortia it is in.
	_, err = w.Tenders.GetConsortium(w.Ctx(testenv.Company(g)), &tenderv1.GetConsortiumRequest{ConsortiumId: cid})
	testenv.WantCode(t, err, codes.PermissionDenied)
	list, err := w.Tenders.ListConsortia(w.Ctx(testenv.Company(g)), &tenderv1.ListConsortiaRequest{TenderId: tn.GetId()})
	if err != nil || len(list.GetConsortia()) != 0 {
		t.Errorf("ListConsortia as an outsider = %v, %v", list.GetConsortia(), err)
	}
	_, err = w.Tenders.GetAuditTrail(w.Ctx(testenv.Company(g)), &tenderv1.GetAuditTrailRequest{Aggregate: "consortium", Id: cid})
	testenv.WantCode(t, err, codes.PermissionDenied)
	w.getConsortium(testenv.Company(c), cid) // invited: may look
	w.getConsortium(testenv.Agency(), cid)   // the agency sees every consortium
	// Nor does the manager of a cluster the tender is not shared with.
	_, err = w.Tenders.GetConsortium(w.Ctx(giraMgr), &tenderv1.GetConsortiumRequest{ConsortiumId: cid})
	testenv.WantCode(t, err, codes.PermissionDenied)
	if w.Messages("") != before {
		t.Fatalf("refused commands appended events")
	}

	// No token, no service.
	ctx := w.NoToken()
	_, err = w.Tenders.GetTender(ctx, &tenderv1.GetTenderRequest{TenderId: tn.GetId()})
	testenv.WantCode(t, err, codes.Unauthenticated)
	_, err = w.Tenders.CreateTender(ctx, &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: w.details()})
	testenv.WantCode(t, err, codes.Unauthenticated)
	_, err = w.Tenders.AcceptInvitation(ctx, &tenderv1.AcceptInvitationRequest{ConsortiumId: cid, OrganizationId: c})
	testenv.WantCode(t, err, codes.Unauthenticated)
	_, err = w.Tenders.ListTenders(ctx, &tenderv1.ListTendersRequest{})
	testenv.WantCode(t, err, codes.Unauthenticated)
}

func TestCreateTenderInvalidArgument(t *testing.T) {
	w := newWorld(t)
	before := w.Messages("")
	d := w.details()
	d.CpvCodes = []string{"99999999", "72200000"} // well-formed, not in CPV 2008; then a valid one
	d.SubmissionDeadline = timestamppb.New(time.Now().Add(-time.Hour))
	d.EstimatedValueCents = -1
	_, err := w.Tenders.CreateTender(w.Ctx(testenv.Manager(w.tera)), &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: d})
	st := testenv.WantCode(t, err, codes.InvalidArgument)
	var fields []string
	for _, f := range testenv.FieldViolations(t, st) {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	if want := []string{"details.cpv_codes[0]", "details.estimated_value_cents", "details.submission_deadline"}; !slices.Equal(fields, want) {
		t.Fatalf("field violations = %q, want %q", fields, want)
	}
	if w.Messages("") != before {
		t.Fatal("an invalid tender appended events")
	}
}

func TestMembershipFallbackWhenMemberServiceIsDown(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	g, a := w.solo("Omega Sistemas S.L.", w.tera), w.leadA(w.tera)
	requested := w.Register(w.profile("Solicitante S.L.", []string{"cloud"}, 50_000, 0, false))
	w.Request(requested, w.tera)
	w.WaitIndexed(requested, func(domain.Company) bool { return true })
	tn := w.tender(w.details())
	cid := w.consortium(mgr, tn.GetId(), "", draft(g, 0, true)).GetId()

	w.StopMember()
	_, err := w.Members.GetOrganization(w.Ctx(testenv.Admin()), &memberv1.GetOrganizationRequest{OrganizationId: a})
	testenv.WantCode(t, err, codes.Unavailable)

	res, err := w.Tenders.InviteMember(w.Ctx(mgr), &tenderv1.InviteMemberRequest{ConsortiumId: cid, OrganizationId: a})
	if err != nil {
		t.Fatalf("InviteMember(active) with the member service down: %v", err)
	}
	if m := member(res.GetConsortium(), a); m.GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_INVITED || m.GetLegalName() != "Alfa Software S.L." {
		t.Errorf("A = %v", m)
	}
	for _, org := range []string{requested, unknownID} {
		_, err = w.Tenders.InviteMember(w.Ctx(mgr), &tenderv1.InviteMemberRequest{ConsortiumId: cid, OrganizationId: org})
		testenv.Violation(t, err, "active_membership")
	}
	if m := member(w.accept(cid, a), a); m.GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_JOINED {
		t.Errorf("A after accepting = %v", m)
	}
}

func TestRestartRebuildsTheReadModel(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	a, b, c := w.leadA(w.tera), w.memberB(w.tera), w.memberC(w.gira)
	tn := w.tender(w.details(), w.gira)
	if _, err := w.Tenders.ChangeDeadline(w.Ctx(mgr), &tenderv1.ChangeDeadlineRequest{TenderId: tn.GetId(), Deadline: timestamppb.New(w.deadline.AddDate(0, 0, 3)), Reason: "errata"}); err != nil {
		t.Fatal(err)
	}
	cid := w.consortium(mgr, tn.GetId(), "", draft(a, 5000, true), draft(b, 3000, false), draft(c, 2000, false)).GetId()
	for _, org := range []string{a, b, c} {
		w.accept(cid, org)
	}
	g := w.solo("Omega Sistemas S.L.", w.tera)
	dissolved := w.consortium(mgr, tn.GetId(), "", draft(g, 0, true)).GetId()
	if _, err := w.Tenders.DissolveConsortium(w.Ctx(mgr), &tenderv1.DissolveConsortiumRequest{ConsortiumId: dissolved, Reason: "duplicate"}); err != nil {
		t.Fatal(err)
	}
	tenderBefore := w.getTender(mgr, tn.GetId())
	consBefore := w.getConsortium(mgr, cid)
	dissolvedBefore := w.getConsortium(mgr, dissolved)
	listBefore, err := w.Tenders.ListConsortia(w.Ctx(mgr), &tenderv1.ListConsortiaRequest{TenderId: tn.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if consBefore.GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_READY {
		t.Fatalf("fixture consortium is %v", consBefore.GetStatus())
	}

	w.RestartTender()

	if got := w.getTender(mgr, tn.GetId()); !proto.Equal(got, tenderBefore) {
		t.Errorf("tender after restart:\n%v\nbefore:\n%v", got, tenderBefore)
	}
	if got := w.getConsortium(mgr, cid); !proto.Equal(got, consBefore) {
		t.Errorf("consortium after restart:\n%v\nbefore:\n%v", got, consBefore)
	}
	if got := w.getConsortium(mgr, dissolved); !proto.Equal(got, dissolvedBefore) {
		t.Errorf("dissolved consortium after restart:\n%v\nbefore:\n%v", got, dissolvedBefore)
	}
	listAfter, err := w.Tenders.ListConsortia(w.Ctx(mgr), &tenderv1.ListConsortiaRequest{TenderId: tn.GetId()})
	if err != nil || !proto.Equal(listAfter, listBefore) {
		t.Errorf("ListConsortia after restart = %v, %v", listAfter, err)
	}
	ts, err := w.Tenders.ListTenders(w.Ctx(testenv.Company(a)), &tenderv1.ListTendersRequest{ClusterId: w.gira})
	if err != nil || len(ts.GetTenders()) != 1 || !proto.Equal(ts.GetTenders()[0], tenderBefore) {
		t.Errorf("ListTenders after restart = %v, %v", ts, err)
	}
	// The rebuilt service keeps working.
	w.setShare(mgr, cid, a, 4000)
}

func TestRetriesWithTheSameIdempotencyKey(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	a, b := w.leadA(w.tera), w.memberB(w.tera)
	withKey := func(ctx context.Context, key string) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "idempotency-key", key)
	}
	// CreateTender twice with one key: one tender.
	req := &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: w.details(), Publish: true, SharedWith: []string{w.gira}}
	first, err := w.Tenders.CreateTender(withKey(w.Ctx(mgr), "create-1"), req)
	if err != nil {
		t.Fatal(err)
	}
	events := w.Messages("")
	again, err := w.Tenders.CreateTender(withKey(w.Ctx(mgr), "create-1"), req)
	if err != nil || again.GetTender().GetId() != first.GetTender().GetId() || w.Messages("") != events {
		t.Fatalf("retried CreateTender = %v, %v (%d events, want %d)", again.GetTender().GetId(), err, w.Messages(""), events)
	}
	tid := first.GetTender().GetId()

	// CreateConsortium twice with one key: one consortium.
	creq := &tenderv1.CreateConsortiumRequest{TenderId: tid, Members: []*tenderv1.DraftMember{draft(a, 0, true), draft(b, 0, false)}}
	c1, err := w.Tenders.CreateConsortium(withKey(w.Ctx(mgr), "form-1"), creq)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := w.Tenders.CreateConsortium(withKey(w.Ctx(mgr), "form-1"), creq)
	if err != nil || c2.GetConsortium().GetId() != c1.GetConsortium().GetId() {
		t.Fatalf("retried CreateConsortium = %v, %v", c2.GetConsortium().GetId(), err)
	}
	cid := c1.GetConsortium().GetId()
	subject := domain.ConsortiumSubject(cid)

	// An acceptance retried after it succeeded answers as the first time
	// (not "already joined"), with one event.
	acc := &tenderv1.AcceptInvitationRequest{ConsortiumId: cid, OrganizationId: b}
	r1, err := w.Tenders.AcceptInvitation(withKey(w.Ctx(testenv.Company(b)), "accept-1"), acc)
	if err != nil {
		t.Fatal(err)
	}
	n := w.Messages(subject)
	r2, err := w.Tenders.AcceptInvitation(withKey(w.Ctx(testenv.Company(b)), "accept-1"), acc)
	if err != nil || r2.GetConsortium().GetVersion() != r1.GetConsortium().GetVersion() || w.Messages(subject) != n {
		t.Fatalf("retried AcceptInvitation: %v (version %d, want %d)", err, r2.GetConsortium().GetVersion(), r1.GetConsortium().GetVersion())
	}
	// Without the key, the same command is decided again: B has joined already.
	_, err = w.Tenders.AcceptInvitation(w.Ctx(testenv.Company(b)), acc)
	testenv.Violation(t, err, "invitation")

	// A share change retried with its key is applied once; a new key is a new change.
	w.accept(cid, a)
	set := func(key string, bp int32) *tenderv1.Consortium {
		t.Helper()
		res, err := w.Tenders.SetShare(withKey(w.Ctx(testenv.Company(a)), key), &tenderv1.SetShareRequest{ConsortiumId: cid, OrganizationId: a, ShareBp: bp})
		if err != nil {
			t.Fatalf("SetShare(%s, %d): %v", key, bp, err)
		}
		return res.GetConsortium()
	}
	set("share-1", 6000)
	n = w.Messages(subject)
	set("share-1", 6000)
	if w.Messages(subject) != n {
		t.Fatal("a retried SetShare appended an event")
	}
	if got := member(set("share-2", 7000), a).GetShareBp(); got != 7000 || w.Messages(subject) != n+1 {
		t.Fatalf("a new key: share %d, %d events (want %d)", got, w.Messages(subject), n+1)
	}
}

// Simultaneous acceptances by one company into two consortia of the same lot:
// the read model cannot see the other in time, the seat on the log decides,
// exactly one joins; repeated to give the race a chance.
func TestSimultaneousJoinsIntoTwoConsortiaOfOneLot(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	tn := w.tender(withLots(w.details()))
	for round := range 5 {
		a := w.leadA(w.tera)
		g1 := w.solo(fmt.Sprintf("Lead Uno %d S.L.", round), w.tera)
		g2 := w.solo(fmt.Sprintf("Lead Dos %d S.L.", round), w.tera)
		x := w.consortium(mgr, tn.GetId(), "1", draft(g1, 0, true), draft(a, 0, false)).GetId()
		y := w.consortium(mgr, tn.GetId(), "1", draft(g2, 0, true), draft(a, 0, false)).GetId()
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, id := range []string{x, y} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = w.Tenders.AcceptInvitation(w.Ctx(testenv.Company(a)), &tenderv1.AcceptInvitationRequest{ConsortiumId: id, OrganizationId: a})
			}()
		}
		wg.Wait()
		joined := 0
		for i, err := range errs {
			if err == nil {
				joined++
				continue
			}
			testenv.Violation(t, err, "one_consortium_per_lot")
			if m := member(w.getConsortium(mgr, []string{x, y}[i]), a); m.GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_INVITED {
				t.Errorf("round %d: refused consortium shows A as %v", round, m.GetStatus())
			}
		}
		if joined != 1 {
			t.Fatalf("round %d: %d of 2 simultaneous joins succeeded, want exactly 1 (%v)", round, joined, errs)
		}
	}
}
