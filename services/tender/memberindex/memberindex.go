// Package memberindex projects the member service's organisation events into
// the tender service's own company index (capabilities, certifications,
// turnover, references, active memberships), so matching and eligibility never
// need the member service to be up.
package memberindex

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

// Filter is the member-stream subject filter for this projection.
const Filter = "member.organization.>"

// Store is what the projection needs of the read model.
type Store interface {
	GetCompany(ctx context.Context, id string) (domain.Company, error)
	PutCompany(ctx context.Context, c domain.Company, seq uint64) error
	CompanyCheckpoint(ctx context.Context) (uint64, error)
}

// Projection returns the handler.
func Projection(st Store) eventlog.Handler { return projection{st} }

type projection struct{ st Store }

func (p projection) Checkpoint(ctx context.Context) (uint64, error) {
	return p.st.CompanyCheckpoint(ctx)
}

func (p projection) Apply(ctx context.Context, ev eventlog.Event) error {
	cp, err := p.st.CompanyCheckpoint(ctx)
	if err != nil {
		return err
	}
	if ev.Sequence <= cp {
		return nil
	}
	id := strings.TrimPrefix(ev.Subject, "member.organization.")
	c, err := p.st.GetCompany(ctx, id)
	if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
		return err
	}
	if errors.Is(err, domainerr.ErrNotFound) {
		c = domain.Company{ID: id}
	}
	Fold(&c, ev.Data)
	c.Version = ev.Sequence
	return p.st.PutCompany(ctx, c, ev.Sequence)
}

func date(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

func certification(c *memberv1.Certification) domain.CompanyCertification {
	lvl, _ := eligibility.ParseLevel(c.GetLevel())
	return domain.CompanyCertification{ID: c.GetId(), Certification: eligibility.Certification{
		Kind: c.GetKind(), Level: lvl, Issued: date(c.GetIssueDate()), Expires: date(c.GetExpiryDate()),
	}}
}

func reference(r *memberv1.Reference) eligibility.Reference {
	return eligibility.Reference{CPV: r.GetCpv(), Cents: r.GetAmountCents(), Year: int(r.GetYear()), Buyer: r.GetBuyer()}
}

func setTurnover(c *domain.Company, t *memberv1.Turnover) {
	c.Turnover = slices.DeleteFunc(slices.Clone(c.Turnover), func(y eligibility.YearAmount) bool { return y.Year == int(t.GetYear()) })
	c.Turnover = append(c.Turnover, eligibility.YearAmount{Year: int(t.GetYear()), Cents: t.GetAmountCents()})
	slices.SortFunc(c.Turnover, func(a, b eligibility.YearAmount) int { return b.Year - a.Year })
}

// Fold applies one member event to a company. Unknown event types (cluster
// events, future additions) leave it unchanged.
func Fold(c *domain.Company, m any) {
	switch e := m.(type) {
	case *memberv1.OrganizationRegistered:
		p := e.GetProfile()
		*c = domain.Company{ID: e.GetOrganizationId(), LegalName: e.GetLegalName(), TaxID: e.GetTaxId(),
			Capabilities: p.GetCapabilities(), CPVInterests: p.GetCpvInterests(), Demo: e.GetDemo(), ActiveIn: c.ActiveIn}
		for _, x := range e.GetCertifications() {
			c.Certifications = append(c.Certifications, certification(x))
		}
		for _, t := range e.GetTurnover() {
			setTurnover(c, t)
		}
		c.References = nil
		c.ReferenceIDs = nil
		for _, r := range e.GetReferences() {
			c.References = append(c.References, reference(r))
			c.ReferenceIDs = append(c.ReferenceIDs, r.GetId())
		}
	case *memberv1.OrganizationProfileUpdated:
		c.Capabilities, c.CPVInterests = e.GetProfile().GetCapabilities(), e.GetProfile().GetCpvInterests()
	case *memberv1.CertificationAdded:
		c.Certifications = append(slices.Clone(c.Certifications), certification(e.GetCertification()))
	case *memberv1.CertificationReplaced:
		nc := certification(e.GetCertification())
		certs := slices.Clone(c.Certifications)
		for i := range certs {
			if certs[i].ID == nc.ID {
				certs[i] = nc
			}
		}
		c.Certifications = certs
	case *memberv1.CertificationRemoved:
		c.Certifications = slices.DeleteFunc(slices.Clone(c.Certifications), func(x domain.CompanyCertification) bool { return x.ID == e.GetCertificationId() })
	case *memberv1.TurnoverReported:
		setTurnover(c, e.GetTurnover())
	case *memberv1.ReferenceAdded:
		c.References = append(slices.Clone(c.References), reference(e.GetReference()))
		c.ReferenceIDs = append(slices.Clone(c.ReferenceIDs), e.GetReference().GetId())
	case *memberv1.ReferenceRemoved:
		if i := slices.Index(c.ReferenceIDs, e.GetReferenceId()); i >= 0 {
			c.References = slices.Delete(slices.Clone(c.References), i, i+1)
			c.ReferenceIDs = slices.Delete(slices.Clone(c.ReferenceIDs), i, i+1)
		}
	case *memberv1.MembershipApproved:
		if !slices.Contains(c.ActiveIn, e.GetClusterId()) {
			c.ActiveIn = append(slices.Clone(c.ActiveIn), e.GetClusterId())
		}
	case *memberv1.MembershipSuspended:
		c.ActiveIn = slices.DeleteFunc(slices.Clone(c.ActiveIn), func(id string) bool { return id == e.GetClusterId() })
	}
}
