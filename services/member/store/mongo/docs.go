package mongo

import (
	"time"

	"github.com/consortia-dev/consortia/services/member/domain"
)

// The stored shapes: bson tags live here only, the domain types have none.
// Fields that queries filter or sort on are top-level; the rest of the
// organisation is a nested document converted field by field.

type checkpointDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"`
}

type orgDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"` // stream sequence of the event that wrote it

	LegalName    string   `bson:"legal_name"`
	ClusterIDs   []string `bson:"cluster_ids"` // every membership, any status
	Capabilities []string `bson:"capabilities"`
	CPVInterests []string `bson:"cpv_interests"`

	Kind           int                `bson:"kind"`
	TaxID          string             `bson:"tax_id"`
	SizeBand       int                `bson:"size_band"`
	Headcount      int                `bson:"headcount"`
	Address        addressDoc         `bson:"address"`
	Description    string             `bson:"description"`
	Website        string             `bson:"website"`
	Certifications []certificationDoc `bson:"certifications"`
	Turnover       []turnoverDoc      `bson:"turnover"`
	References     []referenceDoc     `bson:"references"`
	Memberships    []membershipDoc    `bson:"memberships"`
	Demo           bool               `bson:"demo"`
	Created        time.Time          `bson:"created"`
	Updated        time.Time          `bson:"updated"`
	Version        int64              `bson:"version"`
}

type addressDoc struct {
	Street     string `bson:"street"`
	Locality   string `bson:"locality"`
	PostalCode string `bson:"postal_code"`
	Province   string `bson:"province"`
	NUTS       string `bson:"nuts"`
}

type certificationDoc struct {
	ID      string    `bson:"id"`
	Kind    string    `bson:"kind"`
	Level   string    `bson:"level"`
	Issued  time.Time `bson:"issued"`
	Expires time.Time `bson:"expires"`
	Scope   string    `bson:"scope"`
}

type turnoverDoc struct {
	Year  int   `bson:"year"`
	Cents int64 `bson:"cents"`
}

type referenceDoc struct {
	ID    string `bson:"id"`
	Buyer string `bson:"buyer"`
	Title string `bson:"title"`
	CPV   string `bson:"cpv"`
	Cents int64  `bson:"cents"`
	Year  int    `bson:"year"`
}

type membershipDoc struct {
	ClusterID string    `bson:"cluster_id"`
	Status    int       `bson:"status"`
	Updated   time.Time `bson:"updated"`
	Reason    string    `bson:"reason"`
}

type clusterDoc struct {
	ID          string    `bson:"_id"`
	Seq         int64     `bson:"seq"`
	Name        string    `bson:"name"`
	RegionNUTS  string    `bson:"region_nuts"`
	Description string    `bson:"description"`
	Demo        bool      `bson:"demo"`
	Created     time.Time `bson:"created"`
	Version     int64     `bson:"version"`
}

// orEmpty stores an absent list as [] so array queries see one shape.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// mapSlice converts every element; nil stays nil.
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

func toOrgDoc(o domain.Organization, seq uint64) orgDoc {
	clusters := make([]string, 0, len(o.Memberships))
	for _, m := range o.Memberships {
		clusters = append(clusters, m.ClusterID)
	}
	p := o.Profile
	return orgDoc{
		ID: o.ID, Seq: int64(seq),
		LegalName: o.LegalName, ClusterIDs: clusters,
		Capabilities: orEmpty(p.Capabilities), CPVInterests: orEmpty(p.CPVInterests),
		Kind: int(o.Kind), TaxID: o.TaxID,
		SizeBand: int(p.SizeBand), Headcount: p.Headcount,
		Address: addressDoc{Street: p.Address.Street, Locality: p.Address.Locality, PostalCode: p.Address.PostalCode,
			Province: p.Address.Province, NUTS: p.Address.NUTS},
		Description: p.Description, Website: p.Website,
		Certifications: mapSlice(o.Certifications, func(c domain.Certification) certificationDoc {
			return certificationDoc{ID: c.ID, Kind: c.Kind, Level: c.Level, Issued: c.Issued, Expires: c.Expires, Scope: c.Scope}
		}),
		Turnover: mapSlice(o.Turnover, func(t domain.Turnover) turnoverDoc { return turnoverDoc{Year: t.Year, Cents: t.Cents} }),
		References: mapSlice(o.References, func(r domain.Reference) referenceDoc {
			return referenceDoc{ID: r.ID, Buyer: r.Buyer, Title: r.Title, CPV: r.CPV, Cents: r.Cents, Year: r.Year}
		}),
		Memberships: mapSlice(o.Memberships, func(m domain.Membership) membershipDoc {
			return membershipDoc{ClusterID: m.ClusterID, Status: int(m.Status), Updated: m.Updated, Reason: m.Reason}
		}),
		Demo: o.Demo, Created: o.Created, Updated: o.Updated, Version: int64(o.Version),
	}
}

func (d orgDoc) domain() domain.Organization {
	return domain.Organization{
		ID: d.ID, Kind: domain.Kind(d.Kind), LegalName: d.LegalName, TaxID: d.TaxID,
		Profile: domain.Profile{
			SizeBand: domain.SizeBand(d.SizeBand), Headcount: d.Headcount,
			Address: domain.Address{Street: d.Address.Street, Locality: d.Address.Locality, PostalCode: d.Address.PostalCode,
				Province: d.Address.Province, NUTS: d.Address.NUTS},
			Capabilities: d.Capabilities, CPVInterests: d.CPVInterests,
			Description: d.Description, Website: d.Website,
		},
		Certifications: mapSlice(d.Certifications, func(c certificationDoc) domain.Certification {
			return domain.Certification{ID: c.ID, Kind: c.Kind, Level: c.Level, Issued: c.Issued, Expires: c.Expires, Scope: c.Scope}
		}),
		Turnover: mapSlice(d.Turnover, func(t turnoverDoc) domain.Turnover { return domain.Turnover{Year: t.Year, Cents: t.Cents} }),
		References: mapSlice(d.References, func(r referenceDoc) domain.Reference {
			return domain.Reference{ID: r.ID, Buyer: r.Buyer, Title: r.Title, CPV: r.CPV, Cents: r.Cents, Year: r.Year}
		}),
		Memberships: mapSlice(d.Memberships, func(m membershipDoc) domain.Membership {
			return domain.Membership{ClusterID: m.ClusterID, Status: domain.MembershipStatus(m.Status), Updated: m.Updated, Reason: m.Reason}
		}),
		Demo: d.Demo, Created: d.Created, Updated: d.Updated, Version: uint64(d.Version),
	}
}

func toClusterDoc(c domain.Cluster, seq uint64) clusterDoc {
	return clusterDoc{ID: c.ID, Seq: int64(seq), Name: c.Name, RegionNUTS: c.RegionNUTS, Description: c.Description,
		Demo: c.Demo, Created: c.Created, Version: int64(c.Version)}
}

func (d clusterDoc) domain() domain.Cluster {
	return domain.Cluster{ID: d.ID, Name: d.Name, RegionNUTS: d.RegionNUTS, Description: d.Description,
		Demo: d.Demo, Created: d.Created, Version: uint64(d.Version)}
}
