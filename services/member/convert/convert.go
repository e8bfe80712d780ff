// Package convert translates between the member domain and its protobuf
// contracts (resources and events). The grpc and events adapters both use it, so
// each mapping is written once.
package convert

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/member/domain"
)

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(domain.DateLayout)
}

func parseDate(s string) time.Time {
	t, _ := time.Parse(domain.DateLayout, s)
	return t
}

// Profile to proto.
func Profile(p domain.Profile) *memberv1.OrganizationProfile {
	return &memberv1.OrganizationProfile{
		SizeBand:  memberv1.SizeBand(p.SizeBand),
		Headcount: int32(p.Headcount),
		Address: &memberv1.Address{
			Street: p.Address.Street, Locality: p.Address.Locality, PostalCode: p.Address.PostalCode,
			Province: p.Address.Province, Nuts: p.Address.NUTS,
		},
		Capabilities: p.Capabilities, CpvInterests: p.CPVInterests,
		Description: p.Description, Website: p.Website,
	}
}

// ProfileFrom proto.
func ProfileFrom(p *memberv1.OrganizationProfile) domain.Profile {
	a := p.GetAddress()
	return domain.Profile{
		SizeBand:  domain.SizeBand(p.GetSizeBand()),
		Headcount: int(p.GetHeadcount()),
		Address: domain.Address{
			Street: a.GetStreet(), Locality: a.GetLocality(), PostalCode: a.GetPostalCode(),
			Province: a.GetProvince(), NUTS: a.GetNuts(),
		},
		Capabilities: p.GetCapabilities(), CPVInterests: p.GetCpvInterests(),
		Description: p.GetDescription(), Website: p.GetWebsite(),
	}
}

// Certification to proto.
func Certification(c domain.Certification) *memberv1.Certification {
	return &memberv1.Certification{Id: c.ID, Kind: c.Kind, Level: c.Level, IssueDate: date(c.Issued), ExpiryDate: date(c.Expires), Scope: c.Scope}
}

// CertificationFrom a stored (already validated) proto certification.
func CertificationFrom(c *memberv1.Certification) domain.Certification {
	return domain.Certification{ID: c.GetId(), Kind: c.GetKind(), Level: c.GetLevel(), Issued: parseDate(c.GetIssueDate()), Expires: parseDate(c.GetExpiryDate()), Scope: c.GetScope()}
}

// CertificationInput from a request's certification (dates unparsed, for validation).
func CertificationInput(c *memberv1.Certification) domain.CertificationInput {
	return domain.CertificationInput{Kind: c.GetKind(), Level: c.GetLevel(), IssueDate: c.GetIssueDate(), ExpiryDate: c.GetExpiryDate(), Scope: c.GetScope()}
}

// Turnover to proto.
func Turnover(t domain.Turnover) *memberv1.Turnover {
	return &memberv1.Turnover{Year: int32(t.Year), AmountCents: t.Cents}
}

// TurnoverFrom proto.
func TurnoverFrom(t *memberv1.Turnover) domain.Turnover {
	return domain.Turnover{Year: int(t.GetYear()), Cents: t.GetAmountCents()}
}

// Reference to proto.
func Reference(r domain.Reference) *memberv1.Reference {
	return &memberv1.Reference{Id: r.ID, Buyer: r.Buyer, Title: r.Title, Cpv: r.CPV, AmountCents: r.Cents, Year: int32(r.Year)}
}

// ReferenceFrom proto.
func ReferenceFrom(r *memberv1.Reference) domain.Reference {
	return domain.Reference{ID: r.GetId(), Buyer: r.GetBuyer(), Title: r.GetTitle(), CPV: r.GetCpv(), Cents: r.GetAmountCents(), Year: int(r.GetYear())}
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

// Organization to proto.
func Organization(o domain.Organization) *memberv1.Organization {
	return &memberv1.Organization{
		Id: o.ID, Kind: memberv1.OrganizationKind(o.Kind), LegalName: o.LegalName, TaxId: o.TaxID,
		Profile:        Profile(o.Profile),
		Certifications: mapSlice(o.Certifications, Certification),
		Turnover:       mapSlice(o.Turnover, Turnover),
		References:     mapSlice(o.References, Reference),
		Memberships: mapSlice(o.Memberships, func(m domain.Membership) *memberv1.Membership {
			return &memberv1.Membership{ClusterId: m.ClusterID, Status: memberv1.MembershipStatus(m.Status), UpdateTime: ts(m.Updated), Reason: m.Reason}
		}),
		Demo: o.Demo, CreateTime: ts(o.Created), UpdateTime: ts(o.Updated), Version: o.Version,
	}
}

// Cluster to proto.
func Cluster(c domain.Cluster) *memberv1.Cluster {
	return &memberv1.Cluster{Id: c.ID, Name: c.Name, RegionNuts: c.RegionNUTS, Description: c.Description, Demo: c.Demo, CreateTime: ts(c.Created), Version: c.Version}
}

// Event turns a domain event into its protobuf message for the log.
func Event(e domain.Event) (proto.Message, error) {
	switch e := e.(type) {
	case domain.ClusterCreated:
		return &memberv1.ClusterCreated{ClusterId: e.ClusterID, Name: e.Name, RegionNuts: e.RegionNUTS, Description: e.Description, Demo: e.Demo}, nil
	case domain.OrganizationRegistered:
		return &memberv1.OrganizationRegistered{
			OrganizationId: e.OrganizationID, Kind: memberv1.OrganizationKind(e.Kind), LegalName: e.LegalName, TaxId: e.TaxID,
			Profile: Profile(e.Profile), Certifications: mapSlice(e.Certifications, Certification),
			Turnover: mapSlice(e.Turnover, Turnover), References: mapSlice(e.References, Reference), Demo: e.Demo,
		}, nil
	case domain.OrganizationProfileUpdated:
		return &memberv1.OrganizationProfileUpdated{OrganizationId: e.OrganizationID, Profile: Profile(e.Profile)}, nil
	case domain.CertificationAdded:
		return &memberv1.CertificationAdded{OrganizationId: e.OrganizationID, Certification: Certification(e.Certification)}, nil
	case domain.CertificationReplaced:
		return &memberv1.CertificationReplaced{OrganizationId: e.OrganizationID, Certification: Certification(e.Certification)}, nil
	case domain.CertificationRemoved:
		return &memberv1.CertificationRemoved{OrganizationId: e.OrganizationID, CertificationId: e.CertificationID}, nil
	case domain.TurnoverReported:
		return &memberv1.TurnoverReported{OrganizationId: e.OrganizationID, Turnover: Turnover(e.Turnover)}, nil
	case domain.ReferenceAdded:
		return &memberv1.ReferenceAdded{OrganizationId: e.OrganizationID, Reference: Reference(e.Reference)}, nil
	case domain.ReferenceRemoved:
		return &memberv1.ReferenceRemoved{OrganizationId: e.OrganizationID, ReferenceId: e.ReferenceID}, nil
	case domain.MembershipRequested:
		return &memberv1.MembershipRequested{OrganizationId: e.OrganizationID, ClusterId: e.ClusterID}, nil
	case domain.MembershipApproved:
		return &memberv1.MembershipApproved{OrganizationId: e.OrganizationID, ClusterId: e.ClusterID}, nil
	case domain.MembershipSuspended:
		return &memberv1.MembershipSuspended{OrganizationId: e.OrganizationID, ClusterId: e.ClusterID, Reason: e.Reason}, nil
	}
	return nil, fmt.Errorf("convert: unknown member event %T", e)
}

// EventFrom turns a protobuf event from the log into a domain event.
func EventFrom(m proto.Message) (domain.Event, error) {
	switch e := m.(type) {
	case *memberv1.ClusterCreated:
		return domain.ClusterCreated{ClusterID: e.GetClusterId(), Name: e.GetName(), RegionNUTS: e.GetRegionNuts(), Description: e.GetDescription(), Demo: e.GetDemo()}, nil
	case *memberv1.OrganizationRegistered:
		return domain.OrganizationRegistered{
			OrganizationID: e.GetOrganizationId(), Kind: domain.Kind(e.GetKind()), LegalName: e.GetLegalName(), TaxID: e.GetTaxId(),
			Profile: ProfileFrom(e.GetProfile()), Certifications: mapSlice(e.GetCertifications(), CertificationFrom),
			Turnover: mapSlice(e.GetTurnover(), TurnoverFrom), References: mapSlice(e.GetReferences(), ReferenceFrom), Demo: e.GetDemo(),
		}, nil
	case *memberv1.OrganizationProfileUpdated:
		return domain.OrganizationProfileUpdated{OrganizationID: e.GetOrganizationId(), Profile: ProfileFrom(e.GetProfile())}, nil
	case *memberv1.CertificationAdded:
		return domain.CertificationAdded{OrganizationID: e.GetOrganizationId(), Certification: CertificationFrom(e.GetCertification())}, nil
	case *memberv1.CertificationReplaced:
		return domain.CertificationReplaced{OrganizationID: e.GetOrganizationId(), Certification: CertificationFrom(e.GetCertification())}, nil
	case *memberv1.CertificationRemoved:
		return domain.CertificationRemoved{OrganizationID: e.GetOrganizationId(), CertificationID: e.GetCertificationId()}, nil
	case *memberv1.TurnoverReported:
		return domain.TurnoverReported{OrganizationID: e.GetOrganizationId(), Turnover: TurnoverFrom(e.GetTurnover())}, nil
	case *memberv1.ReferenceAdded:
		return domain.ReferenceAdded{OrganizationID: e.GetOrganizationId(), Reference: ReferenceFrom(e.GetReference())}, nil
	case *memberv1.ReferenceRemoved:
		return domain.ReferenceRemoved{OrganizationID: e.GetOrganizationId(), ReferenceID: e.GetReferenceId()}, nil
	case *memberv1.MembershipRequested:
		return domain.MembershipRequested{OrganizationID: e.GetOrganizationId(), ClusterID: e.GetClusterId()}, nil
	case *memberv1.MembershipApproved:
		return domain.MembershipApproved{OrganizationID: e.GetOrganizationId(), ClusterID: e.GetClusterId()}, nil
	case *memberv1.MembershipSuspended:
		return domain.MembershipSuspended{OrganizationID: e.GetOrganizationId(), ClusterID: e.GetClusterId(), Reason: e.GetReason()}, nil
	}
	return nil, fmt.Errorf("convert: unknown member event %T", m)
}
