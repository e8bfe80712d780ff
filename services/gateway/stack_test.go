package gateway_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/commission"
	"github.com/consortia-dev/consortia/services/consortia/demo"
	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/gateway/web"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/notification/deliver"
	"github.com/consortia-dev/consortia/services/notification/devmail"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/tender"
)

// Development issuer names, as `consortia dev` uses them.
const (
	devIssuer   = "consortia-dev"
	devAudience = "consortia"
)

// stack is a running Consortia on an embedded NATS: the member service, the
// tender service when full, and the gateway in front of them, with demo data.
type stack struct {
	URL    string // gateway base URL
	Issuer *auth.Issuer
	Users  map[string]demo.User
	Member *member.Member
	Tender *tender.Tender // nil unless full
	// Commission is the commission service (nil unless full).
	Commission *commission.Commission
	// Notification and its e-mail capture (nil unless full).
	Notification *notification.Notification
	Mailbox      *devmail.Mailbox
	Year         int
}

// testLogger logs warnings and errors to stderr (everything with CONSORTIA_TEST_LOG=debug).
func testLogger() *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("CONSORTIA_TEST_LOG") == "debug" {
		level = slog.LevelDebug
	}
	var w io.Writer = os.Stderr
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// startStack starts the stack the way `consortia dev` does: embedded NATS,
// the services on loopback ports, demo data seeded through the services, and
// the gateway with the demo users. Without full only the member service runs
// (the gateway's tender address then points nowhere). Everything stops at the
// end of the test.
func startStack(t *testing.T, full bool) *stack {
	t.Helper()
	ns := natstest.Start(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	issuer := auth.NewIssuer(priv, devIssuer, devAudience)
	log := testLogger()
	lists := codes.Load("", log)
	now := time.Now()
	st := &stack{Issuer: issuer, Year: now.Year(), Users: map[string]demo.User{}}

	ctx, cancel := context.WithCancel(context.Background())
	g, gctx := errgroup.WithContext(ctx)
	t.Cleanup(func() {
		cancel()
		if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("stack stopped with: %v", err)
		}
	})

	m, err := member.New(ctx, service.Env{ListenAddr: "127.0.0.1:0", JS: ns.JS, Verifier: issuer.Verifier(), Codes: lists, Logger: log})
	if err != nil {
		t.Fatalf("member.New: %v", err)
	}
	st.Member = m
	g.Go(func() error { return m.Run(gctx) })
	ready := []<-chan struct{}{m.Ready()}
	tenderAddr := "127.0.0.1:1" // nothing listens there: tender calls fail as Unavailable
	notificationAddr := "127.0.0.1:1"
	commissionAddr := "127.0.0.1:1"
	if full {
		conn, err := grpc.NewClient(m.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithUnaryInterceptor(grpcserver.ForwardToken))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		tn, err := tender.New(ctx, service.Env{ListenAddr: "127.0.0.1:0", JS: ns.JS, Verifier: issuer.Verifier(), Codes: lists, Logger: log},
			memberv1.NewMemberServiceClient(conn))
		if err != nil {
			t.Fatalf("tender.New: %v", err)
		}
		st.Tender = tn
		tenderAddr = tn.Addr()
		g.Go(func() error { return tn.Run(gctx) })
		ready = append(ready, tn.Ready())

		box, err := devmail.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(box.Close)
		host, port, _ := net.SplitHostPort(box.Addr())
		portN, _ := strconv.Atoi(port)
		n, err := notification.New(ctx, service.Env{ListenAddr: "127.0.0.1:0", JS: ns.JS, Verifier: issuer.Verifier(), Codes: lists, Logger: log},
			notification.Config{SMTP: deliver.SMTPConfig{Host: host, Port: portN}, WebhookAllow: deliver.Loopback})
		if err != nil {
			t.Fatalf("notification.New: %v", err)
		}
		st.Notification, st.Mailbox, notificationAddr = n, box, n.Addr()
		g.Go(func() error { return n.Run(gctx) })
		ready = append(ready, n.Ready())

		c, err := commission.New(ctx, service.Env{ListenAddr: "127.0.0.1:0", JS: ns.JS, Verifier: issuer.Verifier(), Codes: lists, Logger: log})
		if err != nil {
			t.Fatalf("commission.New: %v", err)
		}
		st.Commission, commissionAddr = c, c.Addr()
		g.Go(func() error { return c.Run(gctx) })
		ready = append(ready, c.Ready())
	}
	for _, ch := range ready {
		select {
		case <-ch:
		case <-t.Context().Done():
			t.Fatal("services not ready before the test ended")
		}
	}

	sctx, err := demo.SeedContext(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedMembers(sctx, m.Service, st.Year, log); err != nil {
		t.Fatalf("seed members: %v", err)
	}
	if full {
		if _, err := demo.SeedTenders(sctx, st.Tender.Service, now, log); err != nil {
			t.Fatalf("seed tenders: %v", err)
		}
		if _, err := demo.SeedConsortia(sctx, st.Tender.Service, log); err != nil {
			t.Fatalf("seed consortia: %v", err)
		}
		if _, err := demo.SeedCommissions(sctx, st.Commission.Service, st.Tender.Service, now, log); err != nil {
			t.Fatalf("seed commissions: %v", err)
		}
	}

	var users []gateway.User
	for _, u := range demo.Users(st.Year) {
		st.Users[u.Key] = u
		users = append(users, gateway.User{Key: u.Key, Title: u.Title, Claims: u.Claims, Group: u.Group})
	}
	deps := gateway.Deps{Issuer: issuer, Users: users, Catalog: lists.Catalog, Logger: log}
	if st.Mailbox != nil {
		deps.Mailbox = func() []web.Mail {
			var out []web.Mail
			for _, m := range st.Mailbox.Mails() {
				out = append(out, web.Mail{To: m.To, Subject: m.Subject, MessageID: m.MessageID, Language: m.Language, Text: m.Text, HTML: m.HTML, Received: m.Received})
			}
			return out
		}
	}
	gw, err := gateway.New(ctx, gateway.Config{HTTPAddr: "127.0.0.1:0", BellPoll: time.Second,
		Backends: map[string]string{"member": m.Addr(), "tender": tenderAddr, "notification": notificationAddr, "commission": commissionAddr}}, deps)
	if err != nil {
		t.Fatalf("gateway.New: %v", err)
	}
	g.Go(func() error { return gw.Run(gctx) })
	st.URL = gw.URL()
	mustGet200(t, st.URL+"/healthz")
	return st
}

// mustGet200 checks that url answers 200 (the listener is bound before Run
// serves, so the request waits for the server rather than failing).
func mustGet200(t *testing.T, url string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
}

// token issues a token for a demo user, valid for ttl.
func (s *stack) token(t *testing.T, key string, ttl time.Duration) string {
	t.Helper()
	u, ok := s.Users[key]
	if !ok {
		t.Fatalf("no demo user %q", key)
	}
	tok, err := s.Issuer.Issue(u.Claims, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// orgOf returns the organisation id of a company demo user.
func (s *stack) orgOf(t *testing.T, key string) string {
	t.Helper()
	org := s.Users[key].Claims.Organization
	if org == "" {
		t.Fatalf("demo user %q has no organisation", key)
	}
	return org
}

// call makes an API request with an optional bearer token and JSON body.
func (s *stack) call(t *testing.T, method, path, token, body string, header ...string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
