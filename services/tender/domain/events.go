package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Event is a tender-service domain event; each command yields exactly one.
type Event interface{ tenderEvent() }

// Subjects of the tender stream.
const (
	SubjectPrefix           = "tender."
	TenderSubjectPrefix     = "tender.tender."
	ConsortiumSubjectPrefix = "tender.consortium."
	SeatSubjectPrefix       = "tender.seat."
)

// SeatSubject is the subject of an organisation's seat for a tender's lot. The
// lot id is hashed: ids from sources may hold characters subjects cannot.
func SeatSubject(tenderID, lotID, orgID string) string {
	sum := sha256.Sum256([]byte(lotID))
	return SeatSubjectPrefix + tenderID + "." + hex.EncodeToString(sum[:8]) + "." + orgID
}

// TenderSubject is a tender's event-log subject.
func TenderSubject(id string) string { return TenderSubjectPrefix + id }

// ConsortiumSubject is a consortium's event-log subject.
func ConsortiumSubject(id string) string { return ConsortiumSubjectPrefix + id }

// TenderCreated starts a tender.
type TenderCreated struct {
	TenderID, ClusterID string
	Details             Details
	Status              Status
	Source              Source
	Demo                bool
}

// TenderRevised replaces the details (newer at the source).
type TenderRevised struct {
	TenderID string
	Details  Details
	Status   Status
	Source   Source
}

// TenderPublished opens the tender.
type TenderPublished struct{ TenderID string }

// TenderShared sets the clusters it is shared with.
type TenderShared struct {
	TenderID   string
	ClusterIDs []string
}

// TenderDeadlineChanged moves the deadline.
type TenderDeadlineChanged struct {
	TenderID           string
	Previous, Deadline time.Time
	Reason             string
}

// TenderBiddingClosed records that the submission deadline passed: bidding is
// closed and the offers are under evaluation. Appended by the service's
// deadline scheduler, once per deadline.
type TenderBiddingClosed struct {
	TenderID string
	Deadline time.Time
}

// TenderAwarded records the award.
type TenderAwarded struct {
	TenderID string
	Award    Award
}

// TenderCancelled records a cancellation.
type TenderCancelled struct{ TenderID, Reason string }

// TenderClosedUnsuccessful records a close without award.
type TenderClosedUnsuccessful struct{ TenderID, Reason string }

// ConsortiumFormed starts a consortium with its invitations.
type ConsortiumFormed struct {
	ConsortiumID, TenderID, LotID, Name string
	LeadID                              string
	LeadJoined                          bool
	Members                             []Draft
	Demo                                bool
}

// ConsortiumMemberInvited records an invitation.
type ConsortiumMemberInvited struct{ ConsortiumID, OrganizationID string }

// ConsortiumMemberJoined records an acceptance.
type ConsortiumMemberJoined struct{ ConsortiumID, OrganizationID string }

// ConsortiumInvitationDeclined records a refusal.
type ConsortiumInvitationDeclined struct{ ConsortiumID, OrganizationID, Reason string }

// ConsortiumMemberWithdrew records a member leaving.
type ConsortiumMemberWithdrew struct{ ConsortiumID, OrganizationID, Reason string }

// ConsortiumShareSet records a share.
type ConsortiumShareSet struct {
	ConsortiumID, OrganizationID string
	ShareBP                      int
}

// ConsortiumRolesAssigned records a member's roles.
type ConsortiumRolesAssigned struct {
	ConsortiumID, OrganizationID string
	Covers, Certifies            []string
}

// ConsortiumLeadChanged names a new lead.
type ConsortiumLeadChanged struct{ ConsortiumID, OrganizationID string }

// ConsortiumSubmitted records the submission.
type ConsortiumSubmitted struct{ ConsortiumID string }

// ConsortiumAwarded records a win.
type ConsortiumAwarded struct{ ConsortiumID string }

// ConsortiumLost records a loss.
type ConsortiumLost struct{ ConsortiumID string }

// ConsortiumSeatTaken reserves an organisation's seat for a lot before it joins.
type ConsortiumSeatTaken struct{ TenderID, LotID, OrganizationID, ConsortiumID string }

// ConsortiumDissolved records a dissolution.
type ConsortiumDissolved struct{ ConsortiumID, Reason string }

func (TenderCreated) tenderEvent()                {}
func (TenderRevised) tenderEvent()                {}
func (TenderPublished) tenderEvent()              {}
func (TenderShared) tenderEvent()                 {}
func (TenderDeadlineChanged) tenderEvent()        {}
func (TenderAwarded) tenderEvent()                {}
func (TenderBiddingClosed) tenderEvent()          {}
func (TenderCancelled) tenderEvent()              {}
func (TenderClosedUnsuccessful) tenderEvent()     {}
func (ConsortiumFormed) tenderEvent()             {}
func (ConsortiumMemberInvited) tenderEvent()      {}
func (ConsortiumMemberJoined) tenderEvent()       {}
func (ConsortiumInvitationDeclined) tenderEvent() {}
func (ConsortiumMemberWithdrew) tenderEvent()     {}
func (ConsortiumShareSet) tenderEvent()           {}
func (ConsortiumRolesAssigned) tenderEvent()      {}
func (ConsortiumLeadChanged) tenderEvent()        {}
func (ConsortiumSubmitted) tenderEvent()          {}
func (ConsortiumAwarded) tenderEvent()            {}
func (ConsortiumLost) tenderEvent()               {}
func (ConsortiumDissolved) tenderEvent()          {}
func (ConsortiumSeatTaken) tenderEvent()          {}
