package grpc_test

import (
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/types/known/timestamppb"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender"
	"github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

const biddingClosed = pkg + "TenderBiddingClosed"

// waitForEvent blocks until an event of type typ is on subject in the TENDER
// stream (or the test's context ends) and returns it.
func waitForEvent(t *testing.T, w *world, subject, typ string) jetstream.Msg {
	t.Helper()
	ctx := t.Context()
	c, err := w.NATS.JS.OrderedConsumer(ctx, tender.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	for {
		m, err := c.Next(jetstream.FetchContext(ctx))
		if err != nil {
			t.Fatalf("waiting for %s on %s: %v", typ, subject, err)
		}
		if m.Headers().Get(eventlog.HeaderType) == typ {
			return m
		}
	}
}

// countEvents is how many events of type typ the tender's history holds.
func countEvents(t *testing.T, w *world, id, typ string) int {
	t.Helper()
	trail, err := w.Tenders.GetAuditTrail(w.Ctx(testenv.Admin()), &tenderv1.GetAuditTrailRequest{Aggregate: "tender", Id: id})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range trail.GetEvents() {
		if e.GetType() == typ {
			n++
		}
	}
	return n
}

// waitStatus waits until the read model shows the tender in status want.
func waitStatus(t *testing.T, w *world, id string, want tenderv1.TenderStatus) *tenderv1.Tender {
	t.Helper()
	for {
		got, err := w.Tenders.GetTender(w.Ctx(testenv.Admin()), &tenderv1.GetTenderRequest{TenderId: id})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetTender().GetStatus() == want {
			return got.GetTender()
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("tender %s stayed %v, want %v", id, got.GetTender().GetStatus(), want)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestBiddingClosesAtTheDeadline: a published tender's bidding closes when its
// deadline passes — one TenderBiddingClosed by the scheduler, then the tender is
// under evaluation (no submission; out of the default list). A deadline moved
// later before it passes keeps the tender open; closing again (a second
// replica, a restart) appends nothing; a tender whose deadline passes while
// the service restarts is closed once by the new instance.
func TestBiddingClosesAtTheDeadline(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	create := func(title string, deadline time.Time) string {
		t.Helper()
		d := w.details()
		d.Title, d.SubmissionDeadline = title, timestamppb.New(deadline)
		res, err := w.Tenders.CreateTender(w.Ctx(mgr), &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: d, Publish: true})
		if err != nil {
			t.Fatalf("CreateTender %s: %v", title, err)
		}
		return res.GetTender().GetId()
	}
	start := time.Now()
	// Moved a year later long before its deadline: its queued close is stale.
	moved := create("Plazo ampliado", start.Add(4*time.Second))
	if _, err := w.Tenders.ChangeDeadline(w.Ctx(mgr), &tenderv1.ChangeDeadlineRequest{TenderId: moved, Deadline: timestamppb.New(start.AddDate(1, 0, 0)), Reason: "errata"}); err != nil {
		t.Fatal(err)
	}
	closing := create("Plazo que vence", start.Add(5*time.Second))

	ev := waitForEvent(t, w, domain.TenderSubject(closing), biddingClosed)
	if actor := ev.Headers().Get(eventlog.HeaderActor); actor != app.SchedulerActor {
		t.Errorf("closed by %q, want %q", actor, app.SchedulerActor)
	}
	closed := waitStatus(t, w, closing, tenderv1.TenderStatus_TENDER_STATUS_EVALUATION)
	if closed.GetSubmissionDeadline().AsTime().After(time.Now()) {
		t.Errorf("closed before its deadline %v", closed.GetSubmissionDeadline().AsTime())
	}
	// The moved tender's stale entry (due before closing's) was skipped.
	if got, err := w.Tenders.GetTender(w.Ctx(mgr), &tenderv1.GetTenderRequest{TenderId: moved}); err != nil ||
		got.GetTender().GetStatus() != tenderv1.TenderStatus_TENDER_STATUS_ACTIVE || countEvents(t, w, moved, biddingClosed) != 0 {
		t.Errorf("moved tender = %v, %v (closes: %d)", got.GetTender().GetStatus(), err, countEvents(t, w, moved, biddingClosed))
	}

	// Closing again, as two replicas or a retried timer would, many at once: nothing more.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if did, err := w.Tender.Service.CloseBidding(t.Context(), closing); did || err != nil {
				t.Errorf("second CloseBidding = %v, %v", did, err)
			}
		})
	}
	wg.Wait()
	if n := countEvents(t, w, closing, biddingClosed); n != 1 {
		t.Errorf("%d TenderBiddingClosed events, want 1", n)
	}

	// The list defaults to the open tenders; any_status lists the closed one too.
	list := func(r *tenderv1.ListTendersRequest) map[string]tenderv1.TenderStatus {
		t.Helper()
		r.ClusterId = w.tera
		res, err := w.Tenders.ListTenders(w.Ctx(mgr), r)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]tenderv1.TenderStatus{}
		for _, tn := range res.GetTenders() {
			out[tn.GetId()] = tn.GetStatus()
		}
		return out
	}
	if def := list(&tenderv1.ListTendersRequest{}); len(def) != 1 || def[moved] != tenderv1.TenderStatus_TENDER_STATUS_ACTIVE {
		t.Errorf("default list = %v, want only the open tender %s", def, moved)
	}
	if all := list(&tenderv1.ListTendersRequest{AnyStatus: true}); len(all) != 2 || all[closing] != tenderv1.TenderStatus_TENDER_STATUS_EVALUATION {
		t.Errorf("any_status list = %v", all)
	}
	if ev := list(&tenderv1.ListTendersRequest{Status: tenderv1.TenderStatus_TENDER_STATUS_EVALUATION}); len(ev) != 1 || ev[closing] == 0 {
		t.Errorf("status=EVALUATION list = %v", ev)
	}

	// Under evaluation the award is still recorded.
	if _, err := w.Tenders.AwardTender(w.Ctx(mgr), &tenderv1.AwardTenderRequest{TenderId: closing, Award: &tenderv1.Award{WinnerName: "UTE Cantabria", AmountCents: 1}}); err != nil {
		t.Errorf("award under evaluation: %v", err)
	}

	// A deadline that passes around a restart: the new instance derives it
	// from the read model and closes it, once.
	late := create("Plazo durante el reinicio", time.Now().Add(2*time.Second))
	w.RestartTender()
	waitForEvent(t, w, domain.TenderSubject(late), biddingClosed)
	waitStatus(t, w, late, tenderv1.TenderStatus_TENDER_STATUS_EVALUATION)
	if n := countEvents(t, w, late, biddingClosed); n != 1 {
		t.Errorf("%d closes after the restart, want 1", n)
	}
}
