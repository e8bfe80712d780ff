package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/commission"
	"github.com/consortia-dev/consortia/services/consortia/demo"
	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/gateway/web"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/mongotest"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/notification/deliver"
	"github.com/consortia-dev/consortia/services/notification/devmail"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/natsembed"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/platform/telemetry"
	"github.com/consortia-dev/consortia/services/tender"
)

// devSettings is the configuration of `consortia dev` (the README's table):
// every service on loopback in one process.
type devSettings struct {
	service.Common
	NATSPort   int    `env:"CONSORTIA_NATS_PORT" envDefault:"4222"`
	MemberAddr string `env:"CONSORTIA_MEMBER_LISTEN_ADDR" envDefault:"127.0.0.1:7101"`
	TenderAddr string `env:"CONSORTIA_TENDER_LISTEN_ADDR" envDefault:"127.0.0.1:7102"`
	// NotificationAddr: the notification service's gRPC address.
	NotificationAddr string `env:"CONSORTIA_NOTIFICATION_LISTEN_ADDR" envDefault:"127.0.0.1:7104"`
	HTTPAddr         string `env:"CONSORTIA_HTTP_LISTEN_ADDR" envDefault:"127.0.0.1:8080"`
	PublicURL        string `env:"CONSORTIA_PUBLIC_URL"`
	// CommissionAddr: the commission service's gRPC address.
	CommissionAddr string `env:"CONSORTIA_COMMISSION_LISTEN_ADDR" envDefault:"127.0.0.1:7103"`
}

// Validate implements the configuration's post-parse check.
func (d *devSettings) Validate() error {
	return errors.Join(d.Common.Validate(),
		service.CheckAddr("CONSORTIA_MEMBER_LISTEN_ADDR", d.MemberAddr),
		service.CheckAddr("CONSORTIA_TENDER_LISTEN_ADDR", d.TenderAddr),
		service.CheckAddr("CONSORTIA_NOTIFICATION_LISTEN_ADDR", d.NotificationAddr),
		service.CheckAddr("CONSORTIA_COMMISSION_LISTEN_ADDR", d.CommissionAddr),
		service.CheckAddr("CONSORTIA_HTTP_LISTEN_ADDR", d.HTTPAddr))
}

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
	readModels := fs.String("read-models", "memory", "where read models live: memory (rebuilt at start) or mongo (an embedded MongoDB-compatible server, FerretDB, in the state folder)")
	dir, err := stateDir(fs, args)
	if err != nil {
		return err
	}
	if *readModels != "memory" && *readModels != "mongo" {
		return fmt.Errorf("--read-models %q: want memory or mongo", *readModels)
	}
	var cfg devSettings
	if err := config.Parse(&cfg); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	// Readable lines for a person at a terminal, one per call only at debug.
	log := cfg.Common.Logger(stderr, "consortia-dev", "text")
	slog.SetDefault(log)
	log.Debug("configuration", config.Describe(&cfg)...)
	shutdown := telemetry.Setup("consortia")
	defer shutdown(context.Background())
	metrics, err := telemetry.SetupMetrics()
	if err != nil {
		return err
	}

	natsPort := cfg.NATSPort
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
	lists := codes.Load(cfg.DataDir, log)
	env := func(component, addr string) service.Env {
		return service.Env{JS: js, Verifier: issuer.Verifier(), Codes: lists, Logger: log.With("component", component), ListenAddr: addr, RequestLevel: slog.LevelDebug}
	}
	var mongoClient *mongo.Client
	if *readModels == "mongo" {
		uri, stop, err := mongotest.Embedded(ctx, filepath.Join(dir, "ferretdb"), log.With("component", "ferretdb"))
		if err != nil {
			return fmt.Errorf("embedded MongoDB-compatible server: %w", err)
		}
		defer stop()
		if mongoClient, err = mongo.Connect(options.Client().ApplyURI(uri)); err != nil {
			return err
		}
		defer func() { _ = mongoClient.Disconnect(context.Background()) }()
		log.Info("read models in MongoDB (embedded FerretDB)", "uri", uri)
	}
	withMongo := func(e service.Env) service.Env { e.Mongo = mongoClient; return e }

	m, err := member.New(ctx, withMongo(env("member", cfg.MemberAddr)))
	if err != nil {
		return err
	}

	memberConn, err := dialService(m.Addr())
	if err != nil {
		return err
	}
	defer memberConn.Close()
	t, err := tender.New(ctx, withMongo(env("tender", cfg.TenderAddr)), memberv1.NewMemberServiceClient(memberConn))
	if err != nil {
		return err
	}

	// The notification service, e-mailing into an SMTP capture that keeps the
	// mails in memory for the console's dev mailbox page (no mail leaves the
	// machine), and allowed to call webhook receivers on loopback.
	mailbox, err := devmail.Start("127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("dev SMTP capture: %w", err)
	}
	defer mailbox.Close()
	smtpHost, smtpPort, _ := net.SplitHostPort(mailbox.Addr())
	smtpPortN, _ := strconv.Atoi(smtpPort)
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = "http://" + cfg.HTTPAddr
	}
	n, err := notification.New(ctx, withMongo(env("notification", cfg.NotificationAddr)), notification.Config{
		BaseURL: publicURL, SMTP: deliver.SMTPConfig{Host: smtpHost, Port: smtpPortN, From: "Consortia (dev) <avisos@consortia.invalid>"},
		WebhookAllow: deliver.Loopback,
	})
	if err != nil {
		return err
	}

	// The commission service: commissions and the agency's cross-cluster
	// figures, from its own projections of the member and tender streams.
	cm, err := commission.New(ctx, withMongo(env("commission", cfg.CommissionAddr)))
	if err != nil {
		return err
	}

	// The gateway: HTTP/JSON API and web console, with the demo users on its sign-in page.
	var users []gateway.User
	for _, u := range demo.Users(time.Now().Year()) {
		users = append(users, gateway.User{Key: u.Key, Title: u.Title, Claims: u.Claims, Group: u.Group})
	}
	gw, err := gateway.New(ctx, gateway.Config{
		HTTPAddr: cfg.HTTPAddr, PublicURL: cfg.PublicURL, RequestLevel: slog.LevelDebug,
		Backends: map[string]string{"member": m.Addr(), "tender": t.Addr(), "notification": n.Addr(), "commission": cm.Addr()},
	}, gateway.Deps{Issuer: issuer, Users: users, Catalog: lists.Catalog, Metrics: metrics, Logger: log.With("component", "gateway"), Mailbox: devMails(mailbox)})
	if err != nil {
		return fmt.Errorf("gateway (set CONSORTIA_HTTP_LISTEN_ADDR to change its address): %w", err)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return m.Run(gctx) })
	g.Go(func() error { return t.Run(gctx) })
	g.Go(func() error { return n.Run(gctx) })
	g.Go(func() error { return cm.Run(gctx) })
	g.Go(func() error { return gw.Run(gctx) })
	g.Go(func() error {
		for _, ready := range []<-chan struct{}{m.Ready(), t.Ready(), cm.Ready()} {
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
		if _, err := demo.SeedCommissions(sctx, cm.Service, t.Service, now, log); err != nil {
			return fmt.Errorf("demo commissions: %w", err)
		}
		fmt.Fprintf(stdout, `
Consortia is running (development mode; state in %s)
  web console      %s/
  HTTP API         %s/v1/ (OpenAPI: %s/openapi.json, metrics: %s/metrics)
  NATS JetStream   %s
  member gRPC      %s
  tender gRPC      %s
  commission gRPC  %s
  notification     %s (e-mails: %s/dev/mailbox)
Demo users: go run ./services/consortia users; a token: go run ./services/consortia token --as tera-manager
Try: curl -H "Authorization: Bearer $(go run ./services/consortia token --as tera-manager)" %s/v1/tenders
Logs: warnings and milestones only; one line per request with CONSORTIA_LOG_LEVEL=debug.
Stop with Ctrl-C.
`, dir, gw.URL(), gw.URL(), gw.URL(), gw.URL(), ns.ClientURL(), m.Addr(), t.Addr(), cm.Addr(), n.Addr(), gw.URL(), gw.URL())
		return nil
	})
	err = g.Wait()
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
		// Ctrl-C or SIGTERM: a normal end, not a failure.
		fmt.Fprintf(stdout, "\nConsortia stopped; its state is kept in %s (delete the folder to start afresh).\n", dir)
		return nil
	}
	return err
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

// devMails shows the SMTP capture on the console's dev mailbox page.
func devMails(box *devmail.Mailbox) web.MailboxFunc {
	return func() []web.Mail {
		var out []web.Mail
		for _, m := range box.Mails() {
			out = append(out, web.Mail{To: m.To, Subject: m.Subject, MessageID: m.MessageID, Language: m.Language, Text: m.Text, HTML: m.HTML, Received: m.Received})
		}
		return out
	}
}

// dialService connects to a Consortia service, forwarding the caller's token.
var dialService = grpcserver.Dial
