package convert_test

import (
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/convert"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

var at = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func details() domain.Details {
	sme := false
	return domain.Details{
		Authority: domain.Authority{Name: "Gobierno de Cantabria", NIF: "S3933002B", DIR3: "A06002837"},
		Title:     "Plataforma", Description: "Desarrollo",
		Procedure: int(tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN_SIMPLIFIED), ContractType: int(tenderv1.ContractType_CONTRACT_TYPE_SERVICES),
		CPVs: []string{"72200000", "72212000"}, NUTS: []string{"ES130"},
		EstimatedCents: 300_000_00, BudgetNoVATCents: 250_000_00, BudgetWithVATCents: 302_500_00,
		DurationMonths: 24, Deadline: at.AddDate(0, 2, 0),
		Documents: []domain.Document{{Title: "Pliego", URL: "https://example.invalid/p.pdf"}},
		Lots: []domain.Lot{
			{ID: "1", Title: "Lote 1", CPVs: []string{"72212000"}, EstimatedCents: 100_000_00, BudgetNoVATCents: 90_000_00},
			{ID: "2", Title: "Lote 2", Requirements: domain.Requirements{
				Capabilities: []string{"cybersecurity"}, EconomicThresholdCents: 1, EconomicExempt: true,
				Technical:      domain.Technical{PrefixLen: 5, Percent: 50, RequiredCents: 7, Exempt: true},
				Certifications: []domain.CertificationRequirement{{Kind: "ENS", Level: "alta"}}, ForbidAccumulation: true, MaxMembers: 2,
			}, HasOwnRequirements: true},
		},
		Requirements: domain.Requirements{
			Capabilities: []string{"software-development"}, Technical: domain.Technical{PrefixLen: 3, Percent: 70},
			Certifications: []domain.CertificationRequirement{{Kind: "ENS", Level: "media"}, {Kind: "ISO9001"}}, MaxMembers: 4,
		},
		MaxLotsPerBidder: 1,
		Awards:           []domain.Award{{LotID: "1", WinnerName: "X", WinnerTaxID: "B1", SME: &sme, AmountCents: 5, Date: at, ConsortiumID: "c1", OffersReceived: 3}},
	}
}

// Every event survives the trip to the log and back (protobuf bytes included).
func TestEventRoundTrip(t *testing.T) {
	src := domain.Source{System: "placsp", SourceID: "id-1", URL: "https://example.invalid/1", SourceStatus: "PUB", Updated: at}
	members := []domain.Draft{{OrganizationID: "A", ShareBP: 6000, Lead: true, Covers: []string{"cloud"}, Certifies: []string{"ENS"}}, {OrganizationID: "B"}}
	events := []domain.Event{
		domain.TenderCreated{TenderID: "t1", ClusterID: "tera", Details: details(), Status: domain.StatusPlanned, Source: src, Demo: true},
		domain.TenderRevised{TenderID: "t1", Details: details(), Status: domain.StatusActive, Source: src},
		domain.TenderPublished{TenderID: "t1"},
		domain.TenderShared{TenderID: "t1", ClusterIDs: []string{"gira", "other"}},
		domain.TenderDeadlineChanged{TenderID: "t1", Previous: at, Deadline: at.Add(time.Hour), Reason: "errata"},
		domain.TenderAwarded{TenderID: "t1", Award: details().Awards[0]},
		domain.TenderCancelled{TenderID: "t1", Reason: "r"},
		domain.TenderClosedUnsuccessful{TenderID: "t1", Reason: "r"},
		domain.TenderBiddingClosed{TenderID: "t1", Deadline: at},
		domain.ConsortiumFormed{ConsortiumID: "c1", TenderID: "t1", LotID: "2", Name: "UTE", LeadID: "A", LeadJoined: true, Members: members, Demo: true},
		domain.ConsortiumMemberInvited{ConsortiumID: "c1", OrganizationID: "C"},
		domain.ConsortiumMemberJoined{ConsortiumID: "c1", OrganizationID: "C"},
		domain.ConsortiumInvitationDeclined{ConsortiumID: "c1", OrganizationID: "C", Reason: "busy"},
		domain.ConsortiumMemberWithdrew{ConsortiumID: "c1", OrganizationID: "C", Reason: "left"},
		domain.ConsortiumShareSet{ConsortiumID: "c1", OrganizationID: "A", ShareBP: 9950},
		domain.ConsortiumRolesAssigned{ConsortiumID: "c1", OrganizationID: "A", Covers: []string{"cloud"}, Certifies: []string{"ENS"}},
		domain.ConsortiumLeadChanged{ConsortiumID: "c1", OrganizationID: "B"},
		domain.ConsortiumSubmitted{ConsortiumID: "c1"},
		domain.ConsortiumAwarded{ConsortiumID: "c1"},
		domain.ConsortiumLost{ConsortiumID: "c1"},
		domain.ConsortiumDissolved{ConsortiumID: "c1", Reason: "r"},
	}
	for _, e := range events {
		msg, err := convert.Event(e)
		if err != nil {
			t.Fatalf("Event(%T): %v", e, err)
		}
		data, err := proto.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		back := msg.ProtoReflect().New().Interface()
		if err := proto.Unmarshal(data, back); err != nil {
			t.Fatal(err)
		}
		got, err := convert.EventFrom(back)
		if err != nil {
			t.Fatalf("EventFrom(%T): %v", back, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Errorf("%T did not round-trip:\n got %+v\nwant %+v", e, got, e)
		}
	}
	if _, err := convert.EventFrom(&tenderv1.Tender{}); err == nil {
		t.Error("EventFrom accepted a resource")
	}
}

func TestConsortiumIsReadyOnlyWhenFormingAndEligible(t *testing.T) {
	names := func(id string) string { return "Name " + id }
	c := domain.Consortium{ID: "c1", Members: []domain.Member{{OrganizationID: "A", Status: domain.MemberJoined, ShareBP: 10000, Lead: true, Invited: at}}, Version: 3}
	for _, tc := range []struct {
		status   domain.ConsortiumStatus
		eligible bool
		want     tenderv1.ConsortiumStatus
	}{
		{domain.BidForming, false, tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_FORMING},
		{domain.BidForming, true, tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_READY},
		{domain.BidSubmitted, true, tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_SUBMITTED},
		{domain.BidDissolved, true, tenderv1.ConsortiumStatus_CONSORTIUM_STATUS_DISSOLVED},
	} {
		c.Status = tc.status
		rep := eligibility.Report{Eligible: tc.eligible, Results: []eligibility.Result{{Rule: "shares", OK: tc.eligible, NeededValue: 10000, HaveValue: 10000}}}
		got := convert.Consortium(c, names, rep)
		if got.GetStatus() != tc.want || got.GetMembers()[0].GetLegalName() != "Name A" || got.GetMembers()[0].GetResponseTime() != nil || got.GetVersion() != 3 ||
			got.GetEligibility().GetEligible() != tc.eligible || got.GetEligibility().GetResults()[0].GetNeededValue() != 10000 {
			t.Errorf("%v/%v → %v", tc.status, tc.eligible, got)
		}
	}
}

func TestTenderResource(t *testing.T) {
	tn := domain.Tender{ID: "t1", ClusterID: "tera", SharedWith: []string{"gira"}, Details: details(), Status: domain.StatusActive,
		DeadlineChanges: []domain.DeadlineChange{{Previous: at, Deadline: at.Add(time.Hour), At: at, Reason: "errata"}}, Created: at, Updated: at, Version: 9}
	p := convert.Tender(tn)
	if p.GetStatus() != tenderv1.TenderStatus_TENDER_STATUS_ACTIVE || p.GetLots()[0].GetRequirements() != nil || p.GetLots()[1].GetRequirements().GetMaxMembers() != 2 ||
		p.GetDeadlineChanges()[0].GetReason() != "errata" || p.GetAwards()[0].GetConsortiumId() != "c1" || p.GetRequirements().GetTechnical().GetPercent() != 70 {
		t.Fatalf("Tender() = %v", p)
	}
	// Details from a request: a lot without requirements inherits the tender's.
	d := convert.DetailsFrom(convert.Details(tn.Details))
	if !reflect.DeepEqual(d, tn.Details) {
		t.Errorf("details did not round-trip:\n got %+v\nwant %+v", d, tn.Details)
	}
	if convert.TS(time.Time{}) != nil || !convert.Time(nil).IsZero() {
		t.Error("zero times are not nil timestamps")
	}
}
