package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/natsauth"
	"github.com/consortia-dev/consortia/services/platform/telemetry"
)

// Development token issuer and audience (the built-in issuer of `consortia dev`).
const (
	DevIssuer   = "consortia-dev"
	DevAudience = "consortia"
)

// Common is the configuration every Consortia process reads (services,
// gateway, `consortia dev`).
type Common struct {
	LogLevel string `env:"CONSORTIA_LOG_LEVEL" envDefault:"info"`
	// LogFormat: json (one object per line, for a log collector) or text
	// (key=value, for a terminal); empty: json, except under `consortia dev`.
	LogFormat string `env:"CONSORTIA_LOG_FORMAT"`
	// DataDir holds the shared public data (CPV, NUTS lists); empty: found from go.work.
	DataDir string `env:"CONSORTIA_DATA_DIR"`
	Auth    Auth
}

// Auth says how tokens are verified.
type Auth struct {
	JWKSURL   string `env:"CONSORTIA_AUTH_JWKS_URL"`
	Issuer    string `env:"CONSORTIA_AUTH_ISSUER"`
	Audience  string `env:"CONSORTIA_AUTH_AUDIENCE" envDefault:"consortia"`
	DevKeyDir string `env:"CONSORTIA_AUTH_DEV_KEY_DIR"`
	// The identity provider's claims for roles, organisation and clusters: a
	// claim name, or a dotted path ("realm_access.roles").
	RolesClaim    string `env:"CONSORTIA_AUTH_ROLES_CLAIM" envDefault:"roles"`
	OrgClaim      string `env:"CONSORTIA_AUTH_ORG_CLAIM" envDefault:"org"`
	ClustersClaim string `env:"CONSORTIA_AUTH_CLUSTERS_CLAIM" envDefault:"clusters"`
}

// ClaimNames are the claims roles, organisation and clusters are read from.
func (a Auth) ClaimNames() auth.ClaimNames {
	return auth.ClaimNames{Roles: a.RolesClaim, Organization: a.OrgClaim, Clusters: a.ClustersClaim}
}

// Validate implements config's post-parse check.
func (c *Common) Validate() error {
	var errs []error
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("CONSORTIA_LOG_LEVEL=%q: want debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "", "json", "text":
	default:
		errs = append(errs, fmt.Errorf("CONSORTIA_LOG_FORMAT=%q: want json or text", c.LogFormat))
	}
	return errors.Join(errs...)
}

// Logger is the process's logger in LogFormat (fallback when it is unset).
func (c Common) Logger(w io.Writer, name, fallback string) *slog.Logger {
	format := c.LogFormat
	if format == "" {
		format = fallback
	}
	if format == "text" {
		return telemetry.NewTextLogger(w, c.Level(), name)
	}
	return telemetry.NewLogger(w, c.Level(), name)
}

// Level is the slog level of LogLevel.
func (c Common) Level() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.LogLevel))
	return l
}

// Verifier: an external issuer's JWKS in production, or the development
// issuer's key from a state folder.
func (a Auth) Verifier() (auth.Verifier, error) {
	if a.JWKSURL != "" {
		return &auth.JWKSVerifier{URL: a.JWKSURL, Issuer: a.Issuer, Audience: a.Audience, Claims: a.ClaimNames()}, nil
	}
	if a.DevKeyDir != "" {
		iss, err := auth.LoadOrCreateIssuer(a.DevKeyDir, DevIssuer, DevAudience)
		if err != nil {
			return nil, err
		}
		return iss.Verifier(), nil
	}
	return nil, errors.New("no token verification configured: set CONSORTIA_AUTH_JWKS_URL (production) or CONSORTIA_AUTH_DEV_KEY_DIR")
}

// Config is a service process's configuration (the README's table).
type Config struct {
	Common
	NATSURL        string `env:"CONSORTIA_NATS_URL" envDefault:"nats://127.0.0.1:4222"`
	NATSCreds      string `env:"CONSORTIA_NATS_CREDS"` // nkey seed (`consortia nats-config`) or .creds file
	StreamReplicas int    `env:"CONSORTIA_STREAM_REPLICAS" envDefault:"1"`
	InstanceID     string `env:"CONSORTIA_INSTANCE_ID" envDefault:"default"`
	// MongoURI set: read models in MongoDB; unset: in memory.
	MongoURI    string `env:"CONSORTIA_MONGODB_URI" secret:"true"`
	MetricsAddr string `env:"CONSORTIA_METRICS_ADDR"`
}

// Validate implements config's post-parse check.
func (c *Config) Validate() error {
	var errs []error
	if err := c.Common.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.StreamReplicas < 1 || c.StreamReplicas > 5 {
		errs = append(errs, fmt.Errorf("CONSORTIA_STREAM_REPLICAS=%d: want 1 to 5", c.StreamReplicas))
	}
	if c.MetricsAddr != "" {
		errs = append(errs, CheckAddr("CONSORTIA_METRICS_ADDR", c.MetricsAddr))
	}
	return errors.Join(errs...)
}

func init() { config.Register(&Config{}) }

// Listen is a service's own listen address, read with its name as prefix
// (CONSORTIA_MEMBER_LISTEN_ADDR).
type Listen struct {
	Addr string `env:"LISTEN_ADDR"`
}

// CheckAddr checks a host:port value.
func CheckAddr(name, addr string) error {
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return fmt.Errorf("%s=%q: want host:port (or :port)", name, addr)
	}
	return nil
}

// Prefix is the variable prefix of a service's own settings ("CONSORTIA_MEMBER_").
func Prefix(service string) string {
	return config.Prefix + strings.ToUpper(service) + "_"
}

// NewLogger returns a process's JSON logger.
func NewLogger(w io.Writer, level slog.Level, name string) *slog.Logger {
	return telemetry.NewLogger(w, level, name)
}

// Main runs one service as its own process (cmd/<name> and `consortia serve
// <name>`): it parses the configuration once (cfg, the service's own settings
// in extra), prints it with secrets masked, connects to NATS (and MongoDB when
// configured), then starts the service with start and runs it until SIGINT or
// SIGTERM. defaultListen is the gRPC listen address when
// CONSORTIA_<NAME>_LISTEN_ADDR is unset.
func Main(ctx context.Context, name, defaultListen string, start func(ctx context.Context, env Env) (*Running, error), extra ...any) error {
	var cfg Config
	listen := Listen{Addr: defaultListen}
	parsed := append([]any{&cfg, config.Prefixed{Prefix: Prefix(name), V: &listen}}, extra...)
	if err := config.Parse(parsed...); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if err := CheckAddr(Prefix(name)+"LISTEN_ADDR", listen.Addr); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := cfg.Logger(os.Stderr, name, "json")
	slog.SetDefault(log)
	log.Info("configuration", config.Describe(parsed...)...)
	shutdown := telemetry.Setup(name)
	defer func() { _ = shutdown(context.Background()) }()

	// The service's own NATS user (nkey seed from `consortia nats-config`, or
	// a .creds file) and reply inbox, which its permissions are written for.
	opts, err := natsauth.ConnectOptions(name, cfg.NATSCreds)
	if err != nil {
		return err
	}
	nc, err := nats.Connect(cfg.NATSURL, opts...)
	if err != nil {
		return fmt.Errorf("connect NATS %s: %w", config.Mask(cfg.NATSURL, false), err)
	}
	defer func() { _ = nc.Drain() }()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	verifier, err := cfg.Auth.Verifier()
	if err != nil {
		return err
	}
	env := Env{
		JS: js, Verifier: verifier, Codes: codes.Load(cfg.DataDir, log), Logger: log,
		ListenAddr: listen.Addr, Replicas: cfg.StreamReplicas, InstanceID: cfg.InstanceID,
	}
	if cfg.MongoURI != "" {
		client, err := mongo.Connect(options.Client().ApplyURI(cfg.MongoURI))
		if err != nil {
			return fmt.Errorf("MongoDB %s: %w", config.Mask(cfg.MongoURI, true), err)
		}
		defer func() { _ = client.Disconnect(context.Background()) }()
		env.Mongo = client
	}
	if cfg.MetricsAddr != "" {
		stop, err := ServeMetrics(cfg.MetricsAddr, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	r, err := start(ctx, env)
	if err != nil {
		return err
	}
	log.Info(name+" service starting", "grpc", r.Addr(), "read_models", readModels(env))
	return r.Run(ctx)
}

func readModels(env Env) string {
	if env.Mongo != nil {
		return "mongo"
	}
	return "memory"
}

// ServeMetrics serves Prometheus /metrics on addr until stop is called.
func ServeMetrics(addr string, log *slog.Logger) (stop func(), err error) {
	h, err := telemetry.SetupMetrics()
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(lis) }()
	log.Info("metrics", "addr", lis.Addr().String(), "path", "/metrics")
	return func() { _ = srv.Close() }, nil
}

// Run calls fn with a context cancelled on SIGINT/SIGTERM and exits non-zero
// on error (the main of every service binary).
func Run(fn func(ctx context.Context) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := fn(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
