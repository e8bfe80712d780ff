package deliver_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/notification/deliver"
	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/internal/stack"
)

// verify is the independent Standard Webhooks check of internal/stack.
var verify = stack.VerifyStandardWebhook

type received struct {
	header http.Header
	body   []byte
}

func receiver(t *testing.T, status func(n int) int) (*httptest.Server, func() []received) {
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Header.Clone(), b})
		n := len(got)
		mu.Unlock()
		w.WriteHeader(status(n))
	}))
	t.Cleanup(srv.Close)
	return srv, func() []received {
		mu.Lock()
		defer mu.Unlock()
		return append([]received(nil), got...)
	}
}

func intent() domain.Intent {
	return domain.Intent{Key: domain.Key("ev-1", "endpoint:e1", domain.ChannelWebhook), Type: domain.TypeConsortiumInvited, Channel: domain.ChannelWebhook,
		OrganizationID: "org-1", EndpointID: "e1", MessageID: domain.MsgInvited, Args: map[string]string{"consortium": "UTE Sede", "tender": "Sede electrónica"},
		Link: "/consortia/c1", Source: domain.Source{EventID: "ev-1", EventType: "consortia.tender.v1.ConsortiumMemberInvited", Subject: "tender.consortium.c1", Time: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}}
}

// A delivery verifies with the receiver's own Standard Webhooks check; during
// a rotation it carries two signatures and a receiver holding either secret
// verifies; a wrong secret or a changed body does not verify.
func TestWebhookSignatureVerifiesIndependently(t *testing.T) {
	srv, got := receiver(t, func(int) int { return http.StatusNoContent })
	wh := &deliver.Webhook{Client: deliver.NewClient(deliver.Guard{Allow: deliver.Loopback}, 5*time.Second), BaseURL: "https://consortia.example"}
	oldSecret, newSecret := domain.NewSecret(), domain.NewSecret()
	ep := domain.Endpoint{ID: "e1", URL: srv.URL + "/hook", Enabled: true, Secret: oldSecret}
	in := intent()
	if out := wh.Send(t.Context(), ep, in); out.Err != nil || out.HTTPStatus != http.StatusNoContent {
		t.Fatalf("send: %+v", out)
	}
	// Rotation: the new secret signs, the old one too until it expires.
	ep.Secret, ep.PreviousSecret, ep.PreviousExpires = newSecret, oldSecret, time.Now().Add(time.Hour)
	if out := wh.Send(t.Context(), ep, in); out.Err != nil {
		t.Fatalf("send during rotation: %+v", out)
	}
	r := got()
	if len(r) != 2 {
		t.Fatalf("receiver got %d requests", len(r))
	}
	now := time.Now()
	if err := verify(oldSecret, r[0].header, r[0].body, now); err != nil {
		t.Fatalf("first delivery does not verify: %v", err)
	}
	if n := len(strings.Fields(r[1].header.Get("webhook-signature"))); n != 2 {
		t.Fatalf("during a rotation %d signatures, want 2: %q", n, r[1].header.Get("webhook-signature"))
	}
	for name, sec := range map[string]string{"old": oldSecret, "new": newSecret} {
		if err := verify(sec, r[1].header, r[1].body, now); err != nil {
			t.Fatalf("rotation: the %s secret does not verify: %v", name, err)
		}
	}
	if err := verify(domain.NewSecret(), r[0].header, r[0].body, now); err == nil {
		t.Fatal("a wrong secret verified")
	}
	if err := verify(oldSecret, r[0].header, append([]byte(" "), r[0].body...), now); err == nil {
		t.Fatal("a changed body verified")
	}
	if r[0].header.Get("webhook-id") != in.Key || r[1].header.Get("webhook-id") != in.Key {
		t.Fatalf("webhook-id %q / %q, want the notification key %q", r[0].header.Get("webhook-id"), r[1].header.Get("webhook-id"), in.Key)
	}
	if string(r[0].body) != string(r[1].body) {
		t.Fatal("two attempts of one notification sent different bodies")
	}
	// The body is a CloudEvents envelope.
	var ce map[string]any
	if err := json.Unmarshal(r[0].body, &ce); err != nil {
		t.Fatal(err)
	}
	data, _ := ce["data"].(map[string]any)
	if ce["specversion"] != "1.0" || ce["id"] != in.Key || ce["type"] != "dev.consortia.notification.consortium_invited" || ce["source"] != "consortia/notification" ||
		r[0].header.Get("Content-Type") != "application/cloudevents+json" || data["link"] != "https://consortia.example/consortia/c1" {
		t.Fatalf("envelope: %s (content type %q)", r[0].body, r[0].header.Get("Content-Type"))
	}
	if title := data["title"].(map[string]any); title["es"] != "Invitación al consorcio UTE Sede" || title["en"] != "Invitation to the consortium UTE Sede" {
		t.Fatalf("titles: %v", title)
	}
}

// The SSRF guard refuses, at connect time, addresses that resolve to
// loopback, private and link-local/metadata addresses, naming why; an
// allow-list lets them through.
func TestWebhookSSRFGuardRefusesInternalAddresses(t *testing.T) {
	srv, got := receiver(t, func(int) int { return http.StatusOK })
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	strict := &deliver.Webhook{Client: deliver.NewClient(deliver.Guard{}, 2*time.Second)}
	cases := []struct{ url, why string }{
		{srv.URL + "/hook", "loopback address"},            // 127.0.0.1, a receiver is really listening there
		{"http://localhost:" + port + "/hook", "loopback"}, // a name that resolves to loopback
		{"http://10.0.0.1/hook", "private address"},
		{"http://169.254.169.254/latest/meta-data/", "cloud metadata address"},
		{"http://[::1]:" + port + "/hook", "loopback address"},
	}
	for _, c := range cases {
		out := strict.Send(t.Context(), domain.Endpoint{ID: "e1", URL: c.url, Enabled: true, Secret: domain.NewSecret()}, intent())
		if out.Err == nil || !errors.Is(out.Err, deliver.ErrRefused) || !strings.Contains(out.Err.Error(), c.why) || out.Retry {
			t.Fatalf("%s: %+v, want a refusal (not retried) naming %q", c.url, out, c.why)
		}
		t.Logf("%s: %v", c.url, out.Err)
	}
	if n := len(got()); n != 0 {
		t.Fatalf("the receiver on loopback got %d requests through the guard", n)
	}
	allowed := &deliver.Webhook{Client: deliver.NewClient(deliver.Guard{Allow: deliver.Loopback}, 2*time.Second)}
	if out := allowed.Send(t.Context(), domain.Endpoint{ID: "e1", URL: srv.URL + "/hook", Enabled: true, Secret: domain.NewSecret()}, intent()); out.Err != nil {
		t.Fatalf("allowed loopback: %v", out.Err)
	}
	if prefixes, err := deliver.ParseAllow("10.0.0.0/8, 192.168.1.7"); err != nil || len(prefixes) != 2 || !prefixes[1].Contains(prefixes[1].Addr()) {
		t.Fatalf("ParseAllow: %v %v", prefixes, err)
	}
	if err := (deliver.Guard{Allow: mustAllow(t, "10.0.0.0/8")}).Check("10.0.0.1:80"); err != nil {
		t.Fatalf("allow-listed private address refused: %v", err)
	}
}

func mustAllow(t *testing.T, s string) []netip.Prefix {
	p, err := deliver.ParseAllow(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// 5xx and 429 are retried, other 4xx are not.
func TestWebhookOutcomes(t *testing.T) {
	for _, c := range []struct {
		status int
		retry  bool
	}{{500, true}, {503, true}, {429, true}, {408, true}, {404, false}, {410, false}} {
		srv, _ := receiver(t, func(int) int { return c.status })
		wh := &deliver.Webhook{Client: deliver.NewClient(deliver.Guard{Allow: deliver.Loopback}, 2*time.Second)}
		out := wh.Send(t.Context(), domain.Endpoint{ID: "e1", URL: srv.URL, Enabled: true, Secret: domain.NewSecret()}, intent())
		if out.Err == nil || out.Retry != c.retry || out.HTTPStatus != c.status {
			t.Fatalf("HTTP %d: %+v, want retry=%v", c.status, out, c.retry)
		}
	}
}
