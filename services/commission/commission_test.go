package commission_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/consortia-dev/consortia/services/commission"
	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/mongotest"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
)

// TestMongoReadModelSurvivesRestart runs the service with its read model in
// MongoDB (embedded FerretDB, or CONSORTIA_TEST_MONGODB_URI): a commission
// written before a restart is read after it from the database, the durable
// consumer resumes after the stored checkpoint, and writes after the restart
// are read back at once.
func TestMongoReadModelSurvivesRestart(t *testing.T) {
	ns := natstest.Start(t)
	ctx := t.Context()
	// The streams the service follows (their services are not needed here).
	for _, s := range []struct{ name, subjects string }{{"MEMBER", "member.>"}, {"TENDER", "tender.>"}} {
		if _, err := eventlog.Open(ctx, ns.JS, eventlog.StreamConfig{Name: s.name, Subjects: []string{s.subjects}}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	client, err := mongo.Connect(options.Client().ApplyURI(mongotest.URI(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = client.Database(service.Database("commission")).Drop(context.Background())
		_ = client.Disconnect(context.Background())
	})
	_ = client.Database(service.Database("commission")).Drop(ctx) // a fresh database
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	env := service.Env{JS: ns.JS, Verifier: auth.NewIssuer(priv, "test", "consortia").Verifier(), ListenAddr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})), Mongo: client}
	agency := auth.WithPrincipal(ctx, &auth.Principal{Claims: auth.Claims{Roles: []string{auth.RoleAgency}}})

	start := func() (*commission.Commission, func()) {
		t.Helper()
		c, err := commission.New(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- c.Run(runCtx) }()
		select {
		case <-c.Ready():
		case err := <-done:
			t.Fatalf("commission service ended before ready: %v", err)
		}
		return c, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	}

	c1, stop := start()
	created, err := c1.Service.CreateCommission(agency, domain.Details{Name: "Comisión de Salud Digital", Theme: "Salud digital"}, "", false, "")
	if err != nil {
		t.Fatal(err)
	}
	cp, err := c1.Service.Store().Checkpoint(ctx)
	if err != nil || cp == 0 {
		t.Fatalf("checkpoint after a write: %d, %v", cp, err)
	}
	stop()

	c2, stop2 := start()
	defer stop2()
	got, err := c2.Service.GetCommission(agency, created.ID)
	if err != nil || got.Name != "Comisión de Salud Digital" || got.Version != created.Version {
		t.Fatalf("after restart: %+v, %v", got, err)
	}
	if cp2, _ := c2.Service.Store().Checkpoint(ctx); cp2 != cp {
		t.Errorf("checkpoint after restart %d, want %d", cp2, cp)
	}
	updated, err := c2.Service.UpdateCommission(agency, created.ID, domain.Details{Name: "Comisión de Salud Digital", Theme: "eSalud"}, 0, "")
	if err != nil || updated.Theme != "eSalud" || updated.Version <= created.Version {
		t.Fatalf("write after restart: %+v, %v", updated, err)
	}
}
