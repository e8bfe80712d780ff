package gateway

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/serve"
	"github.com/consortia-dev/consortia/services/platform/telemetry"
)

// Serve runs the gateway alone from the environment (cmd/gateway and
// `consortia serve gateway`); see the README's configuration table.
func Serve(ctx context.Context) error {
	level := slog.LevelInfo
	if config.String("CONSORTIA_LOG_LEVEL", "info") == "debug" {
		level = slog.LevelDebug
	}
	log := telemetry.NewLogger(os.Stderr, level, "gateway")
	slog.SetDefault(log)
	shutdown := telemetry.Setup("gateway")
	defer shutdown(context.Background())

	deps := Deps{Logger: log, Catalog: codes.Load(config.String("CONSORTIA_DATA_DIR", ""), log).Catalog}
	metrics, err := telemetry.SetupMetrics()
	if err != nil {
		return err
	}
	deps.Metrics = metrics
	switch {
	case config.String("CONSORTIA_AUTH_JWKS_URL", "") != "":
		deps.Verifier = &auth.JWKSVerifier{
			URL:      config.String("CONSORTIA_AUTH_JWKS_URL", ""),
			Issuer:   config.String("CONSORTIA_AUTH_ISSUER", ""),
			Audience: config.String("CONSORTIA_AUTH_AUDIENCE", serve.DevAudience),
		}
	case config.String("CONSORTIA_AUTH_DEV_KEY_DIR", "") != "":
		iss, err := auth.LoadOrCreateIssuer(config.String("CONSORTIA_AUTH_DEV_KEY_DIR", ""), serve.DevIssuer, serve.DevAudience)
		if err != nil {
			return err
		}
		deps.Issuer = iss
	default:
		return errors.New("no token verification configured: set CONSORTIA_AUTH_JWKS_URL (production) or CONSORTIA_AUTH_DEV_KEY_DIR")
	}
	g, err := New(ctx, Config{
		HTTPAddr:   config.String("CONSORTIA_HTTP_ADDR", ":8080"),
		PublicURL:  config.String("CONSORTIA_PUBLIC_URL", ""),
		MemberAddr: config.String("CONSORTIA_MEMBER_ADDR", "127.0.0.1:7101"),
		TenderAddr: config.String("CONSORTIA_TENDER_ADDR", "127.0.0.1:7102"),
	}, deps)
	if err != nil {
		return err
	}
	return g.Run(ctx)
}
