package notification_test

import (
	"testing"
	"time"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/internal/stack"
)

func inbox(t *testing.T, s *stack.Stack, org string) *notificationv1.ListInboxResponse {
	t.Helper()
	res, err := s.Notifications.ListInbox(s.Ctx(stack.Company(org, "es")), &notificationv1.ListInboxRequest{PageSize: 100})
	if err != nil {
		t.Fatalf("ListInbox(%s): %v", org, err)
	}
	return res
}

// A tender whose CPV and capabilities fit one company's profile (which also
// meets its requirements alone) yields exactly one inbox item for that company
// and none for the companies it does not fit — also after a restart of the
// notification service, which replays every stream.
func TestTenderFittingOneCompanyTellsOnlyThatCompany(t *testing.T) {
	s := stack.New(t, notification.Config{})
	cluster := s.Cluster("TERA ICT (test)")
	alfa := s.Join(stack.Profile{Name: "Alfa Software S.L.", Capabilities: []string{"software-development", "cybersecurity"}, CPVInterests: []string{"72000000"},
		TurnoverEuros: 300_000, RefCPV: "72212000", RefEuros: 120_000}, cluster)
	beta := s.Join(stack.Profile{Name: "Beta Ingeniería S.L.", Capabilities: []string{"gis"}, CPVInterests: []string{"71300000"}, TurnoverEuros: 500_000}, cluster)
	gamma := s.Join(stack.Profile{Name: "Gamma Hardware S.L.", Capabilities: []string{"hardware-supply"}, CPVInterests: []string{"48000000"}, TurnoverEuros: 900_000}, cluster)
	// Users of each company are known to the service before the tender appears.
	for _, org := range []string{alfa, beta, gamma} {
		inbox(t, s, org)
	}
	tn := s.PublishTender(cluster, stack.Details("Desarrollo de la sede electrónica", "72212000", []string{"software-development"}, time.Now().AddDate(0, 1, 0)))
	s.Settled()

	check := func(when string) {
		t.Helper()
		a := inbox(t, s, alfa)
		if len(a.GetItems()) != 1 || a.GetUnreadCount() != 1 {
			t.Fatalf("%s: Alfa has %d items (%d unread), want exactly 1", when, len(a.GetItems()), a.GetUnreadCount())
		}
		it := a.GetItems()[0]
		if it.GetType() != notificationv1.NotificationType_NOTIFICATION_TYPE_TENDER_MATCHED || it.GetMessageId() != domain.MsgTenderMatchedAlone ||
			it.GetLink() != "/tenders/"+tn.GetId() || it.GetState() != notificationv1.InboxState_INBOX_STATE_UNREAD {
			t.Fatalf("%s: Alfa's item: %v", when, it)
		}
		t.Logf("%s: Alfa's item (es): %q / %q", when, it.GetTitle(), it.GetBody())
		for name, org := range map[string]string{"Beta": beta, "Gamma": gamma} {
			if n := len(inbox(t, s, org).GetItems()); n != 0 {
				t.Fatalf("%s: %s has %d items for a tender that does not fit it", when, name, n)
			}
		}
	}
	check("after publishing")
	s.StopNotification()
	s.StartNotification()
	s.Settled()
	check("after a restart")
}
