package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ProblemContentType is the media type of problem details (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object, extended with the field
// violations of a google.rpc.BadRequest ("errors") and the rule violations of a
// google.rpc.PreconditionFailure ("violations") carried by the gRPC status.
type Problem struct {
	// Type is a URI naming the kind of problem, e.g. "/problems/invalid-argument".
	Type string `json:"type"`
	// Title is a short, fixed summary of the kind of problem.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail explains this occurrence (the gRPC status message).
	Detail string `json:"detail,omitempty"`
	// Instance is the request path the problem occurred on.
	Instance string `json:"instance,omitempty"`
	// Code is the gRPC status code name, e.g. "INVALID_ARGUMENT".
	Code string `json:"code"`
	// Errors lists the invalid request fields (from google.rpc.BadRequest).
	Errors []FieldError `json:"errors,omitempty"`
	// Violations lists the broken rules (from google.rpc.PreconditionFailure).
	Violations []Violation `json:"violations,omitempty"`
}

// FieldError is one invalid request field.
type FieldError struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

// Violation is one broken precondition (a business rule).
type Violation struct {
	Type        string `json:"type"`
	Subject     string `json:"subject"`
	Description string `json:"description"`
}

// kind describes how one gRPC code is presented over HTTP.
type kind struct {
	status int
	slug   string
	title  string
}

// kinds maps every gRPC code to its HTTP status, problem type slug and title.
// FailedPrecondition (a business rule does not hold, e.g. shares do not sum to
// 100 %) is 422 Unprocessable Content: the request is well formed but cannot be
// applied in the current state. 412 is kept for HTTP conditional requests, which
// this API does not use; a stale expected_version is ABORTED, 409.
var kinds = map[codes.Code]kind{
	codes.Canceled:           {499, "canceled", "Request canceled"},
	codes.Unknown:            {http.StatusInternalServerError, "unknown", "Unknown error"},
	codes.InvalidArgument:    {http.StatusBadRequest, "invalid-argument", "Invalid request"},
	codes.DeadlineExceeded:   {http.StatusGatewayTimeout, "deadline-exceeded", "Deadline exceeded"},
	codes.NotFound:           {http.StatusNotFound, "not-found", "Not found"},
	codes.AlreadyExists:      {http.StatusConflict, "already-exists", "Already exists"},
	codes.PermissionDenied:   {http.StatusForbidden, "permission-denied", "Permission denied"},
	codes.ResourceExhausted:  {http.StatusTooManyRequests, "resource-exhausted", "Resource exhausted"},
	codes.FailedPrecondition: {http.StatusUnprocessableEntity, "failed-precondition", "Rule not met"},
	codes.Aborted:            {http.StatusConflict, "aborted", "Conflict"},
	codes.OutOfRange:         {http.StatusBadRequest, "out-of-range", "Out of range"},
	codes.Unimplemented:      {http.StatusNotImplemented, "unimplemented", "Not implemented"},
	codes.Internal:           {http.StatusInternalServerError, "internal", "Internal error"},
	codes.Unavailable:        {http.StatusServiceUnavailable, "unavailable", "Service unavailable"},
	codes.DataLoss:           {http.StatusInternalServerError, "data-loss", "Data loss"},
	codes.Unauthenticated:    {http.StatusUnauthorized, "unauthenticated", "Authentication required"},
}

// HTTPStatus returns the HTTP status for a gRPC code.
func HTTPStatus(c codes.Code) int {
	if k, ok := kinds[c]; ok {
		return k.status
	}
	return http.StatusInternalServerError
}

// ProblemTypes lists the problem type slugs with their titles, for the
// documentation page served at /problems/.
func ProblemTypes() map[string]string {
	out := make(map[string]string, len(kinds)+2)
	for _, k := range kinds {
		out[k.slug] = k.title
	}
	out["method-not-allowed"] = "Method not allowed"
	out["payload-too-large"] = "Request body too large"
	return out
}

// FromStatus builds the problem for a gRPC status. typeBase prefixes the type
// slug (e.g. "https://consortia.example/problems/"); instance is the request path.
func FromStatus(st *status.Status, typeBase, instance string) Problem {
	k, ok := kinds[st.Code()]
	if !ok {
		k = kinds[codes.Unknown]
	}
	p := Problem{
		Type: typeBase + k.slug, Title: k.title, Status: k.status,
		Detail: st.Message(), Instance: instance, Code: codeName(st.Code()),
	}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				p.Errors = append(p.Errors, FieldError{Field: v.GetField(), Description: v.GetDescription()})
			}
		case *errdetails.PreconditionFailure:
			for _, v := range d.GetViolations() {
				p.Violations = append(p.Violations, Violation{Type: v.GetType(), Subject: v.GetSubject(), Description: v.GetDescription()})
			}
		}
	}
	return p
}

// codeName returns "INVALID_ARGUMENT" for codes.InvalidArgument.
func codeName(c codes.Code) string {
	switch c {
	case codes.InvalidArgument:
		return "INVALID_ARGUMENT"
	case codes.DeadlineExceeded:
		return "DEADLINE_EXCEEDED"
	case codes.NotFound:
		return "NOT_FOUND"
	case codes.AlreadyExists:
		return "ALREADY_EXISTS"
	case codes.PermissionDenied:
		return "PERMISSION_DENIED"
	case codes.ResourceExhausted:
		return "RESOURCE_EXHAUSTED"
	case codes.FailedPrecondition:
		return "FAILED_PRECONDITION"
	case codes.OutOfRange:
		return "OUT_OF_RANGE"
	case codes.DataLoss:
		return "DATA_LOSS"
	}
	return strings.ToUpper(c.String())
}

// WriteProblem writes p as application/problem+json. A 401 also gets a
// WWW-Authenticate challenge (RFC 6750).
func WriteProblem(w http.ResponseWriter, p Problem) {
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Set("Cache-Control", "no-store")
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="consortia"`)
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
