package grpcserver

import (
	"context"
	"errors"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Status maps an error to a gRPC status: the one place where domain errors
// become codes. Bad input carries BadRequest field violations, rule violations a
// PreconditionFailure; anything unrecognised is logged and masked as Internal with
// a reference (the trace id) the caller can quote.
func Status(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var invalid *domainerr.InvalidError
	var pre *domainerr.PreconditionError
	switch {
	case errors.As(err, &invalid):
		br := &errdetails.BadRequest{}
		for _, v := range invalid.Violations {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
		}
		return withDetails(codes.InvalidArgument, invalid.Error(), br)
	case errors.As(err, &pre):
		pf := &errdetails.PreconditionFailure{}
		for _, v := range pre.Violations {
			pf.Violations = append(pf.Violations, &errdetails.PreconditionFailure_Violation{Type: v.Type, Subject: v.Subject, Description: v.Description})
		}
		return withDetails(codes.FailedPrecondition, pre.Error(), pf)
	case errors.Is(err, domainerr.ErrNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, domainerr.ErrAlreadyExists):
		return status.Error(codes.AlreadyExists, err.Error())
	case errors.Is(err, domainerr.ErrConflict):
		return status.Error(codes.Aborted, err.Error())
	case errors.Is(err, domainerr.ErrPermissionDenied):
		return status.Error(codes.PermissionDenied, err.Error())
	case errors.Is(err, domainerr.ErrUnauthenticated):
		return status.Error(codes.Unauthenticated, err.Error())
	case errors.Is(err, domainerr.ErrUnavailable):
		return status.Error(codes.Unavailable, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	ref := trace.SpanContextFromContext(ctx).TraceID().String()
	slog.ErrorContext(ctx, "internal error", "err", err, "ref", ref)
	return status.Error(codes.Internal, "internal error (ref "+ref+")")
}

func withDetails(c codes.Code, msg string, d protoadapt.MessageV1) error {
	st, err := status.New(c, msg).WithDetails(d)
	if err != nil {
		return status.Error(c, msg)
	}
	return st.Err()
}
