package app_test

import (
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/intake"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// An import filtered by the cluster's profile keeps the tenders performed in
// the cluster's region (TERA: ES130 → NUTS 2 ES13) with a CPV code in a
// member's interests (72000000: every 72…), and counts the others by reason;
// without the filter (`consortia import --all`) everything is imported.
func TestImportFilteredByTheClusterProfile(t *testing.T) {
	e := testenv.New(t)
	tera := e.Cluster("TERA ICT")
	// A member with the CPV interest 72000000 (testenv.Register's), indexed.
	e.Join(testenv.Profile{N: 301, Name: "Alfa Software S.L.", Capabilities: []string{"software-development"}, Turnover: map[int]int64{2024: 100_000}}, tera)

	updated := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	rec := func(id string, nuts []string, cpvs ...string) intake.Tender {
		return intake.Tender{Source: intake.SourceOCDS, SourceID: "profile-" + id, Updated: updated, Status: intake.StatusActive,
			Title: "Contrato " + id, Authority: intake.Authority{Name: "Órgano " + id}, NUTS: nuts, CPVs: cpvs,
			Deadline: time.Now().AddDate(0, 1, 0)}
	}
	records := []intake.Tender{
		rec("cantabria-software", []string{"ES130"}, "72212000"),
		rec("cantabria-broad-code", []string{"ES130"}, "72000000"),
		rec("cantabria-lot-software", []string{"ES130"}, "45000000"),
		rec("cantabria-works", []string{"ES130"}, "45233000"),
		rec("london-software", []string{"GB"}, "72000000"),
		rec("basque-software", []string{"ES213"}, "72260000"),
		rec("nowhere-software", nil, "72260000"),
	}
	records[2].Lots = []intake.Lot{{ID: "1", Title: "Software del lote", CPVs: []string{"72500000"}}}
	content, err := json.Marshal(records)
	if err != nil {
		t.Fatal(err)
	}
	ctx := e.AppCtx(testenv.Manager(tera))
	svc := e.Tender.Service

	sum, err := svc.ImportDocument(ctx, tera, "intake-json", content, app.ImportFilter{ClusterProfile: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantBy := map[string]int{app.FilteredCPVInterests: 1, app.FilteredRegion: 2, app.FilteredNoPlace: 1}
	if sum.Created != 3 || sum.Filtered != 4 || !maps.Equal(sum.FilteredBy, wantBy) || len(sum.Rejected) != 0 {
		t.Fatalf("profile import: %+v, want 3 created and filtered %v", sum, wantBy)
	}
	for _, id := range []string{"cantabria-software", "cantabria-broad-code", "cantabria-lot-software"} {
		if _, err := svc.Store().FindTenderBySource(ctx, string(intake.SourceOCDS), "profile-"+id); err != nil {
			t.Errorf("%s not imported: %v", id, err)
		}
	}

	// --all: the four left out are imported, the three already there unchanged.
	all, err := svc.ImportDocument(ctx, tera, "intake-json", content, app.ImportFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if all.Created != 4 || all.Unchanged != 3 || all.Filtered != 0 || len(all.FilteredBy) != 0 {
		t.Fatalf("import --all: %+v", all)
	}
}
