// Package convert translates between the tender domain and its protobuf
// contracts (resources and events), for the grpc and events adapters alike.
package convert

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

// TS converts a time to a timestamp (nil for the zero time).
func TS(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// Time converts a timestamp (zero time for nil).
func Time(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

func mapSlice[T, U any](in []T, f func(T) U) []U {
	if len(in) == 0 {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// Requirements to proto.
func Requirements(r domain.Requirements) *tenderv1.Requirements {
	return &tenderv1.Requirements{
		Capabilities: r.Capabilities, EconomicThresholdCents: r.EconomicThresholdCents, EconomicExempt: r.EconomicExempt,
		Technical: &tenderv1.TechnicalSolvency{PrefixLength: int32(r.Technical.PrefixLen), Percent: int32(r.Technical.Percent), RequiredCents: r.Technical.RequiredCents, Exempt: r.Technical.Exempt},
		Certifications: mapSlice(r.Certifications, func(c domain.CertificationRequirement) *tenderv1.CertificationRequirement {
			return &tenderv1.CertificationRequirement{Kind: c.Kind, Level: c.Level}
		}),
		ForbidAccumulation: r.ForbidAccumulation, MaxMembers: int32(r.MaxMembers),
	}
}

// RequirementsFrom proto.
func RequirementsFrom(r *tenderv1.Requirements) domain.Requirements {
	t := r.GetTechnical()
	return domain.Requirements{
		Capabilities: r.GetCapabilities(), EconomicThresholdCents: r.GetEconomicThresholdCents(), EconomicExempt: r.GetEconomicExempt(),
		Technical: domain.Technical{PrefixLen: int(t.GetPrefixLength()), Percent: int(t.GetPercent()), RequiredCents: t.GetRequiredCents(), Exempt: t.GetExempt()},
		Certifications: mapSlice(r.GetCertifications(), func(c *tenderv1.CertificationRequirement) domain.CertificationRequirement {
			return domain.CertificationRequirement{Kind: c.GetKind(), Level: c.GetLevel()}
		}),
		ForbidAccumulation: r.GetForbidAccumulation(), MaxMembers: int(r.GetMaxMembers()),
	}
}

// Award to proto.
func Award(a domain.Award) *tenderv1.Award {
	return &tenderv1.Award{LotId: a.LotID, WinnerName: a.WinnerName, WinnerTaxId: a.WinnerTaxID, Sme: a.SME, AmountCents: a.AmountCents, AwardTime: TS(a.Date), ConsortiumId: a.ConsortiumID, OffersReceived: int32(a.OffersReceived)}
}

// AwardFrom proto.
func AwardFrom(a *tenderv1.Award) domain.Award {
	return domain.Award{LotID: a.GetLotId(), WinnerName: a.GetWinnerName(), WinnerTaxID: a.GetWinnerTaxId(), SME: a.Sme, AmountCents: a.GetAmountCents(), Date: Time(a.GetAwardTime()), ConsortiumID: a.GetConsortiumId(), OffersReceived: int(a.GetOffersReceived())}
}

// Lot to proto.
func Lot(l domain.Lot) *tenderv1.Lot {
	out := &tenderv1.Lot{Id: l.ID, Title: l.Title, CpvCodes: l.CPVs, EstimatedValueCents: l.EstimatedCents, BudgetWithoutVatCents: l.BudgetNoVATCents}
	if l.HasOwnRequirements {
		out.Requirements = Requirements(l.Requirements)
	}
	return out
}

// LotFrom proto.
func LotFrom(l *tenderv1.Lot) domain.Lot {
	return domain.Lot{ID: l.GetId(), Title: l.GetTitle(), CPVs: l.GetCpvCodes(), EstimatedCents: l.GetEstimatedValueCents(), BudgetNoVATCents: l.GetBudgetWithoutVatCents(),
		Requirements: RequirementsFrom(l.GetRequirements()), HasOwnRequirements: l.GetRequirements() != nil}
}

// Details to proto.
func Details(d domain.Details) *tenderv1.TenderDetails {
	return &tenderv1.TenderDetails{
		Authority: &tenderv1.Authority{Name: d.Authority.Name, Nif: d.Authority.NIF, Dir3: d.Authority.DIR3},
		Title:     d.Title, Description: d.Description,
		ProcedureType: tenderv1.ProcedureType(d.Procedure), ContractType: tenderv1.ContractType(d.ContractType),
		CpvCodes: d.CPVs, Nuts: d.NUTS,
		EstimatedValueCents: d.EstimatedCents, BudgetWithoutVatCents: d.BudgetNoVATCents, BudgetWithVatCents: d.BudgetWithVATCents,
		DurationMonths: int32(d.DurationMonths), SubmissionDeadline: TS(d.Deadline),
		Documents:    mapSlice(d.Documents, func(x domain.Document) *tenderv1.Document { return &tenderv1.Document{Title: x.Title, Url: x.URL} }),
		Lots:         mapSlice(d.Lots, Lot),
		Requirements: Requirements(d.Requirements), MaxLotsPerBidder: int32(d.MaxLotsPerBidder),
		Awards: mapSlice(d.Awards, Award),
	}
}

// DetailsFrom proto.
func DetailsFrom(d *tenderv1.TenderDetails) domain.Details {
	a := d.GetAuthority()
	return domain.Details{
		Authority: domain.Authority{Name: a.GetName(), NIF: a.GetNif(), DIR3: a.GetDir3()},
		Title:     d.GetTitle(), Description: d.GetDescription(),
		Procedure: int(d.GetProcedureType()), ContractType: int(d.GetContractType()),
		CPVs: d.GetCpvCodes(), NUTS: d.GetNuts(),
		EstimatedCents: d.GetEstimatedValueCents(), BudgetNoVATCents: d.GetBudgetWithoutVatCents(), BudgetWithVATCents: d.GetBudgetWithVatCents(),
		DurationMonths: int(d.GetDurationMonths()), Deadline: Time(d.GetSubmissionDeadline()),
		Documents: mapSlice(d.GetDocuments(), func(x *tenderv1.Document) domain.Document {
			return domain.Document{Title: x.GetTitle(), URL: x.GetUrl()}
		}),
		Lots:         mapSlice(d.GetLots(), LotFrom),
		Requirements: RequirementsFrom(d.GetRequirements()), MaxLotsPerBidder: int(d.GetMaxLotsPerBidder()),
		Awards: mapSlice(d.GetAwards(), AwardFrom),
	}
}

// Source to proto.
func Source(s domain.Source) *tenderv1.Source {
	return &tenderv1.Source{System: s.System, SourceId: s.SourceID, Url: s.URL, UpdateTime: TS(s.Updated), SourceStatus: s.SourceStatus}
}

// SourceFrom proto.
func SourceFrom(s *tenderv1.Source) domain.Source {
	return domain.Source{System: s.GetSystem(), SourceID: s.GetSourceId(), URL: s.GetUrl(), Updated: Time(s.GetUpdateTime()), SourceStatus: s.GetSourceStatus()}
}

// Tender to proto.
func Tender(t domain.Tender) *tenderv1.Tender {
	d := Details(t.Details)
	return &tenderv1.Tender{
		Id: t.ID, ClusterId: t.ClusterID, SharedWith: t.SharedWith,
		Authority: d.Authority, Title: d.Title, Description: d.Description, ProcedureType: d.ProcedureType, ContractType: d.ContractType,
		CpvCodes: d.CpvCodes, Nuts: d.Nuts, EstimatedValueCents: d.EstimatedValueCents, BudgetWithoutVatCents: d.BudgetWithoutVatCents,
		BudgetWithVatCents: d.BudgetWithVatCents, DurationMonths: d.DurationMonths, SubmissionDeadline: d.SubmissionDeadline,
		Documents: d.Documents, Lots: d.Lots, Requirements: d.Requirements, MaxLotsPerBidder: d.MaxLotsPerBidder,
		Status: tenderv1.TenderStatus(t.Status),
		DeadlineChanges: mapSlice(t.DeadlineChanges, func(c domain.DeadlineChange) *tenderv1.DeadlineChange {
			return &tenderv1.DeadlineChange{Previous: TS(c.Previous), Deadline: TS(c.Deadline), Reason: c.Reason, ChangeTime: TS(c.At)}
		}),
		Source: Source(t.Source), Awards: d.Awards, Demo: t.Demo, CloseReason: t.CloseReason,
		CreateTime: TS(t.Created), UpdateTime: TS(t.Updated), Version: t.Version,
	}
}

// Draft to proto.
func Draft(d domain.Draft) *tenderv1.DraftMember {
	return &tenderv1.DraftMember{OrganizationId: d.OrganizationID, ShareBp: int32(d.ShareBP), Lead: d.Lead, Covers: d.Covers, Certifies: d.Certifies}
}

// DraftFrom proto.
func DraftFrom(d *tenderv1.DraftMember) domain.Draft {
	return domain.Draft{OrganizationID: d.GetOrganizationId(), ShareBP: int(d.GetShareBp()), Lead: d.GetLead(), Covers: d.GetCovers(), Certifies: d.GetCertifies()}
}

// Report to proto.
func Report(r eligibility.Report) *tenderv1.EligibilityReport {
	return &tenderv1.EligibilityReport{Eligible: r.Eligible, Results: mapSlice(r.Results, func(x eligibility.Result) *tenderv1.RuleResult {
		return &tenderv1.RuleResult{Rule: x.Rule, Ok: x.OK, Subject: x.Subject, OrganizationId: x.Member, Needed: x.Needed, Have: x.Have, NeededValue: x.NeededValue, HaveValue: x.HaveValue, Detail: x.Detail,
			NeededMessage: Message(x.NeededMsg), HaveMessage: Message(x.HaveMsg), DetailMessage: Message(x.DetailMsg)}
	})}
}

// Consortium to proto; names maps organisation ids to legal names, report is
// the current eligibility of the joined members (with shares). READY means
// it can be submitted: eligible and no invitation pending.
func Consortium(c domain.Consortium, names func(string) string, report eligibility.Report) *tenderv1.Consortium {
	status := c.Status
	if status == domain.BidForming && report.Eligible && len(c.Pending()) == 0 {
		status = domain.BidReady
	}
	return &tenderv1.Consortium{
		Id: c.ID, TenderId: c.TenderID, LotId: c.LotID, Name: c.Name,
		Members: mapSlice(c.Members, func(m domain.Member) *tenderv1.ConsortiumMember {
			return &tenderv1.ConsortiumMember{OrganizationId: m.OrganizationID, LegalName: names(m.OrganizationID), Status: tenderv1.MemberStatus(m.Status),
				ShareBp: int32(m.ShareBP), Lead: m.Lead, Covers: m.Covers, Certifies: m.Certifies, InviteTime: TS(m.Invited), ResponseTime: TS(m.Responded)}
		}),
		Status: tenderv1.ConsortiumStatus(status), Eligibility: Report(report), Demo: c.Demo,
		CreateTime: TS(c.Created), UpdateTime: TS(c.Updated), Version: c.Version,
	}
}

// Event turns a domain event into its protobuf message for the log.
func Event(e domain.Event) (proto.Message, error) {
	switch e := e.(type) {
	case domain.TenderCreated:
		return &tenderv1.TenderCreated{TenderId: e.TenderID, ClusterId: e.ClusterID, Details: Details(e.Details), Status: tenderv1.TenderStatus(e.Status), Source: Source(e.Source), Demo: e.Demo}, nil
	case domain.TenderRevised:
		return &tenderv1.TenderRevised{TenderId: e.TenderID, Details: Details(e.Details), Status: tenderv1.TenderStatus(e.Status), Source: Source(e.Source)}, nil
	case domain.TenderPublished:
		return &tenderv1.TenderPublished{TenderId: e.TenderID}, nil
	case domain.TenderShared:
		return &tenderv1.TenderShared{TenderId: e.TenderID, ClusterIds: e.ClusterIDs}, nil
	case domain.TenderDeadlineChanged:
		return &tenderv1.TenderDeadlineChanged{TenderId: e.TenderID, Previous: TS(e.Previous), Deadline: TS(e.Deadline), Reason: e.Reason}, nil
	case domain.TenderBiddingClosed:
		return &tenderv1.TenderBiddingClosed{TenderId: e.TenderID, Deadline: TS(e.Deadline)}, nil
	case domain.TenderAwarded:
		return &tenderv1.TenderAwarded{TenderId: e.TenderID, Award: Award(e.Award)}, nil
	case domain.TenderCancelled:
		return &tenderv1.TenderCancelled{TenderId: e.TenderID, Reason: e.Reason}, nil
	case domain.TenderClosedUnsuccessful:
		return &tenderv1.TenderClosedUnsuccessful{TenderId: e.TenderID, Reason: e.Reason}, nil
	case domain.ConsortiumFormed:
		return &tenderv1.ConsortiumFormed{ConsortiumId: e.ConsortiumID, TenderId: e.TenderID, LotId: e.LotID, Name: e.Name, LeadOrganizationId: e.LeadID, LeadJoined: e.LeadJoined, Demo: e.Demo, Members: mapSlice(e.Members, Draft)}, nil
	case domain.ConsortiumMemberInvited:
		return &tenderv1.ConsortiumMemberInvited{ConsortiumId: e.ConsortiumID, OrganizationId: e.OrganizationID}, nil
	case domain.ConsortiumMemberJoined:
		return &tenderv1.ConsortiumMemberJoined{ConsortiumId: e.ConsortiumID, OrganizationId: e.OrganizationID}, nil
	case domain.ConsortiumInvitationDeclined:
		return &tenderv1.ConsortiumInvitationDeclined{ConsortiumId: e.ConsortiumID, OrganizationId: e.OrganizationID, Reason: e.Reason}, nil
	case domain.ConsortiumMemberWithdrew:
		return &tenderv1.ConsortiumMemberWithdrew{ConsortiumId: e.ConsortiumID, OrganizationId: e.OrganizationID, Reason: e.Reason}, nil
	case domain.ConsortiumShareSet:
		return &tenderv1.ConsortiumShareSet{ConsortiumId: e.ConsortiumID, OrganizationId: e.OrganizationID, ShareBp: int32(e.ShareBP)}, nil
	case domain.ConsortiumRolesAssigned:
		return &tenderv1.ConsortiumRolesAssigned{ConsortiumId: e.ConsortiumID, OrganizationId: e.OrganizationID, Covers: e.Covers, Certifies: e.Certifies}, nil
	case domain.ConsortiumLeadChanged:
		return &tenderv1.ConsortiumLeadChanged{ConsortiumId: e.ConsortiumID, OrganizationId: e.OrganizationID}, nil
	case domain.ConsortiumSubmitted:
		return &tenderv1.ConsortiumSubmitted{ConsortiumId: e.ConsortiumID}, nil
	case domain.ConsortiumAwarded:
		return &tenderv1.ConsortiumAwarded{ConsortiumId: e.ConsortiumID}, nil
	case domain.ConsortiumLost:
		return &tenderv1.ConsortiumLost{ConsortiumId: e.ConsortiumID}, nil
	case domain.ConsortiumDissolved:
		return &tenderv1.ConsortiumDissolved{ConsortiumId: e.ConsortiumID, Reason: e.Reason}, nil
	case domain.ConsortiumSeatTaken:
		return &tenderv1.ConsortiumSeatTaken{TenderId: e.TenderID, LotId: e.LotID, OrganizationId: e.OrganizationID, ConsortiumId: e.ConsortiumID}, nil
	}
	return nil, fmt.Errorf("convert: unknown tender event %T", e)
}

// EventFrom turns a protobuf event from the log into a domain event.
func EventFrom(m proto.Message) (domain.Event, error) {
	switch e := m.(type) {
	case *tenderv1.TenderCreated:
		return domain.TenderCreated{TenderID: e.GetTenderId(), ClusterID: e.GetClusterId(), Details: DetailsFrom(e.GetDetails()), Status: domain.Status(e.GetStatus()), Source: SourceFrom(e.GetSource()), Demo: e.GetDemo()}, nil
	case *tenderv1.TenderRevised:
		return domain.TenderRevised{TenderID: e.GetTenderId(), Details: DetailsFrom(e.GetDetails()), Status: domain.Status(e.GetStatus()), Source: SourceFrom(e.GetSource())}, nil
	case *tenderv1.TenderPublished:
		return domain.TenderPublished{TenderID: e.GetTenderId()}, nil
	case *tenderv1.TenderShared:
		return domain.TenderShared{TenderID: e.GetTenderId(), ClusterIDs: e.GetClusterIds()}, nil
	case *tenderv1.TenderDeadlineChanged:
		return domain.TenderDeadlineChanged{TenderID: e.GetTenderId(), Previous: Time(e.GetPrevious()), Deadline: Time(e.GetDeadline()), Reason: e.GetReason()}, nil
	case *tenderv1.TenderBiddingClosed:
		return domain.TenderBiddingClosed{TenderID: e.GetTenderId(), Deadline: Time(e.GetDeadline())}, nil
	case *tenderv1.TenderAwarded:
		return domain.TenderAwarded{TenderID: e.GetTenderId(), Award: AwardFrom(e.GetAward())}, nil
	case *tenderv1.TenderCancelled:
		return domain.TenderCancelled{TenderID: e.GetTenderId(), Reason: e.GetReason()}, nil
	case *tenderv1.TenderClosedUnsuccessful:
		return domain.TenderClosedUnsuccessful{TenderID: e.GetTenderId(), Reason: e.GetReason()}, nil
	case *tenderv1.ConsortiumFormed:
		return domain.ConsortiumFormed{ConsortiumID: e.GetConsortiumId(), TenderID: e.GetTenderId(), LotID: e.GetLotId(), Name: e.GetName(), LeadID: e.GetLeadOrganizationId(), LeadJoined: e.GetLeadJoined(), Demo: e.GetDemo(), Members: mapSlice(e.GetMembers(), DraftFrom)}, nil
	case *tenderv1.ConsortiumMemberInvited:
		return domain.ConsortiumMemberInvited{ConsortiumID: e.GetConsortiumId(), OrganizationID: e.GetOrganizationId()}, nil
	case *tenderv1.ConsortiumMemberJoined:
		return domain.ConsortiumMemberJoined{ConsortiumID: e.GetConsortiumId(), OrganizationID: e.GetOrganizationId()}, nil
	case *tenderv1.ConsortiumInvitationDeclined:
		return domain.ConsortiumInvitationDeclined{ConsortiumID: e.GetConsortiumId(), OrganizationID: e.GetOrganizationId(), Reason: e.GetReason()}, nil
	case *tenderv1.ConsortiumMemberWithdrew:
		return domain.ConsortiumMemberWithdrew{ConsortiumID: e.GetConsortiumId(), OrganizationID: e.GetOrganizationId(), Reason: e.GetReason()}, nil
	case *tenderv1.ConsortiumShareSet:
		return domain.ConsortiumShareSet{ConsortiumID: e.GetConsortiumId(), OrganizationID: e.GetOrganizationId(), ShareBP: int(e.GetShareBp())}, nil
	case *tenderv1.ConsortiumRolesAssigned:
		return domain.ConsortiumRolesAssigned{ConsortiumID: e.GetConsortiumId(), OrganizationID: e.GetOrganizationId(), Covers: e.GetCovers(), Certifies: e.GetCertifies()}, nil
	case *tenderv1.ConsortiumLeadChanged:
		return domain.ConsortiumLeadChanged{ConsortiumID: e.GetConsortiumId(), OrganizationID: e.GetOrganizationId()}, nil
	case *tenderv1.ConsortiumSubmitted:
		return domain.ConsortiumSubmitted{ConsortiumID: e.GetConsortiumId()}, nil
	case *tenderv1.ConsortiumAwarded:
		return domain.ConsortiumAwarded{ConsortiumID: e.GetConsortiumId()}, nil
	case *tenderv1.ConsortiumLost:
		return domain.ConsortiumLost{ConsortiumID: e.GetConsortiumId()}, nil
	case *tenderv1.ConsortiumDissolved:
		return domain.ConsortiumDissolved{ConsortiumID: e.GetConsortiumId(), Reason: e.GetReason()}, nil
	case *tenderv1.ConsortiumSeatTaken:
		return domain.ConsortiumSeatTaken{TenderID: e.GetTenderId(), LotID: e.GetLotId(), OrganizationID: e.GetOrganizationId(), ConsortiumID: e.GetConsortiumId()}, nil
	}
	return nil, fmt.Errorf("convert: unknown tender event %T", m)
}
