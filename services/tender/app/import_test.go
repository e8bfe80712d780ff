package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/intake"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// record is a PLACSP record as an importer would produce it.
func record(updated time.Time) intake.Tender {
	return intake.Tender{
		Source: intake.SourcePLACSP, SourceID: "https://contrataciondelestado.es/sindicacion/licitacionesPerfilContratante/1234567",
		SourceURL: "https://contrataciondelestado.es/wps/poc?uri=deeplink:detalle_licitacion&idEvl=abc",
		Updated:   updated, Status: intake.StatusActive, SourceStatus: "PUB", NoticeType: intake.NoticeContract,
		Title: "Servicio de mantenimiento de aplicaciones", Authority: intake.Authority{Name: "Ayuntamiento de Santander", NIF: "P3907500G"},
		ProcedureType: intake.ProcedureOpen, ContractType: intake.ContractServices,
		CPVs: []string{"72253000", "72212000"}, NUTS: []string{"ES130"},
		EstimatedValueCents: 180_000_00, BudgetNoVATCents: 150_000_00, BudgetWithVATCents: 181_500_00,
		DurationMonths: 12, Deadline: time.Now().AddDate(0, 1, 0).UTC().Truncate(time.Second),
		Documents: []intake.Document{{Title: "Pliego", URL: "https://contrataciondelestado.es/pliego.pdf"}, {Title: "Local", URL: "file:///c:/x.pdf"}},
		Lots:      []intake.Lot{{ID: "1", Title: "Lote 1", CPVs: []string{"72253000"}, EstimatedValueCents: 100_000_00}},
	}
}

func TestImportTenderIsIdempotent(t *testing.T) {
	e := testenv.New(t)
	tera := e.Cluster("TERA ICT")
	svc := e.Tender.Service
	ctx := e.AppCtx(testenv.Manager(tera))
	t0 := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	id := app.ImportedTenderID(string(intake.SourcePLACSP), record(t0).SourceID)
	subject := domain.TenderSubject(id)
	events := func() uint64 { t.Helper(); return e.Messages(subject) }

	// New record: created, active, mapped.
	tn, out, err := svc.ImportTender(ctx, tera, app.Import{Tender: record(t0)})
	if err != nil || out != app.Created {
		t.Fatalf("first import = %v, %v", out, err)
	}
	if tn.ID != id || tn.ClusterID != tera || tn.Status != domain.StatusActive || tn.Source.System != "placsp" || !tn.Source.Updated.Equal(t0) ||
		tn.Details.EstimatedCents != 180_000_00 || len(tn.Details.Documents) != 1 || len(tn.Details.Lots) != 1 || tn.Details.CPVs[0] != "72253000" {
		t.Fatalf("imported tender = %+v", tn)
	}
	if got, err := svc.Store().FindTenderBySource(ctx, "placsp", record(t0).SourceID); err != nil || got.ID != id {
		t.Fatalf("FindTenderBySource = %v, %v", got.ID, err)
	}
	if n := events(); n != 1 {
		t.Fatalf("%d events after the first import", n)
	}

	// The same record again, and an older one: unchanged, nothing appended.
	for _, when := range []time.Time{t0, t0.Add(-time.Hour)} {
		_, out, err = svc.ImportTender(ctx, tera, app.Import{Tender: record(when)})
		if err != nil || out != app.Unchanged {
			t.Fatalf("import of a record updated %v = %v, %v; want unchanged", when, out, err)
		}
	}
	if n := events(); n != 1 {
		t.Fatalf("re-imports appended events: %d", n)
	}

	// A newer version: updated (TenderRevised), requirements the manager set are kept.
	newer := record(t0.Add(time.Hour))
	newer.Title = "Servicio de mantenimiento de aplicaciones (modificado)"
	newer.EstimatedValueCents = 200_000_00
	tn, out, err = svc.ImportTender(ctx, tera, app.Import{Tender: newer})
	if err != nil || out != app.Updated {
		t.Fatalf("newer import = %v, %v", out, err)
	}
	if tn.Details.Title != newer.Title || tn.Details.EstimatedCents != 200_000_00 || !tn.Source.Updated.Equal(newer.Updated) {
		t.Fatalf("revised tender = %+v", tn)
	}
	evs, err := svc.AuditTrail(ctx, "tender", id)
	if err != nil || len(evs) != 2 || !strings.HasSuffix(evs[1].Type, ".TenderRevised") || evs[1].Actor != testenv.Actor(testenv.Manager(tera)) {
		t.Fatalf("events after the update: %d, %v", len(evs), err)
	}

	// Deleted at the source: tombstoned (cancelled); a second tombstone changes nothing.
	gone := record(t0.Add(2 * time.Hour))
	gone.Deleted = true
	tn, out, err = svc.ImportTender(ctx, tera, app.Import{Tender: gone})
	if err != nil || out != app.Tombstoned {
		t.Fatalf("tombstone = %v, %v", out, err)
	}
	if tn.Status != domain.StatusCancelled || !strings.Contains(tn.CloseReason, "deleted at the source") {
		t.Fatalf("tombstoned tender: %v %q", tn.Status, tn.CloseReason)
	}
	if n := events(); n != 3 {
		t.Fatalf("%d events after the tombstone, want 3", n)
	}
	_, out, err = svc.ImportTender(ctx, tera, app.Import{Tender: gone})
	if err != nil || out != app.Unchanged || events() != 3 {
		t.Fatalf("second tombstone = %v, %v (%d events)", out, err, events())
	}

	// A tombstone for a record never imported is nothing to do.
	never := record(t0)
	never.SourceID, never.Deleted = "never-seen", true
	if _, out, err = svc.ImportTender(ctx, tera, app.Import{Tender: never}); err != nil || out != app.Withdrawn {
		t.Fatalf("tombstone of an unknown record = %v, %v", out, err)
	}
	if _, err := svc.Store().GetTender(ctx, app.ImportedTenderID("placsp", "never-seen")); !errors.Is(err, domainerr.ErrNotFound) {
		t.Fatalf("a tombstone created a tender: %v", err)
	}
}

// A source may send the tombstone with the update time of the record it
// deletes; the tender must still be cancelled, not silently deduplicated
// against the event that created it.
func TestImportTombstoneWithTheSameUpdateTime(t *testing.T) {
	e := testenv.New(t)
	tera := e.Cluster("TERA ICT")
	svc := e.Tender.Service
	ctx := e.AppCtx(testenv.Manager(tera))
	t0 := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	if _, out, err := svc.ImportTender(ctx, tera, app.Import{Tender: record(t0)}); err != nil || out != app.Created {
		t.Fatalf("import = %v, %v", out, err)
	}
	gone := record(t0)
	gone.Deleted = true
	tn, out, err := svc.ImportTender(ctx, tera, app.Import{Tender: gone})
	if err != nil || out != app.Tombstoned {
		t.Fatalf("tombstone = %v, %v", out, err)
	}
	if tn.Status != domain.StatusCancelled || e.Messages(domain.TenderSubject(tn.ID)) != 2 {
		t.Fatalf("reported tombstoned but the tender is %v with %d events", tn.Status, e.Messages(domain.TenderSubject(tn.ID)))
	}
}

func TestImportTenderRules(t *testing.T) {
	e := testenv.New(t)
	tera, gira := e.Cluster("TERA ICT"), e.Cluster("GIRA")
	svc := e.Tender.Service
	t0 := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

	// Only the cluster's manager imports for it.
	for _, who := range []func() context.Context{
		func() context.Context { return e.AppCtx(testenv.Manager(gira)) },
		func() context.Context { return e.AppCtx(testenv.Company("B00000000")) },
	} {
		if _, _, err := svc.ImportTender(who(), tera, app.Import{Tender: record(t0)}); !errors.Is(err, domainerr.ErrPermissionDenied) {
			t.Errorf("err = %v, want permission denied", err)
		}
	}
	ctx := e.AppCtx(testenv.Manager(tera))
	// Invalid records are refused with the field named; nothing is appended.
	bad := record(t0)
	bad.CPVs = []string{"99999999"}
	bad.SourceID = "bad"
	_, _, err := svc.ImportTender(ctx, tera, app.Import{Tender: bad})
	var inv *domainerr.InvalidError
	if !errors.As(err, &inv) || inv.Violations[0].Field != "details.cpv_codes[0]" {
		t.Fatalf("err = %v, want an invalid CPV", err)
	}
	noID := record(t0)
	noID.SourceID = ""
	if _, _, err := svc.ImportTender(ctx, tera, app.Import{Tender: noID}); !errors.As(err, &inv) {
		t.Fatalf("err = %v, want invalid source id", err)
	}
	if n := e.Messages(""); n != 0 {
		t.Fatalf("refused imports appended %d events", n)
	}
	// Sharing and demo requirements apply on creation.
	req := domain.Requirements{Capabilities: []string{"software-development"}, Certifications: []domain.CertificationRequirement{{Kind: "ENS", Level: "media"}}}
	tn, out, err := svc.ImportTender(ctx, tera, app.Import{Tender: record(t0), Requirements: &req, SharedWith: []string{gira}, Demo: true})
	if err != nil || out != app.Created || !tn.Demo || len(tn.SharedWith) != 1 || tn.SharedWith[0] != gira || tn.Details.Requirements.Capabilities[0] != "software-development" {
		t.Fatalf("import with enrichment = %+v, %v, %v", tn, out, err)
	}
	// An update without requirements keeps those set before.
	tn, out, err = svc.ImportTender(ctx, tera, app.Import{Tender: record(t0.Add(time.Minute))})
	if err != nil || out != app.Updated || len(tn.Details.Requirements.Certifications) != 1 {
		t.Fatalf("update = %+v, %v, %v", tn.Details.Requirements, out, err)
	}
}
