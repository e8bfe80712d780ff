package grpc_test

import (
	"testing"

	"google.golang.org/grpc/codes"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// TestSubmitRefusedWhileAnInvitationIsPending: a joint bid is signed by its
// members, so submitting with an unanswered invitation is FailedPrecondition
// naming the invited organisation and changes nothing; the lead withdraws the
// invitation (a stranger may not) and the bid goes.
func TestSubmitRefusedWhileAnInvitationIsPending(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	g, a, b := w.solo("Omega Sistemas S.L.", w.tera), w.leadA(w.tera), w.memberB(w.tera)
	tn := w.tender(w.details())
	cid := w.consortium(mgr, tn.GetId(), "", draft(g, 10000, true), draft(a, 0, false)).GetId()
	w.accept(cid, g)
	before := w.getConsortium(mgr, cid)
	if before.GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_FORMING || !before.GetEligibility().GetEligible() {
		t.Fatalf("eligible with an invitation pending: status %v (want FORMING, not READY), eligible %v", before.GetStatus(), before.GetEligibility().GetEligible())
	}

	_, err := w.Tenders.SubmitConsortium(w.Ctx(testenv.Company(g)), &tenderv1.SubmitConsortiumRequest{ConsortiumId: cid})
	vs := testenv.PreconditionViolations(t, testenv.WantCode(t, err, codes.FailedPrecondition))
	if len(vs) != 1 || vs[0].GetType() != "invitation_pending" || vs[0].GetSubject() != "organization/"+a {
		t.Fatalf("violations = %v, want one invitation_pending naming %s", vs, a)
	}
	if after := w.getConsortium(mgr, cid); after.GetVersion() != before.GetVersion() {
		t.Fatalf("a refused submission moved the consortium from version %d to %d", before.GetVersion(), after.GetVersion())
	}

	_, err = w.Tenders.WithdrawMember(w.Ctx(testenv.Company(b)), &tenderv1.WithdrawMemberRequest{ConsortiumId: cid, OrganizationId: a, Reason: "not mine"})
	testenv.WantCode(t, err, codes.PermissionDenied)
	res, err := w.Tenders.WithdrawMember(w.Ctx(testenv.Company(g)), &tenderv1.WithdrawMemberRequest{ConsortiumId: cid, OrganizationId: a, Reason: "no answer"})
	if err != nil || member(res.GetConsortium(), a).GetStatus() != tenderv1.MemberStatus_MEMBER_STATUS_WITHDRAWN {
		t.Fatalf("lead withdraws the invitation: %v, %v", res, err)
	}
	if st := res.GetConsortium().GetStatus(); st != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_READY {
		t.Fatalf("status after the invitation is withdrawn: %v, want READY", st)
	}
	sub, err := w.Tenders.SubmitConsortium(w.Ctx(testenv.Company(g)), &tenderv1.SubmitConsortiumRequest{ConsortiumId: cid})
	if err != nil || sub.GetConsortium().GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_SUBMITTED {
		t.Fatalf("submit after withdrawing the invitation: %v, %v", sub.GetConsortium().GetStatus(), err)
	}
}
