package grpcserver

import (
	"github.com/google/uuid"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// IDField is one object id of a request, checked by CheckIDs.
type IDField struct {
	Field, Value string
	Optional     bool // empty is allowed (a filter); a value must still be valid
}

// ID is a required id field.
func ID(field, value string) IDField { return IDField{Field: field, Value: value} }

// OptionalID is an id field that may be empty.
func OptionalID(field, value string) IDField {
	return IDField{Field: field, Value: value, Optional: true}
}

// ValidID reports whether s is an object id as the services make them: a UUID
// in its canonical form (36 lower-case characters with hyphens). Ids become
// event-log subjects (member.organization.<id>), so anything else, and above
// all NATS's ".", "*" and ">", must never get past the edge; accepting only one
// spelling also keeps one object on one subject.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

// CheckIDs validates the ids of a request before anything uses them: every bad
// one is named in one InvalidArgument. Call it first in each gRPC handler.
func CheckIDs(fields ...IDField) error {
	var v domainerr.Violations
	for _, f := range fields {
		switch {
		case f.Value == "" && f.Optional:
		case f.Value == "":
			v.Add(f.Field, "required")
		case !ValidID(f.Value):
			v.Add(f.Field, "not an id: want a UUID such as 0b7e3f0e-2f55-4c3e-8d0c-5a7f4e6d9b21, got %q", truncateID(f.Value))
		}
	}
	return v.Err()
}

// truncateID keeps an echoed bad id short.
func truncateID(s string) string {
	if r := []rune(s); len(r) > 64 {
		return string(r[:64]) + "…"
	}
	return s
}
