package grpc_test

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender/convert"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// world is a running stack with three clusters and a tender deadline whose
// solvency window (the three years before its year) holds the fixtures' data.
type world struct {
	*testenv.Env
	t                 *testing.T
	tera, gira, other string
	deadline          time.Time
	year              int // the turnover and reference year of the fixtures (deadline year − 2)
	n                 int // next tax-id seed
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := testenv.New(t)
	deadline := time.Date(time.Now().Year()+1, 3, 2, 12, 0, 0, 0, time.UTC)
	return &world{Env: e, t: t, tera: e.Cluster("TERA ICT"), gira: e.Cluster("GIRA"), other: e.Cluster("Otro cluster"),
		deadline: deadline, year: deadline.Year() - 2, n: 100}
}

// profile is a company with the capabilities, best-year turnover and (when
// refEuros > 0) a similar reference (CPV 722…) of the fixture year, and ENS media when ens.
func (w *world) profile(name string, caps []string, turnoverEuros, refEuros int64, ens bool) testenv.Profile {
	w.n++
	p := testenv.Profile{N: w.n, Name: name, Capabilities: caps, Turnover: map[int]int64{w.year: turnoverEuros, w.year - 1: turnoverEuros / 2}}
	if refEuros > 0 {
		p.References = []testenv.Reference{{CPV: "72212000", Euros: refEuros, Year: w.year}}
	}
	if ens {
		p.ENS, p.ENSExpires = "media", w.deadline.AddDate(1, 0, 0)
	}
	return p
}

// The trio meets the tender's requirements together (turnover 100k + 80k + 70k
// = 250k ≥ 225k; A holds ENS media and the similar reference) but not alone.
func (w *world) leadA(cluster string) string {
	return w.Join(w.profile("Alfa Software S.L.", []string{"software-development"}, 100_000, 110_000, true), cluster)
}

func (w *world) memberB(cluster string) string {
	return w.Join(w.profile("Beta Ciberseguridad S.L.", []string{"cybersecurity"}, 80_000, 0, false), cluster)
}

func (w *world) memberC(cluster string) string {
	return w.Join(w.profile("Gamma Cloud S.L.", []string{"cloud", "cybersecurity"}, 70_000, 0, false), cluster)
}

// solo meets the requirements alone.
func (w *world) solo(name, cluster string) string {
	return w.Join(w.profile(name, []string{"software-development", "cybersecurity"}, 300_000, 120_000, true), cluster)
}

// details are a services tender: 300,000 € over 24 months (default economic
// threshold 225,000 €, technical 105,000 €), software development and
// cybersecurity, ENS media.
func (w *world) details() *tenderv1.TenderDetails {
	return &tenderv1.TenderDetails{
		Authority:     &tenderv1.Authority{Name: "Gobierno de Cantabria", Nif: "S3933002B"},
		Title:         "Plataforma de tramitación electrónica",
		Description:   "Desarrollo y mantenimiento",
		ProcedureType: tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN, ContractType: tenderv1.ContractType_CONTRACT_TYPE_SERVICES,
		CpvCodes: []string{"72200000-7"}, Nuts: []string{"ES130"},
		EstimatedValueCents: 300_000_00, BudgetWithoutVatCents: 300_000_00, BudgetWithVatCents: 363_000_00,
		DurationMonths: 24, SubmissionDeadline: timestamppb.New(w.deadline),
		Documents: []*tenderv1.Document{{Title: "Pliego", Url: "https://contrataciondelestado.es/pliego.pdf"}},
		Requirements: &tenderv1.Requirements{
			Capabilities:   []string{"software-development", "cybersecurity"},
			Certifications: []*tenderv1.CertificationRequirement{{Kind: "ENS", Level: "media"}},
		},
	}
}

// withLots splits the details into lots "1" and "2" (the tender's requirements apply to both).
func withLots(d *tenderv1.TenderDetails) *tenderv1.TenderDetails {
	d.Lots = []*tenderv1.Lot{
		{Id: "1", Title: "Desarrollo", CpvCodes: []string{"72212000"}, EstimatedValueCents: 300_000_00},
		{Id: "2", Title: "Mantenimiento", CpvCodes: []string{"72253000"}, EstimatedValueCents: 300_000_00},
	}
	return d
}

// tender creates a published tender of tera, shared with the given clusters.
func (w *world) tender(d *tenderv1.TenderDetails, shared ...string) *tenderv1.Tender {
	w.t.Helper()
	res, err := w.Tenders.CreateTender(w.Ctx(testenv.Manager(w.tera)), &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: d, Publish: true, SharedWith: shared})
	if err != nil {
		w.t.Fatalf("CreateTender: %v", err)
	}
	return res.GetTender()
}

func draft(org string, bp int32, lead bool) *tenderv1.DraftMember {
	return &tenderv1.DraftMember{OrganizationId: org, ShareBp: bp, Lead: lead}
}

// consortium forms a consortium as who.
func (w *world) consortium(who auth.Claims, tenderID, lot string, members ...*tenderv1.DraftMember) *tenderv1.Consortium {
	w.t.Helper()
	res, err := w.Tenders.CreateConsortium(w.Ctx(who), &tenderv1.CreateConsortiumRequest{TenderId: tenderID, LotId: lot, Members: members})
	if err != nil {
		w.t.Fatalf("CreateConsortium: %v", err)
	}
	return res.GetConsortium()
}

func (w *world) accept(id, org string) *tenderv1.Consortium {
	w.t.Helper()
	res, err := w.Tenders.AcceptInvitation(w.Ctx(testenv.Company(org)), &tenderv1.AcceptInvitationRequest{ConsortiumId: id, OrganizationId: org})
	if err != nil {
		w.t.Fatalf("AcceptInvitation(%s): %v", org, err)
	}
	return res.GetConsortium()
}

func (w *world) setShare(who auth.Claims, id, org string, bp int32) *tenderv1.Consortium {
	w.t.Helper()
	res, err := w.Tenders.SetShare(w.Ctx(who), &tenderv1.SetShareRequest{ConsortiumId: id, OrganizationId: org, ShareBp: bp})
	if err != nil {
		w.t.Fatalf("SetShare(%s, %d): %v", org, bp, err)
	}
	return res.GetConsortium()
}

func (w *world) getConsortium(who auth.Claims, id string) *tenderv1.Consortium {
	w.t.Helper()
	res, err := w.Tenders.GetConsortium(w.Ctx(who), &tenderv1.GetConsortiumRequest{ConsortiumId: id})
	if err != nil {
		w.t.Fatalf("GetConsortium: %v", err)
	}
	return res.GetConsortium()
}

func (w *world) getTender(who auth.Claims, id string) *tenderv1.Tender {
	w.t.Helper()
	res, err := w.Tenders.GetTender(w.Ctx(who), &tenderv1.GetTenderRequest{TenderId: id})
	if err != nil {
		w.t.Fatalf("GetTender: %v", err)
	}
	return res.GetTender()
}

func member(c *tenderv1.Consortium, org string) *tenderv1.ConsortiumMember {
	for _, m := range c.GetMembers() {
		if m.GetOrganizationId() == org {
			return m
		}
	}
	return nil
}

// rules returns the rule ids of the report's results that are (not) ok.
func rules(r *tenderv1.EligibilityReport, ok bool) []string {
	var out []string
	for _, x := range r.GetResults() {
		if x.GetOk() == ok && !slices.Contains(out, x.GetRule()) {
			out = append(out, x.GetRule())
		}
	}
	return out
}

func result(r *tenderv1.EligibilityReport, rule string) *tenderv1.RuleResult {
	for _, x := range r.GetResults() {
		if x.GetRule() == rule {
			return x
		}
	}
	return nil
}

// fromLog reloads a consortium by folding its events from the event log, as
// read through the service's audit trail.
func (w *world) fromLog(id string) (domain.Consortium, []eventlog.Event) {
	w.t.Helper()
	evs, err := w.Tender.Service.AuditTrail(w.AppCtx(testenv.Admin()), "consortium", id)
	if err != nil {
		w.t.Fatalf("AuditTrail: %v", err)
	}
	var c domain.Consortium
	for _, ev := range evs {
		de, err := convert.EventFrom(ev.Data)
		if err != nil {
			w.t.Fatal(err)
		}
		if err := c.Apply(de, ev.Time, ev.Sequence); err != nil {
			w.t.Fatal(err)
		}
	}
	return c, evs
}
