// Package notification declares the notification service to the service kit:
// its stream (NOTIFICATION: recipients, endpoints, intents, deliveries, inbox
// changes), its read model, the planner's projections of the member and
// tender streams, and, once those have caught up, the workers that deliver
// e-mails and webhooks and handle fired timers. cmd/notification runs it
// alone; `consortia dev` runs it in process.
package notification

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	"github.com/consortia-dev/consortia/services/notification/app"
	"github.com/consortia-dev/consortia/services/notification/deliver"
	"github.com/consortia-dev/consortia/services/notification/domain"
	notificationgrpc "github.com/consortia-dev/consortia/services/notification/grpc"
	"github.com/consortia-dev/consortia/services/notification/planner"
	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/notification/store/memory"
	"github.com/consortia-dev/consortia/services/notification/timers"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/service"
)

// Stream is the notification service's event stream.
const Stream = "NOTIFICATION"

// Config configures deliveries.
type Config struct {
	// BaseURL is the console's external URL, for links in e-mails and webhooks.
	BaseURL string
	// SMTP is where e-mail goes; an empty Host leaves e-mail intents pending
	// (recorded, not sent) and says so in the log.
	SMTP deliver.SMTPConfig
	// WebhookAllow lists address prefixes webhooks may reach although the SSRF
	// guard would refuse them (consortia dev: loopback).
	WebhookAllow []netip.Prefix
	// WebhookTimeout bounds one attempt (default 10 s).
	WebhookTimeout time.Duration
	// Retry is the retry schedule of webhooks and e-mails (default domain.DefaultBackoff).
	Retry domain.Backoff
	// Parallel deliveries per channel (default 8).
	Parallel int
	// Planner tunes reminders, certification warnings and matching.
	Planner planner.Config
	// Rand draws the retry jitter (tests pin it; nil: math/rand).
	Rand func() float64
}

// Notification is a built notification service.
type Notification struct {
	*service.Running
	Service *app.Service
	Planner *planner.Planner
	Timers  *timers.Timers
	workers []func(context.Context) error
	logger  *slog.Logger
}

// New builds the notification service on env.
func New(ctx context.Context, env service.Env, cfg Config) (*Notification, error) {
	if cfg.Retry.Attempts == 0 {
		cfg.Retry = domain.DefaultBackoff
	}
	if cfg.WebhookTimeout == 0 {
		cfg.WebhookTimeout = 10 * time.Second
	}
	if env.Logger == nil {
		env.Logger = slog.Default()
	}
	if cfg.Planner.Logger == nil {
		cfg.Planner.Logger = env.Logger
	}
	n := &Notification{logger: env.Logger}
	r, err := service.Start(ctx, service.Definition{
		Name: "notification", Stream: Stream, Subjects: []string{domain.SubjectPrefix + ">"},
		Build: func(ctx context.Context, k *service.Kit) error {
			var st store.Store = memory.New()
			if k.Persistent() {
				ms, err := openMongo(ctx, k)
				if err != nil {
					return err
				}
				st = ms
			}
			readModel := k.Project(eventlog.Projection{Name: "readmodel", Stream: Stream, Handler: app.Projection(st)})
			n.Service = app.New(k.Log, st, readModel)
			tm, err := timers.Open(ctx, k.JS, env.Replicas)
			if err != nil {
				return err
			}
			n.Timers = tm
			pl, err := planner.New(ctx, k.JS, k.Log, st, tm, env.Replicas, cfg.Planner)
			if err != nil {
				return err
			}
			// Plan nothing before the recipients and endpoints are known.
			pl.After(readModel.Ready())
			n.Planner = pl
			k.Project(eventlog.Projection{Name: "planner-tender", Stream: planner.TenderStream, Handler: pl.TenderHandler()})
			k.Project(eventlog.Projection{Name: "planner-member", Stream: planner.MemberStream, FilterSubjects: []string{planner.MemberFilter}, Handler: pl.MemberHandler()})
			k.Register(func(s *grpc.Server) {
				notificationv1.RegisterNotificationServiceServer(s, notificationgrpc.NewServer(n.Service))
			})

			wh := &deliver.Webhook{Client: deliver.NewClient(deliver.Guard{Allow: cfg.WebhookAllow}, cfg.WebhookTimeout), BaseURL: cfg.BaseURL}
			n.workers = append(n.workers, (&deliver.Worker{JS: k.JS, Log: k.Log, Store: st, Stream: Stream, Channel: domain.ChannelWebhook,
				Send: deliver.WebhookSender(wh), Backoff: cfg.Retry, Parallel: cfg.Parallel, AckWait: 3 * cfg.WebhookTimeout, Logger: k.Logger, Rand: cfg.Rand}).Run)
			if cfg.SMTP.Host != "" {
				m := deliver.NewMailer(cfg.SMTP, cfg.BaseURL)
				n.workers = append(n.workers, (&deliver.Worker{JS: k.JS, Log: k.Log, Store: st, Stream: Stream, Channel: domain.ChannelEmail,
					Send: deliver.EmailSender(m), Backoff: cfg.Retry, Parallel: cfg.Parallel, Logger: k.Logger, Rand: cfg.Rand}).Run)
			} else {
				k.Logger.Warn("notification: no SMTP server configured (CONSORTIA_NOTIFICATION_SMTP_ADDR); e-mail intents are recorded but not sent")
			}
			n.workers = append(n.workers, func(ctx context.Context) error { return timers.Consume(ctx, k.JS, k.Logger, pl.Fired) })
			return nil
		},
	}, env)
	n.Running = r
	return n, err
}

// Run runs the read models and the gRPC server and, once the read models have
// caught up, the delivery workers and the timer consumer, until ctx ends.
func (n *Notification) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return n.Running.Run(ctx) })
	g.Go(func() error { return n.RunWorkers(ctx) })
	return g.Wait()
}

// RunWorkers waits until the read models are ready, then runs the workers.
func (n *Notification) RunWorkers(ctx context.Context) error {
	select {
	case <-n.Ready():
	case <-ctx.Done():
		return nil
	}
	g, ctx := errgroup.WithContext(ctx)
	for _, w := range n.workers {
		g.Go(func() error { return w(ctx) })
	}
	return g.Wait()
}

// Settings are the service's own variables (CONSORTIA_NOTIFICATION_…, and the
// webhook policy shared with the README).
type Settings struct {
	PublicURL       string        `env:"CONSORTIA_PUBLIC_URL" envDefault:"http://127.0.0.1:8080"`
	SMTPAddr        string        `env:"CONSORTIA_NOTIFICATION_SMTP_ADDR"`
	SMTPFrom        string        `env:"CONSORTIA_NOTIFICATION_SMTP_FROM" envDefault:"Consortia <avisos@consortia.invalid>"`
	SMTPUsername    string        `env:"CONSORTIA_NOTIFICATION_SMTP_USERNAME"`
	SMTPPassword    string        `env:"CONSORTIA_NOTIFICATION_SMTP_PASSWORD" secret:"true"`
	SMTPRequireTLS  bool          `env:"CONSORTIA_NOTIFICATION_SMTP_REQUIRE_TLS" envDefault:"true"`
	WebhookAllow    string        `env:"CONSORTIA_WEBHOOK_ALLOW_NETS"`
	WebhookTimeout  time.Duration `env:"CONSORTIA_WEBHOOK_TIMEOUT" envDefault:"10s"`
	RetryInitial    time.Duration `env:"CONSORTIA_WEBHOOK_RETRY_INITIAL" envDefault:"5s"`
	RetryFactor     float64       `env:"CONSORTIA_WEBHOOK_RETRY_FACTOR" envDefault:"4"`
	RetryMax        time.Duration `env:"CONSORTIA_WEBHOOK_RETRY_MAX" envDefault:"6h"`
	RetryAttempts   int           `env:"CONSORTIA_WEBHOOK_RETRY_ATTEMPTS" envDefault:"8"`
	ReminderOffsets []string      `env:"CONSORTIA_NOTIFICATION_REMINDERS" envDefault:"168h,48h" envSeparator:","`
}

func init() { config.Register(&Settings{}) }

// Validate implements the configuration's post-parse check.
func (s *Settings) Validate() error {
	var errs []error
	if s.SMTPAddr != "" {
		errs = append(errs, service.CheckAddr("CONSORTIA_NOTIFICATION_SMTP_ADDR", s.SMTPAddr))
	}
	if _, err := deliver.ParseAllow(s.WebhookAllow); err != nil {
		errs = append(errs, fmt.Errorf("CONSORTIA_WEBHOOK_ALLOW_NETS: %w", err))
	}
	if s.RetryAttempts < 1 || s.RetryAttempts > 50 || s.RetryFactor < 1 || s.RetryInitial <= 0 || s.RetryMax < s.RetryInitial {
		errs = append(errs, errors.New("CONSORTIA_WEBHOOK_RETRY_*: want 1-50 attempts, factor ≥ 1, 0 < initial ≤ max"))
	}
	for _, o := range s.ReminderOffsets {
		if d, err := time.ParseDuration(o); err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("CONSORTIA_NOTIFICATION_REMINDERS: %q is not a positive duration", o))
		}
	}
	return errors.Join(errs...)
}

// Config turns the settings into a Config.
func (s *Settings) Config() Config {
	cfg := Config{BaseURL: s.PublicURL, WebhookTimeout: s.WebhookTimeout,
		Retry: domain.Backoff{Initial: s.RetryInitial, Factor: s.RetryFactor, Max: s.RetryMax, Attempts: s.RetryAttempts, Jitter: 0.2}}
	cfg.WebhookAllow, _ = deliver.ParseAllow(s.WebhookAllow)
	if s.SMTPAddr != "" {
		host, port, _ := net.SplitHostPort(s.SMTPAddr)
		p, _ := strconv.Atoi(port)
		cfg.SMTP = deliver.SMTPConfig{Host: host, Port: p, From: s.SMTPFrom, Username: s.SMTPUsername, Password: s.SMTPPassword, RequireTLS: s.SMTPRequireTLS}
	}
	for _, o := range s.ReminderOffsets {
		if d, err := time.ParseDuration(o); err == nil {
			cfg.Planner.ReminderOffsets = append(cfg.Planner.ReminderOffsets, d)
		}
	}
	return cfg
}

// Serve runs the notification service alone from the environment.
func Serve(ctx context.Context) error {
	var s Settings
	return service.Main(ctx, "notification", ":7104", func(ctx context.Context, env service.Env) (*service.Running, error) {
		n, err := New(ctx, env, s.Config())
		if err != nil {
			return nil, err
		}
		go func() {
			if err := n.RunWorkers(ctx); err != nil {
				env.Logger.Error("notification workers stopped", "err", err)
			}
		}()
		return n.Running, nil
	}, &s)
}
