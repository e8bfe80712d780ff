package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// sameJSON reports whether two documents hold the same JSON value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return reflect.DeepEqual(x, y)
}

func tenderRow(i int, title string) *tenderv1.Tender {
	return &tenderv1.Tender{Id: fmt.Sprintf("t-%d", i), ClusterId: "c-1", Status: tenderv1.TenderStatus(1 + i%3), Version: uint64(i),
		Title: title, CpvCodes: []string{"72200000"}, EstimatedValueCents: int64(100_000_00 + i),
		SubmissionDeadline: timestamppb.New(time.Date(2027, 3, 15, 14, 0, 0, 0, time.UTC)),
		Lots:               []*tenderv1.Lot{{Id: "1", Title: "Lote \"uno\" — ñ", CpvCodes: []string{"72212000"}}}}
}

// TestListRowsFromCacheMatchProtojson checks that list responses encoded with
// cached rows are the JSON protojson makes, on first and repeated use, that a
// changed row is encoded afresh, and that other messages are untouched.
func TestListRowsFromCacheMatchProtojson(t *testing.T) {
	plain := &runtime.JSONPb{MarshalOptions: protojson.MarshalOptions{EmitUnpopulated: true}}
	m := bodyMarshaler{JSONPb: plain, rows: newElementCache()}
	tenders := &tenderv1.ListTendersResponse{NextPageToken: "abc", Tenders: []*tenderv1.Tender{tenderRow(1, "Portal"), tenderRow(2, "Nube"), {}}}
	orgs := &memberv1.ListOrganizationsResponse{Organizations: []*memberv1.Organization{{Id: "o-1", LegalName: "Uno S.L."}, {Id: "o-2"}}}
	for _, msg := range []proto.Message{tenders, orgs, &tenderv1.ListTendersResponse{}, tenderRow(3, "Sola"), &tenderv1.ListTendersResponse{Tenders: []*tenderv1.Tender{tenderRow(4, "Una")}}} {
		for round := range 2 { // the second round reads the rows from the cache
			got, err := m.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			want, err := plain.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			if !sameJSON(t, got, want) {
				t.Errorf("%T round %d:\n got %s\nwant %s", msg, round, got, want)
			}
		}
	}
	if m.rows.Len() != 6 { // 3 tenders + 2 organisations + the one of the single-row list
		t.Errorf("%d rows cached, want 6: the list responses did not use the cache", m.rows.Len())
	}
	// The same row changed: encoded again, never served stale.
	tenders.Tenders[0].Title = "Portal renovado"
	got, err := m.Marshal(tenders)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := plain.Marshal(tenders)
	if !sameJSON(t, got, want) {
		t.Errorf("after a change:\n got %s\nwant %s", got, want)
	}
}

// BenchmarkListTendersJSON encodes a page of 20 tenders: protojson alone, and
// with the rows cache (the rows seen before, as on repeated list calls).
func BenchmarkListTendersJSON(b *testing.B) {
	page := &tenderv1.ListTendersResponse{NextPageToken: "abc"}
	for i := range 20 {
		page.Tenders = append(page.Tenders, tenderRow(i, "Servicio de desarrollo y mantenimiento de la plataforma"))
	}
	plain := &runtime.JSONPb{MarshalOptions: protojson.MarshalOptions{EmitUnpopulated: true}}
	for name, m := range map[string]runtime.Marshaler{"protojson": plain, "cached-rows": bodyMarshaler{JSONPb: plain, rows: newElementCache()}} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := m.Marshal(page); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
