package grpcserver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
)

func TestStatusMapsDomainErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code codes.Code
	}{
		{"not found", fmt.Errorf("tender x: %w", domainerr.ErrNotFound), codes.NotFound},
		{"already exists", fmt.Errorf("org: %w", domainerr.ErrAlreadyExists), codes.AlreadyExists},
		{"conflict from the event log", fmt.Errorf("append: %w", eventlog.ErrConflict), codes.Aborted},
		{"permission", fmt.Errorf("nope: %w", domainerr.ErrPermissionDenied), codes.PermissionDenied},
		{"unauthenticated", domainerr.ErrUnauthenticated, codes.Unauthenticated},
		{"unavailable", domainerr.ErrUnavailable, codes.Unavailable},
		{"invalid", domainerr.Invalid("tax_id", "bad"), codes.InvalidArgument},
		{"precondition", domainerr.Precondition("shares", "consortium/1", "99.5 %%"), codes.FailedPrecondition},
		{"canceled", context.Canceled, codes.Canceled},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), codes.DeadlineExceeded},
		{"already a status", status.Error(codes.ResourceExhausted, "slow down"), codes.ResourceExhausted},
		{"anything else", errors.New("disk on fire at /var/secret"), codes.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := status.Code(grpcserver.Status(context.Background(), tt.err)); got != tt.code {
				t.Fatalf("code = %v, want %v", got, tt.code)
			}
		})
	}
	if grpcserver.Status(context.Background(), nil) != nil {
		t.Fatal("nil error must stay nil")
	}
}

func TestStatusMasksInternalErrors(t *testing.T) {
	st := status.Convert(grpcserver.Status(context.Background(), errors.New("disk on fire at /var/secret")))
	if strings.Contains(st.Message(), "secret") || !strings.HasPrefix(st.Message(), "internal error") {
		t.Fatalf("internal error not masked: %q", st.Message())
	}
}

func TestStatusCarriesDetails(t *testing.T) {
	var v domainerr.Violations
	v.Add("tax_id", "bad control character")
	v.Add("turnover[0].amount_cents", "must not be negative")
	st := status.Convert(grpcserver.Status(context.Background(), fmt.Errorf("register: %w", v.Err())))
	var fields []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, fv := range br.GetFieldViolations() {
				fields = append(fields, fv.GetField())
			}
		}
	}
	if strings.Join(fields, ",") != "tax_id,turnover[0].amount_cents" {
		t.Fatalf("field violations = %v", fields)
	}

	pre := &domainerr.PreconditionError{Violations: []domainerr.PreconditionViolation{{Type: "shares", Subject: "consortium/1", Description: "shares sum to 99.5 %"}}}
	st = status.Convert(grpcserver.Status(context.Background(), pre))
	found := false
	for _, d := range st.Details() {
		if pf, ok := d.(*errdetails.PreconditionFailure); ok && len(pf.GetViolations()) == 1 && pf.GetViolations()[0].GetType() == "shares" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no PreconditionFailure with type shares in %v", st.Details())
	}
}
