package gateway_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/consortia-dev/consortia/services/consortia/demo"
)

// TestConsoleManagerJourney is issue 15's journey in the browser only: a
// cluster manager types a tender with a budget and two lots, shares it with
// a second cluster, gets recommendations for a lot and forms a consortium
// choosing its lead; every member signs in, accepts and sets its share; the
// manager invites one more company, which accepts, changes the lead, removes
// that company and submits; the other cluster's manager sees the shared
// tender and recommends on it. A screenshot of each step is saved.
func TestConsoleManagerJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test: skipped with -short")
	}
	ctx := browser(t)
	s := startStack(t, true)
	p := &page{t: t, ctx: ctx, url: s.URL, out: outputDir(t)}
	keyOf := map[string]string{} // organisation → demo user key
	for k, u := range s.Users {
		if u.Claims.Organization != "" {
			keyOf[u.Claims.Organization] = k
		}
	}
	gira := demo.ClusterID("gira")

	p.open("/?lang=es", "#personas")
	p.signIn("tera-manager", "#deadlines")

	// The new tender: budget, two lots, most members, shared with GIRA.
	deadline := time.Now().AddDate(0, 0, 40).Format("2006-01-02")
	p.open("/tenders/new", "#tender-form")
	p.do("fill the new tender",
		chromedp.SetValue(chromedp.CSS("#tender-title-input"), "Plataforma de datos abiertos (prueba de recorrido)"),
		chromedp.SetValue(chromedp.CSS(`input[name="authority_name"]`), "Ayuntamiento de Santander"),
		chromedp.SetValue(chromedp.CSS("#tender-value"), "2.600.000,00"),
		chromedp.SetValue(chromedp.CSS(`input[name="duration"]`), "12"),
		chromedp.SetValue(chromedp.CSS("#tender-deadline-date"), deadline),
		chromedp.SetValue(chromedp.CSS("#tender-cpv"), "72212000"),
		chromedp.SetValue(chromedp.CSS("#tender-budget"), "2.600.000,00"),
		chromedp.SetValue(chromedp.CSS("#tender-budget-vat"), "3.146.000,00"),
		chromedp.SetValue(chromedp.CSS("#lot-id-0"), "1"),
		chromedp.SetValue(chromedp.CSS("#lot-title-0"), "Desarrollo de la plataforma"),
		chromedp.SetValue(chromedp.CSS("#lot-value-0"), "2.000.000,00"),
		chromedp.SetValue(chromedp.CSS("#lot-id-1"), "2"),
		chromedp.SetValue(chromedp.CSS("#lot-title-1"), "Formación y soporte"),
		chromedp.SetValue(chromedp.CSS("#lot-value-1"), "600.000,00"),
		chromedp.SetValue(chromedp.CSS("#tender-max-members"), "6"),
		chromedp.Click(chromedp.CSS("#share-"+gira)),
		chromedp.Click(chromedp.CSS("#tender-publish")),
	)
	p.shot("journey-01-new-tender")
	p.submit("#tender-create", "#tender-title")
	p.contains("#flash", "publicada")
	p.contains("#tender-shared", "GIRA automotive cluster (demo)")
	p.contains("#tender-details", "2.600.000 € sin IVA", "3.146.000 € con IVA")
	p.contains("main", "Desarrollo de la plataforma", "Formación y soporte")
	tenderPath := strings.TrimPrefix(p.location(), s.URL)
	p.shot("journey-02-tender")

	// Recommendations for lot 1; the smallest team of two or more.
	p.do("recommend for lot 1", chromedp.SetValue(chromedp.CSS("#recommend-lot"), "1"))
	p.submit("#recommend", "section.team")
	team, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { let best = "", n = 99;
		for (const s of document.querySelectorAll("section.team")) { const k = s.querySelectorAll("input[name=member]").length; if (k >= 2 && k < n) { n = k; best = s.id } }
		return best })()`))
	if err != nil || team == "" {
		p.shot("failed-no-team")
		t.Fatalf("no recommended team of two or more for lot 1 (%v)", err)
	}
	orgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#`+team+` input[name=member]")).map(i => i.value.split("|")[0])`))
	if err != nil || len(orgs) < 2 {
		t.Fatalf("team %s members %v: %v", team, orgs, err)
	}
	for _, o := range orgs {
		if keyOf[o] == "" {
			t.Fatalf("team member %s has no demo user", o)
		}
	}
	t.Logf("team %s: %v", team, orgs)
	p.shot("journey-03-recommendations")

	// Form it with the second member as the lead.
	p.do("choose the lead", chromedp.SetValue(chromedp.CSS("#"+team+" select.choose-lead"), orgs[1]),
		chromedp.SetValue(chromedp.CSS("#"+team+` input[name="name"]`), "UTE Datos Abiertos"))
	p.submit("#"+team+" button.create-consortium", "#consortium-name")
	p.contains("#consortium-name", "UTE Datos Abiertos")
	p.contains(`#members tr[data-org="`+orgs[1]+`"]`, "representante")
	cpath := strings.TrimPrefix(p.location(), s.URL)

	// One more company of TERA, to be removed later.
	extra := ""
	for _, c := range demo.Companies(s.Year) {
		if slices.Contains(c.Clusters, "tera") && !slices.Contains(orgs, c.ID()) {
			extra = c.ID()
			break
		}
	}
	p.do("invite one more", chromedp.SetValue(chromedp.CSS(`form[action$="/invite"] select[name="organization"]`), extra))
	p.submit(`form[action$="/invite"] button`, "#flash")
	p.contains(`#members tr[data-org="`+extra+`"]`, "Invitada")
	p.shot("journey-04-consortium-formed")

	// Each member signs in, accepts and sets its share.
	for i, o := range append(slices.Clone(orgs), extra) {
		p.signIn(keyOf[o], "#who")
		p.open(cpath, "#my-membership")
		p.submit("#accept", "#flash")
		p.contains("#flash", "Invitación aceptada")
		if o == extra {
			continue
		}
		share := 10000 / len(orgs)
		if i == 0 {
			share += 10000 - share*len(orgs)
		}
		p.do("set share", chromedp.SetValue(chromedp.CSS("#share"), fmt.Sprintf("%d.%02d", share/100, share%100)))
		p.submit("#set-share", "#flash")
		p.contains("#flash", "Participación fijada")
		if i == 0 {
			p.shot("journey-05-company-accepted")
		}
	}

	// The manager changes the lead, removes the extra company and submits.
	p.signIn("tera-manager", "#deadlines")
	p.open(cpath, "#members")
	p.submit(`#members tr[data-org="`+orgs[0]+`"] button.make-lead`, "#flash")
	p.contains("#flash", "es ahora el representante")
	p.contains(`#members tr[data-org="`+orgs[0]+`"]`, "representante")
	p.submit(`#members tr[data-org="`+extra+`"] button.remove-member`, "#flash")
	p.contains("#flash", "ya no forma parte")
	p.contains(`#members tr[data-org="`+extra+`"]`, "Retirada")
	p.shot("journey-06-lead-changed-member-removed")
	for !p.exists("#submit-bid") { // the eligibility panel follows the member service's projection
		if t.Context().Err() != nil {
			t.Fatal("the consortium never became ready to submit")
		}
		p.open(cpath, "#members")
	}
	p.submit("#submit-bid", "#flash")
	p.contains("#consortium-status", "Presentada")
	p.contains("#audit", "Representante cambiado", "Oferta presentada")
	p.shot("journey-07-submitted")

	// The other cluster's manager sees the shared tender and recommends on it.
	p.signIn("gira-manager", "#deadlines")
	p.open(tenderPath, "#tender-title")
	p.contains("#tender-shared", "GIRA automotive cluster (demo)")
	p.submit("#recommend", "section.team, #no-teams")
	p.shot("journey-08-other-cluster-recommends")
}

// location is the tab's current URL.
func (p *page) location() string {
	p.t.Helper()
	u, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	return u
}

// exists reports whether the page has an element matching the CSS selector.
func (p *page) exists(sel string) bool {
	p.t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q)`, sel)))
	if err != nil {
		p.t.Fatal(err)
	}
	return ok
}
