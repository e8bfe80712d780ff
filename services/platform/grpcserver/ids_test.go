package grpcserver_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
)

func TestCheckIDs(t *testing.T) {
	const good = "0b7e3f0e-2f55-4c3e-8d0c-5a7f4e6d9b21"
	for _, bad := range []string{"*", ">", "a.b", "x", good + ".x", "0B7E3F0E-2F55-4C3E-8D0C-5A7F4E6D9B21",
		"{" + good + "}", "urn:uuid:" + good, "0b7e3f0e2f554c3e8d0c5a7f4e6d9b21", good[:35] + "*"} {
		if grpcserver.ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
	if !grpcserver.ValidID(good) {
		t.Fatalf("ValidID(%q) = false", good)
	}
	err := grpcserver.CheckIDs(grpcserver.ID("organization_id", "*"), grpcserver.ID("cluster_id", ""),
		grpcserver.OptionalID("tender_id", ""), grpcserver.OptionalID("lot_owner_id", "a.>"), grpcserver.ID("consortium_id", good))
	var inv *domainerr.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("CheckIDs = %v, want an InvalidError", err)
	}
	var fields []string
	for _, v := range inv.Violations {
		fields = append(fields, v.Field)
	}
	if !slices.Equal(fields, []string{"organization_id", "cluster_id", "lot_owner_id"}) {
		t.Fatalf("violations name %v", fields)
	}
	if err := grpcserver.CheckIDs(grpcserver.ID("a", good), grpcserver.OptionalID("b", "")); err != nil {
		t.Fatalf("valid ids: %v", err)
	}
}
