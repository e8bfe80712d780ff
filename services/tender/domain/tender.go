// Package domain holds the tender service's rules: the Tender and Consortium
// aggregates folded from events, their commands and validation. Eligibility (the
// UTE solvency rules) lives in domain/eligibility. No I/O here.
package domain

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/vocab"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

// Status is the tender status (OCDS).
type Status int

// Tender statuses.
const (
	StatusUnspecified Status = iota
	StatusPlanned
	StatusActive
	StatusComplete
	StatusCancelled
	StatusUnsuccessful
	// StatusEvaluation: the submission deadline has passed, bidding is closed
	// and the offers are being evaluated (PLACSP "EV"); the award, a
	// cancellation or a close without award follow.
	StatusEvaluation
)

func (s Status) String() string {
	return [...]string{"unspecified", "planned", "active", "complete", "cancelled", "unsuccessful", "evaluation"}[s]
}

// Open reports whether consortia may still form and submit.
func (s Status) Open() bool { return s == StatusPlanned || s == StatusActive }

// Decided reports whether the tender may still be awarded, cancelled or closed
// without award: it is open, or its bidding closed and offers are under evaluation.
func (s Status) Decided() bool { return !s.Open() && s != StatusEvaluation }

// StatusAt is the status a tender from a source has at now: an active tender
// whose deadline has passed is under evaluation (its status follows its dates).
func StatusAt(s Status, deadline, now time.Time) Status {
	if s == StatusActive && !deadline.IsZero() && !deadline.After(now) {
		return StatusEvaluation
	}
	return s
}

// BiddingCloseDue reports whether the tender's bidding should close at now:
// it is accepting bids (active) and its deadline has passed. Planned tenders
// are not closed: they open (publish) first.
func (t *Tender) BiddingCloseDue(now time.Time) bool {
	return t.Status == StatusActive && !t.Details.Deadline.IsZero() && !t.Details.Deadline.After(now)
}

// Authority is the contracting authority.
type Authority struct{ Name, NIF, DIR3 string }

// Document is a link to a tender document.
type Document struct{ Title, URL string }

// Technical is the technical solvency requirement.
type Technical struct {
	PrefixLen, Percent int
	RequiredCents      int64
	Exempt             bool
}

// CertificationRequirement is a required certification.
type CertificationRequirement struct{ Kind, Level string }

// Requirements are what a tender or lot asks of a bidder.
type Requirements struct {
	Capabilities           []string
	EconomicThresholdCents int64
	EconomicExempt         bool
	Technical              Technical
	Certifications         []CertificationRequirement
	ForbidAccumulation     bool
	MaxMembers             int
}

// IsZero reports whether no requirement is set (a lot then uses the tender's).
func (r Requirements) IsZero() bool {
	return len(r.Capabilities) == 0 && r.EconomicThresholdCents == 0 && !r.EconomicExempt &&
		r.Technical == (Technical{}) && len(r.Certifications) == 0 && !r.ForbidAccumulation && r.MaxMembers == 0
}

// Lot is a lot of a tender.
type Lot struct {
	ID, Title          string
	CPVs               []string
	EstimatedCents     int64
	BudgetNoVATCents   int64
	Requirements       Requirements
	HasOwnRequirements bool
}

// Award is an award result.
type Award struct {
	LotID, WinnerName, WinnerTaxID string
	SME                            *bool
	AmountCents                    int64
	Date                           time.Time
	ConsortiumID                   string
	OffersReceived                 int
}

// Source is where an imported tender came from.
type Source struct {
	System, SourceID, URL, SourceStatus string
	Updated                             time.Time
}

// Details are the descriptive fields of a tender.
type Details struct {
	Authority          Authority
	Title, Description string
	Procedure          int // consortia.tender.v1.ProcedureType
	ContractType       int // consortia.tender.v1.ContractType
	CPVs               []string
	NUTS               []string
	EstimatedCents     int64
	BudgetNoVATCents   int64
	BudgetWithVATCents int64
	DurationMonths     int
	Deadline           time.Time
	Documents          []Document
	Lots               []Lot
	Requirements       Requirements
	MaxLotsPerBidder   int
	Awards             []Award
}

// DeadlineChange records one deadline change.
type DeadlineChange struct {
	Previous, Deadline, At time.Time
	Reason                 string
}

// Tender is the tender aggregate.
type Tender struct {
	ID              string
	ClusterID       string
	SharedWith      []string
	Details         Details
	Status          Status
	DeadlineChanges []DeadlineChange
	Source          Source
	Demo            bool
	CloseReason     string
	Created         time.Time
	Updated         time.Time
	Version         uint64
}

// Clusters returns the owning cluster and those the tender is shared with.
func (t *Tender) Clusters() []string {
	return append([]string{t.ClusterID}, t.SharedWith...)
}

// Lot returns the lot with id.
func (t *Tender) Lot(id string) (Lot, bool) {
	for _, l := range t.Details.Lots {
		if l.ID == id {
			return l, true
		}
	}
	return Lot{}, false
}

// CheckLot validates a lot id for a consortium or a check: empty means the
// whole tender, which is only allowed when the tender has no lots.
func (t *Tender) CheckLot(lotID string) error {
	if lotID == "" {
		if len(t.Details.Lots) > 0 {
			return domainerr.Invalid("lot_id", "tender %s is split into %d lots: name one (LCSP art. 99 applies requirements per lot)", t.ID, len(t.Details.Lots))
		}
		return nil
	}
	if _, ok := t.Lot(lotID); !ok {
		return domainerr.Invalid("lot_id", "tender %s has no lot %q", t.ID, lotID)
	}
	return nil
}

// EligibilityRequirements returns the rules a team must meet for the tender or
// one of its lots: the lot's own requirements (or the tender's), with the lot's
// CPV codes and estimated value.
func (t *Tender) EligibilityRequirements(lotID string) (eligibility.Requirements, error) {
	if err := t.CheckLot(lotID); err != nil {
		return eligibility.Requirements{}, err
	}
	d := t.Details
	req, cpvs, value := d.Requirements, d.CPVs, d.EstimatedCents
	if lot, ok := t.Lot(lotID); ok {
		if lot.HasOwnRequirements {
			req = lot.Requirements
		}
		if len(lot.CPVs) > 0 {
			cpvs = lot.CPVs
		}
		if lot.EstimatedCents > 0 {
			value = lot.EstimatedCents
		}
	}
	out := eligibility.Requirements{
		Capabilities: slices.Clone(req.Capabilities),
		Economic:     eligibility.EconomicSolvency{ThresholdCents: req.EconomicThresholdCents, Exempt: req.EconomicExempt},
		Technical: eligibility.TechnicalSolvency{
			CPVs: slices.Clone(cpvs), PrefixLen: req.Technical.PrefixLen, Percent: req.Technical.Percent,
			RequiredCents: req.Technical.RequiredCents, Exempt: req.Technical.Exempt,
		},
		Accumulation:        !req.ForbidAccumulation,
		MaxMembers:          req.MaxMembers,
		EstimatedValueCents: value,
		DurationMonths:      d.DurationMonths,
		Deadline:            d.Deadline,
	}
	for _, c := range req.Certifications {
		lvl, err := eligibility.ParseLevel(c.Level)
		if err != nil {
			return out, fmt.Errorf("certification %s level: %w", c.Kind, err)
		}
		out.Certifications = append(out.Certifications, eligibility.CertificationRequirement{Kind: c.Kind, Level: lvl})
	}
	return out, nil
}

// Limits of a tender's details. Real data stays well inside them (the week of
// OpenPLACSP data in ../shared/data: titles up to 1,521 characters, 26 CPV
// codes, 153 lots, 660 M€); they keep a request from growing without bound.
const (
	MaxTitleChars = 4000
	MaxCPVCodes   = 100 // per tender and per lot
	MaxLots       = 500
	// MaxAmountCents bounds every amount (100,000 M€): far above any public
	// contract, and far below where the solvency arithmetic (1.5 ×, per-cent
	// scores) could overflow int64.
	MaxAmountCents int64 = 10_000_000_000_000
	// MaxTeamMembers bounds the members of a consortium or of an eligibility
	// check: far more companies than any joint bid (UTE) has.
	MaxTeamMembers = 50
)

// Codes validates CPV and NUTS codes.
type Codes interface {
	CPV(code string) (string, error)
	NUTS(code string) (string, error)
}

// ValidateDetails checks a tender's details; strict (typed-in tenders) also
// requires a future deadline and at least one CPV code. Returns the normalised details.
func ValidateDetails(d Details, codes Codes, now time.Time, strict bool) (Details, error) {
	var v domainerr.Violations
	d.Title = strings.TrimSpace(d.Title)
	d.Authority.Name = strings.TrimSpace(d.Authority.Name)
	if d.Title == "" {
		v.Add("details.title", "required")
	} else if n := utf8.RuneCountInString(d.Title); n > MaxTitleChars {
		v.Add("details.title", "at most %d characters, got %d", MaxTitleChars, n)
	}
	if d.Authority.Name == "" {
		v.Add("details.authority.name", "required")
	}
	d.CPVs = validateCPVs(&v, "details.cpv_codes", d.CPVs, codes, strict)
	if strict && len(d.CPVs) == 0 {
		v.Add("details.cpv_codes", "at least one CPV code is required")
	}
	d.NUTS = validatePlaces(&v, d.NUTS, codes)
	for _, f := range []struct {
		name  string
		value int64
	}{{"estimated_value_cents", d.EstimatedCents}, {"budget_without_vat_cents", d.BudgetNoVATCents}, {"budget_with_vat_cents", d.BudgetWithVATCents}} {
		validateAmount(&v, "details."+f.name, f.value)
	}
	if strict && d.EstimatedCents <= 0 {
		v.Add("details.estimated_value_cents", "required: the estimated value (valor estimado) drives the solvency thresholds")
	}
	if d.DurationMonths < 0 || d.DurationMonths > 600 {
		v.Add("details.duration_months", "must be between 0 and 600, got %d", d.DurationMonths)
	}
	if d.Deadline.IsZero() {
		if strict {
			v.Add("details.submission_deadline", "required")
		}
	} else if strict && !d.Deadline.After(now) {
		v.Add("details.submission_deadline", "must be in the future, got %s", d.Deadline.Format(time.RFC3339))
	}
	for i, doc := range d.Documents {
		u, err := url.Parse(doc.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.Add(fmt.Sprintf("details.documents[%d].url", i), "want an absolute http(s) URL, got %q", doc.URL)
		}
	}
	if len(d.Lots) > MaxLots {
		v.Add("details.lots", "at most %d lots, got %d", MaxLots, len(d.Lots))
		d.Lots = d.Lots[:0] // one violation, not one per lot
	}
	seen := map[string]bool{}
	for i, l := range d.Lots {
		f := fmt.Sprintf("details.lots[%d].", i)
		if strings.TrimSpace(l.ID) == "" {
			v.Add(f+"id", "required")
		} else if seen[l.ID] {
			v.Add(f+"id", "lot %q given twice", l.ID)
		}
		seen[l.ID] = true
		d.Lots[i].CPVs = validateCPVs(&v, f+"cpv_codes", l.CPVs, codes, strict)
		validateAmount(&v, f+"estimated_value_cents", l.EstimatedCents)
		validateAmount(&v, f+"budget_without_vat_cents", l.BudgetNoVATCents)
		if l.HasOwnRequirements {
			validateRequirements(&v, f+"requirements.", l.Requirements)
		}
	}
	for i, a := range d.Awards {
		validateAmount(&v, fmt.Sprintf("details.awards[%d].amount_cents", i), a.AmountCents)
	}
	validateRequirements(&v, "details.requirements.", d.Requirements)
	if d.MaxLotsPerBidder < 0 {
		v.Add("details.max_lots_per_bidder", "must not be negative")
	}
	return d, v.Err()
}

// validateCPVs checks and normalises CPV codes. A code given twice is refused
// when strict (typed in); an imported record's repeats are merged, since
// sources repeat a code in the tender and its lots.
func validateCPVs(v *domainerr.Violations, field string, in []string, codes Codes, strict bool) []string {
	if len(in) > MaxCPVCodes {
		v.Add(field, "at most %d CPV codes, got %d", MaxCPVCodes, len(in))
		return nil
	}
	out := make([]string, 0, len(in))
	for i, c := range in {
		n, err := codes.CPV(c)
		if err != nil {
			v.Add(fmt.Sprintf("%s[%d]", field, i), "%v", err)
			continue
		}
		switch j := slices.Index(out, n); {
		case j < 0:
			out = append(out, n)
		case strict:
			v.Add(fmt.Sprintf("%s[%d]", field, i), "CPV %s given twice", n)
		}
	}
	return out
}

// validatePlaces checks the places of performance: NUTS regions, or for a
// place outside the NUTS area (the EU and its neighbours) the ISO 3166-1
// country code PLACSP gives instead ("US - Estados Unidos"). Repeats are merged.
func validatePlaces(v *domainerr.Violations, in []string, codes Codes) []string {
	out := make([]string, 0, len(in))
	for i, n := range in {
		c, err := codes.NUTS(n)
		if err != nil {
			country, ok := CountryOutsideNUTS(n)
			if !ok {
				v.Add(fmt.Sprintf("details.nuts[%d]", i), "%v (nor an ISO 3166-1 country code)", err)
				continue
			}
			c = country
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// CountryOutsideNUTS returns the upper-case ISO 3166-1 alpha-2 code if s is
// one (a country, not a private-use or grouping code such as "XX" or "EU").
func CountryOutsideNUTS(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if len(c) != 2 {
		return "", false
	}
	r, err := language.ParseRegion(c)
	if err != nil || !r.IsCountry() {
		return "", false
	}
	return c, true
}

// validateAmount checks an amount in cents: not negative, at most MaxAmountCents.
func validateAmount(v *domainerr.Violations, field string, cents int64) {
	switch {
	case cents < 0:
		v.Add(field, "must not be negative, got %d", cents)
	case cents > MaxAmountCents:
		v.Add(field, "at most %d cents (100,000 M€), got %d", MaxAmountCents, cents)
	}
}

func validateRequirements(v *domainerr.Violations, f string, r Requirements) {
	caps := map[string]bool{}
	for i, c := range r.Capabilities {
		if !vocab.IsCapability(c) {
			v.Add(fmt.Sprintf("%scapabilities[%d]", f, i), "unknown capability %q", c)
		} else if caps[c] {
			v.Add(fmt.Sprintf("%scapabilities[%d]", f, i), "capability %q required twice", c)
		}
		caps[c] = true
	}
	validateAmount(v, f+"economic_threshold_cents", r.EconomicThresholdCents)
	t := r.Technical
	if t.PrefixLen != 0 && (t.PrefixLen < 2 || t.PrefixLen > 8) {
		v.Add(f+"technical.prefix_length", "must be between 2 and 8 CPV digits, got %d", t.PrefixLen)
	}
	if t.Percent < 0 || t.Percent > 100 {
		v.Add(f+"technical.percent", "must be between 0 and 100, got %d", t.Percent)
	}
	validateAmount(v, f+"technical.required_cents", t.RequiredCents)
	kinds := map[string]bool{}
	for i, c := range r.Certifications {
		g := fmt.Sprintf("%scertifications[%d].", f, i)
		if !vocab.IsCertificationKind(c.Kind) {
			v.Add(g+"kind", "unknown certification %q; one of %s", c.Kind, strings.Join(vocab.CertificationKinds, ", "))
		} else if kinds[c.Kind] {
			v.Add(g+"kind", "%s required twice", c.Kind)
		}
		kinds[c.Kind] = true
		if _, err := eligibility.ParseLevel(c.Level); err != nil || (c.Kind == "ENS") != (c.Level != "") {
			v.Add(g+"level", "ENS needs a level (basica, media, alta); other kinds none; got %q", c.Level)
		}
	}
	if r.MaxMembers < 0 || r.MaxMembers > MaxTeamMembers {
		v.Add(f+"max_members", "must be between 0 (no limit) and %d, got %d", MaxTeamMembers, r.MaxMembers)
	}
}

// Apply folds an event into the tender.
func (t *Tender) Apply(e Event, at time.Time, version uint64) error {
	switch e := e.(type) {
	case TenderCreated:
		*t = Tender{ID: e.TenderID, ClusterID: e.ClusterID, Details: e.Details, Status: e.Status, Source: e.Source, Demo: e.Demo, Created: at}
	case TenderRevised:
		t.Details = e.Details
		if e.Status != StatusUnspecified {
			t.Status = e.Status
		}
		t.Source = e.Source
	case TenderPublished:
		t.Status = StatusActive
	case TenderShared:
		t.SharedWith = slices.Clone(e.ClusterIDs)
	case TenderDeadlineChanged:
		t.DeadlineChanges = append(slices.Clone(t.DeadlineChanges), DeadlineChange{Previous: e.Previous, Deadline: e.Deadline, Reason: e.Reason, At: at})
		t.Details.Deadline = e.Deadline
		// A deadline moved after bidding closed reopens it (the new deadline
		// is in the future: ChangeDeadline requires it).
		if t.Status == StatusEvaluation {
			t.Status = StatusActive
		}
	case TenderBiddingClosed:
		t.Status = StatusEvaluation
	case TenderAwarded:
		t.Details.Awards = append(slices.Clone(t.Details.Awards), e.Award)
		// A tender split into lots completes once every lot is awarded (LCSP
		// art. 99: lots are awarded separately); an award without a lot completes it.
		if e.Award.LotID == "" || t.everyLotAwarded() {
			t.Status = StatusComplete
		}
	case TenderCancelled:
		t.Status, t.CloseReason = StatusCancelled, e.Reason
	case TenderClosedUnsuccessful:
		t.Status, t.CloseReason = StatusUnsuccessful, e.Reason
	default:
		return fmt.Errorf("tender: unexpected event %T", e)
	}
	t.Updated = at
	t.Version = version
	return nil
}

func (t *Tender) everyLotAwarded() bool {
	for _, l := range t.Details.Lots {
		if !slices.ContainsFunc(t.Details.Awards, func(a Award) bool { return a.LotID == l.ID }) {
			return false
		}
	}
	return true
}

func (t *Tender) requireOpen(action string) error {
	if !t.Status.Open() {
		return domainerr.Precondition("tender_status", "tender/"+t.ID, "cannot %s: tender %s is %s", action, t.ID, t.Status)
	}
	return nil
}

// Publish opens a planned tender.
func (t *Tender) Publish() (Event, error) {
	if t.Status != StatusPlanned {
		return nil, domainerr.Precondition("tender_status", "tender/"+t.ID, "only a planned tender can be published; tender %s is %s", t.ID, t.Status)
	}
	return TenderPublished{TenderID: t.ID}, nil
}

// Share sets the clusters the tender is shared with.
func (t *Tender) Share(clusterIDs []string) (Event, error) {
	var out []string
	for i, c := range clusterIDs {
		c = strings.TrimSpace(c)
		if c == "" {
			return nil, domainerr.Invalid(fmt.Sprintf("cluster_ids[%d]", i), "empty cluster id")
		}
		if c != t.ClusterID && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return TenderShared{TenderID: t.ID, ClusterIDs: out}, nil
}

// ChangeDeadline moves the deadline; the change is kept in the history.
func (t *Tender) ChangeDeadline(deadline time.Time, reason string, now time.Time) (Event, error) {
	var v domainerr.Violations
	if deadline.IsZero() {
		v.Add("deadline", "required")
	} else if !deadline.After(now) {
		v.Add("deadline", "must be in the future")
	}
	if strings.TrimSpace(reason) == "" {
		v.Add("reason", "required: deadline changes are recorded with their reason")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// An open tender, or one whose bidding closed: moving the deadline of a
	// tender under evaluation reopens bidding until the new deadline (an
	// extension published late; the change and its reason stay in the history).
	if t.Status != StatusEvaluation {
		if err := t.requireOpen("change the deadline"); err != nil {
			return nil, err
		}
	}
	return TenderDeadlineChanged{TenderID: t.ID, Previous: t.Details.Deadline, Deadline: deadline, Reason: strings.TrimSpace(reason)}, nil
}

// Award records the award.
func (t *Tender) Award(a Award) (Event, error) {
	var v domainerr.Violations
	if strings.TrimSpace(a.WinnerName) == "" && a.ConsortiumID == "" {
		v.Add("award.winner_name", "required (or award.consortium_id)")
	}
	validateAmount(&v, "award.amount_cents", a.AmountCents)
	if a.LotID != "" {
		if _, ok := t.Lot(a.LotID); !ok {
			v.Add("award.lot_id", "tender %s has no lot %q", t.ID, a.LotID)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if t.Status != StatusActive && t.Status != StatusEvaluation {
		return nil, domainerr.Precondition("tender_status", "tender/"+t.ID, "only an active tender or one under evaluation can be awarded; tender %s is %s", t.ID, t.Status)
	}
	return TenderAwarded{TenderID: t.ID, Award: a}, nil
}

// Cancel records a cancellation.
func (t *Tender) Cancel(reason string) (Event, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, domainerr.Invalid("reason", "required")
	}
	if t.Status.Decided() {
		return nil, domainerr.Precondition("tender_status", "tender/"+t.ID, "cannot cancel: tender %s is %s", t.ID, t.Status)
	}
	return TenderCancelled{TenderID: t.ID, Reason: strings.TrimSpace(reason)}, nil
}

// CloseUnsuccessful closes the tender without award.
func (t *Tender) CloseUnsuccessful(reason string) (Event, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, domainerr.Invalid("reason", "required")
	}
	if t.Status != StatusActive && t.Status != StatusEvaluation {
		return nil, domainerr.Precondition("tender_status", "tender/"+t.ID, "only an active tender or one under evaluation can close unsuccessful; tender %s is %s", t.ID, t.Status)
	}
	return TenderClosedUnsuccessful{TenderID: t.ID, Reason: strings.TrimSpace(reason)}, nil
}

// CloseBidding closes bidding once the submission deadline has passed. It is
// idempotent: nil event (and nil error) when there is nothing to do — already
// closed, not active, no deadline, or a deadline moved later than now. The
// event carries the deadline it closes.
func (t *Tender) CloseBidding(now time.Time) (Event, error) {
	if !t.BiddingCloseDue(now) {
		return nil, nil
	}
	return TenderBiddingClosed{TenderID: t.ID, Deadline: t.Details.Deadline}, nil
}
