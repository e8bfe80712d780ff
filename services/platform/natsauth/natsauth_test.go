package natsauth_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/natsauth"
	"github.com/consortia-dev/consortia/services/platform/natstest"
)

func TestEveryServiceHasAGrant(t *testing.T) {
	if err := natsauth.Check(); err != nil {
		t.Fatal(err)
	}
	if len(natsauth.Grants) != len(config.Services) {
		t.Fatalf("%d grants for %d services", len(natsauth.Grants), len(config.Services))
	}
}

// The generated configuration is what a production server loads: JetStream
// with fsync on every write, authenticated routes, a user per service with
// permissions; generating again keeps the keys; nothing secret is printed.
func TestGeneratedServerConfiguration(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	gen, err := natsauth.Generate(dir, natsauth.Spec{Routes: natsauth.Presets["k8s"]}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(gen.Created) != len(natsauth.Grants)+1 {
		t.Fatalf("created %v", gen.Created)
	}
	t.Setenv(natsauth.ServerNameVar, "nats-1")
	opts, err := server.ProcessConfigFile(filepath.Join(dir, natsauth.ServerConfFile))
	if err != nil {
		t.Fatal(err)
	}
	if opts.ServerName != "nats-1" || !opts.JetStream || !opts.SyncAlways || opts.Cluster.Name != "consortia" || len(opts.Routes) != 3 {
		t.Fatalf("server %q jetstream %v sync-always %v cluster %q routes %d", opts.ServerName, opts.JetStream, opts.SyncAlways, opts.Cluster.Name, len(opts.Routes))
	}
	if opts.Cluster.Username != "route" || opts.Cluster.Password == "" || opts.Routes[0].User == nil {
		t.Fatal("routes are not authenticated")
	}
	if len(opts.Nkeys) != len(natsauth.Grants)+1 {
		t.Fatalf("%d nkey users, want %d", len(opts.Nkeys), len(natsauth.Grants)+1)
	}
	for _, u := range opts.Nkeys {
		if u.Account == nil || u.Account.Name != natsauth.Account {
			t.Fatalf("user %s not in account %s", u.Nkey, natsauth.Account)
		}
		if u.Nkey == gen.Users[natsauth.AdminUser] {
			if u.Permissions != nil {
				t.Fatal("admin has restricted permissions")
			}
			continue
		}
		if u.Permissions == nil || u.Permissions.Publish == nil || u.Permissions.Subscribe == nil {
			t.Fatalf("service user %s has no permissions", u.Nkey)
		}
	}
	info, err := os.Stat(dir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("output folder mode %v (%v), want 0700", info.Mode().Perm(), err)
	}

	again, err := natsauth.Generate(dir, natsauth.Spec{Routes: natsauth.Presets["k8s"]}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Created) != 0 || again.Users["tender"] != gen.Users["tender"] {
		t.Fatalf("a second run created %v / changed the tender key", again.Created)
	}
	rotated, err := natsauth.Generate(dir, natsauth.Spec{Routes: natsauth.Presets["k8s"]}, true)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Users["tender"] == gen.Users["tender"] {
		t.Fatal("rotate kept the tender key")
	}
}

// The tender service's user may append tender events and the JetStream calls
// it needs, and is refused when it publishes a member event, changes the
// member stream or subscribes to member events.
func TestTenderUserIsRefusedMemberEvents(t *testing.T) {
	c := natstest.StartCluster(t, 1)
	ctx := t.Context()

	_, memberJS := c.Connect("member")
	if _, err := eventlog.Open(ctx, memberJS, eventlog.StreamConfig{Name: "MEMBER", Subjects: []string{"member.>"}}, "consortia/member"); err != nil {
		t.Fatalf("member opens its stream: %v", err)
	}
	if _, err := memberJS.Publish(ctx, "member.organization.o1", []byte("registered")); err != nil {
		t.Fatalf("member appends its own event: %v", err)
	}

	tenderNC, tenderJS := c.Connect("tender")
	if _, err := eventlog.Open(ctx, tenderJS, eventlog.StreamConfig{Name: "TENDER", Subjects: []string{"tender.>"}}, "consortia/tender"); err != nil {
		t.Fatalf("tender opens its stream: %v", err)
	}
	if _, err := tenderJS.Publish(ctx, "tender.tender.t1", []byte("created")); err != nil {
		t.Fatalf("tender appends its own event: %v", err)
	}
	if _, err := tenderJS.Stream(ctx, "MEMBER"); err != nil {
		t.Fatalf("tender reads the member stream's info (it projects it): %v", err)
	}

	refused := []struct{ what, subject string }{
		{"publish", "member.organization.o1"},
		{"publish", "$JS.API.STREAM.UPDATE.MEMBER"},
		{"publish", "$JS.API.STREAM.DELETE.TENDER"},
		{"publish", "$JS.API.STREAM.PURGE.MEMBER"},
		{"subscribe", "member.>"},
		{"subscribe", "_INBOX.>"},
	}
	for _, r := range refused {
		var err error
		if r.what == "publish" {
			err = tenderNC.Publish(r.subject, []byte(`{}`))
		} else {
			_, err = tenderNC.SubscribeSync(r.subject)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := tenderNC.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range refused {
		want := fmt.Sprintf("permissions violation for %s to %q", map[string]string{"publish": "publish", "subscribe": "subscription"}[r.what], r.subject)
		waitFor(t, c, func(errs []error) bool {
			return slices.ContainsFunc(errs, func(e error) bool { return strings.Contains(strings.ToLower(e.Error()), strings.ToLower(want)) })
		}, want)
		t.Logf("tender refused: %s", want)
	}

	s, err := memberJS.Stream(ctx, "MEMBER")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Fatalf("MEMBER holds %d messages, want only the member service's 1", info.State.Msgs)
	}
	for _, e := range c.Errors() {
		if strings.HasPrefix(e.Error(), "member:") {
			t.Errorf("the member user was refused something: %v", e)
		}
	}
}

// Every service's user may publish to its own subjects and to no other
// service's.
func TestEachServicePublishesOnlyItsOwnEvents(t *testing.T) {
	c := natstest.StartCluster(t, 1)
	conns := map[string]*nats.Conn{}
	for _, g := range natsauth.Grants {
		conns[g.Service], _ = c.Connect(g.Service)
	}
	var want []string
	for _, g := range natsauth.Grants {
		for _, other := range natsauth.Grants {
			subject := strings.TrimSuffix(other.Subjects[0], ">") + "probe"
			if err := conns[g.Service].Publish(subject, nil); err != nil {
				t.Fatal(err)
			}
			if other.Service != g.Service {
				want = append(want, g.Service+": "+`permissions violation for publish to "`+subject+`"`)
			}
		}
		if err := conns[g.Service].Flush(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, c, func(errs []error) bool { return len(errs) >= len(want) }, fmt.Sprintf("%d violations", len(want)))
	var got []string
	for _, e := range c.Errors() {
		got = append(got, strings.ToLower(e.Error()))
	}
	for _, w := range want {
		user, fragment, _ := strings.Cut(strings.ToLower(w), ": ")
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, user+":") && strings.Contains(g, fragment) }) {
			t.Errorf("missing violation %s (got %v)", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d violations, want %d: %v", len(got), len(want), got)
	}
}

// waitFor polls the cluster's asynchronous errors until ok (or the test ends).
func waitFor(t *testing.T, c *natstest.Cluster, ok func([]error) bool, what string) {
	t.Helper()
	for !ok(c.Errors()) {
		select {
		case <-t.Context().Done():
			t.Fatalf("never saw %s; errors: %v", what, c.Errors())
		default:
		}
		natstest.Pause(t)
	}
}
