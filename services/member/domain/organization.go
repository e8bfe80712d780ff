// Package domain holds the member service's rules: clusters, organisations and
// their solvency evidence, as aggregates folded from events. No I/O here.
package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Kind of organisation.
type Kind int

// Kinds of organisation.
const (
	KindUnspecified Kind = iota
	KindCompany
	KindPublicEntity
	KindPrivateEntity
)

// SizeBand is the EU SME size class.
type SizeBand int

// Size bands (Recommendation 2003/361/EC).
const (
	SizeUnspecified SizeBand = iota
	SizeMicro
	SizeSmall
	SizeMedium
	SizeLarge
)

// MembershipStatus is the state of a membership.
type MembershipStatus int

// Membership states.
const (
	MembershipNone MembershipStatus = iota
	MembershipPending
	MembershipActive
	MembershipOnHold
)

// Address is a postal address with its NUTS region.
type Address struct {
	Street, Locality, PostalCode, Province, NUTS string
}

// Profile is what an organisation keeps up to date itself.
type Profile struct {
	SizeBand     SizeBand
	Headcount    int
	Address      Address
	Capabilities []string
	CPVInterests []string // 8 digits
	Description  string
	Website      string
}

// Certification is a certificate with its validity.
type Certification struct {
	ID      string
	Kind    string // ENS, ISO27001, ...
	Level   string // ENS only: basica, media, alta
	Issued  time.Time
	Expires time.Time
	Scope   string
}

// Turnover is one year's turnover in euro cents.
type Turnover struct {
	Year  int
	Cents int64
}

// Reference is a past contract.
type Reference struct {
	ID    string
	Buyer string
	Title string
	CPV   string // 8 digits
	Cents int64
	Year  int
}

// Membership of one cluster.
type Membership struct {
	ClusterID string
	Status    MembershipStatus
	Updated   time.Time
	Reason    string
}

// Organization is the organisation aggregate.
type Organization struct {
	ID             string
	Kind           Kind
	LegalName      string
	TaxID          string
	Profile        Profile
	Certifications []Certification
	Turnover       []Turnover // newest year first
	References     []Reference
	Memberships    []Membership
	Demo           bool
	Created        time.Time
	Updated        time.Time
	Version        uint64
}

// organizationNamespace makes organisation ids a function of the tax id, so the
// event log itself enforces "one organisation per tax id": registering a second
// time appends to an existing subject and fails the expected-version check.
var organizationNamespace = uuid.MustParse("6f1c7a52-3a4e-4c55-9b0a-0d5c2b1e9a11")

// OrganizationID returns the id of the organisation with a normalised tax id.
func OrganizationID(taxID string) string {
	return uuid.NewSHA1(organizationNamespace, []byte(taxID)).String()
}

// clusterNamespace makes cluster ids a function of the name (case-insensitive):
// names are unique, enforced by the log like tax ids, and demo ids are stable.
var clusterNamespace = uuid.MustParse("0b7e3f0e-2f55-4c3e-8d0c-5a7f4e6d9b21")

// ClusterID returns the id of the cluster with the given name.
func ClusterID(name string) string {
	return uuid.NewSHA1(clusterNamespace, []byte(strings.ToLower(strings.TrimSpace(name)))).String()
}

// Membership returns the organisation's membership of a cluster.
func (o *Organization) Membership(clusterID string) (Membership, bool) {
	for _, m := range o.Memberships {
		if m.ClusterID == clusterID {
			return m, true
		}
	}
	return Membership{}, false
}

// ActiveIn reports whether the organisation is an active member of the cluster.
func (o *Organization) ActiveIn(clusterID string) bool {
	m, ok := o.Membership(clusterID)
	return ok && m.Status == MembershipActive
}

// Apply folds one event into the aggregate. at is the event time and version the
// stream sequence of the event.
func (o *Organization) Apply(e Event, at time.Time, version uint64) error {
	switch e := e.(type) {
	case OrganizationRegistered:
		*o = Organization{
			ID: e.OrganizationID, Kind: e.Kind, LegalName: e.LegalName, TaxID: e.TaxID,
			Profile: e.Profile, Certifications: slices.Clone(e.Certifications),
			References: slices.Clone(e.References), Demo: e.Demo, Created: at,
		}
		for _, t := range e.Turnover {
			o.setTurnover(t)
		}
	case OrganizationProfileUpdated:
		o.Profile = e.Profile
	case CertificationAdded:
		o.Certifications = append(o.Certifications, e.Certification)
	case CertificationReplaced:
		certs := slices.Clone(o.Certifications)
		for i := range certs {
			if certs[i].ID == e.Certification.ID {
				certs[i] = e.Certification
			}
		}
		o.Certifications = certs
	case CertificationRemoved:
		o.Certifications = slices.DeleteFunc(slices.Clone(o.Certifications), func(c Certification) bool { return c.ID == e.CertificationID })
	case TurnoverReported:
		o.setTurnover(e.Turnover)
	case ReferenceAdded:
		o.References = append(o.References, e.Reference)
	case ReferenceRemoved:
		o.References = slices.DeleteFunc(slices.Clone(o.References), func(r Reference) bool { return r.ID == e.ReferenceID })
	case MembershipRequested:
		o.setMembership(Membership{ClusterID: e.ClusterID, Status: MembershipPending, Updated: at})
	case MembershipApproved:
		o.setMembership(Membership{ClusterID: e.ClusterID, Status: MembershipActive, Updated: at})
	case MembershipSuspended:
		o.setMembership(Membership{ClusterID: e.ClusterID, Status: MembershipOnHold, Updated: at, Reason: e.Reason})
	default:
		return fmt.Errorf("organization: unexpected event %T", e)
	}
	o.Updated = at
	o.Version = version
	return nil
}

func (o *Organization) setTurnover(t Turnover) {
	ts := slices.DeleteFunc(slices.Clone(o.Turnover), func(x Turnover) bool { return x.Year == t.Year })
	ts = append(ts, t)
	slices.SortFunc(ts, func(a, b Turnover) int { return b.Year - a.Year })
	o.Turnover = ts
}

func (o *Organization) setMembership(m Membership) {
	ms := slices.Clone(o.Memberships)
	for i := range ms {
		if ms[i].ClusterID == m.ClusterID {
			ms[i] = m
			o.Memberships = ms
			return
		}
	}
	o.Memberships = append(ms, m)
}

// Cluster is the cluster aggregate.
type Cluster struct {
	ID          string
	Name        string
	RegionNUTS  string
	Description string
	Demo        bool
	Created     time.Time
	Version     uint64
}

// Apply folds one event into the cluster.
func (c *Cluster) Apply(e Event, at time.Time, version uint64) error {
	switch e := e.(type) {
	case ClusterCreated:
		*c = Cluster{ID: e.ClusterID, Name: e.Name, RegionNUTS: e.RegionNUTS, Description: e.Description, Demo: e.Demo, Created: at}
	default:
		return fmt.Errorf("cluster: unexpected event %T", e)
	}
	c.Version = version
	return nil
}
