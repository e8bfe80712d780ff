package grpc_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// A poison event on a consortium (here: undecodable, as a broken release
// could write) no longer turns every later command on it into a masked
// INTERNAL: commands are refused with a precondition naming the subject and
// the sequence, the read model parks it and moves on, and the operator's
// repair (eventlog Skip) makes the consortium take commands again.
func TestPoisonEventRefusesCommandsUntilSkipped(t *testing.T) {
	w := newWorld(t)
	mgr := testenv.Manager(w.tera)
	a, b := w.leadA(w.tera), w.memberB(w.tera)
	tn := w.tender(w.details())
	cid := w.consortium(mgr, tn.GetId(), "", draft(a, 0, true), draft(b, 0, false)).GetId()
	subject := domain.ConsortiumSubject(cid)
	w.accept(cid, a)

	m := nats.NewMsg(subject)
	m.Header.Set(eventlog.HeaderType, "consortia.tender.v1.ConsortiumMemberJoined")
	m.Data = []byte{0xff, 0xff}
	ack, err := w.NATS.JS.PublishMsg(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}

	_, err = w.Tenders.SetShare(w.Ctx(mgr), &tenderv1.SetShareRequest{ConsortiumId: cid, OrganizationId: a, ShareBp: 5000})
	v := testenv.Violation(t, err, "poison_event")
	if v.GetSubject() != subject || !strings.Contains(v.GetDescription(), "event "+strconv.FormatUint(ack.Sequence, 10)) {
		t.Fatalf("violation %v does not name %s and event %d", v, subject, ack.Sequence)
	}

	// The read model parked it (the projection moved on).
	var parked []eventlog.Parked
	for len(parked) == 0 {
		if parked, err = eventlog.ListParked(t.Context(), w.NATS.JS, ""); err != nil {
			t.Fatal(err)
		}
		if len(parked) == 0 {
			time.Sleep(10 * time.Millisecond) // bounded by the test's context above
		}
	}
	if parked[0].Subject != subject || parked[0].StreamSequence != ack.Sequence {
		t.Fatalf("parked %+v", parked[0])
	}

	// The operator skips it; the consortium takes commands again.
	log, err := eventlog.Open(t.Context(), w.NATS.JS, eventlog.StreamConfig{Name: tender.Stream, Subjects: []string{domain.SubjectPrefix + ">"}}, "consortia/operator")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := log.Skip(t.Context(), subject, ack.Sequence, "written by a broken release", "operator:test"); err != nil {
		t.Fatal(err)
	}
	if got := member(w.setShare(mgr, cid, a, 5000), a).GetShareBp(); got != 5000 {
		t.Fatalf("share after the repair = %d", got)
	}

	// Clear what this test parked on purpose (the environment checks that
	// nothing else was).
	s, err := w.NATS.JS.Stream(t.Context(), eventlog.ParkedStream)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Purge(t.Context()); err != nil {
		t.Fatal(err)
	}
}
