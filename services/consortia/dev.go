package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/consortia/demo"
	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/natsembed"
	"github.com/consortia-dev/consortia/services/platform/serve"
	"github.com/consortia-dev/consortia/services/platform/telemetry"
	"github.com/consortia-dev/consortia/services/tender"
)

func stateDir(fs *flag.FlagSet, args []string) (string, error) {
	dir := fs.String("state", config.String("CONSORTIA_STATE_DIR", ".data"), "folder for local state (NATS store, dev signing key)")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return "", err
	}
	return abs, os.MkdirAll(abs, 0o700)
}

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	dir, err := stateDir(fs, args)
	if err != nil {
		return err
	}
	log := serve.NewLogger(stderr, "consortia-dev")
	slog.SetDefault(log)
	shutdown := telemetry.Setup("consortia")
	defer shutdown(context.Background())
	metrics, err := telemetry.SetupMetrics()
	if err != nil {
		return err
	}

	natsPort, err := config.Int("CONSORTIA_NATS_PORT", 4222)
	if err != nil {
		return err
	}
	ns, err := natsembed.Start(natsembed.Config{StoreDir: filepath.Join(dir, "nats"), Port: natsPort, SyncAlways: true})
	if err != nil {
		return fmt.Errorf("embedded NATS on port %d (set CONSORTIA_NATS_PORT to change it): %w", natsPort, err)
	}
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	nc, err := nats.Connect(ns.ClientURL(), nats.Name("consortia-dev"))
	if err != nil {
		return err
	}
	defer nc.Drain()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	issuer, err := auth.LoadOrCreateIssuer(dir, devIssuer, devAudience)
	if err != nil {
		return err
	}
	lists := codes.Load(config.String("CONSORTIA_DATA_DIR", ""), log)

	m, err := member.New(ctx, member.Config{GRPCAddr: config.String("CONSORTIA_MEMBER_ADDR", "127.0.0.1:7101")},
		member.Deps{JS: js, Verifier: issuer.Verifier(), Codes: lists, Logger: log.With("component", "member")})
	if err != nil {
		return err
	}

	memberConn, err := dialService(m.Addr())
	if err != nil {
		return err
	}
	defer memberConn.Close()
	t, err := tender.New(ctx, tender.Config{GRPCAddr: config.String("CONSORTIA_TENDER_ADDR", "127.0.0.1:7102")},
		tender.Deps{JS: js, Verifier: issuer.Verifier(), Codes: lists, Members: memberv1.NewMemberServiceClient(memberConn), Logger: log.With("component", "tender")})
	if err != nil {
		return err
	}

	// The gateway: HTTP/JSON API and web console, with the demo users on its sign-in page.
	var users []gateway.User
	for _, u := range demo.Users(time.Now().Year()) {
		users = append(users, gateway.User{Key: u.Key, Title: u.Title, Claims: u.Claims})
	}
	gw, err := gateway.New(ctx, gateway.Config{
		HTTPAddr: config.String("CONSORTIA_HTTP_ADDR", "127.0.0.1:8080"), PublicURL: config.String("CONSORTIA_PUBLIC_URL", ""),
		MemberAddr: m.Addr(), TenderAddr: t.Addr(),
	}, gateway.Deps{Issuer: issuer, Users: users, Catalog: lists.Catalog, Metrics: metrics, Logger: log.With("component", "gateway")})
	if err != nil {
		return fmt.Errorf("gateway (set CONSORTIA_HTTP_ADDR to change its address): %w", err)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return m.Run(gctx) })
	g.Go(func() error { return t.Run(gctx) })
	g.Go(func() error { return gw.Run(gctx) })
	g.Go(func() error {
		for _, ready := range []<-chan struct{}{m.Ready(), t.Ready()} {
			select {
			case <-ready:
			case <-gctx.Done():
				return nil
			}
		}
		now := time.Now()
		sctx, err := demo.SeedContext(gctx, issuer)
		if err != nil {
			return err
		}
		if _, err := demo.SeedMembers(sctx, m.Service, now.Year(), log); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if _, err := demo.SeedTenders(sctx, t.Service, now, log); err != nil {
			return fmt.Errorf("demo tenders: %w", err)
		}
		if _, err := demo.SeedConsortia(sctx, t.Service, log); err != nil {
			return fmt.Errorf("demo consortia: %w", err)
		}
		fmt.Fprintf(stdout, `
Consortia is running (development mode; state in %s)
  web console      %s/
  HTTP API         %s/v1/ (OpenAPI: %s/openapi.json, metrics: %s/metrics)
  NATS JetStream   %s
  member gRPC      %s
  tender gRPC      %s
Demo users: go run ./services/consortia users; a token: go run ./services/consortia token --as tera-manager
Try: curl -H "Authorization: Bearer $(go run ./services/consortia token --as tera-manager)" %s/v1/tenders
Stop with Ctrl-C.
`, dir, gw.URL(), gw.URL(), gw.URL(), gw.URL(), ns.ClientURL(), m.Addr(), t.Addr(), gw.URL())
		return nil
	})
	return g.Wait()
}

func runToken(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	as := fs.String("as", "", "demo user key (see: consortia users)")
	ttl := fs.Duration("ttl", 12*time.Hour, "token lifetime")
	dir, err := stateDir(fs, args)
	if err != nil {
		return err
	}
	u, ok := demo.UserByKey(time.Now().Year(), *as)
	if !ok {
		return fmt.Errorf("unknown demo user %q (see: consortia users)", *as)
	}
	issuer, err := auth.LoadOrCreateIssuer(dir, devIssuer, devAudience)
	if err != nil {
		return err
	}
	tok, err := issuer.Issue(u.Claims, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

func runUsers(stdout io.Writer) error {
	for _, u := range demo.Users(time.Now().Year()) {
		fmt.Fprintf(stdout, "%-16s %s\n", u.Key, u.Title)
	}
	return nil
}

// dialService connects to a Consortia service, forwarding the caller's token.
var dialService = grpcserver.Dial
