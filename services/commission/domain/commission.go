// Package domain holds the commission service's rules, without I/O: the
// commission aggregate (members with roles and dates, meetings with agenda,
// attendance, minutes and decisions, projects, links to tenders and consortia),
// the facts it keeps of other services' events (clusters, organisations,
// tenders, consortium bids) and the cross-cluster report computed from them.
package domain

import (
	"fmt"
	"slices"
	"time"
)

// DateLayout is how dates travel in the API.
const DateLayout = "2006-01-02"

// Status of a commission.
type Status int

// Commission statuses (values match the proto enum).
const (
	StatusActive Status = 1
	StatusClosed Status = 2
)

func (s Status) String() string {
	switch s {
	case StatusActive:
		return "active"
	case StatusClosed:
		return "closed"
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// Role of a member organisation.
type Role int

// Roles (values match the proto enum).
const (
	RoleChair     Role = 1
	RoleSecretary Role = 2
	RoleMember    Role = 3
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r >= RoleChair && r <= RoleMember }

func (r Role) String() string {
	switch r {
	case RoleChair:
		return "chair"
	case RoleSecretary:
		return "secretary"
	case RoleMember:
		return "member"
	}
	return fmt.Sprintf("role(%d)", int(r))
}

// MemberStatus is where an organisation stands with a commission.
type MemberStatus int

// Member statuses (values match the proto enum).
const (
	MemberStatusInvited  MemberStatus = 1
	MemberStatusJoined   MemberStatus = 2
	MemberStatusDeclined MemberStatus = 3
	MemberStatusLeft     MemberStatus = 4
)

func (s MemberStatus) String() string {
	switch s {
	case MemberStatusInvited:
		return "invited"
	case MemberStatusJoined:
		return "joined"
	case MemberStatusDeclined:
		return "declined"
	case MemberStatusLeft:
		return "left"
	}
	return fmt.Sprintf("member-status(%d)", int(s))
}

// AttendanceStatus says whether an organisation came to a meeting.
type AttendanceStatus int

// Attendance statuses (values match the proto enum).
const (
	Present AttendanceStatus = 1
	Excused AttendanceStatus = 2
	Absent  AttendanceStatus = 3
)

// Valid reports whether a is a known attendance status.
func (a AttendanceStatus) Valid() bool { return a >= Present && a <= Absent }

// DecisionStatus says whether a decision's action is done.
type DecisionStatus int

// Decision statuses (values match the proto enum).
const (
	DecisionOpen DecisionStatus = 1
	DecisionDone DecisionStatus = 2
)

// ProjectStatus is the life of a project.
type ProjectStatus int

// Project statuses (values match the proto enum).
const (
	ProjectProposed  ProjectStatus = 1
	ProjectActive    ProjectStatus = 2
	ProjectCompleted ProjectStatus = 3
	ProjectCancelled ProjectStatus = 4
)

// Valid reports whether s is a known project status.
func (s ProjectStatus) Valid() bool { return s >= ProjectProposed && s <= ProjectCancelled }

func (s ProjectStatus) String() string {
	switch s {
	case ProjectProposed:
		return "proposed"
	case ProjectActive:
		return "active"
	case ProjectCompleted:
		return "completed"
	case ProjectCancelled:
		return "cancelled"
	}
	return fmt.Sprintf("project-status(%d)", int(s))
}

// Member is an organisation on a commission.
type Member struct {
	OrganizationID string
	Role           Role
	Status         MemberStatus
	Joined, Left   time.Time // dates (UTC midnight); zero when not (yet)
	Invited        time.Time // when invited; zero when added directly
}

// SitsOn reports whether the member sat on the commission on day d.
func (m Member) SitsOn(d time.Time) bool {
	if m.Joined.IsZero() || m.Status == MemberStatusInvited || m.Status == MemberStatusDeclined {
		return false
	}
	day := Day(d)
	return !m.Joined.After(day) && (m.Left.IsZero() || m.Left.After(day))
}

// AgendaItem is one point of an agenda.
type AgendaItem struct {
	Title       string
	PresenterID string // organisation; "" for none
}

// Attendance is one organisation's attendance at a meeting.
type Attendance struct {
	OrganizationID string
	Status         AttendanceStatus
}

// Decision is an action agreed at a meeting.
type Decision struct {
	ID        string
	Text      string
	OwnerID   string // organisation
	Due       time.Time
	Status    DecisionStatus
	Completed time.Time
}

// Meeting is a meeting of the commission.
type Meeting struct {
	ID           string
	Title        string
	Start        time.Time
	Place, Link  string
	Agenda       []AgendaItem
	Attendance   []Attendance
	Minutes      string
	Decisions    []Decision
	Cancelled    bool
	CancelReason string
}

// Held reports whether the meeting took place by now.
func (m Meeting) Held(now time.Time) bool { return !m.Cancelled && !m.Start.After(now) }

// Project is a collaborative project.
type Project struct {
	ID            string
	Title         string
	Description   string
	PartnerIDs    []string
	BudgetCents   int64
	FundingSource string
	Status        ProjectStatus
	CPVCodes      []string
	Created       time.Time
}

// TenderLink is a tender the commission pursues.
type TenderLink struct {
	TenderID, Note string
	Linked         time.Time
}

// ConsortiumLink is a consortium bid the commission pursues.
type ConsortiumLink struct {
	ConsortiumID, Note string
	Linked             time.Time
}

// Commission is the aggregate: a working group on one theme.
type Commission struct {
	ID          string
	Name        string
	Theme       string
	Description string
	ConvenerID  string // convening cluster; "" for the agency
	Status      Status
	CloseReason string
	Members     []Member
	Meetings    []Meeting // by start time
	Projects    []Project
	Tenders     []TenderLink
	Consortia   []ConsortiumLink
	Demo        bool
	Created     time.Time
	Updated     time.Time
	Version     uint64
}

// AgencyConvened reports whether the agency convenes the commission.
func (c *Commission) AgencyConvened() bool { return c.ConvenerID == "" }

// Member returns the organisation's membership (any status).
func (c *Commission) Member(orgID string) (Member, int, bool) {
	for i, m := range c.Members {
		if m.OrganizationID == orgID {
			return m, i, true
		}
	}
	return Member{}, -1, false
}

// Sitting returns the members who sit on the commission now (joined, not left).
func (c *Commission) Sitting() []Member {
	var out []Member
	for _, m := range c.Members {
		if m.Status == MemberStatusJoined {
			out = append(out, m)
		}
	}
	return out
}

// Meeting returns a meeting by id.
func (c *Commission) Meeting(id string) (Meeting, int, bool) {
	for i, m := range c.Meetings {
		if m.ID == id {
			return m, i, true
		}
	}
	return Meeting{}, -1, false
}

// Decision returns a decision by id, with the indexes of its meeting and itself.
func (c *Commission) Decision(id string) (Decision, int, int, bool) {
	for i, m := range c.Meetings {
		for j, d := range m.Decisions {
			if d.ID == id {
				return d, i, j, true
			}
		}
	}
	return Decision{}, -1, -1, false
}

// Project returns a project by id.
func (c *Commission) Project(id string) (Project, int, bool) {
	for i, p := range c.Projects {
		if p.ID == id {
			return p, i, true
		}
	}
	return Project{}, -1, false
}

// NextMeeting returns the soonest meeting not cancelled starting after now.
func (c *Commission) NextMeeting(now time.Time) (Meeting, bool) {
	for _, m := range c.Meetings {
		if !m.Cancelled && m.Start.After(now) {
			return m, true
		}
	}
	return Meeting{}, false
}

// Apply folds one event into the commission. at is the event's time, seq its
// stream sequence (the new version). Slices are copied before they change, so
// a commission read from a store is never modified behind the store's back.
func (c *Commission) Apply(e Event, at time.Time, seq uint64) error {
	switch e := e.(type) {
	case CommissionCreated:
		*c = Commission{ID: e.CommissionID, Name: e.Name, Theme: e.Theme, Description: e.Description,
			ConvenerID: e.ConvenerID, Status: StatusActive, Demo: e.Demo, Created: at}
	case CommissionUpdated:
		c.Name, c.Theme, c.Description = e.Name, e.Theme, e.Description
	case CommissionClosed:
		c.Status, c.CloseReason = StatusClosed, e.Reason
	case MemberAdded:
		c.setMember(e.OrganizationID, func(m *Member) {
			*m = Member{OrganizationID: e.OrganizationID, Role: e.Role, Status: MemberStatusJoined, Joined: e.Joined}
		})
	case MemberInvited:
		c.setMember(e.OrganizationID, func(m *Member) {
			*m = Member{OrganizationID: e.OrganizationID, Role: e.Role, Status: MemberStatusInvited, Invited: at}
		})
	case InvitationAccepted:
		c.setMember(e.OrganizationID, func(m *Member) { m.Status, m.Joined, m.Left = MemberStatusJoined, e.Joined, time.Time{} })
	case InvitationDeclined:
		c.setMember(e.OrganizationID, func(m *Member) { m.Status = MemberStatusDeclined })
	case MemberRoleChanged:
		c.setMember(e.OrganizationID, func(m *Member) { m.Role = e.Role })
	case MemberLeft:
		c.setMember(e.OrganizationID, func(m *Member) { m.Status, m.Left = MemberStatusLeft, e.Left })
	case MeetingScheduled:
		c.Meetings = append(slices.Clone(c.Meetings), e.Meeting)
		slices.SortStableFunc(c.Meetings, func(a, b Meeting) int { return a.Start.Compare(b.Start) })
	case MeetingCancelled:
		c.setMeeting(e.MeetingID, func(m *Meeting) { m.Cancelled, m.CancelReason = true, e.Reason })
	case AttendanceRecorded:
		c.setMeeting(e.MeetingID, func(m *Meeting) { m.Attendance = slices.Clone(e.Attendance) })
	case MinutesRecorded:
		c.setMeeting(e.MeetingID, func(m *Meeting) { m.Minutes = e.Minutes })
	case DecisionRecorded:
		c.setMeeting(e.MeetingID, func(m *Meeting) { m.Decisions = append(slices.Clone(m.Decisions), e.Decision) })
	case DecisionCompleted:
		if _, i, j, ok := c.Decision(e.DecisionID); ok {
			c.Meetings = slices.Clone(c.Meetings)
			ds := slices.Clone(c.Meetings[i].Decisions)
			ds[j].Status, ds[j].Completed = DecisionDone, at
			c.Meetings[i].Decisions = ds
		}
	case ProjectAdded:
		p := e.Project
		p.Created = at
		c.Projects = append(slices.Clone(c.Projects), p)
	case ProjectStatusChanged:
		if _, i, ok := c.Project(e.ProjectID); ok {
			c.Projects = slices.Clone(c.Projects)
			c.Projects[i].Status = e.Status
		}
	case TenderLinked:
		c.Tenders = append(slices.Clone(c.Tenders), TenderLink{TenderID: e.TenderID, Note: e.Note, Linked: at})
	case TenderUnlinked:
		c.Tenders = slices.DeleteFunc(slices.Clone(c.Tenders), func(l TenderLink) bool { return l.TenderID == e.TenderID })
	case ConsortiumLinked:
		c.Consortia = append(slices.Clone(c.Consortia), ConsortiumLink{ConsortiumID: e.ConsortiumID, Note: e.Note, Linked: at})
	case ConsortiumUnlinked:
		c.Consortia = slices.DeleteFunc(slices.Clone(c.Consortia), func(l ConsortiumLink) bool { return l.ConsortiumID == e.ConsortiumID })
	default:
		return fmt.Errorf("commission: unknown event %T", e)
	}
	c.Updated = at
	c.Version = seq
	return nil
}

func (c *Commission) setMember(orgID string, f func(*Member)) {
	c.Members = slices.Clone(c.Members)
	if _, i, ok := c.Member(orgID); ok {
		f(&c.Members[i])
		return
	}
	m := Member{OrganizationID: orgID}
	f(&m)
	c.Members = append(c.Members, m)
}

func (c *Commission) setMeeting(id string, f func(*Meeting)) {
	if _, i, ok := c.Meeting(id); ok {
		c.Meetings = slices.Clone(c.Meetings)
		f(&c.Meetings[i])
	}
}

// Day returns t's date at UTC midnight.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
