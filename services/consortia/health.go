package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// runHealth checks a process from inside its container (compose healthchecks:
// the distroless image has no shell or curl). `health grpc ADDR` wants the
// gRPC health service SERVING (a service whose read models have caught up);
// `health http URL` a 2xx answer.
func runHealth(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: consortia health grpc HOST:PORT | http URL")
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	switch args[0] {
	case "grpc":
		cc, err := grpc.NewClient(args[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return err
		}
		defer cc.Close()
		res, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			return fmt.Errorf("health %s: %w", args[1], err)
		}
		if res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("health %s: %s", args[1], res.GetStatus())
		}
	case "http":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[1], nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("health %s: %s", args[1], resp.Status)
		}
	default:
		return fmt.Errorf("health: %q: want grpc or http", args[0])
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
