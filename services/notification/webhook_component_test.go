package notification_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/notification/deliver"
	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/internal/stack"
)

type hit struct {
	at     time.Time
	header http.Header
	body   []byte
}

// A webhook receiver answering 500 gets the attempts of the retry schedule
// (each one signed, same webhook-id, no earlier than its scheduled time); after
// the last attempt the delivery is dead-lettered with the last error; a resend
// from the API delivers it, with the same webhook-id.
func TestWebhookRetryScheduleDeadLetterAndResend(t *testing.T) {
	var healthy atomic.Bool
	var mu sync.Mutex
	var hits []hit
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hits = append(hits, hit{time.Now(), r.Header.Clone(), b})
		mu.Unlock()
		if healthy.Load() {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	retry := domain.Backoff{Initial: 100 * time.Millisecond, Factor: 2, Max: time.Second, Attempts: 4, Jitter: 0.2}
	s := stack.New(t, notification.Config{WebhookAllow: deliver.Loopback, Retry: retry, Rand: func() float64 { return 0.5 }})
	cluster := s.Cluster("TERA ICT (test)")
	alfa := s.Join(stack.Profile{Name: "Alfa Software S.L.", Capabilities: []string{"software-development"}, CPVInterests: []string{"72000000"},
		TurnoverEuros: 300_000, RefCPV: "72212000", RefEuros: 120_000}, cluster)
	user := stack.Company(alfa, "es")
	created, err := s.Notifications.CreateWebhookEndpoint(s.Ctx(user), &notificationv1.CreateWebhookEndpointRequest{OrganizationId: alfa, Url: srv.URL + "/consortia", Description: "ERP"})
	if err != nil {
		t.Fatal(err)
	}
	secret := created.GetSecret()
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	listed, err := s.Notifications.ListWebhookEndpoints(s.Ctx(user), &notificationv1.ListWebhookEndpointsRequest{OrganizationId: alfa})
	if err != nil || len(listed.GetEndpoints()) != 1 || strings.Contains(listed.String(), secret[6:]) {
		t.Fatalf("list: %v %v (the secret must not be shown again)", listed, err)
	}
	s.PublishTender(cluster, stack.Details("Desarrollo de la sede electrónica", "72212000", []string{"software-development"}, time.Now().AddDate(0, 1, 0)))

	var d *notificationv1.Delivery
	s.Eventually(func() bool {
		res, err := s.Notifications.ListDeliveries(s.Ctx(user), &notificationv1.ListDeliveriesRequest{OrganizationId: alfa})
		if err != nil || len(res.GetDeliveries()) != 1 {
			return false
		}
		d = res.GetDeliveries()[0]
		return d.GetStatus() == notificationv1.DeliveryStatus_DELIVERY_STATUS_DEAD_LETTERED
	}, "delivery dead-lettered")
	if d.GetAttempts() != 4 || d.GetLastHttpStatus() != 500 || !strings.Contains(d.GetLastError(), "HTTP 500") || d.GetTarget() != created.GetEndpoint().GetId() {
		t.Fatalf("dead letter: %v", d)
	}
	mu.Lock()
	got := append([]hit(nil), hits...)
	mu.Unlock()
	if len(got) != 4 {
		t.Fatalf("receiver got %d attempts, want 4", len(got))
	}
	for i, h := range got {
		if h.header.Get("webhook-id") != d.GetId() {
			t.Fatalf("attempt %d: webhook-id %q, want %q", i+1, h.header.Get("webhook-id"), d.GetId())
		}
		if err := stack.VerifyStandardWebhook(secret, h.header, h.body, time.Now()); err != nil {
			t.Fatalf("attempt %d does not verify: %v", i+1, err)
		}
	}
	// The schedule: attempt n+1 comes no earlier than Initial·Factor^(n-1) after attempt n.
	var failures []*notificationv1.DeliveryAttemptFailed
	var dead *notificationv1.DeliveryDeadLettered
	evs, err := s.Notification.Service.Log().History(t.Context(), domain.DeliverySubject(d.GetId()))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		switch e := ev.Data.(type) {
		case *notificationv1.DeliveryAttemptFailed:
			failures = append(failures, e)
		case *notificationv1.DeliveryDeadLettered:
			dead = e
		}
	}
	if len(failures) != 3 || dead == nil || dead.GetAttempts() != 4 {
		t.Fatalf("log: %d failures, dead letter %v", len(failures), dead)
	}
	for i := 1; i < len(got); i++ {
		want := retry.Delay(i, 0.5)
		gap := got[i].at.Sub(got[i-1].at)
		next := failures[i-1].GetNextAttemptTime().AsTime()
		t.Logf("attempt %d → %d: waited %v (schedule %v)", i, i+1, gap.Round(time.Millisecond), want)
		if gap < want-10*time.Millisecond || got[i].at.Before(next.Add(-10*time.Millisecond)) {
			t.Fatalf("attempt %d came %v after attempt %d, before the scheduled %v (next attempt recorded for %v)", i+1, gap, i, want, next)
		}
	}

	healthy.Store(true)
	if _, err := s.Notifications.ResendDelivery(s.Ctx(user), &notificationv1.ResendDeliveryRequest{DeliveryId: d.GetId()}); err != nil {
		t.Fatal(err)
	}
	s.Eventually(func() bool {
		res, err := s.Notifications.ListDeliveries(s.Ctx(user), &notificationv1.ListDeliveriesRequest{OrganizationId: alfa})
		return err == nil && len(res.GetDeliveries()) == 1 && res.GetDeliveries()[0].GetStatus() == notificationv1.DeliveryStatus_DELIVERY_STATUS_DELIVERED
	}, "resent delivery delivered")
	mu.Lock()
	defer mu.Unlock()
	if len(hits) != 5 || hits[4].header.Get("webhook-id") != d.GetId() {
		t.Fatalf("after resend the receiver has %d hits, last webhook-id %q", len(hits), hits[len(hits)-1].header.Get("webhook-id"))
	}
	// Another organisation cannot see or resend it.
	other := stack.Company("someone-else", "es")
	if _, err := s.Notifications.ResendDelivery(s.Ctx(other), &notificationv1.ResendDeliveryRequest{DeliveryId: d.GetId()}); err == nil {
		t.Fatal("another organisation resent the delivery")
	}
}
