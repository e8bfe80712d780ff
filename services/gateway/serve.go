package gateway

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/consortia-dev/consortia/services/gateway/api"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/platform/telemetry"
)

// Settings is the gateway process's configuration (the README's table); each
// backend's address is CONSORTIA_<NAME>_URL (api.Backends).
type Settings struct {
	service.Common
	ListenAddr string `env:"CONSORTIA_HTTP_LISTEN_ADDR" envDefault:":8080"`
	PublicURL  string `env:"CONSORTIA_PUBLIC_URL"`
	OIDC       OIDCSettings
}

func init() { config.Register(&Settings{}) }

// Validate implements the configuration's post-parse check.
func (s *Settings) Validate() error {
	return errors.Join(service.CheckAddr("CONSORTIA_HTTP_LISTEN_ADDR", s.ListenAddr), s.OIDC.validate(s.PublicURL))
}

// backendURL is one backend's address, read as CONSORTIA_<NAME>_URL.
type backendURL struct {
	URL string `env:"URL"`
}

// Serve runs the gateway alone from the environment (cmd/gateway and
// `consortia serve gateway`).
func Serve(ctx context.Context) error {
	var s Settings
	parsed := []any{&s}
	urls := make([]backendURL, len(api.Backends))
	for i, b := range api.Backends {
		urls[i].URL = b.DefaultURL
		parsed = append(parsed, config.Prefixed{Prefix: service.Prefix(b.Name), V: &urls[i]})
	}
	if err := config.Parse(parsed...); err != nil {
		return err
	}
	cfg := Config{HTTPAddr: s.ListenAddr, PublicURL: s.PublicURL, Backends: map[string]string{}}
	for i, b := range api.Backends {
		if err := service.CheckAddr(service.Prefix(b.Name)+"URL", urls[i].URL); err != nil {
			return err
		}
		cfg.Backends[b.Name] = urls[i].URL
	}
	log := s.Common.Logger(os.Stderr, "gateway", "json")
	slog.SetDefault(log)
	log.Info("configuration", config.Describe(parsed...)...)
	shutdown := telemetry.Setup("gateway")
	defer func() { _ = shutdown(context.Background()) }()

	deps := Deps{Logger: log, Catalog: codes.Load(s.DataDir, log).Catalog}
	metrics, err := telemetry.SetupMetrics()
	if err != nil {
		return err
	}
	deps.Metrics = metrics
	// The development issuer's key enables the demo sign-in page; otherwise the
	// tokens of an external issuer are checked as every service checks them.
	if s.Auth.DevKeyDir != "" && s.Auth.JWKSURL == "" {
		if deps.Issuer, err = auth.LoadOrCreateIssuer(s.Auth.DevKeyDir, service.DevIssuer, service.DevAudience); err != nil {
			return err
		}
	} else if deps.Verifier, err = s.Auth.Verifier(); err != nil {
		return err
	}
	if deps.OIDC, err = s.OIDC.Start(ctx, s.PublicURL); err != nil {
		return err
	}
	g, err := New(ctx, cfg, deps)
	if err != nil {
		return err
	}
	return g.Run(ctx)
}
