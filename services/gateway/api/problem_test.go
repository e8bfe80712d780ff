package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		code codes.Code
		want int
	}{
		{codes.InvalidArgument, 400}, {codes.Unauthenticated, 401}, {codes.PermissionDenied, 403},
		{codes.NotFound, 404}, {codes.AlreadyExists, 409}, {codes.Aborted, 409},
		{codes.FailedPrecondition, 422}, {codes.Unavailable, 503}, {codes.Internal, 500}, {codes.Code(99), 500},
	}
	for _, tc := range tests {
		if got := HTTPStatus(tc.code); got != tc.want {
			t.Errorf("HTTPStatus(%v) = %d, want %d", tc.code, got, tc.want)
		}
	}
}

func TestFromStatusCarriesDetails(t *testing.T) {
	st, err := status.New(codes.FailedPrecondition, "shares must sum to 100 %").WithDetails(
		&errdetails.PreconditionFailure{Violations: []*errdetails.PreconditionFailure_Violation{{Type: "shares", Subject: "consortium/c1", Description: "sum is 90 %"}}},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "share_bp", Description: "must be positive"}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	p := FromStatus(st, "https://consortia.example/problems/", "/v1/consortia/c1:submit")
	if p.Status != 422 || p.Code != "FAILED_PRECONDITION" || p.Type != "https://consortia.example/problems/failed-precondition" || p.Detail != "shares must sum to 100 %" || p.Instance != "/v1/consortia/c1:submit" {
		t.Errorf("problem %+v", p)
	}
	if len(p.Violations) != 1 || p.Violations[0] != (Violation{Type: "shares", Subject: "consortium/c1", Description: "sum is 90 %"}) {
		t.Errorf("violations %+v", p.Violations)
	}
	if len(p.Errors) != 1 || p.Errors[0] != (FieldError{Field: "share_bp", Description: "must be positive"}) {
		t.Errorf("errors %+v", p.Errors)
	}
}

func TestWriteProblemChallenge(t *testing.T) {
	w := httptest.NewRecorder()
	WriteProblem(w, FromStatus(status.New(codes.Unauthenticated, "token expired"), "/problems/", "/v1/tenders"))
	if w.Code != http.StatusUnauthorized || w.Header().Get("Content-Type") != ProblemContentType || w.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("status %d, headers %v", w.Code, w.Header())
	}
}
