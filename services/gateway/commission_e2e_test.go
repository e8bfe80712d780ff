package gateway_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestAgencyConsoleEndToEnd drives the console in headless Chromium as agency
// staff on the demo data: the overview's SVG charts show the demo figures
// (the two awarded inter-cluster consortia: 549.650 € under TERA and MarCa,
// 331.250 € under GIRA), the commission list filters, a commission's page
// shows members by cluster, meetings and links, and the XLSX export
// downloads with the same figures; a company sees only its commissions.
func TestAgencyConsoleEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test: skipped with -short")
	}
	ctx := browser(t)
	s := startStack(t, true)
	p := &page{t: t, ctx: ctx, url: s.URL, out: outputDir(t)}

	p.open("/?lang=es", "#personas")
	p.signIn("agency", "#overview")
	p.submit("#nav-overview", "#chart-won")
	svgContains(p, "#chart-won", "TERA ICT cluster (demo)", "MarCa maritime cluster (demo)", "GIRA automotive cluster (demo)", "2 ganadas · 549.650 €", "1 ganadas · 331.250 €")
	svgContains(p, "#chart-matrix", "2 adjudicados, 549.650 €", "1 · 331.250 €")
	svgContains(p, "#chart-value", "218.400 €", "331.250 €") // the two awards, two months apart
	svgContains(p, "#chart-activity", "Comisión de Salud Digital (demo)", "2 reuniones")
	p.contains("#report-totals", "549.650 €") // 218.400 € + 331.250 €, each award once
	p.contains("#intercluster-consortia", "UTE Industria Conectada (demo)", "UTE Telemonitorización Cantabria (demo)")
	p.shot("agency-overview")

	// The XLSX export: every table, the same figures.
	dir := t.TempDir()
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	p.do("download the XLSX export",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptr(true),
			})
			return err
		}),
		chromedp.Click(chromedp.CSS("#export-xlsx"), chromedp.NodeVisible),
	)
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("download cancelled")
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("downloaded XLSX: %v", err)
	}
	rows, err := wb.GetRows("Clústeres", excelize.Options{RawCellValue: true})
	wb.Close()
	if err != nil {
		t.Fatalf("sheet Clústeres: %v (sheets %v)", err, wb.GetSheetList())
	}
	awarded := map[string]float64{}
	for _, r := range rows[1:] {
		if awarded[r[1]], err = strconv.ParseFloat(r[9], 64); err != nil {
			t.Fatalf("awarded amount %q of %s is not a number", r[9], r[1])
		}
	}
	if awarded["TERA ICT cluster (demo)"] != 549650 || awarded["MarCa maritime cluster (demo)"] != 549650 || awarded["GIRA automotive cluster (demo)"] != 331250 {
		t.Errorf("awarded amounts in the downloaded workbook: %v (header %v)", awarded, rows[0])
	}

	// The commission list with a filter, then a commission's page.
	p.submit("#nav-commissions", "#commission-list")
	p.contains("#commission-list", "Comisión de Salud Digital (demo)", "Comisión Industria 4.0 GIRA (demo)", "Comisión de Educación (demo)")
	p.open("/commissions?q=salud", "#commission-list") // the filter form's GET
	if got := p.text("#commission-list tbody"); !strings.Contains(got, "Salud Digital") || strings.Contains(got, "Educación") {
		t.Fatalf("filtered list shows %q", got)
	}
	p.shot("agency-commissions")
	p.submit(`#commission-list a`, "#commission-name")
	p.contains("#commission-name", "Comisión de Salud Digital (demo)")
	p.contains("#members", "TERA ICT cluster (demo)", "MarCa maritime cluster (demo)", "GIRA automotive cluster (demo)", "Presidencia")
	p.contains("#meetings", "Sesión constitutiva", "Acta", "Preparar el mapa de capacidades", "Cumplido")
	p.contains("#projects", "Historia clínica interoperable (demo)", "420.000 €")
	p.contains("#linked", "UTE Telemonitorización Cantabria (demo)", "Adjudicado")
	p.shot("agency-commission")

	// A company sees the commissions it sits on or is invited to, and accepts an invitation.
	p.signIn("company2", "#pending-invitations")
	p.submit("#nav-commissions", "#commission-list")
	p.contains("#commission-list", "Comisión de Educación (demo)", "Comisión Industria 4.0 TERA (demo)")
	if got := p.text("#commission-list"); strings.Contains(got, "Salud Digital") || strings.Contains(got, "Industria 4.0 MarCa") || strings.Contains(got, "Industria 4.0 GIRA") {
		t.Errorf("company2 sees commissions it is not on: %q", got)
	}
	p.open("/commissions?q=educaci%C3%B3n", "#commission-list")
	p.contains("#commission-list tbody", "Comisión de Educación (demo)")
	p.submit(`#commission-list a`, "#invitation")
	p.contains("#commission-name", "Comisión de Educación (demo)")
	p.submit("#accept-invitation", "#flash")
	p.contains("#flash", "Invitación aceptada")
	p.contains("#members", "Miembro")
	p.shot("company-commission-accepted")
}

func ptr[T any](v T) *T { return &v }

// svgContains asserts that an inline SVG's text (its <text> and <title>
// elements: SVG has no innerText) contains every want.
func svgContains(p *page, sel string, wants ...string) {
	p.t.Helper()
	got, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector(`+strconv.Quote(sel)+`).textContent`))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	for _, w := range wants {
		if !strings.Contains(got, w) {
			p.shot("failed-svg")
			p.t.Fatalf("%s has text %q; want it to contain %q", sel, got, w)
		}
	}
}
