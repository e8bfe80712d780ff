package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/datadir"
)

// chromiumPath finds Debian's chromium (installed by .ci/run); CHROMIUM_PATH overrides.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("headless Chromium not found: install Debian's chromium package (apt-get install chromium, as .ci/run does) " +
		"or set CHROMIUM_PATH; run `go test -short` to skip the browser end-to-end tests")
	return ""
}

// outputDir is a fresh folder for this run's screenshots: under
// $TEST_OUTPUT_DIR, or testdata/out (gitignored). It is kept after the test.
func outputDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TEST_OUTPUT_DIR")
	if base == "" {
		base = filepath.Join("testdata", "out")
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(base, "e2e-"+time.Now().Format("20060102-150405")+"-")
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	t.Logf("screenshots in %s", abs)
	return abs
}

// scenario is the demo data the browser test works with, found through the API
// the way a person would find it on the pages.
type scenario struct {
	TenderID, TenderTitle string
	Rank                  int32  // the recommended team to form
	Company               string // demo user key of a company in that team
	CompanyName           string
	CertID                string // the company's ENS certification, whose level the test lowers
	TeamNames             []string
}

// pickScenario chooses a demo tender of the TERA cluster (without lots or
// consortia) whose ENS "media" requirement a recommended team meets through a
// demo company user holding ENS above "básica".
func pickScenario(t *testing.T, s *stack) scenario {
	t.Helper()
	conn, err := grpc.NewClient(s.Tender.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mconn, err := grpc.NewClient(s.Member.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer mconn.Close()
	tc, mc := tenderv1.NewTenderServiceClient(conn), memberv1.NewMemberServiceClient(mconn)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+s.token(t, "tera-manager", time.Hour))
	actx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+s.token(t, "admin", time.Hour))
	companies := map[string]string{} // organisation → demo user key
	for k, u := range s.Users {
		if u.Claims.Organization != "" {
			companies[u.Claims.Organization] = k
		}
	}
	list, err := tc.ListTenders(ctx, &tenderv1.ListTendersRequest{Status: tenderv1.TenderStatus_TENDER_STATUS_ACTIVE})
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range list.GetTenders() {
		needsENS := slices.ContainsFunc(tn.GetRequirements().GetCertifications(), func(c *tenderv1.CertificationRequirement) bool {
			return c.GetKind() == "ENS" && c.GetLevel() == "media"
		})
		if !tn.GetDemo() || len(tn.GetLots()) > 0 || !needsENS {
			continue
		}
		if cs, err := tc.ListConsortia(ctx, &tenderv1.ListConsortiaRequest{TenderId: tn.GetId()}); err != nil || len(cs.GetConsortia()) > 0 {
			continue
		}
		recs, err := tc.RecommendConsortia(ctx, &tenderv1.RecommendConsortiaRequest{TenderId: tn.GetId()})
		if err != nil {
			t.Fatalf("recommend for %s: %v", tn.GetId(), err)
		}
		for _, r := range recs.GetRecommendations() {
			if len(r.GetMembers()) < 2 {
				continue
			}
			for i, m := range r.GetMembers() {
				key, ok := companies[m.GetOrganizationId()]
				if !ok || i == 0 {
					continue // a company user other than the lead
				}
				o, err := mc.GetOrganization(actx, &memberv1.GetOrganizationRequest{OrganizationId: m.GetOrganizationId()})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range o.GetOrganization().GetCertifications() {
					if c.GetKind() == "ENS" && (c.GetLevel() == "media" || c.GetLevel() == "alta") {
						return scenario{
							TenderID: tn.GetId(), TenderTitle: tn.GetTitle(), Rank: r.GetRank(), Company: key,
							CompanyName: o.GetOrganization().GetLegalName(), CertID: c.GetId(), TeamNames: r.GetMemberNames(),
						}
					}
				}
			}
		}
	}
	t.Fatal("no demo tender with a recommended team including a company user holding ENS media or alta")
	return scenario{}
}

// browser starts headless Chromium with a fresh profile; it stops at test end.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser now, to fail early
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// page drives one browser tab through the console and asserts on what it shows.
type page struct {
	t   *testing.T
	ctx context.Context
	url string
	out string
}

// stepContext bounds a browser step by the test's own deadline (go test
// -timeout), less a margin to save the failure screenshot: a busy machine makes a
// step slow, and slowness is not what these tests check.
func (p *page) stepContext() (context.Context, context.CancelFunc) {
	if d, ok := p.t.Deadline(); ok {
		return context.WithDeadline(p.ctx, d.Add(-screenshotMargin))
	}
	return context.WithCancel(p.ctx)
}

// screenshotMargin is left of the test's deadline to save a failure screenshot.
const screenshotMargin = 20 * time.Second

// do runs steps or fails the test, naming the step.
func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	p.t.Log(what)
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		p.t.Fatalf("%s: %v", what, err)
	}
}

// text returns the text of the first element matching the CSS selector.
func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// contains asserts that the element's text contains every want.
func (p *page) contains(sel string, wants ...string) {
	p.t.Helper()
	got := p.text(sel)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			p.shot("failed-contains")
			p.t.Fatalf("%s shows %q; want it to contain %q", sel, got, w)
		}
	}
}

// submit clicks a button that posts a form and waits for the next page's
// element: the old flash is removed first so a new one is told apart.
func (p *page) submit(button, waitFor string) {
	p.t.Helper()
	p.do("submit "+button,
		chromedp.Evaluate[chromedp.Void](`document.getElementById("flash")?.remove()`),
		chromedp.Click(chromedp.CSS(button), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(waitFor)),
	)
}

// open navigates to a console path and waits for an element.
func (p *page) open(path, waitFor string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.url+path), chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

// shot writes a full-page screenshot to the output folder.
func (p *page) shot(name string) {
	p.t.Helper()
	img, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(p.out, name+".png"), img, 0o644); err != nil {
		p.t.Errorf("write screenshot: %v", err)
	}
}

// signIn signs out (when signed in: the sign-in page then leads home) and
// signs in as a demo user from the sign-in page.
func (p *page) signIn(user, waitFor string) {
	p.t.Helper()
	p.open("/", "#personas, #signout")
	if signedIn, _ := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`!!document.getElementById("signout")`)); signedIn {
		p.submit("#signout", "#personas")
	}
	p.submit("#signin-"+user, waitFor)
}

// eventually reloads path until the element's class attribute contains want,
// failing after the deadline (read models are projections: they catch up).
func (p *page) eventually(path, sel, want string, within time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		p.open(path, sel)
		class, err := chromedp.Run(p.ctx, chromedp.AttributeValue(chromedp.CSS(sel), "class"))
		if err == nil && slices.Contains(strings.Fields(class.Value), want) {
			return
		}
		if time.Now().After(deadline) {
			p.shot("failed-eventually")
			p.t.Fatalf("%s on %s: class %q, want %q within %s (err %v)", sel, path, class.Value, want, within, err)
		}
		<-tick.C
	}
}

// TestConsoleEndToEnd drives the real console in headless Chromium against the
// whole stack with demo data: a cluster manager forms a consortium from a
// recommendation; a company accepts, sets its share and edits a certification,
// and the eligibility panel changes.
func TestConsoleEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test: skipped with -short")
	}
	ctx := browser(t)
	s := startStack(t, true)
	sc := pickScenario(t, s)
	t.Logf("scenario: tender %q, team %d %v, company %s (%s)", sc.TenderTitle, sc.Rank, sc.TeamNames, sc.Company, sc.CompanyName)
	p := &page{t: t, ctx: ctx, url: s.URL, out: outputDir(t)}

	// The sign-in page is the first thing a newcomer sees, in the browser's
	// language (English here); the rest of the test is in Spanish (?lang=es is
	// remembered in a cookie).
	p.open("/", "#personas")
	p.contains("main", "Welcome to Consortia", "tera-manager", "company1", "agency")
	p.open("/?lang=es", "#personas")
	p.contains("main", "Bienvenido a Consortia")

	// Cluster manager: home, tender list, tender page, recommendations, one-click consortium.
	p.signIn("tera-manager", "#deadlines")
	p.contains("#deadlines", "Plazos esta semana")
	p.contains("#who", s.Users["tera-manager"].Claims.Name)
	p.shot("cluster-manager-home")

	p.submit("#nav-tenders", "#tender-list")
	p.do("filter active tenders",
		chromedp.SetValue(chromedp.CSS("#filter-status"), "TENDER_STATUS_ACTIVE"),
		chromedp.Click(chromedp.CSS("#filter-apply")),
		chromedp.WaitVisible(chromedp.CSS(`#tender-list a[href="/tenders/`+sc.TenderID+`"]`)),
	)
	p.submit(`#tender-list a[href="/tenders/`+sc.TenderID+`"]`, "#tender-title")
	p.contains("#tender-title", strings.Join(strings.Fields(sc.TenderTitle), " "))
	p.contains("#tender-requirements", "Solvencia económica", "ENS media")
	p.contains("#audit", "Licitación creada")
	p.shot("cluster-manager-tender")

	p.submit("#recommend", fmt.Sprintf("#team-%d", sc.Rank))
	team := fmt.Sprintf("#team-%d", sc.Rank)
	p.contains(team, sc.CompanyName)
	p.contains(team, "Quién cubre cada requisito", "ENS media")
	p.shot("cluster-manager-recommendations")

	p.submit(team+" button.create-consortium", "#consortium-name")
	p.contains("#flash", "creado")
	p.contains("#members", sc.CompanyName, "Invitada")
	p.contains("#eligibility", "No cumple")
	p.contains("#audit", "Consorcio creado")
	consortiumURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	consortiumPath := strings.TrimPrefix(consortiumURL, s.URL)
	consortiumID := strings.TrimPrefix(consortiumPath, "/consortia/")

	// Company: the invitation on its home page, accept, share, certification.
	p.signIn(sc.Company, "#pending-invitations")
	p.contains("#pending-invitations", "Invitaciones pendientes")
	p.contains("#who", sc.CompanyName)
	p.shot("company-home")

	p.submit("#nav-invitations", "#invitation-list")
	p.submit(`tr[data-consortium="`+consortiumID+`"] button.accept`, "#flash")
	p.contains("#flash", "Invitación aceptada")
	p.contains(`tr[data-consortium="`+consortiumID+`"]`, "Aceptada")

	p.open(consortiumPath, "#my-membership")
	p.contains("#my-status", "Aceptada")
	ens := `#eligibility tr[data-rule="certification"][data-subject^="ENS"]`
	p.eventually(consortiumPath, ens, "ok", 15*time.Second)
	p.do("set share", chromedp.SetValue(chromedp.CSS("#share"), "40"))
	p.submit("#set-share", "#flash")
	p.contains("#flash", "Participación fijada: 40 %")
	org := s.orgOf(t, sc.Company)
	p.contains(`#members tr[data-org="`+org+`"] .member-share`, "40 %")
	p.shot("company-consortium-before")

	// Lower the ENS certification to "básica": the tender asks for "media".
	p.submit("#nav-profile", "#certifications")
	cert := `#certifications tr[data-cert="` + sc.CertID + `"]`
	p.do("edit certification",
		chromedp.Click(chromedp.CSS(cert+" details.edit summary")),
		chromedp.WaitVisible(chromedp.CSS(cert+" select.cert-level")),
		chromedp.SetValue(chromedp.CSS(cert+" select.cert-level"), "basica"),
	)
	p.submit(cert+" button.save-cert", "#flash")
	p.contains("#flash", "Certificación actualizada")
	p.contains("#certifications", "basica")
	p.shot("company-profile")

	// CPV interests: search by label as one types (progressive JavaScript).
	p.do("search CPV by label",
		chromedp.SendKeys(chromedp.CSS("#cpv-search"), "paquetes de software"),
		chromedp.WaitVisible(chromedp.CSS("#cpv-results li")),
	)
	p.contains("#cpv-results", "48000000", "Paquetes de software")

	p.eventually(consortiumPath, ens, "ko", 15*time.Second)
	p.contains(ens, "ENS")
	p.contains("#eligibility .verdict", "No cumple")
	p.shot("company-consortium-after-certification-change")

	// Agency staff: the cross-cluster overview.
	p.signIn("agency", "#overview")
	p.contains("#overview", "TERA ICT cluster (demo)", "GIRA automotive cluster (demo)")
	p.shot("agency-home")

	// The language switch.
	p.submit("#lang-switch", "#overview")
	p.contains("#overview", "Clusters and tenders")

	// Cluster manager: import tenders from a PLACSP feed; the upload shows
	// progress, then the summary replaces the form.
	feed, err := datadir.Path("placsp", "sample_placsp.atom")
	if err != nil {
		t.Fatal(err)
	}
	p.signIn("tera-manager", "#deadlines")
	p.submit("#nav-import", "#import-form")
	p.do("choose the feed", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{feed}))
	p.submit("#import-submit", "#import-result")
	// By default the cluster's profile filters: the sample's two tenders are
	// performed outside Cantabria, so nothing new arrives and the summary says why.
	p.contains("#import-result", "Result of sample_placsp.atom", "New", "Rejected", "performed outside the cluster's region")
	if n := p.text("#import-created"); n != "0" {
		t.Fatalf("imported %q with the cluster filter, want 0", n)
	}
	p.shot("cluster-manager-import-filtered")
	// "Import all" brings them in (from a fresh form: the result above stays on this page).
	p.open("/tenders/import", "#import-form")
	p.do("choose the feed again, all", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{feed}), chromedp.Click(chromedp.CSS("#import-all")))
	p.submit("#import-submit", "#import-result")
	if n, err := strconv.Atoi(p.text("#import-created")); err != nil || n != 2 {
		t.Fatalf("imported count %q with import all, want 2 (%v)", p.text("#import-created"), err)
	}
	p.shot("cluster-manager-import")
	if err := ctx.Err(); errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("browser test ran out of time")
	}
}
