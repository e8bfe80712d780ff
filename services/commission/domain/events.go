package domain

import "time"

// Event is a commission-service domain event; each command yields exactly one.
type Event interface{ commissionEvent() }

// Subjects of the commission stream.
const (
	SubjectPrefix           = "commission."
	CommissionSubjectPrefix = "commission.commission."
)

// CommissionSubject is a commission's event-log subject.
func CommissionSubject(id string) string { return CommissionSubjectPrefix + id }

// CommissionCreated starts a commission.
type CommissionCreated struct {
	CommissionID, Name, Theme, Description string
	ConvenerID                             string // cluster; "" for the agency
	Demo                                   bool
}

// CommissionUpdated replaces name, theme and description.
type CommissionUpdated struct{ CommissionID, Name, Theme, Description string }

// CommissionClosed closes a commission.
type CommissionClosed struct{ CommissionID, Reason string }

// MemberAdded adds an organisation directly.
type MemberAdded struct {
	CommissionID, OrganizationID string
	Role                         Role
	Joined                       time.Time
}

// MemberInvited invites an organisation.
type MemberInvited struct {
	CommissionID, OrganizationID string
	Role                         Role
}

// InvitationAccepted: the invited organisation joined.
type InvitationAccepted struct {
	CommissionID, OrganizationID string
	Joined                       time.Time
}

// InvitationDeclined: the invited organisation said no.
type InvitationDeclined struct{ CommissionID, OrganizationID, Reason string }

// MemberRoleChanged gives a member another role.
type MemberRoleChanged struct {
	CommissionID, OrganizationID string
	Role                         Role
}

// MemberLeft records that a member left.
type MemberLeft struct {
	CommissionID, OrganizationID string
	Left                         time.Time
}

// MeetingScheduled schedules a meeting.
type MeetingScheduled struct {
	CommissionID string
	Meeting      Meeting // without attendance, minutes or decisions
}

// MeetingCancelled cancels a meeting.
type MeetingCancelled struct{ CommissionID, MeetingID, Reason string }

// AttendanceRecorded replaces a meeting's attendance.
type AttendanceRecorded struct {
	CommissionID, MeetingID string
	Attendance              []Attendance
}

// MinutesRecorded replaces a meeting's minutes.
type MinutesRecorded struct{ CommissionID, MeetingID, Minutes string }

// DecisionRecorded records a decision of a meeting.
type DecisionRecorded struct {
	CommissionID, MeetingID string
	Decision                Decision // open
}

// DecisionCompleted marks a decision done.
type DecisionCompleted struct{ CommissionID, DecisionID string }

// ProjectAdded adds a project.
type ProjectAdded struct {
	CommissionID string
	Project      Project
}

// ProjectStatusChanged moves a project on.
type ProjectStatusChanged struct {
	CommissionID, ProjectID string
	Status                  ProjectStatus
}

// TenderLinked links a tender.
type TenderLinked struct{ CommissionID, TenderID, Note string }

// TenderUnlinked removes a tender link.
type TenderUnlinked struct{ CommissionID, TenderID string }

// ConsortiumLinked links a consortium.
type ConsortiumLinked struct{ CommissionID, ConsortiumID, Note string }

// ConsortiumUnlinked removes a consortium link.
type ConsortiumUnlinked struct{ CommissionID, ConsortiumID string }

func (CommissionCreated) commissionEvent()    {}
func (CommissionUpdated) commissionEvent()    {}
func (CommissionClosed) commissionEvent()     {}
func (MemberAdded) commissionEvent()          {}
func (MemberInvited) commissionEvent()        {}
func (InvitationAccepted) commissionEvent()   {}
func (InvitationDeclined) commissionEvent()   {}
func (MemberRoleChanged) commissionEvent()    {}
func (MemberLeft) commissionEvent()           {}
func (MeetingScheduled) commissionEvent()     {}
func (MeetingCancelled) commissionEvent()     {}
func (AttendanceRecorded) commissionEvent()   {}
func (MinutesRecorded) commissionEvent()      {}
func (DecisionRecorded) commissionEvent()     {}
func (DecisionCompleted) commissionEvent()    {}
func (ProjectAdded) commissionEvent()         {}
func (ProjectStatusChanged) commissionEvent() {}
func (TenderLinked) commissionEvent()         {}
func (TenderUnlinked) commissionEvent()       {}
func (ConsortiumLinked) commissionEvent()     {}
func (ConsortiumUnlinked) commissionEvent()   {}
