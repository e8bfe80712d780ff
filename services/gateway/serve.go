package gateway

import (
	"context"
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
	log := serve.NewLogger(os.Stderr, "gateway")
	slog.SetDefault(log)
	shutdown := telemetry.Setup("gateway")
	defer shutdown(context.Background())

	deps := Deps{Logger: log, Catalog: codes.Load(config.String("CONSORTIA_DATA_DIR", ""), log).Catalog}
	metrics, err := telemetry.SetupMetrics()
	if err != nil {
		return err
	}
	deps.Metrics = metrics
	// The development issuer's key enables the demo sign-in page; otherwise the
	// tokens of an external issuer are checked as every service checks them.
	if dir := config.String("CONSORTIA_AUTH_DEV_KEY_DIR", ""); dir != "" && config.String("CONSORTIA_AUTH_JWKS_URL", "") == "" {
		if deps.Issuer, err = auth.LoadOrCreateIssuer(dir, serve.DevIssuer, serve.DevAudience); err != nil {
			return err
		}
	} else if deps.Verifier, err = serve.VerifierFromEnv(); err != nil {
		return err
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
