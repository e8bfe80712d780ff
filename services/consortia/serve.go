package main

import (
	"context"
	"fmt"

	"github.com/consortia-dev/consortia/services/commission"
	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/notification"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/tender"
)

// devIssuer and devAudience name the built-in development token issuer.
const (
	devIssuer   = service.DevIssuer
	devAudience = service.DevAudience
)

// runServe runs one service against an external NATS (production shape), the
// same as its own binary (services/<name>/cmd/<name>).
func runServe(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("serve needs a service name: member, tender, commission, notification or gateway")
	}
	switch args[0] {
	case "member":
		return member.Serve(ctx)
	case "tender":
		return tender.Serve(ctx)
	case "commission":
		return commission.Serve(ctx)
	case "notification":
		return notification.Serve(ctx)
	case "gateway":
		return gateway.Serve(ctx)
	}
	return fmt.Errorf("unknown service %q (member, tender, commission, notification or gateway)", args[0])
}
