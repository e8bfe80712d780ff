package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/taxid"
)

// Codes validates CPV and NUTS codes against the official lists (format only
// when the lists are not available). Both return the normalised code.
type Codes interface {
	CPV(code string) (string, error)
	NUTS(code string) (string, error)
}

// DateLayout is how dates travel in the API.
const DateLayout = "2006-01-02"

// Registration is the input of RegisterOrganization, before validation.
type Registration struct {
	Kind           Kind
	LegalName      string
	TaxID          string
	Profile        Profile
	Certifications []CertificationInput
	Turnover       []Turnover
	References     []Reference
	Demo           bool
}

// CertificationInput carries dates as received, so validation can name them.
type CertificationInput struct {
	Kind, Level, IssueDate, ExpiryDate, Scope string
}

// Register validates a registration and returns the event that starts the
// organisation. Every bad field is reported at once; nothing is produced then.
func Register(r Registration, codes Codes, now time.Time) (OrganizationRegistered, error) {
	var v domainerr.Violations
	switch {
	case r.Kind == KindUnspecified:
		v.Add("kind", "required: company, public entity or private entity")
	case r.Kind < KindUnspecified || r.Kind > KindPrivateEntity:
		v.Add("kind", "unknown kind %d: company, public entity or private entity", r.Kind)
	}
	name := strings.TrimSpace(r.LegalName)
	switch {
	case name == "":
		v.Add("legal_name", "required")
	case len(name) > 300:
		v.Add("legal_name", "at most 300 characters")
	}
	id, err := taxid.Validate(r.TaxID)
	if err != nil {
		v.Add("tax_id", "%v", err)
	}
	profile := validateProfile(&v, "profile.", r.Profile, codes, r.Kind == KindCompany)
	var certs []Certification
	for i, c := range r.Certifications {
		if cert, ok := validateCertification(&v, fmt.Sprintf("certifications[%d].", i), c); ok {
			certs = append(certs, cert)
		}
	}
	seen := map[int]bool{}
	for i, t := range r.Turnover {
		f := fmt.Sprintf("turnover[%d].", i)
		validateTurnover(&v, f, t, now)
		if seen[t.Year] {
			v.Add(f+"year", "year %d given twice", t.Year)
		}
		seen[t.Year] = true
	}
	var refs []Reference
	for i, ref := range r.References {
		if out, ok := validateReference(&v, fmt.Sprintf("references[%d].", i), ref, codes, now); ok {
			refs = append(refs, out)
		}
	}
	if err := v.Err(); err != nil {
		return OrganizationRegistered{}, err
	}
	return OrganizationRegistered{
		OrganizationID: OrganizationID(id.Value), Kind: r.Kind, LegalName: name, TaxID: id.Value,
		Profile: profile, Certifications: certs, Turnover: slices.Clone(r.Turnover), References: refs, Demo: r.Demo,
	}, nil
}

// UpdateProfile validates and returns the event replacing o's profile.
func (o *Organization) UpdateProfile(p Profile, codes Codes) (Event, error) {
	var v domainerr.Violations
	p = validateProfile(&v, "profile.", p, codes, o.Kind == KindCompany)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return OrganizationProfileUpdated{OrganizationID: o.ID, Profile: p}, nil
}

// AddCertification validates and returns the event adding a certification.
func (o *Organization) AddCertification(c CertificationInput) (Event, error) {
	var v domainerr.Violations
	cert, _ := validateCertification(&v, "certification.", c)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return CertificationAdded{OrganizationID: o.ID, Certification: cert}, nil
}

// ReplaceCertification validates and returns the event replacing certification
// id (a renewal or a correction); the certification keeps its id.
func (o *Organization) ReplaceCertification(id string, c CertificationInput) (Event, error) {
	var v domainerr.Violations
	if id == "" {
		v.Add("certification_id", "required")
	}
	cert, _ := validateCertification(&v, "certification.", c)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(o.Certifications, func(c Certification) bool { return c.ID == id }) {
		return nil, fmt.Errorf("certification %q of organization %s: %w", id, o.ID, domainerr.ErrNotFound)
	}
	cert.ID = id
	return CertificationReplaced{OrganizationID: o.ID, Certification: cert}, nil
}

// RemoveCertification returns the event removing certification id.
func (o *Organization) RemoveCertification(id string) (Event, error) {
	if !slices.ContainsFunc(o.Certifications, func(c Certification) bool { return c.ID == id }) {
		return nil, fmt.Errorf("certification %q of organization %s: %w", id, o.ID, domainerr.ErrNotFound)
	}
	return CertificationRemoved{OrganizationID: o.ID, CertificationID: id}, nil
}

// ReportTurnover validates and returns the event setting one year's turnover.
func (o *Organization) ReportTurnover(t Turnover, now time.Time) (Event, error) {
	var v domainerr.Violations
	validateTurnover(&v, "turnover.", t, now)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return TurnoverReported{OrganizationID: o.ID, Turnover: t}, nil
}

// AddReference validates and returns the event adding a past contract.
func (o *Organization) AddReference(r Reference, codes Codes, now time.Time) (Event, error) {
	var v domainerr.Violations
	ref, _ := validateReference(&v, "reference.", r, codes, now)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return ReferenceAdded{OrganizationID: o.ID, Reference: ref}, nil
}

// RemoveReference returns the event removing reference id.
func (o *Organization) RemoveReference(id string) (Event, error) {
	if !slices.ContainsFunc(o.References, func(r Reference) bool { return r.ID == id }) {
		return nil, fmt.Errorf("reference %q of organization %s: %w", id, o.ID, domainerr.ErrNotFound)
	}
	return ReferenceRemoved{OrganizationID: o.ID, ReferenceID: id}, nil
}

// RequestMembership asks to join a cluster; a second request while one is
// pending or active is a rule violation.
func (o *Organization) RequestMembership(clusterID string) (Event, error) {
	if m, ok := o.Membership(clusterID); ok && m.Status != MembershipOnHold {
		return nil, domainerr.Precondition("membership", "cluster/"+clusterID, "organization %s already has a %s membership of cluster %s", o.ID, m.Status, clusterID)
	}
	return MembershipRequested{OrganizationID: o.ID, ClusterID: clusterID}, nil
}

// ApproveMembership activates a requested or suspended membership.
func (o *Organization) ApproveMembership(clusterID string) (Event, error) {
	m, ok := o.Membership(clusterID)
	if !ok {
		return nil, domainerr.Precondition("membership", "cluster/"+clusterID, "organization %s has not requested membership of cluster %s", o.ID, clusterID)
	}
	if m.Status == MembershipActive {
		return nil, domainerr.Precondition("membership", "cluster/"+clusterID, "organization %s is already an active member of cluster %s", o.ID, clusterID)
	}
	return MembershipApproved{OrganizationID: o.ID, ClusterID: clusterID}, nil
}

// SuspendMembership suspends an active membership, with a reason.
func (o *Organization) SuspendMembership(clusterID, reason string) (Event, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, domainerr.Invalid("reason", "required")
	}
	if !o.ActiveIn(clusterID) {
		return nil, domainerr.Precondition("membership", "cluster/"+clusterID, "organization %s is not an active member of cluster %s", o.ID, clusterID)
	}
	return MembershipSuspended{OrganizationID: o.ID, ClusterID: clusterID, Reason: strings.TrimSpace(reason)}, nil
}

// CreateCluster validates and returns the event that starts a cluster.
func CreateCluster(name, region, description string, demo bool, codes Codes) (ClusterCreated, error) {
	var v domainerr.Violations
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		v.Add("name", "required")
	case len(name) > 200:
		v.Add("name", "at most 200 characters")
	}
	if strings.TrimSpace(region) == "" {
		v.Add("region_nuts", "required (a NUTS code such as ES130)")
	} else if r, err := codes.NUTS(region); err != nil {
		v.Add("region_nuts", "%v", err)
	} else {
		region = r
	}
	if err := v.Err(); err != nil {
		return ClusterCreated{}, err
	}
	return ClusterCreated{ClusterID: ClusterID(name), Name: name, RegionNUTS: region, Description: strings.TrimSpace(description), Demo: demo}, nil
}

func (s MembershipStatus) String() string {
	switch s {
	case MembershipPending:
		return "requested"
	case MembershipActive:
		return "active"
	case MembershipOnHold:
		return "suspended"
	}
	return "no"
}

func validateProfile(v *domainerr.Violations, f string, p Profile, codes Codes, company bool) Profile {
	if p.SizeBand < SizeUnspecified || p.SizeBand > SizeLarge {
		v.Add(f+"size_band", "unknown size band %d", p.SizeBand)
	} else if company && p.SizeBand == SizeUnspecified {
		v.Add(f+"size_band", "required for a company: micro, small, medium or large")
	}
	if p.Headcount < 0 {
		v.Add(f+"headcount", "must not be negative, got %d", p.Headcount)
	}
	if p.Address.NUTS != "" {
		if n, err := codes.NUTS(p.Address.NUTS); err != nil {
			v.Add(f+"address.nuts", "%v", err)
		} else {
			p.Address.NUTS = n
		}
	}
	seen := map[string]bool{}
	for i, c := range p.Capabilities {
		switch {
		case !IsCapability(c):
			v.Add(fmt.Sprintf("%scapabilities[%d]", f, i), "unknown capability %q (see ListCapabilities)", c)
		case seen[c]:
			v.Add(fmt.Sprintf("%scapabilities[%d]", f, i), "capability %q given twice", c)
		}
		seen[c] = true
	}
	cpvs := make([]string, 0, len(p.CPVInterests))
	for i, c := range p.CPVInterests {
		n, err := codes.CPV(c)
		if err != nil {
			v.Add(fmt.Sprintf("%scpv_interests[%d]", f, i), "%v", err)
			continue
		}
		if !slices.Contains(cpvs, n) {
			cpvs = append(cpvs, n)
		}
	}
	p.CPVInterests = cpvs
	p.Capabilities = slices.Clone(p.Capabilities)
	if len(p.Description) > 4000 {
		v.Add(f+"description", "at most 4000 characters")
	}
	return p
}

func validateCertification(v *domainerr.Violations, f string, c CertificationInput) (Certification, bool) {
	n := len(*v)
	kind := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(c.Kind), " ", ""))
	level := strings.ToLower(strings.TrimSpace(strings.NewReplacer("á", "a", "Á", "a").Replace(c.Level)))
	switch {
	case !slices.Contains(CertificationKinds, kind):
		v.Add(f+"kind", "unknown certification %q; one of %s", c.Kind, strings.Join(CertificationKinds, ", "))
	case kind == "ENS" && !slices.Contains(ENSLevels, level):
		v.Add(f+"level", "ENS needs a level: basica, media or alta (got %q)", c.Level)
	case kind != "ENS" && level != "":
		v.Add(f+"level", "only ENS certifications have a level")
	}
	issued, err := time.Parse(DateLayout, c.IssueDate)
	if err != nil {
		v.Add(f+"issue_date", "want a date YYYY-MM-DD, got %q", c.IssueDate)
	}
	expires, err2 := time.Parse(DateLayout, c.ExpiryDate)
	if err2 != nil {
		v.Add(f+"expiry_date", "want a date YYYY-MM-DD, got %q", c.ExpiryDate)
	}
	if err == nil && err2 == nil && expires.Before(issued) {
		v.Add(f+"expiry_date", "expires %s, before it was issued (%s)", c.ExpiryDate, c.IssueDate)
	}
	if len(*v) > n {
		return Certification{}, false
	}
	return Certification{ID: uuid.NewString(), Kind: kind, Level: level, Issued: issued, Expires: expires, Scope: strings.TrimSpace(c.Scope)}, true
}

// MaxAmountCents bounds turnover and reference amounts (100,000 M€, as the
// tender service bounds tender values): far above any company of a cluster,
// far below where solvency sums could overflow.
const MaxAmountCents int64 = 10_000_000_000_000

// validateAmount checks an amount in cents: not negative, at most MaxAmountCents.
func validateAmount(v *domainerr.Violations, field string, cents int64) {
	switch {
	case cents < 0:
		v.Add(field, "must not be negative, got %d", cents)
	case cents > MaxAmountCents:
		v.Add(field, "at most %d cents (100,000 M€), got %d", MaxAmountCents, cents)
	}
}

func validateTurnover(v *domainerr.Violations, f string, t Turnover, now time.Time) {
	if t.Year < 1990 || t.Year > now.Year() {
		v.Add(f+"year", "must be between 1990 and %d, got %d", now.Year(), t.Year)
	}
	validateAmount(v, f+"amount_cents", t.Cents)
}

func validateReference(v *domainerr.Violations, f string, r Reference, codes Codes, now time.Time) (Reference, bool) {
	n := len(*v)
	r.Buyer = strings.TrimSpace(r.Buyer)
	if r.Buyer == "" {
		v.Add(f+"buyer", "required")
	}
	if c, err := codes.CPV(r.CPV); err != nil {
		v.Add(f+"cpv", "%v", err)
	} else {
		r.CPV = c
	}
	validateAmount(v, f+"amount_cents", r.Cents)
	if r.Year < 1990 || r.Year > now.Year() {
		v.Add(f+"year", "must be between 1990 and %d, got %d", now.Year(), r.Year)
	}
	if len(*v) > n {
		return Reference{}, false
	}
	r.ID = uuid.NewString()
	r.Title = strings.TrimSpace(r.Title)
	return r, true
}
