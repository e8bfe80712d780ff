package grpc_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/metadata"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// An idempotency key answers a retry of the request it came with; the same
// key on another request (another caller, method or body) is refused with a
// precondition naming the reuse, and changes nothing. Before, the manager's
// dissolve was answered as the company's acceptance: 200, still FORMING.
func TestReusedIdempotencyKeyForAnotherRequestIsRefused(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	a, b := w.leadA(w.tera), w.memberB(w.tera)
	withKey := func(ctx context.Context, key string) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "idempotency-key", key)
	}
	tn := w.tender(w.details())
	cid := w.consortium(mgr, tn.GetId(), "", draft(a, 0, true), draft(b, 0, false)).GetId()
	subject := domain.ConsortiumSubject(cid)

	acc := &tenderv1.AcceptInvitationRequest{ConsortiumId: cid, OrganizationId: b}
	accepted, err := w.Tenders.AcceptInvitation(withKey(w.Ctx(testenv.Company(b)), "k"), acc)
	if err != nil {
		t.Fatal(err)
	}
	events := w.Messages(subject)

	// The manager dissolves with the company's key: refused, nothing written.
	_, err = w.Tenders.DissolveConsortium(withKey(w.Ctx(mgr), "k"), &tenderv1.DissolveConsortiumRequest{ConsortiumId: cid, Reason: "no longer pursued"})
	v := testenv.Violation(t, err, "idempotency_key_reused")
	if v.GetSubject() != subject {
		t.Errorf("violation names %q, want %q", v.GetSubject(), subject)
	}
	// The company itself, same key, another request (its share): refused too.
	_, err = w.Tenders.SetShare(withKey(w.Ctx(testenv.Company(b)), "k"), &tenderv1.SetShareRequest{ConsortiumId: cid, OrganizationId: b, ShareBp: 3000})
	testenv.Violation(t, err, "idempotency_key_reused")
	if got := w.Messages(subject); got != events {
		t.Fatalf("refused commands appended %d events", got-events)
	}
	c := w.getConsortium(mgr, cid)
	if c.GetStatus() != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_FORMING || c.GetVersion() != accepted.GetConsortium().GetVersion() {
		t.Fatalf("consortium changed: %v at version %d, want FORMING at %d", c.GetStatus(), c.GetVersion(), accepted.GetConsortium().GetVersion())
	}

	// The real retry is still answered as the first time.
	again, err := w.Tenders.AcceptInvitation(withKey(w.Ctx(testenv.Company(b)), "k"), acc)
	if err != nil || again.GetConsortium().GetVersion() != accepted.GetConsortium().GetVersion() {
		t.Fatalf("retried acceptance: %v, %v", again, err)
	}
	// And a fresh key dissolves.
	if _, err := w.Tenders.DissolveConsortium(withKey(w.Ctx(mgr), "k2"), &tenderv1.DissolveConsortiumRequest{ConsortiumId: cid, Reason: "no longer pursued"}); err != nil {
		t.Fatal(err)
	}
	if got := w.getConsortium(mgr, cid).GetStatus(); got != tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_DISSOLVED {
		t.Fatalf("after dissolving with a new key: %v", got)
	}

	// Creating with a reused key and a different body is refused as well.
	req := &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: w.details(), Publish: true}
	if _, err := w.Tenders.CreateTender(withKey(w.Ctx(mgr), "create-k"), req); err != nil {
		t.Fatal(err)
	}
	other := &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: w.details(), Publish: false}
	_, err = w.Tenders.CreateTender(withKey(w.Ctx(mgr), "create-k"), other)
	testenv.Violation(t, err, "idempotency_key_reused")
}
