// Command consortia runs Consortia: the whole product in one process on
// embedded defaults (`consortia dev`), one service against an external NATS
// (`consortia serve member`), or helper tasks (`consortia token`).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `consortia — joint public-tender bids for business clusters

Usage:
  consortia dev [--state DIR]         run everything in one process (embedded NATS, demo data)
  consortia serve member|tender|gateway
                                      run one service (member, tender: against CONSORTIA_NATS_URL)
  consortia token --as USER [--state DIR]
                                      print a development token for a demo user
  consortia users                     list the demo users
  consortia nats-config [--out deploy/secrets] [--for k8s|compose] [--rotate]
                                      write the production NATS server configuration and each
                                      service's nkey seed (per-service users and permissions)
  consortia health grpc HOST:PORT | http URL
                                      exit 0 when the gRPC health service is SERVING / the URL answers 2xx
  consortia load [-duration 5s] [-c 8] load a running stack over HTTP; ratios against /healthz
  consortia import placsp|xlsx|eforms|ocds PATH... [--cluster tera] [--nuts ES13] [--cpv 72] [--all]
                                      import tenders into a running stack (progress and summary); only those
                                      that fit the cluster (region, members' CPV interests) unless --all

Configuration is read from environment variables; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "consortia:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("see usage above")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "dev":
		return runDev(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:])
	case "token":
		return runToken(args[1:], stdout)
	case "import":
		return runImport(ctx, args[1:], stdout, stderr)
	case "load":
		return runLoad(ctx, args[1:], stdout, stderr)
	case "users":
		return runUsers(stdout)
	case "nats-config":
		return runNATSConfig(args[1:], stdout)
	case "health":
		return runHealth(ctx, args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
