package domain

import (
	"slices"

	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

// Company is the tender service's own view of a member organisation, projected
// from member events, so matching and eligibility work when the member service
// is down.
type Company struct {
	ID, LegalName, TaxID string
	// ActiveIn lists the clusters where the membership is active.
	ActiveIn       []string
	Capabilities   []string
	CPVInterests   []string
	Certifications []CompanyCertification
	Turnover       []eligibility.YearAmount
	References     []eligibility.Reference
	ReferenceIDs   []string // parallel to References (member-service ids)
	Demo           bool
	Version        uint64
}

// CompanyCertification is a certification with its member-service id.
type CompanyCertification struct {
	ID string
	eligibility.Certification
}

// ActiveInAny reports whether the company is an active member of any of the clusters.
func (c Company) ActiveInAny(clusters []string) bool {
	for _, id := range clusters {
		if slices.Contains(c.ActiveIn, id) {
			return true
		}
	}
	return false
}

// Eligibility returns the company as eligibility sees it for a tender shared
// with clusters: active when it is an active member of one of them.
func (c Company) Eligibility(clusters []string) eligibility.Company {
	certs := make([]eligibility.Certification, len(c.Certifications))
	for i, cc := range c.Certifications {
		certs[i] = cc.Certification
	}
	return eligibility.Company{
		ID: c.ID, Name: c.LegalName, TaxID: c.TaxID, Clusters: slices.Clone(c.ActiveIn),
		Capabilities: slices.Clone(c.Capabilities), Certifications: certs,
		Turnover: slices.Clone(c.Turnover), References: slices.Clone(c.References),
		Active: c.ActiveInAny(clusters),
	}
}
