package grpc_test

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// TestListAwardsOverGRPC: the award history is the read model's query
// (store.ListAwards): awards recorded over gRPC are found by tender likeness
// (CPV group, the tender itself left out), CPV prefix and winner, largest
// first; bad input names its field.
func TestListAwardsOverGRPC(t *testing.T) {
	w := newWorld(t)
	mgr := w.Ctx(testenv.Manager(w.tera))
	awarded := func(title, cpv, winner, taxID string, cents int64) string {
		t.Helper()
		d := w.details()
		d.Title, d.CpvCodes = title, []string{cpv}
		id := w.tender(d).GetId()
		_, err := w.Tenders.AwardTender(mgr, &tenderv1.AwardTenderRequest{TenderId: id, Award: &tenderv1.Award{
			WinnerName: winner, WinnerTaxId: taxID, AmountCents: cents, AwardTime: timestamppb.New(time.Now().UTC().Truncate(time.Second))}})
		if err != nil {
			t.Fatalf("AwardTender(%s): %v", title, err)
		}
		return id
	}
	portal := awarded("Portal", "72200000-7", "Alfa S.L.", "B39000005", 90_000_00)
	awarded("Aplicación", "72212000-4", "Beta S.L.", "B39000013", 150_000_00)
	awarded("Mantenimiento", "72222300-0", "Alfa S.L.", "b39000005", 40_000_00)
	awarded("Limpieza", "90910000-9", "Gamma S.L.", "B39000021", 500_000_00)

	list := func(r *tenderv1.ListAwardsRequest) []string {
		t.Helper()
		res, err := w.Tenders.ListAwards(w.Ctx(testenv.Agency()), r)
		if err != nil {
			t.Fatalf("ListAwards(%v): %v", r, err)
		}
		var titles []string
		for _, a := range res.GetAwards() {
			titles = append(titles, a.GetTitle())
		}
		return titles
	}
	for _, tc := range []struct {
		name string
		req  *tenderv1.ListAwardsRequest
		want []string
	}{
		{"all, largest first", &tenderv1.ListAwardsRequest{}, []string{"Limpieza", "Aplicación", "Portal", "Mantenimiento"}},
		{"like a tender: its CPV group, not itself", &tenderv1.ListAwardsRequest{TenderId: portal}, []string{"Aplicación", "Mantenimiento"}},
		{"cpv prefix", &tenderv1.ListAwardsRequest{CpvPrefix: "7221"}, []string{"Aplicación"}},
		{"winner, any case", &tenderv1.ListAwardsRequest{WinnerTaxId: "b39000005"}, []string{"Portal", "Mantenimiento"}},
		{"like a tender, by winner", &tenderv1.ListAwardsRequest{TenderId: portal, WinnerTaxId: "B39000005"}, []string{"Mantenimiento"}},
		{"page size", &tenderv1.ListAwardsRequest{PageSize: 2}, []string{"Limpieza", "Aplicación"}},
	} {
		if got := list(tc.req); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	_, err := w.Tenders.ListAwards(w.Ctx(testenv.Agency()), &tenderv1.ListAwardsRequest{CpvPrefix: "72x"})
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || !slices.Equal(testenv.FieldViolations(t, st), []string{"cpv_prefix"}) {
		t.Errorf("ListAwards(cpv_prefix 72x) = %v, want InvalidArgument on cpv_prefix", err)
	}
	_, err = w.Tenders.ListAwards(w.Ctx(testenv.Agency()), &tenderv1.ListAwardsRequest{TenderId: "9b0c1d7e-1f53-4b8e-9a51-3f6f4a1c2d3e"})
	if status.Code(err) != codes.NotFound {
		t.Errorf("ListAwards(unknown tender) = %v, want NotFound", err)
	}
}
