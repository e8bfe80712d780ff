package domain

// Event is a member-service domain event. Each command yields exactly one, so an
// append is atomic.
type Event interface{ memberEvent() }

// Subjects of the member stream.
const (
	SubjectPrefix             = "member."
	OrganizationSubjectPrefix = "member.organization."
	ClusterSubjectPrefix      = "member.cluster."
)

// OrganizationSubject is the event-log subject of an organisation.
func OrganizationSubject(id string) string { return OrganizationSubjectPrefix + id }

// ClusterSubject is the event-log subject of a cluster.
func ClusterSubject(id string) string { return ClusterSubjectPrefix + id }

// ClusterCreated starts a cluster.
type ClusterCreated struct {
	ClusterID, Name, RegionNUTS, Description string
	Demo                                     bool
}

// OrganizationRegistered starts an organisation.
type OrganizationRegistered struct {
	OrganizationID string
	Kind           Kind
	LegalName      string
	TaxID          string
	Profile        Profile
	Certifications []Certification
	Turnover       []Turnover
	References     []Reference
	Demo           bool
}

// OrganizationProfileUpdated replaces the profile.
type OrganizationProfileUpdated struct {
	OrganizationID string
	Profile        Profile
}

// CertificationAdded adds a certification.
type CertificationAdded struct {
	OrganizationID string
	Certification  Certification
}

// CertificationReplaced replaces a certification, keeping its id.
type CertificationReplaced struct {
	OrganizationID string
	Certification  Certification
}

// CertificationRemoved removes a certification.
type CertificationRemoved struct{ OrganizationID, CertificationID string }

// TurnoverReported sets one year's turnover.
type TurnoverReported struct {
	OrganizationID string
	Turnover       Turnover
}

// ReferenceAdded adds a past contract.
type ReferenceAdded struct {
	OrganizationID string
	Reference      Reference
}

// ReferenceRemoved removes a past contract.
type ReferenceRemoved struct{ OrganizationID, ReferenceID string }

// MembershipRequested asks to join a cluster.
type MembershipRequested struct{ OrganizationID, ClusterID string }

// MembershipApproved activates a membership.
type MembershipApproved struct{ OrganizationID, ClusterID string }

// MembershipSuspended suspends a membership.
type MembershipSuspended struct{ OrganizationID, ClusterID, Reason string }

func (ClusterCreated) memberEvent()             {}
func (OrganizationRegistered) memberEvent()     {}
func (OrganizationProfileUpdated) memberEvent() {}
func (CertificationAdded) memberEvent()         {}
func (CertificationRemoved) memberEvent()       {}
func (CertificationReplaced) memberEvent()      {}
func (TurnoverReported) memberEvent()           {}
func (ReferenceAdded) memberEvent()             {}
func (ReferenceRemoved) memberEvent()           {}
func (MembershipRequested) memberEvent()        {}
func (MembershipApproved) memberEvent()         {}
func (MembershipSuspended) memberEvent()        {}
