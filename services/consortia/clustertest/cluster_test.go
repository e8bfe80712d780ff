// Package clustertest runs the services on a production-shaped NATS: three
// in-process nats-servers as a JetStream cluster on loopback, configured with
// the configuration `consortia nats-config` generates (a user per service with
// subject permissions), every stream R3. Under a write load it stops the
// member stream's leader, then a follower, and checks that no acknowledged
// write is lost, that nothing is stored twice, and that writes resume.
package clustertest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/platform/taxid"
	"github.com/consortia-dev/consortia/services/tender"
)

// ack is one acknowledged write.
type ack struct {
	id      string // organisation or tender id
	started time.Time
	at      time.Time
}

// writer appends one kind of event in a loop; a failed call is retried with
// the same idempotency key (as a client does) until it is acknowledged.
type writer struct {
	name  string
	write func(ctx context.Context, n int, key string) (string, error)

	mu     sync.Mutex
	acks   []ack
	failed int // calls that failed and were retried
}

// run starts new writes until load ends; a write started is retried until it
// is acknowledged (or ctx ends), so every write that may be stored is counted.
func (w *writer) run(load, ctx context.Context) {
	for n := 1; load.Err() == nil; n++ {
		key := w.name + "-" + strconv.Itoa(n)
		for ctx.Err() == nil {
			start := time.Now()
			id, err := w.write(ctx, n, key)
			if err == nil {
				w.mu.Lock()
				w.acks = append(w.acks, ack{id: id, started: start, at: time.Now()})
				w.mu.Unlock()
				pace(load)
				break
			}
			w.mu.Lock()
			w.failed++
			w.mu.Unlock()
		}
	}
}

// pace spaces a writer's writes (some 50 a second each): a steady load, not a
// benchmark on shared cores.
func pace(ctx context.Context) {
	t := time.NewTimer(20 * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (w *writer) snapshot() ([]ack, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.acks), w.failed
}

// startedAfter counts acknowledged writes whose call started after t.
func (w *writer) startedAfter(t time.Time) int {
	acks, _ := w.snapshot()
	n := 0
	for _, a := range acks {
		if a.started.After(t) {
			n++
		}
	}
	return n
}

// stall describes the writes around a node stop at t0: how long after t0 the
// first write started after it was acknowledged, and the longest gap between
// two acknowledgements from t0 on.
func (w *writer) stall(t0 time.Time) (first, gap time.Duration) {
	acks, _ := w.snapshot()
	slices.SortFunc(acks, func(a, b ack) int { return a.at.Compare(b.at) })
	prev := t0
	first = -1
	for _, a := range acks {
		if a.at.Before(t0) {
			continue
		}
		gap = max(gap, a.at.Sub(prev))
		prev = a.at
		if first < 0 && a.started.After(t0) {
			first = a.at.Sub(t0)
		}
	}
	return first, gap
}

// syncBuffer collects the services' logs, shown when the test fails.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestMain lets the test binary run as one of the cluster's nats-servers.
func TestMain(m *testing.M) {
	natstest.RunNodeIfChild()
	os.Exit(m.Run())
}

func TestR3ClusterStreamLeaderAndFollowerStop(t *testing.T) {
	c := natstest.StartClusterProcesses(t, 3)
	ctx, cancel := context.WithCancel(t.Context())
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(io.MultiWriter(&logs, os.Stderr), &slog.HandlerOptions{Level: slog.LevelWarn}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("service logs:\n%s", logs.String())
		}
	})

	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	issuer := auth.NewIssuer(priv, service.DevIssuer, service.DevAudience)
	env := func(user string) service.Env {
		_, js := c.Connect(user) // the service's own NATS user and permissions
		return service.Env{JS: js, Verifier: issuer.Verifier(), Codes: codes.Lists{}, Logger: log.With("service", user),
			ListenAddr: "127.0.0.1:0", Replicas: 3, InstanceID: "test"}
	}

	var running sync.WaitGroup
	m, err := member.New(ctx, env("member"))
	if err != nil {
		t.Fatal(err)
	}
	running.Go(func() { _ = m.Run(ctx) })
	memberConn := dial(t, m.Addr())
	tdr, err := tender.New(ctx, env("tender"), memberv1.NewMemberServiceClient(memberConn))
	if err != nil {
		t.Fatal(err)
	}
	running.Go(func() { _ = tdr.Run(ctx) })
	t.Cleanup(func() { cancel(); running.Wait() })
	<-m.Ready()
	<-tdr.Ready()

	admin := c.Admin()
	for _, stream := range []string{member.Stream, tender.Stream, eventlog.ParkedStream} {
		s, err := admin.Stream(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		info := s.CachedInfo()
		if info.Config.Replicas != 3 || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
			t.Fatalf("stream %s: replicas %d, cluster %+v: want R3", stream, info.Config.Replicas, info.Cluster)
		}
		t.Logf("stream %s: R%d, leader %s", stream, info.Config.Replicas, info.Cluster.Leader)
	}

	as := func(c auth.Claims, key string) context.Context {
		c.Subject = "u-" + c.Roles[0]
		tok, err := issuer.Issue(c, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok, "idempotency-key", key)
	}
	adminClaims := auth.Claims{Name: "Admin", Roles: []string{auth.RoleAdmin}}
	members := memberv1.NewMemberServiceClient(memberConn)
	tenders := tenderv1.NewTenderServiceClient(dial(t, tdr.Addr()))
	cl, err := members.CreateCluster(as(adminClaims, "cluster"), &memberv1.CreateClusterRequest{Name: "TERA ICT cluster (test)", RegionNuts: "ES130"})
	if err != nil {
		t.Fatal(err)
	}
	clusterID := cl.GetCluster().GetId()
	managerClaims := auth.Claims{Name: "Manager", Roles: []string{auth.RoleClusterManager}, Clusters: []string{clusterID}}
	deadline := time.Now().AddDate(0, 2, 0)

	writers := []*writer{
		{name: "org-a", write: func(ctx context.Context, n int, key string) (string, error) {
			res, err := members.RegisterOrganization(as(adminClaims, key), orgRequest(n))
			return res.GetOrganization().GetId(), err
		}},
		{name: "org-b", write: func(ctx context.Context, n int, key string) (string, error) {
			res, err := members.RegisterOrganization(as(adminClaims, key), orgRequest(5_000_000+n))
			return res.GetOrganization().GetId(), err
		}},
		{name: "tender", write: func(ctx context.Context, n int, key string) (string, error) {
			res, err := tenders.CreateTender(as(managerClaims, key), &tenderv1.CreateTenderRequest{ClusterId: clusterID, Details: tenderDetails(n, deadline)})
			return res.GetTender().GetId(), err
		}},
	}
	load, stopLoad := context.WithCancel(ctx)
	var loading sync.WaitGroup
	for _, w := range writers {
		loading.Go(func() { w.run(load, ctx) })
	}
	waitUntil(t, "warm-up writes", func() bool {
		return writers[0].startedAfter(time.Time{}) >= 10 && writers[2].startedAfter(time.Time{}) >= 5
	})

	// The member stream's leader is killed (a crash), then stopped (SIGTERM,
	// as in a rolling update), then a follower is killed; each comes back and
	// catches up while the writes go on.
	for _, sc := range []struct {
		name   string
		leader bool
		kill   bool
	}{
		{"leader killed", true, true},
		{"leader stopped", true, false},
		{"follower killed", false, true},
	} {
		leader := c.WaitStreamLeader(member.Stream)
		node := leader
		if !sc.leader {
			// The follower leading the fewest streams: a member stream follower.
			node = -1
			for i := range c.Nodes {
				if i != leader && (node < 0 || len(streamsLedBy(c, i)) < len(streamsLedBy(c, node))) {
					node = i
				}
			}
		}
		led := streamsLedBy(c, node)
		t0 := time.Now()
		t.Logf("%s: %s at %s", sc.name, c.Nodes[node].Name, t0.Format("15:04:05.000"))
		if sc.kill {
			c.Kill(node)
		} else {
			c.Stop(node)
		}
		waitUntil(t, sc.name+": writes resume", func() bool {
			return writers[0].startedAfter(t0) >= 10 && writers[1].startedAfter(t0) >= 10 && writers[2].startedAfter(t0) >= 5
		})
		for _, w := range writers {
			first, gap := w.stall(t0)
			t.Logf("%s (%s, leader of %v): %s writes stalled %v; the first write started after it was acknowledged %v after it",
				sc.name, c.Nodes[node].Name, led, w.name, gap.Round(time.Millisecond), first.Round(time.Millisecond))
		}
		t.Logf("%s: member stream leader now %s", sc.name, c.Nodes[c.WaitStreamLeader(member.Stream)].Name)
		c.Start(node) // waits until /healthz: its replicas are current
		t.Logf("%s: %s back and caught up %v after it went down", sc.name, c.Nodes[node].Name, time.Since(t0).Round(time.Millisecond))
	}
	t2 := time.Now()
	waitUntil(t, "writes with every node back", func() bool { return writers[0].startedAfter(t2) >= 5 && writers[2].startedAfter(t2) >= 3 })
	stopLoad()
	loading.Wait()

	// 3. Every acknowledged write is in its stream once, and in the read models.
	checkStream := func(stream, prefix string, acked []ack) {
		t.Helper()
		s, err := admin.Stream(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(ctx, jetstream.WithSubjectFilter(prefix+">"))
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, a := range acked {
			ids[a.id] = true
			if _, err := s.GetLastMsgForSubject(ctx, prefix+a.id); err != nil {
				t.Errorf("%s: acknowledged %s%s is not in the stream: %v", stream, prefix, a.id, err)
			}
		}
		if len(ids) != len(acked) {
			t.Errorf("%s: %d acknowledged writes for %d ids: a retry made a second aggregate", stream, len(acked), len(ids))
		}
		if len(info.State.Subjects) != len(ids) {
			t.Errorf("%s: %d aggregates under %s>, %d acknowledged: a write that was not acknowledged, or twice", stream, len(info.State.Subjects), prefix, len(ids))
		}
		for subj, n := range info.State.Subjects {
			if n != 1 {
				t.Errorf("%s: %d events on %s, want 1", stream, n, subj)
			}
		}
	}
	var orgs []ack
	for _, w := range writers[:2] {
		acks, failed := w.snapshot()
		orgs = append(orgs, acks...)
		t.Logf("%s: %d writes acknowledged, %d calls failed and were retried", w.name, len(acks), failed)
	}
	tendersAcked, failed := writers[2].snapshot()
	t.Logf("tender: %d writes acknowledged, %d calls failed and were retried", len(tendersAcked), failed)
	checkStream(member.Stream, "member.organization.", orgs)
	checkStream(tender.Stream, "tender.tender.", tendersAcked)
	for _, a := range orgs {
		if _, err := members.GetOrganization(as(adminClaims, ""), &memberv1.GetOrganizationRequest{OrganizationId: a.id}); err != nil {
			t.Errorf("organisation %s acknowledged but not readable: %v", a.id, err)
		}
	}
	for _, a := range tendersAcked {
		if _, err := tenders.GetTender(as(managerClaims, ""), &tenderv1.GetTenderRequest{TenderId: a.id}); err != nil {
			t.Errorf("tender %s acknowledged but not readable: %v", a.id, err)
		}
	}
	for _, e := range c.Errors() {
		t.Errorf("NATS asynchronous error (a permission the services lack?): %v", e)
	}
}

// streamsLedBy lists the streams node i leads.
func streamsLedBy(c *natstest.Cluster, i int) []string {
	var out []string
	for _, s := range []string{member.Stream, tender.Stream, eventlog.ParkedStream} {
		if c.StreamLeader(s) == i {
			out = append(out, s)
		}
	}
	return out
}

// waitUntil polls ok until it holds (or the test ends).
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for !ok() {
		select {
		case <-t.Context().Done():
			t.Fatalf("never: %s", what)
		default:
		}
		natstest.Pause(t)
	}
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	cc, err := grpcserver.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

// cif is a valid company tax id "B" + 7 digits + control digit.
func cif(n int) string {
	base := fmt.Sprintf("B%07d", n%10_000_000)
	for c := '0'; c <= '9'; c++ {
		if _, err := taxid.Validate(base + string(c)); err == nil {
			return base + string(c)
		}
	}
	panic("no control digit for " + base)
}

func orgRequest(n int) *memberv1.RegisterOrganizationRequest {
	return &memberv1.RegisterOrganizationRequest{
		Kind: memberv1.OrganizationKind_ORGANIZATION_KIND_COMPANY, LegalName: fmt.Sprintf("Carga %d S.L.", n), TaxId: cif(n),
		Profile: &memberv1.OrganizationProfile{SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Headcount: 12,
			Address: &memberv1.Address{Locality: "Santander", Nuts: "ES130"}},
	}
}

func tenderDetails(n int, deadline time.Time) *tenderv1.TenderDetails {
	return &tenderv1.TenderDetails{
		Authority: &tenderv1.Authority{Name: "Gobierno de Cantabria", Nif: "S3933002B"},
		Title:     fmt.Sprintf("Servicio de mantenimiento %d", n), Description: "Mantenimiento de aplicaciones",
		ProcedureType: tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN, ContractType: tenderv1.ContractType_CONTRACT_TYPE_SERVICES,
		CpvCodes: []string{"72200000-7"}, Nuts: []string{"ES130"},
		EstimatedValueCents: 100_000_00, BudgetWithoutVatCents: 100_000_00, BudgetWithVatCents: 121_000_00,
		DurationMonths: 12, SubmissionDeadline: timestamppb.New(deadline),
	}
}

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
}
