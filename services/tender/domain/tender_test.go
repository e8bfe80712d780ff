package domain_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

var allStatuses = []domain.Status{domain.StatusPlanned, domain.StatusActive, domain.StatusComplete, domain.StatusCancelled, domain.StatusUnsuccessful}

func TestTenderApplyFoldsTheLifecycle(t *testing.T) {
	var tn domain.Tender
	apply(t, &tn, domain.TenderCreated{TenderID: "t1", ClusterID: "tera", Details: details(), Status: domain.StatusPlanned, Source: domain.Source{System: "manual"}, Demo: true})
	created := tn.Updated
	if tn.ID != "t1" || tn.ClusterID != "tera" || tn.Status != domain.StatusPlanned || !tn.Demo || tn.Created != created || tn.Version != seq || tn.Source.System != "manual" {
		t.Fatalf("after TenderCreated: %+v", tn)
	}
	apply(t, &tn, must(t)(tn.Publish()))
	if tn.Status != domain.StatusActive {
		t.Fatalf("status after publish = %v", tn.Status)
	}
	apply(t, &tn, must(t)(tn.Share([]string{"gira"})))
	if got := tn.Clusters(); !slices.Equal(got, []string{"tera", "gira"}) {
		t.Fatalf("Clusters() = %q", got)
	}
	first := tn.Details.Deadline
	d1, d2 := first.AddDate(0, 0, 7), first.AddDate(0, 0, 14)
	apply(t, &tn, must(t)(tn.ChangeDeadline(d1, " clarification published ", now)))
	snapshot := tn // an earlier read model value must not see later history
	apply(t, &tn, must(t)(tn.ChangeDeadline(d2, "second extension", now)))
	if len(snapshot.DeadlineChanges) != 1 {
		t.Errorf("the second change leaked into an earlier copy: %+v", snapshot.DeadlineChanges)
	}
	want := []domain.DeadlineChange{{Previous: first, Deadline: d1, Reason: "clarification published"}, {Previous: d1, Deadline: d2, Reason: "second extension"}}
	if len(tn.DeadlineChanges) != 2 || tn.Details.Deadline != d2 {
		t.Fatalf("deadline %v, history %+v", tn.Details.Deadline, tn.DeadlineChanges)
	}
	for i, w := range want {
		got := tn.DeadlineChanges[i]
		if got.Previous != w.Previous || got.Deadline != w.Deadline || got.Reason != w.Reason || got.At.IsZero() {
			t.Errorf("change %d = %+v, want %+v", i, got, w)
		}
	}
	apply(t, &tn, must(t)(tn.Award(domain.Award{ConsortiumID: "c1", AmountCents: 280_000_00})))
	if tn.Status != domain.StatusComplete || len(tn.Details.Awards) != 1 || tn.Details.Awards[0].ConsortiumID != "c1" {
		t.Fatalf("after award: %v %+v", tn.Status, tn.Details.Awards)
	}
	if tn.Version != seq || !tn.Updated.After(created) || tn.Created != created {
		t.Errorf("version %d (want %d), created %v, updated %v", tn.Version, seq, tn.Created, tn.Updated)
	}
	if err := tn.Apply(domain.ConsortiumSubmitted{ConsortiumID: "c1"}, now, seq+1); err == nil {
		t.Error("a tender folded a consortium event")
	}
}

func TestTenderRevisedKeepsStatusUnlessGiven(t *testing.T) {
	tn := tenderIn(t, domain.StatusActive, details())
	d := details()
	d.Title = "Nuevo título"
	apply(t, tn, domain.TenderRevised{TenderID: "t1", Details: d, Source: domain.Source{System: "placsp", SourceID: "x"}})
	if tn.Status != domain.StatusActive || tn.Details.Title != "Nuevo título" || tn.Source.SourceID != "x" {
		t.Fatalf("after revision without status: %v %q %+v", tn.Status, tn.Details.Title, tn.Source)
	}
	apply(t, tn, domain.TenderRevised{TenderID: "t1", Details: d, Status: domain.StatusComplete})
	if tn.Status != domain.StatusComplete {
		t.Fatalf("status = %v, want complete", tn.Status)
	}
}

func TestPublishOnlyFromPlanned(t *testing.T) {
	for _, s := range allStatuses {
		t.Run(s.String(), func(t *testing.T) {
			tn := tenderIn(t, s, details())
			e, err := tn.Publish()
			if s == domain.StatusPlanned {
				if err != nil || e != (domain.TenderPublished{TenderID: "t1"}) {
					t.Fatalf("Publish() = %v, %v", e, err)
				}
				return
			}
			pe := wantPrecondition(t, err, "tender_status")
			if pe.Violations[0].Subject != "tender/t1" || !strings.Contains(pe.Violations[0].Description, s.String()) {
				t.Errorf("violation %+v", pe.Violations[0])
			}
		})
	}
}

func TestChangeDeadline(t *testing.T) {
	future := now.Add(48 * time.Hour)
	cases := []struct {
		name     string
		status   domain.Status
		deadline time.Time
		reason   string
		want     string
		fields   []string
	}{
		{"planned", domain.StatusPlanned, future, "errata", "", nil},
		{"active", domain.StatusActive, future, "errata", "", nil},
		{"no deadline", domain.StatusActive, time.Time{}, "errata", "invalid:deadline", nil},
		{"past deadline", domain.StatusActive, now.Add(-time.Minute), "errata", "invalid:deadline", nil},
		{"deadline now", domain.StatusActive, now, "errata", "invalid:deadline", nil},
		{"no reason", domain.StatusActive, future, "  ", "invalid:reason", nil},
		{"both bad", domain.StatusActive, now.Add(-time.Hour), "", "", []string{"deadline", "reason"}},
		{"complete", domain.StatusComplete, future, "errata", "precondition:tender_status", nil},
		{"cancelled", domain.StatusCancelled, future, "errata", "precondition:tender_status", nil},
		{"unsuccessful", domain.StatusUnsuccessful, future, "errata", "precondition:tender_status", nil},
		// Bad input is reported before the state (a closed tender with bad input is InvalidArgument).
		{"complete and bad input", domain.StatusComplete, time.Time{}, "errata", "invalid:deadline", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenderIn(t, tc.status, details())
			e, err := tn.ChangeDeadline(tc.deadline, tc.reason, now)
			if tc.fields != nil {
				wantInvalid(t, err, tc.fields...)
				return
			}
			wantErr(t, err, tc.want)
			if tc.want == "" {
				want := domain.TenderDeadlineChanged{TenderID: "t1", Previous: tn.Details.Deadline, Deadline: tc.deadline, Reason: "errata"}
				if e != want {
					t.Fatalf("event = %+v, want %+v", e, want)
				}
			}
		})
	}
}

func TestAwardCancelClose(t *testing.T) {
	award := domain.Award{WinnerName: "UTE Cantabria Digital", AmountCents: 1}
	cases := []struct {
		name   string
		status domain.Status
		cmd    func(*domain.Tender) (domain.Event, error)
		want   string
		after  domain.Status
	}{
		{"award active", domain.StatusActive, func(t *domain.Tender) (domain.Event, error) { return t.Award(award) }, "", domain.StatusComplete},
		{"award by consortium only", domain.StatusActive, func(t *domain.Tender) (domain.Event, error) { return t.Award(domain.Award{ConsortiumID: "c1"}) }, "", domain.StatusComplete},
		{"award planned", domain.StatusPlanned, func(t *domain.Tender) (domain.Event, error) { return t.Award(award) }, "precondition:tender_status", 0},
		{"award complete", domain.StatusComplete, func(t *domain.Tender) (domain.Event, error) { return t.Award(award) }, "precondition:tender_status", 0},
		{"award cancelled", domain.StatusCancelled, func(t *domain.Tender) (domain.Event, error) { return t.Award(award) }, "precondition:tender_status", 0},
		{"award without winner", domain.StatusActive, func(t *domain.Tender) (domain.Event, error) { return t.Award(domain.Award{WinnerName: "  "}) }, "invalid:award.winner_name", 0},
		{"award negative amount", domain.StatusActive, func(t *domain.Tender) (domain.Event, error) {
			return t.Award(domain.Award{WinnerName: "X", AmountCents: -1})
		}, "invalid:award.amount_cents", 0},
		{"award unknown lot", domain.StatusActive, func(t *domain.Tender) (domain.Event, error) {
			return t.Award(domain.Award{WinnerName: "X", LotID: "9"})
		}, "invalid:award.lot_id", 0},
		{"cancel planned", domain.StatusPlanned, func(t *domain.Tender) (domain.Event, error) { return t.Cancel(" withdrawn ") }, "", domain.StatusCancelled},
		{"cancel active", domain.StatusActive, func(t *domain.Tender) (domain.Event, error) { return t.Cancel("withdrawn") }, "", domain.StatusCancelled},
		{"cancel complete", domain.StatusComplete, func(t *domain.Tender) (domain.Event, error) { return t.Cancel("withdrawn") }, "precondition:tender_status", 0},
		{"cancel cancelled", domain.StatusCancelled, func(t *domain.Tender) (domain.Event, error) { return t.Cancel("withdrawn") }, "precondition:tender_status", 0},
		{"cancel without reason", domain.StatusActive, func(t *domain.Tender) (domain.Event, error) { return t.Cancel("") }, "invalid:reason", 0},
		{"close active", domain.StatusActive, func(t *domain.Tender) (domain.Event, error) { return t.CloseUnsuccessful("no bids") }, "", domain.StatusUnsuccessful},
		{"close planned", domain.StatusPlanned, func(t *domain.Tender) (domain.Event, error) { return t.CloseUnsuccessful("no bids") }, "precondition:tender_status", 0},
		{"close complete", domain.StatusComplete, func(t *domain.Tender) (domain.Event, error) { return t.CloseUnsuccessful("no bids") }, "precondition:tender_status", 0},
		{"close unsuccessful", domain.StatusUnsuccessful, func(t *domain.Tender) (domain.Event, error) { return t.CloseUnsuccessful("no bids") }, "precondition:tender_status", 0},
		{"close without reason", domain.StatusActive, func(t *domain.Tender) (domain.Event, error) { return t.CloseUnsuccessful(" ") }, "invalid:reason", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenderIn(t, tc.status, details())
			e, err := tc.cmd(tn)
			wantErr(t, err, tc.want)
			if tc.want != "" {
				if e != nil {
					t.Errorf("an event came with the error: %+v", e)
				}
				return
			}
			apply(t, tn, e)
			if tn.Status != tc.after {
				t.Fatalf("status = %v, want %v", tn.Status, tc.after)
			}
			if tc.after == domain.StatusCancelled || tc.after == domain.StatusUnsuccessful {
				if tn.CloseReason == "" || strings.TrimSpace(tn.CloseReason) != tn.CloseReason {
					t.Errorf("close reason %q not recorded trimmed", tn.CloseReason)
				}
			}
		})
	}
}

func TestAwardLotByLot(t *testing.T) {
	tn := tenderIn(t, domain.StatusActive, withLots(details()))
	e := must(t)(tn.Award(domain.Award{LotID: "2", WinnerName: "X"}))
	if e.(domain.TenderAwarded).Award.LotID != "2" {
		t.Fatalf("event %+v", e)
	}
	apply(t, tn, e)
	// Lot 1 is still open: consortia for it may still submit, and it can be awarded.
	if tn.Status != domain.StatusActive || len(tn.Details.Awards) != 1 {
		t.Fatalf("after awarding one of two lots: %v, %d awards", tn.Status, len(tn.Details.Awards))
	}
	if _, err := domain.Form("c9", tn, "1", "", []domain.Draft{lead("A")}, false, false); err != nil {
		t.Fatalf("forming a consortium for the open lot: %v", err)
	}
	apply(t, tn, must(t)(tn.Award(domain.Award{LotID: "1", WinnerName: "Y"})))
	if tn.Status != domain.StatusComplete || len(tn.Details.Awards) != 2 {
		t.Fatalf("after awarding every lot: %v, %d awards", tn.Status, len(tn.Details.Awards))
	}

	// An award without a lot completes the tender.
	whole := tenderIn(t, domain.StatusActive, withLots(details()))
	apply(t, whole, must(t)(whole.Award(domain.Award{WinnerName: "Z"})))
	if whole.Status != domain.StatusComplete {
		t.Fatalf("after a whole-tender award: %v", whole.Status)
	}
}

func TestShareDedupesAndDropsTheOwner(t *testing.T) {
	cases := []struct {
		name string
		in   []string
		want []string
		err  string
	}{
		{"one", []string{"gira"}, []string{"gira"}, ""},
		{"dedupe and trim", []string{"gira", " gira ", "agency", "gira"}, []string{"gira", "agency"}, ""},
		{"owner dropped", []string{"tera", "gira", "tera"}, []string{"gira"}, ""},
		{"only owner", []string{"tera"}, nil, ""},
		{"unshare", nil, nil, ""},
		{"empty id", []string{"gira", " "}, nil, "invalid:cluster_ids[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenderIn(t, domain.StatusActive, details())
			e, err := tn.Share(tc.in)
			wantErr(t, err, tc.err)
			if tc.err != "" {
				return
			}
			got := e.(domain.TenderShared)
			if got.TenderID != "t1" || !slices.Equal(got.ClusterIDs, tc.want) {
				t.Fatalf("Share(%q) = %+v, want %q", tc.in, got, tc.want)
			}
			apply(t, tn, e)
			if !slices.Equal(tn.SharedWith, tc.want) || tn.Clusters()[0] != "tera" {
				t.Fatalf("SharedWith = %q, Clusters = %q", tn.SharedWith, tn.Clusters())
			}
		})
	}
}

func TestValidateDetails(t *testing.T) {
	past := now.Add(-time.Hour)
	cases := []struct {
		name   string
		strict bool
		edit   func(*domain.Details)
		fields []string
	}{
		{"valid", true, func(*domain.Details) {}, nil},
		{"no title", true, func(d *domain.Details) { d.Title = "   " }, []string{"details.title"}},
		{"long title", true, func(d *domain.Details) { d.Title = strings.Repeat("x", domain.MaxTitleChars+1) }, []string{"details.title"}},
		{"a 1,554-character title in accented characters", false, func(d *domain.Details) { d.Title = strings.Repeat("ñ", 1554) }, nil},
		{"CPV code twice when typed in", true, func(d *domain.Details) { d.CPVs = []string{"72000000-5", "72212000", "72000000"} }, []string{"details.cpv_codes[2]"}},
		{"too many CPV codes", false, func(d *domain.Details) {
			d.CPVs = slices.Repeat([]string{"72000000"}, domain.MaxCPVCodes+1)
		}, []string{"details.cpv_codes"}},
		{"too many lots", false, func(d *domain.Details) {
			d.Lots = make([]domain.Lot, domain.MaxLots+1)
		}, []string{"details.lots"}},
		{"amounts above the limit", true, func(d *domain.Details) {
			d.EstimatedCents, d.BudgetWithVATCents = domain.MaxAmountCents+1, 9_200_000_000_000_000_000
			d.Requirements.EconomicThresholdCents = domain.MaxAmountCents + 1
		}, []string{"details.estimated_value_cents", "details.budget_with_vat_cents", "details.requirements.economic_threshold_cents"}},
		{"a place outside the EU, as PLACSP gives it", false, func(d *domain.Details) { d.NUTS = []string{"US", "BR", "ES130"} }, nil},
		{"neither a NUTS region nor a country", false, func(d *domain.Details) { d.NUTS = []string{"XX", "EU"} }, []string{"details.nuts[0]", "details.nuts[1]"}},
		{"no authority", true, func(d *domain.Details) { d.Authority.Name = "" }, []string{"details.authority.name"}},
		{"unknown cpv", true, func(d *domain.Details) { d.CPVs = []string{"72000000", "99999999"} }, []string{"details.cpv_codes[1]"}},
		{"malformed cpv", true, func(d *domain.Details) { d.CPVs = []string{"7200"} }, []string{"details.cpv_codes[0]", "details.cpv_codes"}},
		{"strict needs a cpv", true, func(d *domain.Details) { d.CPVs = nil }, []string{"details.cpv_codes"}},
		{"import without cpv", false, func(d *domain.Details) { d.CPVs = nil }, nil},
		{"bad nuts", true, func(d *domain.Details) { d.NUTS = []string{"ES130", "XX9"} }, []string{"details.nuts[1]"}},
		{"negative budgets", false, func(d *domain.Details) { d.BudgetNoVATCents, d.BudgetWithVATCents = -1, -2 }, []string{"details.budget_without_vat_cents", "details.budget_with_vat_cents"}},
		{"negative estimate (import)", false, func(d *domain.Details) { d.EstimatedCents = -1 }, []string{"details.estimated_value_cents"}},
		{"strict needs an estimate", true, func(d *domain.Details) { d.EstimatedCents = 0 }, []string{"details.estimated_value_cents"}},
		{"import without estimate", false, func(d *domain.Details) { d.EstimatedCents = 0 }, nil},
		{"negative duration", true, func(d *domain.Details) { d.DurationMonths = -1 }, []string{"details.duration_months"}},
		{"huge duration", true, func(d *domain.Details) { d.DurationMonths = 601 }, []string{"details.duration_months"}},
		{"strict needs a deadline", true, func(d *domain.Details) { d.Deadline = time.Time{} }, []string{"details.submission_deadline"}},
		{"strict past deadline", true, func(d *domain.Details) { d.Deadline = past }, []string{"details.submission_deadline"}},
		{"import with past deadline", false, func(d *domain.Details) { d.Deadline = past }, nil},
		{"import without deadline", false, func(d *domain.Details) { d.Deadline = time.Time{} }, nil},
		{"document urls", true, func(d *domain.Details) {
			d.Documents = []domain.Document{{URL: "https://ok.example/a.pdf"}, {URL: "ftp://x/y"}, {URL: "/relative.pdf"}, {URL: "http://"}, {URL: "http://ok.example"}}
		}, []string{"details.documents[1].url", "details.documents[2].url", "details.documents[3].url"}},
		{"lot ids", true, func(d *domain.Details) {
			d.Lots = []domain.Lot{{ID: "1"}, {ID: " "}, {ID: "1"}, {ID: "2"}}
		}, []string{"details.lots[1].id", "details.lots[2].id"}},
		{"lot cpv and value", true, func(d *domain.Details) {
			d.Lots = []domain.Lot{{ID: "1", CPVs: []string{"72212000", "11111111"}, EstimatedCents: -5}}
		}, []string{"details.lots[0].cpv_codes[1]", "details.lots[0].estimated_value_cents"}},
		{"lot own requirements", true, func(d *domain.Details) {
			d.Lots = []domain.Lot{
				{ID: "1", HasOwnRequirements: true, Requirements: domain.Requirements{Capabilities: []string{"telepathy"}}},
				{ID: "2", Requirements: domain.Requirements{Capabilities: []string{"ignored: not the lot's own"}}},
			}
		}, []string{"details.lots[0].requirements.capabilities[0]"}},
		{"unknown capability", true, func(d *domain.Details) { d.Requirements.Capabilities = []string{"cloud", "telepathy"} }, []string{"details.requirements.capabilities[1]"}},
		{"capability twice", true, func(d *domain.Details) { d.Requirements.Capabilities = []string{"cloud", "cloud"} }, []string{"details.requirements.capabilities[1]"}},
		{"ENS without level", true, func(d *domain.Details) {
			d.Requirements.Certifications = []domain.CertificationRequirement{{Kind: "ENS"}}
		}, []string{"details.requirements.certifications[0].level"}},
		{"ENS with unknown level", true, func(d *domain.Details) {
			d.Requirements.Certifications = []domain.CertificationRequirement{{Kind: "ENS", Level: "platinum"}}
		}, []string{"details.requirements.certifications[0].level"}},
		{"level on a kind without levels", true, func(d *domain.Details) {
			d.Requirements.Certifications = []domain.CertificationRequirement{{Kind: "ISO27001", Level: "media"}}
		}, []string{"details.requirements.certifications[0].level"}},
		{"certification kind twice", true, func(d *domain.Details) {
			d.Requirements.Certifications = []domain.CertificationRequirement{{Kind: "ENS", Level: "media"}, {Kind: "ISO27001"}, {Kind: "ENS", Level: "alta"}}
		}, []string{"details.requirements.certifications[2].kind"}},
		{"unknown certification kind", true, func(d *domain.Details) {
			d.Requirements.Certifications = []domain.CertificationRequirement{{Kind: "ISO99999"}}
		}, []string{"details.requirements.certifications[0].kind"}},
		{"negative thresholds", true, func(d *domain.Details) {
			d.Requirements.EconomicThresholdCents = -1
			d.Requirements.Technical.RequiredCents = -1
			d.Requirements.MaxMembers = -1
			d.MaxLotsPerBidder = -1
		}, []string{"details.requirements.economic_threshold_cents", "details.requirements.technical.required_cents", "details.requirements.max_members", "details.max_lots_per_bidder"}},
		{"technical prefix and percent", true, func(d *domain.Details) {
			d.Requirements.Technical = domain.Technical{PrefixLen: 9, Percent: 101}
		}, []string{"details.requirements.technical.prefix_length", "details.requirements.technical.percent"}},
		{"technical prefix too short", true, func(d *domain.Details) { d.Requirements.Technical.PrefixLen = 1 }, []string{"details.requirements.technical.prefix_length"}},
		{"everything at once", true, func(d *domain.Details) {
			d.Title, d.Authority.Name, d.CPVs, d.Deadline = "", "", []string{"99999999", "72000000"}, past
			d.EstimatedCents = -3
		}, []string{"details.title", "details.authority.name", "details.cpv_codes[0]", "details.estimated_value_cents", "details.estimated_value_cents", "details.submission_deadline"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := details()
			tc.edit(&d)
			out, err := domain.ValidateDetails(d, fakeCodes{}, now, tc.strict)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			wantInvalid(t, err, tc.fields...)
			_ = out
		})
	}
}

func TestValidateDetailsNormalises(t *testing.T) {
	d := details()
	d.Title, d.Authority.Name = "  Plataforma  ", " Ayuntamiento de Santander "
	// An imported record's repeated codes are merged (sources repeat them);
	// typed in, they are refused (TestValidateDetails).
	d.CPVs = []string{"72000000-5", "72000000", "72212000"}
	d.NUTS = []string{"es130", "ES130"}
	d.Lots = []domain.Lot{{ID: "1", CPVs: []string{"72212000-4", "72212000"}}}
	out, err := domain.ValidateDetails(d, fakeCodes{}, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if out.Title != "Plataforma" || out.Authority.Name != "Ayuntamiento de Santander" {
		t.Errorf("not trimmed: %q / %q", out.Title, out.Authority.Name)
	}
	if !slices.Equal(out.CPVs, []string{"72000000", "72212000"}) || !slices.Equal(out.Lots[0].CPVs, []string{"72212000"}) {
		t.Errorf("CPVs not normalised and deduplicated: %q, lot %q", out.CPVs, out.Lots[0].CPVs)
	}
	if !slices.Equal(out.NUTS, []string{"ES130"}) {
		t.Errorf("NUTS = %q", out.NUTS)
	}
}

func TestEligibilityRequirements(t *testing.T) {
	base := details()
	base.Requirements.ForbidAccumulation = true
	base.Requirements.MaxMembers = 4
	base.Requirements.Technical = domain.Technical{PrefixLen: 4, Percent: 50}
	lotted := withLots(base)

	cases := []struct {
		name      string
		d         domain.Details
		lot       string
		err       string
		caps      []string
		cpvs      []string
		value     int64
		max       int
		accum     bool
		certs     []eligibility.CertificationRequirement
		econ      int64 // the resulting threshold, with the art. 87 default
		technical int64
	}{
		{name: "whole tender", d: base, caps: []string{"software-development", "cybersecurity"}, cpvs: []string{"72000000"}, value: 300_000_00, max: 4,
			certs: []eligibility.CertificationRequirement{{Kind: "ENS", Level: eligibility.LevelMedia}},
			// 300,000 € over 24 months → annual 150,000 € → 1.5 × = 225,000 €; 50 % of annual = 75,000 €.
			econ: 225_000_00, technical: 75_000_00},
		{name: "lot id on a tender without lots", d: base, lot: "1", err: "invalid:lot_id"},
		{name: "lot required when the tender has lots", d: lotted, err: "invalid:lot_id"},
		{name: "unknown lot", d: lotted, lot: "7", err: "invalid:lot_id"},
		{name: "lot overrides CPVs and value, inherits requirements", d: lotted, lot: "1", caps: []string{"software-development", "cybersecurity"},
			cpvs: []string{"72212000"}, value: 120_000_00, max: 4, certs: []eligibility.CertificationRequirement{{Kind: "ENS", Level: eligibility.LevelMedia}},
			// 120,000 € over 24 months → annual 60,000 € → 90,000 €; 50 % → 30,000 €.
			econ: 90_000_00, technical: 30_000_00},
		{name: "lot with own requirements, tender CPVs and value", d: lotted, lot: "2", caps: []string{"cybersecurity"}, cpvs: []string{"72000000"}, value: 300_000_00, max: 2, accum: true,
			certs: []eligibility.CertificationRequirement{{Kind: "ENS", Level: eligibility.LevelAlta}, {Kind: "ISO27001"}},
			// explicit threshold; the lot's own technical defaults: 70 % of 150,000 €.
			econ: 50_000_00, technical: 105_000_00},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenderIn(t, domain.StatusActive, tc.d)
			req, err := tn.EligibilityRequirements(tc.lot)
			if tc.err != "" {
				wantErr(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(req.Capabilities, tc.caps) || !slices.Equal(req.Technical.CPVs, tc.cpvs) || req.EstimatedValueCents != tc.value ||
				req.MaxMembers != tc.max || req.Accumulation != tc.accum || !slices.Equal(req.Certifications, tc.certs) {
				t.Fatalf("requirements = %+v", req)
			}
			if req.DurationMonths != 24 || !req.Deadline.Equal(tc.d.Deadline) {
				t.Errorf("duration %d, deadline %v", req.DurationMonths, req.Deadline)
			}
			if got := req.EconomicThreshold(); got != tc.econ {
				t.Errorf("economic threshold = %d, want %d", got, tc.econ)
			}
			if got := req.TechnicalThreshold(); got != tc.technical {
				t.Errorf("technical threshold = %d, want %d", got, tc.technical)
			}
			if err := req.Validate(); err != nil {
				t.Errorf("requirements do not validate: %v", err)
			}
			// The result is a copy: changing it leaves the tender alone.
			if len(req.Capabilities) > 0 {
				req.Capabilities[0] = "changed"
				if again, _ := tn.EligibilityRequirements(tc.lot); again.Capabilities[0] == "changed" {
					t.Error("EligibilityRequirements aliases the tender's capabilities")
				}
			}
		})
	}
}

func TestEligibilityRequirementsBadLevel(t *testing.T) {
	d := details()
	d.Requirements.Certifications = []domain.CertificationRequirement{{Kind: "ENS", Level: "platinum"}}
	tn := tenderIn(t, domain.StatusActive, d) // as if stored before validation existed
	if _, err := tn.EligibilityRequirements(""); err == nil || !strings.Contains(err.Error(), "ENS") {
		t.Fatalf("err = %v, want one naming the certification", err)
	}
}

func TestStatusOpen(t *testing.T) {
	for _, s := range allStatuses {
		if want := s == domain.StatusPlanned || s == domain.StatusActive; s.Open() != want {
			t.Errorf("%v.Open() = %v", s, s.Open())
		}
	}
}
