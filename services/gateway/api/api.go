// Package api serves the HTTP/JSON API: grpc-gateway handlers generated from
// the member and tender protos (routes in proto/gateway.yaml), forwarding the
// caller's bearer token and idempotency key to the services, with errors as
// RFC 9457 problem details.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// MaxBodyBytes bounds a request body (an import document is the largest).
const MaxBodyBytes = 32 << 20

// IdempotencyKeyHeader is the HTTP header whose value is forwarded as the gRPC
// metadata "idempotency-key": a retried write with the same key has one effect.
const IdempotencyKeyHeader = "Idempotency-Key"

// Config configures the API handler.
type Config struct {
	// ProblemTypeBase prefixes problem type slugs, e.g. "https://host/problems/".
	ProblemTypeBase string
	// Logger logs internal errors.
	Logger *slog.Logger
}

// New returns the /v1 handler calling the services in conns (one connection per
// Backends entry, by name).
func New(ctx context.Context, cfg Config, conns map[string]grpc.ClientConnInterface) (http.Handler, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ProblemTypeBase == "" {
		cfg.ProblemTypeBase = "/problems/"
	}
	mux := runtime.NewServeMux(
		runtime.WithIncomingHeaderMatcher(headerMatcher),
		runtime.WithMarshalerOption(runtime.MIMEWildcard, bodyMarshaler{JSONPb: &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: true},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}, rows: newElementCache()}),
		runtime.WithErrorHandler(errorHandler(cfg)),
		runtime.WithRoutingErrorHandler(routingErrorHandler(cfg)),
	)
	for _, b := range Backends {
		cc, ok := conns[b.Name]
		if !ok {
			return nil, fmt.Errorf("no connection to the %s service", b.Name)
		}
		if err := b.Routes(ctx, mux, cc); err != nil {
			return nil, fmt.Errorf("register %s routes: %w", b.Name, err)
		}
	}
	tender := tenderv1.NewTenderServiceClient(conns["tender"])
	// Registered last, so it takes precedence over the generated streaming handler.
	if err := mux.HandlePath(http.MethodPost, importPath, importHandler(cfg, mux, tender)); err != nil {
		return nil, fmt.Errorf("register import route: %w", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limit := limitFor(r); r.ContentLength > limit {
			tooLarge(cfg, w, r, r.Body, limit) // refused before reading (body.go)
			return
		}
		r, _ = withBody(r)
		mux.ServeHTTP(w, r)
	}), nil
}

// headerMatcher forwards Idempotency-Key as "idempotency-key" and otherwise
// keeps grpc-gateway's defaults (Authorization is always forwarded as
// "authorization"; "Grpc-Metadata-*" headers are forwarded without the prefix).
func headerMatcher(key string) (string, bool) {
	if textproto.CanonicalMIMEHeaderKey(key) == IdempotencyKeyHeader {
		return "idempotency-key", true
	}
	return runtime.DefaultHeaderMatcher(key)
}

// errorHandler writes a gRPC error as problem details.
func errorHandler(cfg Config) runtime.ErrorHandlerFunc {
	return func(ctx context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
		st := status.Convert(err)
		b := bodyOf(r)
		if b != nil && b.tooLarge {
			tooLarge(cfg, w, r, b.raw, b.limit)
			return
		}
		if st.Code() == codes.Internal || st.Code() == codes.Unknown {
			cfg.Logger.ErrorContext(ctx, "api call failed", "path", r.URL.Path, "code", st.Code().String(), "err", st.Message())
		}
		p := FromStatus(st, cfg.ProblemTypeBase, r.URL.Path)
		// Bad input that never reached a service (the body or a parameter did
		// not decode): name the field as the services do.
		if st.Code() == codes.InvalidArgument && len(p.Errors) == 0 {
			if b != nil && b.bad != nil {
				p.Errors = []FieldError{*b.bad}
				p.Detail = "the request body does not decode: " + b.bad.Field + ": " + b.bad.Description
			} else if f := paramField(st.Message()); f != "" {
				p.Errors = []FieldError{{Field: f, Description: st.Message()}}
			}
		}
		if st.Code() == codes.Unauthenticated && r.Header.Get("Authorization") == "" {
			p.Detail = "missing bearer token: send the header \"Authorization: Bearer <jwt>\""
		}
		WriteProblem(w, p)
	}
}

// routingErrorHandler writes unknown routes and wrong methods as problem details.
func routingErrorHandler(cfg Config) runtime.RoutingErrorHandlerFunc {
	return func(_ context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpStatus int) {
		p := Problem{Status: httpStatus, Instance: r.URL.Path, Title: http.StatusText(httpStatus)}
		switch httpStatus {
		case http.StatusNotFound:
			p.Type, p.Code, p.Detail = cfg.ProblemTypeBase+"not-found", "NOT_FOUND", "no API route "+r.Method+" "+r.URL.Path
		case http.StatusMethodNotAllowed:
			p.Type, p.Code, p.Detail = cfg.ProblemTypeBase+"method-not-allowed", "UNIMPLEMENTED", "method "+r.Method+" not allowed on "+r.URL.Path
		default:
			p.Type, p.Code = cfg.ProblemTypeBase+"invalid-argument", "INVALID_ARGUMENT"
		}
		WriteProblem(w, p)
	}
}
