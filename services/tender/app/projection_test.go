package app_test

import (
	"context"
	"testing"
	"time"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/convert"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/store/memory"
)

func logged(t *testing.T, seq uint64, subject string, e domain.Event) eventlog.Event {
	t.Helper()
	msg, err := convert.Event(e)
	if err != nil {
		t.Fatal(err)
	}
	return eventlog.Event{Subject: subject, Sequence: seq, Data: msg, Time: time.Date(2026, 3, 4, 10, 0, int(seq), 0, time.UTC)}
}

func TestProjectionAppliesOnceInOrder(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	h := app.Projection(st)
	tsub, csub := domain.TenderSubject("t1"), domain.ConsortiumSubject("c1")
	evs := []eventlog.Event{
		logged(t, 1, tsub, domain.TenderCreated{TenderID: "t1", ClusterID: "tera", Status: domain.StatusPlanned, Details: domain.Details{Title: "T"}}),
		logged(t, 2, csub, domain.ConsortiumFormed{ConsortiumID: "c1", TenderID: "t1", LeadID: "A", Members: []domain.Draft{{OrganizationID: "A", Lead: true}}}),
		logged(t, 3, tsub, domain.TenderPublished{TenderID: "t1"}),
		logged(t, 4, csub, domain.ConsortiumMemberJoined{ConsortiumID: "c1", OrganizationID: "A"}),
	}
	for _, ev := range evs {
		if err := h.Apply(ctx, ev); err != nil {
			t.Fatalf("Apply(%d): %v", ev.Sequence, err)
		}
	}
	// Redelivered events (at or below the checkpoint) change nothing: a replayed
	// ConsortiumFormed must not reset the member who joined since.
	for _, ev := range evs[:2] {
		if err := h.Apply(ctx, ev); err != nil {
			t.Fatalf("re-Apply(%d): %v", ev.Sequence, err)
		}
	}
	tn, err := st.GetTender(ctx, "t1")
	if err != nil || tn.Status != domain.StatusActive || tn.Version != 3 || tn.Created.Second() != 1 || tn.Updated.Second() != 3 {
		t.Fatalf("tender = %+v, %v", tn, err)
	}
	c, err := st.GetConsortium(ctx, "c1")
	if err != nil || c.Version != 4 || c.Members[0].Status != domain.MemberJoined {
		t.Fatalf("consortium = %+v, %v", c, err)
	}
	if cp, _ := h.Checkpoint(ctx); cp != 4 {
		t.Errorf("checkpoint = %d", cp)
	}

	// Events that cannot be applied are permanent failures (parked), not retried.
	for name, ev := range map[string]eventlog.Event{
		"unknown subject":            {Subject: "tender.other.x", Sequence: 5, Data: &tenderv1.TenderPublished{TenderId: "x"}},
		"consortium event on tender": logged(t, 6, tsub, domain.ConsortiumSubmitted{ConsortiumID: "c1"}),
		"tender event on consortium": logged(t, 7, csub, domain.TenderPublished{TenderID: "t1"}),
		"a resource, not an event":   {Subject: tsub, Sequence: 8, Data: &tenderv1.Tender{Id: "t1"}},
	} {
		if err := h.Apply(ctx, ev); !eventlog.IsPermanent(err) {
			t.Errorf("%s: err = %v, want a permanent error", name, err)
		}
	}
	if tn2, _ := st.GetTender(ctx, "t1"); tn2.Version != 3 {
		t.Errorf("a failed event changed the tender: %+v", tn2)
	}
}
