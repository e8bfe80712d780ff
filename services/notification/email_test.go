package notification_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/notification/deliver"
	"github.com/consortia-dev/consortia/services/notification/devmail"
	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/internal/stack"
	"github.com/consortia-dev/consortia/services/notification/timers"
)

func mailsTo(box *devmail.Mailbox, addr, subjectPrefix string) []devmail.Mail {
	var out []devmail.Mail
	for _, m := range box.Mails() {
		if len(m.To) == 1 && m.To[0] == addr && strings.HasPrefix(m.Subject, subjectPrefix) {
			out = append(out, m)
		}
	}
	return out
}

// An invited company's user gets the invitation by e-mail (SMTP, captured by
// the dev mailbox) in their language, text and HTML, with a Message-ID that
// is the notification key; a user who chose the daily digest gets the day's
// items in one e-mail when the digest timer fires, and nothing immediately.
func TestEmailInTheUsersLanguageAndDailyDigest(t *testing.T) {
	box, err := devmail.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(box.Close)
	host, port, _ := strings.Cut(box.Addr(), ":")
	p, _ := strconv.Atoi(port)
	s := stack.New(t, notification.Config{BaseURL: "http://console.test", SMTP: deliver.SMTPConfig{Host: host, Port: p}})
	cluster := s.Cluster("TERA ICT (test)")
	alfa := s.Join(stack.Profile{Name: "Alfa Software S.L.", Capabilities: []string{"software-development"}, CPVInterests: []string{"72000000"},
		TurnoverEuros: 300_000, RefCPV: "72212000", RefEuros: 120_000}, cluster)
	beta := s.Join(stack.Profile{Name: "Beta Ciber S.L.", Capabilities: []string{"cybersecurity"}, CPVInterests: []string{"48000000"}, TurnoverEuros: 80_000}, cluster)
	betaUser := stack.Company(beta, "en")
	prefs, err := s.Notifications.GetPreferences(s.Ctx(betaUser), &notificationv1.GetPreferencesRequest{})
	if err != nil || prefs.GetPreferences().GetLanguage() != "en" || prefs.GetPreferences().GetEmail() != betaUser.Email {
		t.Fatalf("Beta's preferences: %v %v", prefs, err)
	}
	inbox(t, s, alfa)
	tn := s.PublishTender(cluster, stack.Details("Sede electrónica", "72212000", []string{"software-development"}, time.Now().AddDate(0, 1, 0)))
	if _, err := s.Tenders.CreateConsortium(s.Ctx(stack.Manager(cluster)), &tenderv1.CreateConsortiumRequest{TenderId: tn.GetId(), Name: "UTE Sede",
		Members: []*tenderv1.DraftMember{{OrganizationId: alfa, Lead: true}, {OrganizationId: beta}}}); err != nil {
		t.Fatal(err)
	}
	var got []devmail.Mail
	s.Eventually(func() bool {
		got = mailsTo(box, betaUser.Email, "Invitation to the consortium UTE Sede")
		return len(got) > 0
	}, "invitation e-mail to Beta")
	m := got[0]
	t.Logf("e-mail to %v: %q, Message-ID %s, language %q", m.To, m.Subject, m.MessageID, m.Language)
	if !strings.Contains(m.Text, "You are invited to join the consortium UTE Sede for the tender Sede electrónica") ||
		!strings.Contains(m.HTML, `<a href="http://console.test/consortia/`) || !strings.Contains(m.HTML, "Open in Consortia") || m.Language != "en" {
		t.Fatalf("e-mail body:\n%s\n%s", m.Text, m.HTML)
	}
	// The Message-ID is the notification key of that e-mail intent.
	key := emailIntentKey(t, s, betaUser.Subject, domain.MsgInvited)
	if m.MessageID != key+"@consortia.invalid" {
		t.Fatalf("Message-ID %q, want %s@consortia.invalid", m.MessageID, key)
	}
	// Alfa's user (Spanish token) was told of the tender in Spanish.
	alfaUser := stack.Company(alfa, "es")
	s.Eventually(func() bool { return len(mailsTo(box, alfaUser.Email, "Licitación para su perfil")) == 1 }, "tender e-mail to Alfa in Spanish")

	// Beta chooses the daily digest for tender alerts.
	if _, err := s.Notifications.UpdatePreferences(s.Ctx(betaUser), &notificationv1.UpdatePreferencesRequest{Preferences: &notificationv1.Preferences{
		Types: []*notificationv1.TypePreference{{Type: notificationv1.NotificationType_NOTIFICATION_TYPE_TENDER_MATCHED, Email: true, Webhook: true, Mode: notificationv1.DeliveryMode_DELIVERY_MODE_DAILY_DIGEST}}}}); err != nil {
		t.Fatal(err)
	}
	// Beta fits this one (cybersecurity) with Alfa as partner.
	d := stack.Details("Auditoría de seguridad", "72212000", []string{"cybersecurity"}, time.Now().AddDate(0, 1, 0))
	s.PublishTender(cluster, d)
	s.Settled()
	pending, err := s.Notification.Service.Store().PendingDigest(t.Context(), betaUser.Subject)
	if err != nil || len(pending) == 0 {
		t.Fatalf("Beta's digest holds %d items (%v)", len(pending), err)
	}
	if n := len(mailsTo(box, betaUser.Email, "Tender for your profile")); n != 0 {
		t.Fatalf("Beta got %d immediate tender e-mails despite the digest", n)
	}
	if tm, ok, err := s.Notification.Timers.Scheduled(t.Context(), "digest."+domain.UserKey(betaUser.Subject)); err != nil || !ok || !tm.At.After(time.Now()) {
		t.Fatalf("no digest scheduled for Beta (%v %v %v)", tm, ok, err)
	}
	// The digest timer fires (the timer itself is JetStream's, tested in package timers).
	fire := timers.Timer{Name: "digest." + domain.UserKey(betaUser.Subject), Kind: "digest", UserID: betaUser.Subject, At: time.Now().Truncate(time.Second)}
	if err := s.Notification.Planner.Fired(t.Context(), fire); err != nil {
		t.Fatal(err)
	}
	if err := s.Notification.Planner.Fired(t.Context(), fire); err != nil { // fired twice: one digest
		t.Fatal(err)
	}
	s.Eventually(func() bool { return len(mailsTo(box, betaUser.Email, "Consortia daily digest")) > 0 }, "digest e-mail")
	s.Settled()
	digests := mailsTo(box, betaUser.Email, "Consortia daily digest")
	if len(digests) != 1 || !strings.Contains(digests[0].Text, "Auditoría de seguridad") || !strings.Contains(digests[0].Subject, strconv.Itoa(len(pending))+" notifications") {
		t.Fatalf("%d digests: %+v", len(digests), digests)
	}
	s.Eventually(func() bool {
		p, err := s.Notification.Service.Store().PendingDigest(t.Context(), betaUser.Subject)
		return err == nil && len(p) == 0
	}, "digest items marked sent")
}

// emailIntentKey finds the key of the e-mail intent to user with message id msg.
func emailIntentKey(t *testing.T, s *stack.Stack, user, msg string) string {
	t.Helper()
	st, err := s.NATS.JS.Stream(t.Context(), "NOTIFICATION")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(t.Context(), jetstreamSubjects("notification.intent.email.>"))
	if err != nil {
		t.Fatal(err)
	}
	for subj := range info.State.Subjects {
		evs, err := s.Notification.Service.Log().History(t.Context(), subj)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if in, ok := ev.Data.(*notificationv1.NotificationIntended); ok && in.GetUserId() == user && in.GetMessageId() == msg {
				return in.GetKey()
			}
		}
	}
	t.Fatalf("no e-mail intent %s for %s", msg, user)
	return ""
}
