package gateway_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/consortia/demo"
)

// A company user watches the bell: a cluster manager invites the company to a
// consortium, the bell's count rises without a reload (the page polls), the
// inbox shows the invitation, following it opens the consortium, and the
// invitation e-mail is on the dev mailbox page in the user's language.
func TestBrowserBellInboxAndDevMailbox(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test (needs Chromium); not run with -short")
	}
	st := startStack(t, true)
	p := &page{t: t, ctx: browser(t), url: st.URL, out: outputDir(t)}
	user := st.Users["company1"]
	org := st.orgOf(t, "company1")
	p.signIn("company1", "#bell-count")
	before := p.text("#bell-count")
	t.Logf("bell before the invitation: %s", before)

	// The manager types in a tender and forms a consortium inviting the company (over the API).
	conn, err := grpc.NewClient(st.Tender.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tc := tenderv1.NewTenderServiceClient(conn)
	mctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+st.token(t, "tera-manager", time.Hour))
	tera := demo.ClusterID("tera")
	tn, err := tc.CreateTender(mctx, &tenderv1.CreateTenderRequest{ClusterId: tera, Publish: true, Details: &tenderv1.TenderDetails{
		Authority: &tenderv1.Authority{Name: "Ayuntamiento de Santander"}, Title: "Portal de datos abiertos (prueba de avisos)",
		ProcedureType: tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN, ContractType: tenderv1.ContractType_CONTRACT_TYPE_SERVICES,
		CpvCodes: []string{"72212000"}, Nuts: []string{"ES130"}, EstimatedValueCents: 90_000_00, DurationMonths: 12,
		SubmissionDeadline: timestamppb.New(time.Now().AddDate(0, 1, 0))}})
	if err != nil {
		t.Fatal(err)
	}
	lead := st.orgOf(t, "company2")
	c, err := tc.CreateConsortium(mctx, &tenderv1.CreateConsortiumRequest{TenderId: tn.GetTender().GetId(), Name: "UTE Datos Abiertos",
		Members: []*tenderv1.DraftMember{{OrganizationId: lead, Lead: true}, {OrganizationId: org}}})
	if err != nil {
		t.Fatal(err)
	}
	consortiumID := c.GetConsortium().GetId()

	// The bell rises on the open page, without navigating.
	for {
		now, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.getElementById("bell-count").textContent`))
		if err != nil {
			t.Fatal(err)
		}
		if now != before {
			t.Logf("bell after the invitation: %s (no reload)", now)
			break
		}
		select {
		case <-t.Context().Done():
			p.shot("failed-bell")
			t.Fatal("the bell never rose")
		case <-time.After(200 * time.Millisecond):
		}
	}
	p.do("open the inbox from the bell", chromedp.Click(chromedp.CSS("#bell"), chromedp.NodeVisible), chromedp.WaitVisible(chromedp.CSS("#inbox")))
	invite := `#inbox li[data-type="NOTIFICATION_TYPE_CONSORTIUM_INVITED"]`
	p.contains(invite, "Invitación al consorcio UTE Datos Abiertos", "Portal de datos abiertos (prueba de avisos)")
	p.shot("inbox")
	p.do("follow the invitation", chromedp.Click(chromedp.CSS(invite+" button.open-item"), chromedp.NodeVisible), chromedp.WaitVisible(chromedp.CSS("#consortium-name")))
	if url, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`location.pathname`)); url != "/consortia/"+consortiumID {
		t.Fatalf("followed to %s, want /consortia/%s", url, consortiumID)
	}
	p.contains("#consortium-name", "UTE Datos Abiertos")

	// The e-mail, in the user's language (Spanish), on the dev mailbox page.
	mail := `#mailbox li.mail[data-lang="es"]`
	for {
		p.open("/dev/mailbox", "#mailbox")
		got, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#mailbox li.mail')].map(e => e.textContent).join("\n")`))
		if strings.Contains(got, "Invitación al consorcio UTE Datos Abiertos") && strings.Contains(got, user.Claims.Email) {
			break
		}
		select {
		case <-t.Context().Done():
			p.shot("failed-mailbox")
			t.Fatalf("no invitation e-mail to %s on the dev mailbox page; it shows:\n%s", user.Claims.Email, got)
		case <-time.After(300 * time.Millisecond):
		}
	}
	p.contains(mail, "Le invitan a unirse al consorcio UTE Datos Abiertos")
	p.shot("mailbox")
}
