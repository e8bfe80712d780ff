package main

import (
	"context"
	"fmt"
	"io"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/tender"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/telemetry"
)

// runServe runs one service against an external NATS (production shape).
func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("serve needs a service name: member or tender")
	}
	log := newLogger(stderr, args[0])
	shutdown := telemetry.Setup(args[0])
	defer shutdown(context.Background())

	natsURL := config.String("CONSORTIA_NATS_URL", nats.DefaultURL)
	opts := []nats.Option{nats.Name("consortia-" + args[0]), nats.MaxReconnects(-1)}
	if creds := config.String("CONSORTIA_NATS_CREDS", ""); creds != "" {
		opts = append(opts, nats.UserCredentials(creds))
	}
	nc, err := nats.Connect(natsURL, opts...)
	if err != nil {
		return fmt.Errorf("connect NATS %s: %w", natsURL, err)
	}
	defer nc.Drain()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	verifier, err := verifierFromEnv()
	if err != nil {
		return err
	}
	replicas, err := config.Int("CONSORTIA_STREAM_REPLICAS", 1)
	if err != nil {
		return err
	}
	lists := codes.Load(config.String("CONSORTIA_DATA_DIR", ""), log)
	switch args[0] {
	case "member":
		m, err := member.New(ctx, member.Config{
			GRPCAddr:   config.String("CONSORTIA_MEMBER_ADDR", ":7101"),
			Replicas:   replicas,
			InstanceID: config.String("CONSORTIA_INSTANCE_ID", "default"),
		}, member.Deps{JS: js, Verifier: verifier, Codes: lists, Logger: log})
		if err != nil {
			return err
		}
		log.Info("member service starting", "grpc", m.Addr(), "nats", natsURL)
		return m.Run(ctx)
	case "tender":
		memberAddr := config.String("CONSORTIA_MEMBER_ADDR", "127.0.0.1:7101")
		conn, err := dialService(memberAddr)
		if err != nil {
			return err
		}
		defer conn.Close()
		t, err := tender.New(ctx, tender.Config{
			GRPCAddr:   config.String("CONSORTIA_TENDER_ADDR", ":7102"),
			Replicas:   replicas,
			InstanceID: config.String("CONSORTIA_INSTANCE_ID", "default"),
		}, tender.Deps{JS: js, Verifier: verifier, Codes: lists, Members: memberv1.NewMemberServiceClient(conn), Logger: log})
		if err != nil {
			return err
		}
		log.Info("tender service starting", "grpc", t.Addr(), "nats", natsURL, "member", memberAddr)
		return t.Run(ctx)
	}
	return fmt.Errorf("unknown service %q", args[0])
}

// verifierFromEnv: an external issuer's JWKS in production, or the development
// issuer's key from a state folder.
func verifierFromEnv() (auth.Verifier, error) {
	if url := config.String("CONSORTIA_AUTH_JWKS_URL", ""); url != "" {
		return &auth.JWKSVerifier{
			URL:      url,
			Issuer:   config.String("CONSORTIA_AUTH_ISSUER", ""),
			Audience: config.String("CONSORTIA_AUTH_AUDIENCE", devAudience),
		}, nil
	}
	if dir := config.String("CONSORTIA_AUTH_DEV_KEY_DIR", ""); dir != "" {
		iss, err := auth.LoadOrCreateIssuer(dir, devIssuer, devAudience)
		if err != nil {
			return nil, err
		}
		return iss.Verifier(), nil
	}
	return nil, fmt.Errorf("no token verification configured: set CONSORTIA_AUTH_JWKS_URL (production) or CONSORTIA_AUTH_DEV_KEY_DIR")
}

