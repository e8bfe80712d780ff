// Package domainerr holds the error kinds every service's domain uses, so that one
// function (grpcserver.Status) can map them to gRPC codes with details. Domain
// packages return these (wrapped with %w as they like); adapters never invent codes.
package domainerr

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel kinds. Wrap them: fmt.Errorf("tender %s: %w", id, domainerr.ErrNotFound).
var (
	// ErrNotFound: the addressed object does not exist (codes.NotFound).
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: the object to create exists already (codes.AlreadyExists).
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict: a concurrent write changed the object first (codes.Aborted); retry.
	ErrConflict = errors.New("concurrent modification")
	// ErrPermissionDenied: the caller may not do this (codes.PermissionDenied).
	ErrPermissionDenied = errors.New("permission denied")
	// ErrUnauthenticated: no or bad credentials (codes.Unauthenticated).
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrUnavailable: a dependency is down; retry later (codes.Unavailable).
	ErrUnavailable = errors.New("unavailable")
)

// FieldViolation names one bad input field, with a dotted path such as
// "certifications[1].expiry_date" (proto field names, so clients can map them).
type FieldViolation struct {
	Field       string
	Description string
}

// InvalidError reports every bad field of a request at once (codes.InvalidArgument
// with a BadRequest detail).
type InvalidError struct {
	Violations []FieldViolation
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Description
	}
	return "invalid argument: " + strings.Join(parts, "; ")
}

// Violations collects field violations while validating a request.
type Violations []FieldViolation

// Add records a violation of field.
func (v *Violations) Add(field, format string, args ...any) {
	*v = append(*v, FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Err returns an *InvalidError when any violation was recorded, else nil.
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &InvalidError{Violations: v}
}

// Invalid is a shortcut for a single field violation.
func Invalid(field, format string, args ...any) error {
	var v Violations
	v.Add(field, format, args...)
	return v.Err()
}

// PreconditionViolation is a business rule the current state does not meet.
// Type is a stable rule id ("shares", "economic_solvency"), Subject what it is
// about ("consortium/123"), Description the sentence with the numbers.
type PreconditionViolation struct {
	Type        string
	Subject     string
	Description string
}

// PreconditionError reports rule violations (codes.FailedPrecondition with a
// PreconditionFailure detail).
type PreconditionError struct {
	Violations []PreconditionViolation
}

func (e *PreconditionError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Type + ": " + v.Description
	}
	return "failed precondition: " + strings.Join(parts, "; ")
}

// Precondition is a shortcut for a single rule violation.
func Precondition(typ, subject, format string, args ...any) error {
	return &PreconditionError{Violations: []PreconditionViolation{{Type: typ, Subject: subject, Description: fmt.Sprintf(format, args...)}}}
}
