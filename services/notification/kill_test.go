package notification_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/notification/internal/stack"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
)

// process is the notification service running as its own OS process.
type process struct {
	cmd  *exec.Cmd
	addr string
	out  *bytes.Buffer
	mu   *sync.Mutex
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func startProcess(t *testing.T, bin string, env []string) *process {
	t.Helper()
	addr := freePort(t)
	p := &process{addr: addr, out: &bytes.Buffer{}, mu: &sync.Mutex{}}
	p.cmd = exec.Command(bin)
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "CONSORTIA_NOTIFICATION_LISTEN_ADDR=" + addr}, env...)
	p.cmd.Stdout, p.cmd.Stderr = lockedWriter{p.mu, p.out}, lockedWriter{p.mu, p.out}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
		if t.Failed() {
			p.mu.Lock()
			t.Logf("notification process output:\n%s", tail(p.out.String(), 4000))
			p.mu.Unlock()
		}
	})
	return p
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// SIGKILL the notification service, a separate OS process, in the middle of a
// burst of 1,000 events and start it again: every organisation has each inbox
// item exactly once, every webhook was delivered at least once, and the
// receiver, de-duplicating by webhook-id, saw each exactly once.
func TestKillMidBurstDeliversEachNotificationOnce(t *testing.T) {
	const orgs, consortia, events = 20, 50, 1000
	bin := filepath.Join(t.TempDir(), "notification")
	build := exec.Command("go", "build", "-o", bin, "./cmd/notification")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	keyDir := t.TempDir()
	issuer, err := auth.LoadOrCreateIssuer(keyDir, service.DevIssuer, service.DevAudience)
	if err != nil {
		t.Fatal(err)
	}
	ns := natstest.Start(t)
	ctx := t.Context()
	// The member and tender streams, as their services create them; the test
	// appends the tender service's events itself, as fast as JetStream takes them.
	if _, err := eventlog.Open(ctx, ns.JS, eventlog.StreamConfig{Name: "MEMBER", Subjects: []string{"member.>"}}, "consortia/member"); err != nil {
		t.Fatal(err)
	}
	tenders, err := eventlog.Open(ctx, ns.JS, eventlog.StreamConfig{Name: "TENDER", Subjects: []string{"tender.>"}}, "consortia/tender")
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	seen := map[string]int{}
	total := 0
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		seen[r.Header.Get("webhook-id")]++
		total++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	counts := func() (unique, all int) {
		mu.Lock()
		defer mu.Unlock()
		return len(seen), total
	}

	env := []string{"CONSORTIA_NATS_URL=" + ns.NS.ClientURL(), "CONSORTIA_AUTH_DEV_KEY_DIR=" + keyDir, "CONSORTIA_WEBHOOK_ALLOW_NETS=127.0.0.0/8",
		"CONSORTIA_WEBHOOK_RETRY_INITIAL=200ms", "CONSORTIA_WEBHOOK_RETRY_MAX=2s", "CONSORTIA_LOG_LEVEL=warn"}
	if dir := os.Getenv("CONSORTIA_DATA_DIR"); dir != "" {
		env = append(env, "CONSORTIA_DATA_DIR="+dir)
	}
	p := startProcess(t, bin, env)
	conn, err := grpc.NewClient(p.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := notificationv1.NewNotificationServiceClient(conn)
	call := func(org string) context.Context {
		tok, err := issuer.Issue(stack.Company(org, "es"), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
	}
	orgID := func(i int) string { return fmt.Sprintf("org-%02d", i) }
	for i := range orgs {
		for {
			_, err := client.CreateWebhookEndpoint(call(orgID(i)), &notificationv1.CreateWebhookEndpointRequest{OrganizationId: orgID(i), Url: receiver.URL + "/hook"})
			if err == nil {
				break
			}
			if ctx.Err() != nil || !strings.Contains(err.Error(), "Unavailable") {
				t.Fatalf("CreateWebhookEndpoint: %v", err) // Unavailable: still catching up; retry
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for c := range consortia {
		id := fmt.Sprintf("c-%02d", c)
		if _, err := tenders.Append(ctx, eventlog.Draft{Subject: "tender.consortium." + id, ExpectedVersion: 0, Event: &tenderv1.ConsortiumFormed{
			ConsortiumId: id, TenderId: "t-1", Name: "UTE " + id, LeadOrganizationId: "lead-" + id, LeadJoined: true,
			Members: []*tenderv1.DraftMember{{OrganizationId: "lead-" + id, Lead: true}}}}); err != nil {
			t.Fatal(err)
		}
	}

	// The burst: 1,000 invitations, 50 per organisation, appended while the
	// service runs; it is killed once about a quarter has been delivered.
	burst := make(chan error, 1)
	go func() {
		for i := range events {
			c, o := fmt.Sprintf("c-%02d", i%consortia), orgID(i%orgs)
			if _, err := tenders.Append(ctx, eventlog.Draft{Subject: "tender.consortium." + c, ExpectedVersion: eventlog.AnyVersion,
				Event: &tenderv1.ConsortiumMemberInvited{ConsortiumId: c, OrganizationId: o}}); err != nil {
				burst <- err
				return
			}
		}
		burst <- nil
	}()
	for u, _ := counts(); u < events/4; u, _ = counts() {
		select {
		case err := <-burst:
			if err != nil {
				t.Fatal(err)
			}
			burst <- nil
		case <-ctx.Done():
			t.Fatal("test ended before the first quarter was delivered")
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	atKill, allAtKill := counts()
	t.Logf("SIGKILL after %d webhooks delivered (%d requests)", atKill, allAtKill)
	if err := <-burst; err != nil {
		t.Fatal(err)
	}
	p2 := startProcess(t, bin, env)
	conn2, err := grpc.NewClient(p2.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	client = notificationv1.NewNotificationServiceClient(conn2)

	// Every inbox ends with 50 distinct items; the receiver with 1,000 distinct ids.
	inboxes := func() (items, distinct int, err error) {
		ids := map[string]bool{}
		for i := range orgs {
			token := ""
			for {
				res, err := client.ListInbox(call(orgID(i)), &notificationv1.ListInboxRequest{PageSize: 100, PageToken: token})
				if err != nil {
					return 0, 0, err
				}
				for _, it := range res.GetItems() {
					items++
					ids[it.GetId()] = true
				}
				if token = res.GetNextPageToken(); token == "" {
					break
				}
			}
		}
		return items, len(ids), nil
	}
	var items, distinct int
	for {
		if u, _ := counts(); u == events {
			if items, distinct, err = inboxes(); err == nil && items >= events {
				break
			}
		}
		select {
		case <-ctx.Done():
			u, a := counts()
			t.Fatalf("not all delivered: webhooks %d distinct of %d requests, inbox items %d (%v)", u, a, items, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	unique, all := counts()
	dups := 0
	mu.Lock()
	for _, n := range seen {
		if n > 1 {
			dups += n - 1
		}
	}
	mu.Unlock()
	t.Logf("after restart: inbox items %d (distinct %d) for %d events; webhooks: %d requests, %d distinct webhook-ids, %d redelivered duplicates (de-duplicated by webhook-id)",
		items, distinct, events, all, unique, dups)
	if items != events || distinct != events {
		t.Fatalf("inbox items %d (distinct %d), want exactly %d", items, distinct, events)
	}
	if unique != events {
		t.Fatalf("receiver saw %d distinct webhook-ids, want %d", unique, events)
	}
	// Nothing more arrives: the log holds exactly one intent per notification.
	st, err := ns.JS.Stream(ctx, "NOTIFICATION")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx, jetstreamSubjects("notification.intent.>"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(info.State.Subjects); n != 2*events {
		t.Fatalf("%d intent subjects, want %d (an inbox and a webhook intent per event)", n, 2*events)
	}
}

func jetstreamSubjects(filter string) jetstream.StreamInfoOpt {
	return jetstream.WithSubjectFilter(filter)
}
