package mongo

import (
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// The stored shapes: bson tags live here only, the domain types have none.
// Every field a query filters or sorts on is top-level (computed from the
// domain value with the store package's reference functions); the domain value
// itself is a nested document converted field by field, nil lists kept nil.

type checkpointDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"`
}

// tenderDoc is a tender with its query fields.
type tenderDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"` // TENDER stream sequence of the event that wrote it

	SortKey        string     `bson:"sort_key"` // store.TenderKey: deadline (unknown last), id
	Status         int        `bson:"status"`
	CPVs           []string   `bson:"cpvs"`     // the tender's and its lots' codes
	Clusters       []string   `bson:"clusters"` // owner and shared with
	Deadline       *time.Time `bson:"deadline,omitempty"`
	TitleLower     string     `bson:"title_lower"`
	AuthorityLower string     `bson:"authority_lower"`
	SourceSystem   string     `bson:"source_system"`
	SourceID       string     `bson:"source_id"`
	Awards         []awardRow `bson:"awards"` // store.AwardRecords, for ListAwards

	Tender tenderBody `bson:"tender"`
}

// awardRow is one award of the tender (kept only here, not in the nested
// tender too) with what the award history queries and shows: ListAwards
// unwinds these, and a row carries its tender's context because FerretDB's
// $unwind keeps only _id and the unwound field.
type awardRow struct {
	SourceID       string    `bson:"source_id"`
	Title          string    `bson:"title"`
	Buyer          string    `bson:"buyer"`
	Position       int       `bson:"position"`
	LotID          string    `bson:"lot_id"`
	WinnerName     string    `bson:"winner_name"`
	WinnerTaxID    string    `bson:"winner_tax_id"`
	WinnerTaxFold  string    `bson:"winner_tax_fold"` // upper case: tax ids match case-insensitively
	SME            *bool     `bson:"sme"`
	AmountCents    int64     `bson:"amount_cents"`
	Date           time.Time `bson:"date"`
	ConsortiumID   string    `bson:"consortium_id"`
	OffersReceived int       `bson:"offers_received"`
	CPVs           []string  `bson:"cpvs"` // the lot's codes, else the tender's
	CPVGroups      []string  `bson:"cpv_groups"`
}

func foldTaxID(s string) string { return strings.ToUpper(s) }

type tenderBody struct {
	ClusterID       string              `bson:"cluster_id"`
	SharedWith      []string            `bson:"shared_with"`
	Details         detailsDoc          `bson:"details"`
	Status          int                 `bson:"status"`
	DeadlineChanges []deadlineChangeDoc `bson:"deadline_changes"`
	Source          sourceDoc           `bson:"source"`
	Demo            bool                `bson:"demo"`
	CloseReason     string              `bson:"close_reason"`
	Created         time.Time           `bson:"created"`
	Updated         time.Time           `bson:"updated"`
	Version         int64               `bson:"version"`
}

type detailsDoc struct {
	AuthorityName      string          `bson:"authority_name"`
	AuthorityNIF       string          `bson:"authority_nif"`
	AuthorityDIR3      string          `bson:"authority_dir3"`
	Title              string          `bson:"title"`
	Description        string          `bson:"description"`
	Procedure          int             `bson:"procedure"`
	ContractType       int             `bson:"contract_type"`
	CPVs               []string        `bson:"cpvs"`
	NUTS               []string        `bson:"nuts"`
	EstimatedCents     int64           `bson:"estimated_cents"`
	BudgetNoVATCents   int64           `bson:"budget_no_vat_cents"`
	BudgetWithVATCents int64           `bson:"budget_with_vat_cents"`
	DurationMonths     int             `bson:"duration_months"`
	Deadline           time.Time       `bson:"deadline"`
	Documents          []documentDoc   `bson:"documents"`
	Lots               []lotDoc        `bson:"lots"`
	Requirements       requirementsDoc `bson:"requirements"`
	MaxLotsPerBidder   int             `bson:"max_lots_per_bidder"`
	// The awards are the tender document's top-level award rows.
}

type documentDoc struct {
	Title string `bson:"title"`
	URL   string `bson:"url"`
}

type lotDoc struct {
	ID                 string          `bson:"id"`
	Title              string          `bson:"title"`
	CPVs               []string        `bson:"cpvs"`
	EstimatedCents     int64           `bson:"estimated_cents"`
	BudgetNoVATCents   int64           `bson:"budget_no_vat_cents"`
	Requirements       requirementsDoc `bson:"requirements"`
	HasOwnRequirements bool            `bson:"has_own_requirements"`
}

type requirementsDoc struct {
	Capabilities           []string             `bson:"capabilities"`
	EconomicThresholdCents int64                `bson:"economic_threshold_cents"`
	EconomicExempt         bool                 `bson:"economic_exempt"`
	TechnicalPrefixLen     int                  `bson:"technical_prefix_len"`
	TechnicalPercent       int                  `bson:"technical_percent"`
	TechnicalRequiredCents int64                `bson:"technical_required_cents"`
	TechnicalExempt        bool                 `bson:"technical_exempt"`
	Certifications         []certRequirementDoc `bson:"certifications"`
	ForbidAccumulation     bool                 `bson:"forbid_accumulation"`
	MaxMembers             int                  `bson:"max_members"`
}

type certRequirementDoc struct {
	Kind  string `bson:"kind"`
	Level string `bson:"level"`
}

type sourceDoc struct {
	System       string    `bson:"system"`
	SourceID     string    `bson:"source_id"`
	URL          string    `bson:"url"`
	SourceStatus string    `bson:"source_status"`
	Updated      time.Time `bson:"updated"`
}

type deadlineChangeDoc struct {
	Previous time.Time `bson:"previous"`
	Deadline time.Time `bson:"deadline"`
	At       time.Time `bson:"at"`
	Reason   string    `bson:"reason"`
}

// consortiumDoc is a consortium with its query fields.
type consortiumDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"`

	TenderID  string    `bson:"tender_id"`
	LotID     string    `bson:"lot_id"`
	MemberIDs []string  `bson:"member_ids"` // every member, any status
	Status    int       `bson:"status"`
	Created   time.Time `bson:"created"`

	Name           string      `bson:"name"`
	Members        []memberDoc `bson:"members"`
	DissolveReason string      `bson:"dissolve_reason"`
	Demo           bool        `bson:"demo"`
	Updated        time.Time   `bson:"updated"`
	Version        int64       `bson:"version"`
}

type memberDoc struct {
	OrganizationID string    `bson:"organization_id"`
	Status         int       `bson:"status"`
	ShareBP        int       `bson:"share_bp"`
	Lead           bool      `bson:"lead"`
	Covers         []string  `bson:"covers"`
	Certifies      []string  `bson:"certifies"`
	Invited        time.Time `bson:"invited"`
	Responded      time.Time `bson:"responded"`
}

// companyDoc is a company of the member index (MEMBER stream).
type companyDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"` // MEMBER stream sequence

	ActiveIn     []string `bson:"active_in"`      // the domain value, nil kept
	ActiveInList []string `bson:"active_in_list"` // the same, never null (queried)

	LegalName      string           `bson:"legal_name"`
	TaxID          string           `bson:"tax_id"`
	Capabilities   []string         `bson:"capabilities"`
	CPVInterests   []string         `bson:"cpv_interests"`
	Certifications []companyCertDoc `bson:"certifications"`
	Turnover       []yearAmountDoc  `bson:"turnover"`
	References     []referenceDoc   `bson:"references"`
	ReferenceIDs   []string         `bson:"reference_ids"`
	Demo           bool             `bson:"demo"`
	Version        int64            `bson:"version"`
}

type companyCertDoc struct {
	ID      string    `bson:"id"`
	Kind    string    `bson:"kind"`
	Level   int       `bson:"level"`
	Issued  time.Time `bson:"issued"`
	Expires time.Time `bson:"expires"`
}

type yearAmountDoc struct {
	Year  int   `bson:"year"`
	Cents int64 `bson:"cents"`
}

type referenceDoc struct {
	CPV   string `bson:"cpv"`
	Cents int64  `bson:"cents"`
	Year  int    `bson:"year"`
	Buyer string `bson:"buyer"`
}

// mapSlice converts every element; nil stays nil (and empty stays empty).
func mapSlice[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, a := range in {
		out[i] = f(a)
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func toTenderDoc(t domain.Tender, seq uint64) tenderDoc {
	d := t.Details
	cpvs := append([]string{}, d.CPVs...)
	for _, l := range d.Lots {
		cpvs = append(cpvs, l.CPVs...)
	}
	var deadline *time.Time
	if !d.Deadline.IsZero() {
		dl := d.Deadline
		deadline = &dl
	}
	var awards []awardRow // nil stays nil
	if d.Awards != nil {
		awards = []awardRow{}
	}
	for _, r := range store.AwardRecords(t) {
		var groups []string
		for _, c := range r.CPVs {
			if g := store.CPVGroup(c); g != "" {
				groups = append(groups, g)
			}
		}
		a := r.Award
		awards = append(awards, awardRow{SourceID: r.SourceID, Title: r.Title, Buyer: r.Buyer, Position: r.Position, LotID: a.LotID, WinnerName: a.WinnerName, WinnerTaxID: a.WinnerTaxID,
			WinnerTaxFold: foldTaxID(a.WinnerTaxID), SME: a.SME, AmountCents: a.AmountCents, Date: a.Date,
			ConsortiumID: a.ConsortiumID, OffersReceived: a.OffersReceived, CPVs: r.CPVs, CPVGroups: groups})
	}
	return tenderDoc{
		ID: t.ID, Seq: int64(seq),
		SortKey: store.TenderKey(t), Status: int(t.Status), CPVs: cpvs, Clusters: t.Clusters(), Deadline: deadline,
		TitleLower: strings.ToLower(d.Title), AuthorityLower: strings.ToLower(d.Authority.Name),
		SourceSystem: t.Source.System, SourceID: t.Source.SourceID, Awards: awards,
		Tender: tenderBody{
			ClusterID: t.ClusterID, SharedWith: t.SharedWith, Details: toDetailsDoc(d), Status: int(t.Status),
			DeadlineChanges: mapSlice(t.DeadlineChanges, func(c domain.DeadlineChange) deadlineChangeDoc {
				return deadlineChangeDoc{Previous: c.Previous, Deadline: c.Deadline, At: c.At, Reason: c.Reason}
			}),
			Source: sourceDoc{System: t.Source.System, SourceID: t.Source.SourceID, URL: t.Source.URL,
				SourceStatus: t.Source.SourceStatus, Updated: t.Source.Updated},
			Demo: t.Demo, CloseReason: t.CloseReason, Created: t.Created, Updated: t.Updated, Version: int64(t.Version),
		},
	}
}

func (doc tenderDoc) domain() domain.Tender {
	b := doc.Tender
	details := b.Details.domain()
	details.Awards = mapSlice(doc.Awards, awardRow.domain)
	return domain.Tender{
		ID: doc.ID, ClusterID: b.ClusterID, SharedWith: b.SharedWith, Details: details, Status: domain.Status(b.Status),
		DeadlineChanges: mapSlice(b.DeadlineChanges, func(c deadlineChangeDoc) domain.DeadlineChange {
			return domain.DeadlineChange{Previous: c.Previous, Deadline: c.Deadline, At: c.At, Reason: c.Reason}
		}),
		Source: domain.Source{System: b.Source.System, SourceID: b.Source.SourceID, URL: b.Source.URL,
			SourceStatus: b.Source.SourceStatus, Updated: b.Source.Updated},
		Demo: b.Demo, CloseReason: b.CloseReason, Created: b.Created, Updated: b.Updated, Version: uint64(b.Version),
	}
}

func toDetailsDoc(d domain.Details) detailsDoc {
	return detailsDoc{
		AuthorityName: d.Authority.Name, AuthorityNIF: d.Authority.NIF, AuthorityDIR3: d.Authority.DIR3,
		Title: d.Title, Description: d.Description, Procedure: d.Procedure, ContractType: d.ContractType,
		CPVs: d.CPVs, NUTS: d.NUTS,
		EstimatedCents: d.EstimatedCents, BudgetNoVATCents: d.BudgetNoVATCents, BudgetWithVATCents: d.BudgetWithVATCents,
		DurationMonths: d.DurationMonths, Deadline: d.Deadline,
		Documents: mapSlice(d.Documents, func(x domain.Document) documentDoc { return documentDoc{Title: x.Title, URL: x.URL} }),
		Lots: mapSlice(d.Lots, func(l domain.Lot) lotDoc {
			return lotDoc{ID: l.ID, Title: l.Title, CPVs: l.CPVs, EstimatedCents: l.EstimatedCents, BudgetNoVATCents: l.BudgetNoVATCents,
				Requirements: toRequirementsDoc(l.Requirements), HasOwnRequirements: l.HasOwnRequirements}
		}),
		Requirements:     toRequirementsDoc(d.Requirements),
		MaxLotsPerBidder: d.MaxLotsPerBidder,
	}
}

func (d detailsDoc) domain() domain.Details {
	return domain.Details{
		Authority: domain.Authority{Name: d.AuthorityName, NIF: d.AuthorityNIF, DIR3: d.AuthorityDIR3},
		Title:     d.Title, Description: d.Description, Procedure: d.Procedure, ContractType: d.ContractType,
		CPVs: d.CPVs, NUTS: d.NUTS,
		EstimatedCents: d.EstimatedCents, BudgetNoVATCents: d.BudgetNoVATCents, BudgetWithVATCents: d.BudgetWithVATCents,
		DurationMonths: d.DurationMonths, Deadline: d.Deadline,
		Documents: mapSlice(d.Documents, func(x documentDoc) domain.Document { return domain.Document{Title: x.Title, URL: x.URL} }),
		Lots: mapSlice(d.Lots, func(l lotDoc) domain.Lot {
			return domain.Lot{ID: l.ID, Title: l.Title, CPVs: l.CPVs, EstimatedCents: l.EstimatedCents, BudgetNoVATCents: l.BudgetNoVATCents,
				Requirements: l.Requirements.domain(), HasOwnRequirements: l.HasOwnRequirements}
		}),
		Requirements:     d.Requirements.domain(),
		MaxLotsPerBidder: d.MaxLotsPerBidder,
	}
}

func (a awardRow) domain() domain.Award {
	return domain.Award{LotID: a.LotID, WinnerName: a.WinnerName, WinnerTaxID: a.WinnerTaxID, SME: a.SME, AmountCents: a.AmountCents,
		Date: a.Date, ConsortiumID: a.ConsortiumID, OffersReceived: a.OffersReceived}
}

func toRequirementsDoc(r domain.Requirements) requirementsDoc {
	return requirementsDoc{
		Capabilities: r.Capabilities, EconomicThresholdCents: r.EconomicThresholdCents, EconomicExempt: r.EconomicExempt,
		TechnicalPrefixLen: r.Technical.PrefixLen, TechnicalPercent: r.Technical.Percent,
		TechnicalRequiredCents: r.Technical.RequiredCents, TechnicalExempt: r.Technical.Exempt,
		Certifications: mapSlice(r.Certifications, func(c domain.CertificationRequirement) certRequirementDoc {
			return certRequirementDoc{Kind: c.Kind, Level: c.Level}
		}),
		ForbidAccumulation: r.ForbidAccumulation, MaxMembers: r.MaxMembers,
	}
}

func (r requirementsDoc) domain() domain.Requirements {
	return domain.Requirements{
		Capabilities: r.Capabilities, EconomicThresholdCents: r.EconomicThresholdCents, EconomicExempt: r.EconomicExempt,
		Technical: domain.Technical{PrefixLen: r.TechnicalPrefixLen, Percent: r.TechnicalPercent,
			RequiredCents: r.TechnicalRequiredCents, Exempt: r.TechnicalExempt},
		Certifications: mapSlice(r.Certifications, func(c certRequirementDoc) domain.CertificationRequirement {
			return domain.CertificationRequirement{Kind: c.Kind, Level: c.Level}
		}),
		ForbidAccumulation: r.ForbidAccumulation, MaxMembers: r.MaxMembers,
	}
}

func toConsortiumDoc(c domain.Consortium, seq uint64) consortiumDoc {
	ids := make([]string, 0, len(c.Members))
	for _, m := range c.Members {
		ids = append(ids, m.OrganizationID)
	}
	return consortiumDoc{
		ID: c.ID, Seq: int64(seq),
		TenderID: c.TenderID, LotID: c.LotID, MemberIDs: ids, Status: int(c.Status), Created: c.Created,
		Name: c.Name,
		Members: mapSlice(c.Members, func(m domain.Member) memberDoc {
			return memberDoc{OrganizationID: m.OrganizationID, Status: int(m.Status), ShareBP: m.ShareBP, Lead: m.Lead,
				Covers: m.Covers, Certifies: m.Certifies, Invited: m.Invited, Responded: m.Responded}
		}),
		DissolveReason: c.DissolveReason, Demo: c.Demo, Updated: c.Updated, Version: int64(c.Version),
	}
}

func (d consortiumDoc) domain() domain.Consortium {
	return domain.Consortium{
		ID: d.ID, TenderID: d.TenderID, LotID: d.LotID, Name: d.Name,
		Members: mapSlice(d.Members, func(m memberDoc) domain.Member {
			return domain.Member{OrganizationID: m.OrganizationID, Status: domain.MemberStatus(m.Status), ShareBP: m.ShareBP, Lead: m.Lead,
				Covers: m.Covers, Certifies: m.Certifies, Invited: m.Invited, Responded: m.Responded}
		}),
		Status: domain.ConsortiumStatus(d.Status), DissolveReason: d.DissolveReason, Demo: d.Demo,
		Created: d.Created, Updated: d.Updated, Version: uint64(d.Version),
	}
}

func toCompanyDoc(c domain.Company, seq uint64) companyDoc {
	return companyDoc{
		ID: c.ID, Seq: int64(seq),
		ActiveIn: c.ActiveIn, ActiveInList: orEmpty(c.ActiveIn),
		LegalName: c.LegalName, TaxID: c.TaxID, Capabilities: c.Capabilities, CPVInterests: c.CPVInterests,
		Certifications: mapSlice(c.Certifications, func(x domain.CompanyCertification) companyCertDoc {
			return companyCertDoc{ID: x.ID, Kind: x.Kind, Level: int(x.Level), Issued: x.Issued, Expires: x.Expires}
		}),
		Turnover: mapSlice(c.Turnover, func(y eligibility.YearAmount) yearAmountDoc { return yearAmountDoc{Year: y.Year, Cents: y.Cents} }),
		References: mapSlice(c.References, func(r eligibility.Reference) referenceDoc {
			return referenceDoc{CPV: r.CPV, Cents: r.Cents, Year: r.Year, Buyer: r.Buyer}
		}),
		ReferenceIDs: c.ReferenceIDs, Demo: c.Demo, Version: int64(c.Version),
	}
}

func (d companyDoc) domain() domain.Company {
	return domain.Company{
		ID: d.ID, LegalName: d.LegalName, TaxID: d.TaxID, ActiveIn: d.ActiveIn,
		Capabilities: d.Capabilities, CPVInterests: d.CPVInterests,
		Certifications: mapSlice(d.Certifications, func(x companyCertDoc) domain.CompanyCertification {
			return domain.CompanyCertification{ID: x.ID, Certification: eligibility.Certification{
				Kind: x.Kind, Level: eligibility.Level(x.Level), Issued: x.Issued, Expires: x.Expires}}
		}),
		Turnover: mapSlice(d.Turnover, func(y yearAmountDoc) eligibility.YearAmount {
			return eligibility.YearAmount{Year: y.Year, Cents: y.Cents}
		}),
		References: mapSlice(d.References, func(r referenceDoc) eligibility.Reference {
			return eligibility.Reference{CPV: r.CPV, Cents: r.Cents, Year: r.Year, Buyer: r.Buyer}
		}),
		ReferenceIDs: d.ReferenceIDs, Demo: d.Demo, Version: uint64(d.Version),
	}
}
