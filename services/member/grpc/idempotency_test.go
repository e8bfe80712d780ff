package grpc_test

import (
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
)

// A key used for one command and presented again with another (here: another
// method on the same organisation, then another caller) is refused with a
// precondition naming the reuse; nothing is appended, and the real retry is
// still answered as the first time.
func TestReusedIdempotencyKeyForAnotherRequestIsRefused(t *testing.T) {
	e := newEnv(t)
	org := e.register(41, "Keys")
	id := org.GetId()
	turnover := &memberv1.ReportTurnoverRequest{OrganizationId: id, Turnover: &memberv1.Turnover{Year: 2025, AmountCents: 7_000_000_00}}
	first, err := e.c.ReportTurnover(withKey(e.ctxAs(company(id)), "k"), turnover)
	if err != nil {
		t.Fatal(err)
	}
	before := e.events()
	wantReused := func(err error) {
		t.Helper()
		st := wantCode(t, err, codes.FailedPrecondition)
		for _, d := range st.Details() {
			if pf, ok := d.(*errdetails.PreconditionFailure); ok && len(pf.GetViolations()) == 1 && pf.GetViolations()[0].GetType() == "idempotency_key_reused" {
				return
			}
		}
		t.Fatalf("status %v has no idempotency_key_reused violation", st)
	}
	add := &memberv1.AddCertificationRequest{OrganizationId: id, Certification: &memberv1.Certification{Kind: "ISO9001", IssueDate: "2025-01-01", ExpiryDate: "2028-01-01"}}
	_, err = e.c.AddCertification(withKey(e.ctxAs(company(id)), "k"), add)
	wantReused(err)
	other := &memberv1.ReportTurnoverRequest{OrganizationId: id, Turnover: &memberv1.Turnover{Year: 2025, AmountCents: 1}}
	_, err = e.c.ReportTurnover(withKey(e.ctxAs(admin()), "k"), other)
	wantReused(err)
	e.wantEvents(before)

	again, err := e.c.ReportTurnover(withKey(e.ctxAs(company(id)), "k"), turnover)
	if err != nil || again.GetOrganization().GetVersion() != first.GetOrganization().GetVersion() {
		t.Fatalf("retry: %v, %v", again, err)
	}
	if n := len(e.get(id).GetCertifications()); n != len(org.GetCertifications()) {
		t.Fatalf("the refused AddCertification added a certification (%d)", n)
	}
}
