package notification_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/notification/internal/stack"
	"github.com/consortia-dev/consortia/services/notification/planner"
)

func reminders(t *testing.T, s *stack.Stack, org string) []*notificationv1.InboxItem {
	t.Helper()
	var out []*notificationv1.InboxItem
	for _, it := range inbox(t, s, org).GetItems() {
		if it.GetType() == notificationv1.NotificationType_NOTIFICATION_TYPE_DEADLINE_REMINDER {
			out = append(out, it)
		}
	}
	return out
}

// A deadline reminder is a JetStream message schedule: it moves when the
// deadline moves, fires after the whole stack (NATS included) restarted, once,
// at the moved time; a cancelled tender's reminders are dropped.
func TestReminderMovesWithTheDeadlineAndFiresAfterRestart(t *testing.T) {
	const offset = 2 * time.Second
	s := stack.NewIn(t, t.TempDir(), notification.Config{Planner: planner.Config{ReminderOffsets: []time.Duration{offset}}})
	cluster := s.Cluster("TERA ICT (test)")
	alfa := s.Join(stack.Profile{Name: "Alfa Software S.L.", Capabilities: []string{"software-development"}, CPVInterests: []string{"72000000"},
		TurnoverEuros: 300_000, RefCPV: "72212000", RefEuros: 120_000}, cluster)
	inbox(t, s, alfa)
	manager := stack.Manager(cluster)

	first := time.Now().Add(90 * time.Second).Truncate(time.Second)
	tn := s.PublishTender(cluster, stack.Details("Desarrollo de la sede electrónica", "72212000", []string{"software-development"}, first))
	name := "reminder." + tn.GetId() + ".2s"
	s.Settled()
	if tm, ok, err := s.Notification.Timers.Scheduled(t.Context(), name); err != nil || !ok || !tm.At.Equal(first.Add(-offset)) {
		t.Fatalf("reminder for the first deadline: %+v %v %v", tm, ok, err)
	}
	moved := time.Now().Add(8 * time.Second).Truncate(time.Second)
	if _, err := s.Tenders.ChangeDeadline(s.Ctx(manager), &tenderv1.ChangeDeadlineRequest{TenderId: tn.GetId(), Deadline: timestamppb.New(moved), Reason: "pliego corregido"}); err != nil {
		t.Fatal(err)
	}
	s.Settled()
	if tm, ok, err := s.Notification.Timers.Scheduled(t.Context(), name); err != nil || !ok || !tm.At.Equal(moved.Add(-offset)) {
		t.Fatalf("reminder after the move: %+v %v %v, want at %v", tm, ok, err, moved.Add(-offset))
	}
	// A cancelled tender's reminder is dropped.
	other := s.PublishTender(cluster, stack.Details("Mantenimiento", "72212000", []string{"software-development"}, time.Now().Add(time.Hour)))
	if _, err := s.Tenders.CancelTender(s.Ctx(manager), &tenderv1.CancelTenderRequest{TenderId: other.GetId(), Reason: "desierta"}); err != nil {
		t.Fatal(err)
	}
	s.Settled()
	if _, ok, err := s.Notification.Timers.Scheduled(t.Context(), "reminder."+other.GetId()+".2s"); err != nil || ok {
		t.Fatalf("cancelled tender still has a reminder (%v, %v)", ok, err)
	}
	if n := len(reminders(t, s, alfa)); n != 0 {
		t.Fatalf("%d reminders before the restart (the machine was too slow for this test's margin)", n)
	}

	s.RestartAll()
	t.Logf("stack restarted %v before the reminder is due", time.Until(moved.Add(-offset)).Round(time.Millisecond))
	var got []*notificationv1.InboxItem
	s.Eventually(func() bool { got = reminders(t, s, alfa); return len(got) > 0 }, "reminder in Alfa's inbox")
	s.Settled()
	got = reminders(t, s, alfa)
	if len(got) != 1 {
		t.Fatalf("%d reminders, want exactly 1", len(got))
	}
	r := got[0]
	t.Logf("reminder: %q / %q at %v", r.GetTitle(), r.GetBody(), r.GetCreateTime().AsTime())
	if !r.GetCreateTime().AsTime().Equal(moved.Add(-offset)) || r.GetArgs()["deadline"] != moved.In(madrid(t)).Format("2006-01-02 15:04 MST") || r.GetLink() != "/tenders/"+tn.GetId() {
		t.Fatalf("reminder %v: want it at %v for the moved deadline %v", r, moved.Add(-offset), moved)
	}
}

func madrid(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
