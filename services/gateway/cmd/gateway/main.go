// Command gateway runs the Consortia gateway alone: the HTTP/JSON API, its
// OpenAPI document and the web console, in front of the member and tender
// services. `consortia dev` runs the same gateway in process.
//
// Configuration (environment):
//
//	CONSORTIA_HTTP_ADDR       listen address (default :8080)
//	CONSORTIA_PUBLIC_URL      external base URL, e.g. https://consortia.example (default http://<listen address>)
//	CONSORTIA_MEMBER_ADDR     member service gRPC address (default 127.0.0.1:7101)
//	CONSORTIA_TENDER_ADDR     tender service gRPC address (default 127.0.0.1:7102)
//	CONSORTIA_AUTH_JWKS_URL   identity provider's JWKS (production), with
//	CONSORTIA_AUTH_ISSUER     expected "iss" and
//	CONSORTIA_AUTH_AUDIENCE   expected "aud" (default consortia)
//	CONSORTIA_AUTH_DEV_KEY_DIR  or: the development issuer's key folder (the state folder of `consortia dev`)
//	CONSORTIA_DATA_DIR        shared data folder (CPV list); located automatically when unset
//	CONSORTIA_LOG_LEVEL       info (default) or debug
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/telemetry"
)

// Development issuer names, as `consortia dev` uses them.
const (
	devIssuer   = "consortia-dev"
	devAudience = "consortia"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	level := slog.LevelInfo
	if config.String("CONSORTIA_LOG_LEVEL", "info") == "debug" {
		level = slog.LevelDebug
	}
	log := telemetry.NewLogger(os.Stderr, level, "gateway")
	slog.SetDefault(log)
	shutdown := telemetry.Setup("gateway")
	defer shutdown(context.Background())

	deps := gateway.Deps{Logger: log, Catalog: codes.Load(config.String("CONSORTIA_DATA_DIR", ""), log).Catalog}
	switch {
	case config.String("CONSORTIA_AUTH_JWKS_URL", "") != "":
		deps.Verifier = &auth.JWKSVerifier{
			URL:      config.String("CONSORTIA_AUTH_JWKS_URL", ""),
			Issuer:   config.String("CONSORTIA_AUTH_ISSUER", ""),
			Audience: config.String("CONSORTIA_AUTH_AUDIENCE", devAudience),
		}
	case config.String("CONSORTIA_AUTH_DEV_KEY_DIR", "") != "":
		iss, err := auth.LoadOrCreateIssuer(config.String("CONSORTIA_AUTH_DEV_KEY_DIR", ""), devIssuer, devAudience)
		if err != nil {
			return err
		}
		deps.Issuer = iss
	default:
		return errors.New("no token verification configured: set CONSORTIA_AUTH_JWKS_URL (production) or CONSORTIA_AUTH_DEV_KEY_DIR")
	}
	g, err := gateway.New(ctx, gateway.Config{
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
