package clustertest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/grpc/metadata"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/commission"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/natsauth"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/tender"
)

// TestEveryServiceRunsAsItsOwnNATSUser runs the four services on a server
// configured by `consortia nats-config`, each connected as its own user with
// only its grant (natsauth.Grants), through writes that make every one of
// them append, project, keep its timers and its bucket: the server refuses
// nothing they do. (TestTenderUserIsRefusedMemberEvents in natsauth shows
// what it refuses.)
func TestEveryServiceRunsAsItsOwnNATSUser(t *testing.T) {
	c := natstest.StartCluster(t, 1)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	issuer := auth.NewIssuer(priv, service.DevIssuer, service.DevAudience)
	ctx, cancel := context.WithCancel(t.Context())
	var running sync.WaitGroup
	t.Cleanup(func() { cancel(); running.Wait() })
	conns := map[string]*nats.Conn{}
	env := func(user string) service.Env {
		nc, js := c.Connect(user)
		conns[user] = nc
		return service.Env{JS: js, Verifier: issuer.Verifier(), Codes: codes.Lists{}, Logger: discardLogger(),
			ListenAddr: "127.0.0.1:0", Replicas: 1, InstanceID: "test"}
	}
	run := func(r *service.Running) {
		running.Go(func() { _ = r.Run(ctx) })
	}

	m, err := member.New(ctx, env("member"))
	if err != nil {
		t.Fatal(err)
	}
	run(m.Running)
	memberConn := dial(t, m.Addr())
	tn, err := tender.New(ctx, env("tender"), memberv1.NewMemberServiceClient(memberConn))
	if err != nil {
		t.Fatal(err)
	}
	run(tn.Running)
	cm, err := commission.New(ctx, env("commission"))
	if err != nil {
		t.Fatal(err)
	}
	run(cm.Running)
	n, err := notification.New(ctx, env("notification"), notification.Config{BaseURL: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	run(n.Running)
	running.Go(func() { _ = n.RunWorkers(ctx) })
	for _, r := range []<-chan struct{}{m.Ready(), tn.Ready(), cm.Ready(), n.Ready()} {
		<-r
	}
	if len(conns) != len(config.Services) {
		t.Fatalf("%d services started, config.Services lists %d", len(conns), len(config.Services))
	}

	as := func(cl auth.Claims) context.Context {
		cl.Subject = "u-" + cl.Roles[0]
		tok, err := issuer.Issue(cl, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
	}
	admin := auth.Claims{Name: "Admin", Roles: []string{auth.RoleAdmin}}
	members := memberv1.NewMemberServiceClient(memberConn)
	cl, err := members.CreateCluster(as(admin), &memberv1.CreateClusterRequest{Name: "TERA ICT cluster (test)", RegionNuts: "ES130"})
	if err != nil {
		t.Fatal(err)
	}
	// An ENS certification expiring in 100 days: the notification planner
	// schedules its 60- and 30-day warnings as message schedules.
	req := orgRequest(42)
	expiry := time.Now().AddDate(0, 0, 100).Format(time.DateOnly)
	req.Certifications = []*memberv1.Certification{{Kind: "ENS", Level: "media", IssueDate: time.Now().AddDate(-1, 0, 0).Format(time.DateOnly), ExpiryDate: expiry}}
	if _, err := members.RegisterOrganization(as(admin), req); err != nil {
		t.Fatal(err)
	}
	manager := auth.Claims{Name: "Manager", Roles: []string{auth.RoleClusterManager}, Clusters: []string{cl.GetCluster().GetId()}}
	tenders := tenderv1.NewTenderServiceClient(dial(t, tn.Addr()))
	if _, err := tenders.CreateTender(as(manager), &tenderv1.CreateTenderRequest{ClusterId: cl.GetCluster().GetId(), Details: tenderDetails(1, time.Now().AddDate(0, 2, 0)), Publish: true}); err != nil {
		t.Fatal(err)
	}

	admin2 := c.Admin()
	waitUntil(t, "the notification planner's timers and positions", func() bool {
		s, err := admin2.Stream(ctx, "NOTIFYTIMER")
		if err != nil {
			return false
		}
		info, err := s.Info(ctx)
		if err != nil || info.State.Msgs == 0 {
			return false
		}
		kv, err := admin2.KeyValue(ctx, "notification_planner")
		if err != nil {
			return false
		}
		_, err = kv.Get(ctx, member.Stream)
		return err == nil
	})
	for user, nc := range conns {
		if err := nc.Flush(); err != nil { // errors the server sent before are in by now
			t.Fatalf("%s: %v", user, err)
		}
	}
	for _, e := range c.Errors() {
		t.Errorf("refused by NATS: %v", e)
	}
	var names []string
	for _, g := range natsauth.Grants {
		names = append(names, g.Service)
	}
	if !slices.Equal(names, config.Services) {
		t.Errorf("grants %v, services %v", names, config.Services)
	}
}
