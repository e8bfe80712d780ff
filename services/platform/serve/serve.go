// Package serve holds what every service binary does before its own wiring:
// read the environment, connect to NATS JetStream, and choose how tokens are
// verified. cmd/<service> and `consortia serve <service>` share it.
package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/telemetry"
)

// Development token issuer and audience (the built-in issuer of `consortia dev`).
const (
	DevIssuer   = "consortia-dev"
	DevAudience = "consortia"
)

// Env is a service process's environment, ready to use.
type Env struct {
	Log        *slog.Logger
	JS         jetstream.JetStream
	Verifier   auth.Verifier
	Codes      codes.Lists
	Replicas   int
	InstanceID string
	NATSURL    string
	close      func()
}

// Close drains the NATS connection and flushes traces.
func (e *Env) Close() { e.close() }

// Load reads the environment (see the README's configuration table).
func Load(ctx context.Context, service string) (*Env, error) {
	log := NewLogger(os.Stderr, service)
	slog.SetDefault(log)
	shutdown := telemetry.Setup(service)

	url := config.String("CONSORTIA_NATS_URL", nats.DefaultURL)
	opts := []nats.Option{nats.Name("consortia-" + service), nats.MaxReconnects(-1)}
	if creds := config.String("CONSORTIA_NATS_CREDS", ""); creds != "" {
		opts = append(opts, nats.UserCredentials(creds))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect NATS %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	verifier, err := VerifierFromEnv()
	if err != nil {
		nc.Close()
		return nil, err
	}
	replicas, err := config.Int("CONSORTIA_STREAM_REPLICAS", 1)
	if err != nil {
		nc.Close()
		return nil, err
	}
	stopMetrics := func() {}
	if addr := config.String("CONSORTIA_METRICS_ADDR", ""); addr != "" {
		h, err := telemetry.SetupMetrics()
		if err != nil {
			nc.Close()
			return nil, err
		}
		lis, err := net.Listen("tcp", addr)
		if err != nil {
			nc.Close()
			return nil, fmt.Errorf("metrics listener %s: %w", addr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", h)
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(lis) }()
		stopMetrics = func() { _ = srv.Close() }
		log.Info("metrics", "addr", lis.Addr().String(), "path", "/metrics")
	}
	return &Env{
		Log: log, JS: js, Verifier: verifier, Replicas: replicas, NATSURL: url,
		InstanceID: config.String("CONSORTIA_INSTANCE_ID", "default"),
		Codes:      codes.Load(config.String("CONSORTIA_DATA_DIR", ""), log),
		close:      func() { stopMetrics(); _ = nc.Drain(); _ = shutdown(context.Background()) },
	}, nil
}

// NewLogger returns the JSON logger of a process at CONSORTIA_LOG_LEVEL
// ("debug" or the default "info").
func NewLogger(w io.Writer, service string) *slog.Logger {
	level := slog.LevelInfo
	if config.String("CONSORTIA_LOG_LEVEL", "info") == "debug" {
		level = slog.LevelDebug
	}
	return telemetry.NewLogger(w, level, service)
}

// VerifierFromEnv: an external issuer's JWKS in production, or the development
// issuer's key from a state folder.
func VerifierFromEnv() (auth.Verifier, error) {
	if url := config.String("CONSORTIA_AUTH_JWKS_URL", ""); url != "" {
		return &auth.JWKSVerifier{
			URL:      url,
			Issuer:   config.String("CONSORTIA_AUTH_ISSUER", ""),
			Audience: config.String("CONSORTIA_AUTH_AUDIENCE", DevAudience),
		}, nil
	}
	if dir := config.String("CONSORTIA_AUTH_DEV_KEY_DIR", ""); dir != "" {
		iss, err := auth.LoadOrCreateIssuer(dir, DevIssuer, DevAudience)
		if err != nil {
			return nil, err
		}
		return iss.Verifier(), nil
	}
	return nil, fmt.Errorf("no token verification configured: set CONSORTIA_AUTH_JWKS_URL (production) or CONSORTIA_AUTH_DEV_KEY_DIR")
}

// Main runs fn with a context cancelled on SIGINT/SIGTERM and exits non-zero on error.
func Main(fn func(ctx context.Context) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := fn(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
