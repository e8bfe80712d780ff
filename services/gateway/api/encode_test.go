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

// TestVersionedRowsKeyedByVersion checks that tenders and organisations with a
// version and an update time are cached by id, version and update time: the
// same state is served from the cache (no second entry), a new version is
// encoded afresh, and the JSON is protojson's either way.
func TestVersionedRowsKeyedByVersion(t *testing.T) {
	plain := &runtime.JSONPb{MarshalOptions: protojson.MarshalOptions{EmitUnpopulated: true}}
	at := timestamppb.New(time.Date(2026, 12, 3, 9, 0, 0, 5, time.UTC))
	later := timestamppb.New(time.Date(2026, 12, 3, 9, 0, 1, 0, time.UTC))
	tender := func(version uint64, title string, updated *timestamppb.Timestamp) *tenderv1.Tender {
		r := tenderRow(1, title)
		r.Version, r.UpdateTime = version, updated
		return r
	}
	org := func(version uint64, name string, updated *timestamppb.Timestamp) *memberv1.Organization {
		return &memberv1.Organization{Id: "o-1", LegalName: name, Version: version, UpdateTime: updated}
	}
	cases := []struct {
		name      string
		first     proto.Message
		second    proto.Message
		wantCache int // rows cached after both
	}{
		{"same tender state", &tenderv1.ListTendersResponse{Tenders: []*tenderv1.Tender{tender(3, "Portal", at)}},
			&tenderv1.ListTendersResponse{Tenders: []*tenderv1.Tender{tender(3, "Portal", at)}}, 1},
		{"tender's next version", &tenderv1.ListTendersResponse{Tenders: []*tenderv1.Tender{tender(3, "Portal", at)}},
			&tenderv1.ListTendersResponse{Tenders: []*tenderv1.Tender{tender(4, "Portal renovado", later)}}, 2},
		{"same organisation state", &memberv1.ListOrganizationsResponse{Organizations: []*memberv1.Organization{org(2, "Uno S.L.", at)}},
			&memberv1.ListOrganizationsResponse{Organizations: []*memberv1.Organization{org(2, "Uno S.L.", at)}}, 1},
		{"organisation's next version", &memberv1.ListOrganizationsResponse{Organizations: []*memberv1.Organization{org(2, "Uno S.L.", at)}},
			&memberv1.ListOrganizationsResponse{Organizations: []*memberv1.Organization{org(3, "Uno Renovada S.L.", later)}}, 2},
		{"no update time: by hash", &tenderv1.ListTendersResponse{Tenders: []*tenderv1.Tender{tender(3, "Portal", nil)}},
			&tenderv1.ListTendersResponse{Tenders: []*tenderv1.Tender{tender(3, "Portal cambiado", nil)}}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := bodyMarshaler{JSONPb: plain, rows: newElementCache()}
			for _, msg := range []proto.Message{c.first, c.second} {
				got, err := m.Marshal(msg)
				if err != nil {
					t.Fatal(err)
				}
				want, err := plain.Marshal(msg)
				if err != nil {
					t.Fatal(err)
				}
				if !sameJSON(t, got, want) {
					t.Errorf("got %s\nwant %s", got, want)
				}
			}
			if m.rows.Len() != c.wantCache {
				t.Errorf("%d rows cached, want %d", m.rows.Len(), c.wantCache)
			}
		})
	}
}
