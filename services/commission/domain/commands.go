package domain

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Codes validates CPV codes (services/platform/codes).
type Codes interface {
	CPV(code string) (string, error)
}

// Limits of free-text fields (characters).
const (
	maxName        = 200
	maxTheme       = 100
	maxDescription = 5000
	maxNote        = 1000
	maxReason      = 1000
	maxMinutes     = 20000
	maxDecision    = 2000
	maxAgenda      = 50
	maxPartners    = 50
	maxCPV         = 20
	maxIDLength    = 64
)

// CheckID adds a violation unless id is a well-formed object id: 1 to 64
// letters, digits, '-' or '_'. Ids reach NATS subjects and store keys, so
// nothing else (dots, wildcards, spaces) gets through.
func CheckID(v *domainerr.Violations, field, id string) {
	if id == "" {
		v.Add(field, "required")
		return
	}
	if len(id) > maxIDLength {
		v.Add(field, "at most %d characters, got %d", maxIDLength, len(id))
		return
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			v.Add(field, "%q is not an id (letters, digits, '-' and '_' only)", id)
			return
		}
	}
}

// ValidID reports whether id passes CheckID.
func ValidID(id string) bool {
	var v domainerr.Violations
	CheckID(&v, "id", id)
	return len(v) == 0
}

// text trims s and checks it against a maximum length (and presence when required).
func text(v *domainerr.Violations, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	if required && s == "" {
		v.Add(field, "required")
	}
	if n := utf8.RuneCountInString(s); n > max {
		v.Add(field, "at most %d characters, got %d", max, n)
	}
	return s
}

// ParseDate parses a YYYY-MM-DD date; empty gives def.
func ParseDate(v *domainerr.Violations, field, s string, def time.Time) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return Day(def)
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		v.Add(field, "want a date YYYY-MM-DD, got %q", s)
		return time.Time{}
	}
	return t
}

func (c *Commission) subject() string { return "commission/" + c.ID }

// requireActive refuses changes to a closed commission.
func (c *Commission) requireActive(action string) error {
	if c.Status != StatusActive {
		return domainerr.Precondition("commission_status", c.subject(), "commission %s is closed; it cannot %s", c.ID, action)
	}
	return nil
}

// Details are a commission's descriptive fields.
type Details struct {
	Name, Theme, Description string
}

func (d Details) validate(v *domainerr.Violations) Details {
	return Details{
		Name:        text(v, "name", d.Name, maxName, true),
		Theme:       text(v, "theme", d.Theme, maxTheme, true),
		Description: text(v, "description", d.Description, maxDescription, false),
	}
}

// Create decides a new commission. convenerID is the convening cluster ("" for
// the agency); the caller checks that it exists.
func Create(id string, d Details, convenerID string, demo bool) (CommissionCreated, error) {
	var v domainerr.Violations
	d = d.validate(&v)
	if convenerID != "" {
		CheckID(&v, "convening_cluster_id", convenerID)
	}
	if err := v.Err(); err != nil {
		return CommissionCreated{}, err
	}
	return CommissionCreated{CommissionID: id, Name: d.Name, Theme: d.Theme, Description: d.Description, ConvenerID: convenerID, Demo: demo}, nil
}

// Update replaces name, theme and description.
func (c *Commission) Update(d Details) (Event, error) {
	var v domainerr.Violations
	d = d.validate(&v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("change"); err != nil {
		return nil, err
	}
	return CommissionUpdated{CommissionID: c.ID, Name: d.Name, Theme: d.Theme, Description: d.Description}, nil
}

// Close closes the commission.
func (c *Commission) Close(reason string) (Event, error) {
	var v domainerr.Violations
	reason = text(&v, "reason", reason, maxReason, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("close again"); err != nil {
		return nil, err
	}
	return CommissionClosed{CommissionID: c.ID, Reason: reason}, nil
}

// role defaults an unspecified role to member and checks it.
func role(v *domainerr.Violations, r Role) Role {
	if r == 0 {
		return RoleMember
	}
	if !r.Valid() {
		v.Add("role", "unknown role %d", int(r))
	}
	return r
}

// checkSingleRole keeps one chair and one secretary (sitting or invited).
func (c *Commission) checkSingleRole(orgID string, r Role) error {
	if r == RoleMember {
		return nil
	}
	for _, m := range c.Members {
		if m.OrganizationID != orgID && m.Role == r && (m.Status == MemberStatusJoined || m.Status == MemberStatusInvited) {
			return domainerr.Precondition("single_"+r.String(), c.subject(),
				"commission %s has a %s already (organisation %s); change that member's role first", c.ID, r, m.OrganizationID)
		}
	}
	return nil
}

// AddMember adds an organisation (registered in the member service: the caller
// checks) directly, joined on joinedDate (empty: today).
func (c *Commission) AddMember(orgID string, r Role, joinedDate string, today time.Time) (Event, error) {
	var v domainerr.Violations
	CheckID(&v, "organization_id", orgID)
	r = role(&v, r)
	joined := ParseDate(&v, "joined_date", joinedDate, today)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("take members"); err != nil {
		return nil, err
	}
	if m, _, ok := c.Member(orgID); ok && (m.Status == MemberStatusJoined || m.Status == MemberStatusInvited) {
		return nil, domainerr.Precondition("already_member", c.subject(), "organisation %s is %s on commission %s already", orgID, m.Status, c.ID)
	}
	if err := c.checkSingleRole(orgID, r); err != nil {
		return nil, err
	}
	return MemberAdded{CommissionID: c.ID, OrganizationID: orgID, Role: r, Joined: joined}, nil
}

// Invite invites an organisation.
func (c *Commission) Invite(orgID string, r Role) (Event, error) {
	var v domainerr.Violations
	CheckID(&v, "organization_id", orgID)
	r = role(&v, r)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("invite"); err != nil {
		return nil, err
	}
	if m, _, ok := c.Member(orgID); ok && (m.Status == MemberStatusJoined || m.Status == MemberStatusInvited) {
		return nil, domainerr.Precondition("already_member", c.subject(), "organisation %s is %s on commission %s already", orgID, m.Status, c.ID)
	}
	if err := c.checkSingleRole(orgID, r); err != nil {
		return nil, err
	}
	return MemberInvited{CommissionID: c.ID, OrganizationID: orgID, Role: r}, nil
}

func (c *Commission) invited(orgID, action string) error {
	var v domainerr.Violations
	CheckID(&v, "organization_id", orgID)
	if err := v.Err(); err != nil {
		return err
	}
	if err := c.requireActive(action); err != nil {
		return err
	}
	m, _, ok := c.Member(orgID)
	if !ok || m.Status != MemberStatusInvited {
		return domainerr.Precondition("not_invited", c.subject(), "organisation %s has no pending invitation to commission %s", orgID, c.ID)
	}
	return nil
}

// Accept joins the invited organisation today.
func (c *Commission) Accept(orgID string, today time.Time) (Event, error) {
	if err := c.invited(orgID, "take members"); err != nil {
		return nil, err
	}
	return InvitationAccepted{CommissionID: c.ID, OrganizationID: orgID, Joined: Day(today)}, nil
}

// Decline records a declined invitation.
func (c *Commission) Decline(orgID, reason string) (Event, error) {
	var v domainerr.Violations
	reason = text(&v, "reason", reason, maxReason, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.invited(orgID, "take members"); err != nil {
		return nil, err
	}
	return InvitationDeclined{CommissionID: c.ID, OrganizationID: orgID, Reason: reason}, nil
}

func (c *Commission) sitting(orgID, field string) (Member, error) {
	m, _, ok := c.Member(orgID)
	if !ok || m.Status != MemberStatusJoined {
		return m, domainerr.Precondition("not_member", c.subject(), "%s: organisation %s does not sit on commission %s", field, orgID, c.ID)
	}
	return m, nil
}

// ChangeRole gives a sitting or invited member another role.
func (c *Commission) ChangeRole(orgID string, r Role) (Event, error) {
	var v domainerr.Violations
	CheckID(&v, "organization_id", orgID)
	if r == 0 {
		v.Add("role", "required")
	} else if !r.Valid() {
		v.Add("role", "unknown role %d", int(r))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("change roles"); err != nil {
		return nil, err
	}
	m, _, ok := c.Member(orgID)
	if !ok || (m.Status != MemberStatusJoined && m.Status != MemberStatusInvited) {
		return nil, domainerr.Precondition("not_member", c.subject(), "organisation %s does not sit on commission %s", orgID, c.ID)
	}
	if m.Role == r {
		return nil, domainerr.Precondition("same_role", c.subject(), "organisation %s is %s already", orgID, r)
	}
	if err := c.checkSingleRole(orgID, r); err != nil {
		return nil, err
	}
	return MemberRoleChanged{CommissionID: c.ID, OrganizationID: orgID, Role: r}, nil
}

// RemoveMember records that a sitting member left on leftDate (empty: today).
func (c *Commission) RemoveMember(orgID, leftDate string, today time.Time) (Event, error) {
	var v domainerr.Violations
	CheckID(&v, "organization_id", orgID)
	left := ParseDate(&v, "left_date", leftDate, today)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("lose members"); err != nil {
		return nil, err
	}
	m, err := c.sitting(orgID, "organization_id")
	if err != nil {
		return nil, err
	}
	if left.Before(m.Joined) {
		return nil, domainerr.Invalid("left_date", "%s is before the organisation joined (%s)", left.Format(DateLayout), m.Joined.Format(DateLayout))
	}
	return MemberLeft{CommissionID: c.ID, OrganizationID: orgID, Left: left}, nil
}

// MeetingInput is a meeting to schedule, before validation.
type MeetingInput struct {
	Title       string
	Start       time.Time
	Place, Link string
	Agenda      []AgendaItem
}

// Schedule decides a new meeting with id.
func (c *Commission) Schedule(id string, in MeetingInput) (Event, error) {
	var v domainerr.Violations
	m := Meeting{ID: id, Title: text(&v, "title", in.Title, maxName, true), Start: in.Start.UTC(),
		Place: text(&v, "place", in.Place, maxName, false), Link: strings.TrimSpace(in.Link)}
	if in.Start.IsZero() {
		v.Add("start_time", "required")
	}
	if m.Place == "" && m.Link == "" {
		v.Add("place", "a place or a link is required")
	}
	if m.Link != "" {
		if u, err := url.Parse(m.Link); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.Add("link", "want an http or https URL, got %q", m.Link)
		}
	}
	if len(in.Agenda) > maxAgenda {
		v.Add("agenda", "at most %d items, got %d", maxAgenda, len(in.Agenda))
	}
	for i, a := range in.Agenda {
		f := "agenda[" + strconv.Itoa(i) + "]"
		item := AgendaItem{Title: text(&v, f+".title", a.Title, maxName, true), PresenterID: a.PresenterID}
		if item.PresenterID != "" {
			CheckID(&v, f+".presenter_organization_id", item.PresenterID)
			if _, _, ok := c.Member(item.PresenterID); !ok && len(v) == 0 {
				v.Add(f+".presenter_organization_id", "organisation %s is not on the commission", item.PresenterID)
			}
		}
		m.Agenda = append(m.Agenda, item)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("schedule meetings"); err != nil {
		return nil, err
	}
	return MeetingScheduled{CommissionID: c.ID, Meeting: m}, nil
}

func (c *Commission) meeting(id string) (Meeting, error) {
	var v domainerr.Violations
	CheckID(&v, "meeting_id", id)
	if err := v.Err(); err != nil {
		return Meeting{}, err
	}
	m, _, ok := c.Meeting(id)
	if !ok {
		return m, domainerr.Invalid("meeting_id", "commission %s has no meeting %s", c.ID, id)
	}
	return m, nil
}

// CancelMeeting cancels a meeting that has not started.
func (c *Commission) CancelMeeting(id, reason string, now time.Time) (Event, error) {
	var v domainerr.Violations
	reason = text(&v, "reason", reason, maxReason, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	m, err := c.meeting(id)
	if err != nil {
		return nil, err
	}
	if err := c.requireActive("cancel meetings"); err != nil {
		return nil, err
	}
	if m.Cancelled {
		return nil, domainerr.Precondition("meeting_cancelled", "meeting/"+id, "meeting %s is cancelled already", id)
	}
	if !m.Start.After(now) {
		return nil, domainerr.Precondition("meeting_started", "meeting/"+id, "meeting %s started on %s; it can no longer be cancelled", id, m.Start.Format(time.RFC3339))
	}
	return MeetingCancelled{CommissionID: c.ID, MeetingID: id, Reason: reason}, nil
}

// held checks that a meeting took place (started, not cancelled).
func (c *Commission) held(id string, now time.Time, what string) (Meeting, error) {
	m, err := c.meeting(id)
	if err != nil {
		return m, err
	}
	if m.Cancelled {
		return m, domainerr.Precondition("meeting_cancelled", "meeting/"+id, "meeting %s was cancelled; it has no %s", id, what)
	}
	if m.Start.After(now) {
		return m, domainerr.Precondition("meeting_not_started", "meeting/"+id, "meeting %s starts on %s; record its %s once it has started", id, m.Start.Format(time.RFC3339), what)
	}
	return m, nil
}

// RecordAttendance replaces the attendance of a meeting that took place. Every
// organisation must have sat on the commission that day.
func (c *Commission) RecordAttendance(meetingID string, att []Attendance, now time.Time) (Event, error) {
	var v domainerr.Violations
	if len(att) == 0 {
		v.Add("attendance", "at least one organisation is required")
	}
	seen := map[string]bool{}
	for i, a := range att {
		f := "attendance[" + strconv.Itoa(i) + "]"
		CheckID(&v, f+".organization_id", a.OrganizationID)
		if !a.Status.Valid() {
			v.Add(f+".status", "want present, excused or absent")
		}
		if seen[a.OrganizationID] {
			v.Add(f+".organization_id", "organisation %s is listed twice", a.OrganizationID)
		}
		seen[a.OrganizationID] = true
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	m, err := c.held(meetingID, now, "attendance")
	if err != nil {
		return nil, err
	}
	if err := c.requireActive("record attendance"); err != nil {
		return nil, err
	}
	for i, a := range att {
		if mem, _, ok := c.Member(a.OrganizationID); !ok || !mem.SitsOn(m.Start) {
			v.Add("attendance["+strconv.Itoa(i)+"].organization_id", "organisation %s did not sit on the commission on %s", a.OrganizationID, m.Start.Format(DateLayout))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return AttendanceRecorded{CommissionID: c.ID, MeetingID: meetingID, Attendance: slices.Clone(att)}, nil
}

// RecordMinutes replaces the minutes of a meeting that took place.
func (c *Commission) RecordMinutes(meetingID, minutes string, now time.Time) (Event, error) {
	var v domainerr.Violations
	minutes = text(&v, "minutes", minutes, maxMinutes, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := c.held(meetingID, now, "minutes"); err != nil {
		return nil, err
	}
	if err := c.requireActive("record minutes"); err != nil {
		return nil, err
	}
	return MinutesRecorded{CommissionID: c.ID, MeetingID: meetingID, Minutes: minutes}, nil
}

// RecordDecision records a decision with id taken at a meeting that took place;
// the owner is a sitting member and the due date is not before the meeting.
func (c *Commission) RecordDecision(meetingID, id, decision, ownerID, dueDate string, now time.Time) (Event, error) {
	var v domainerr.Violations
	decision = text(&v, "text", decision, maxDecision, true)
	CheckID(&v, "owner_organization_id", ownerID)
	var due time.Time
	if strings.TrimSpace(dueDate) == "" {
		v.Add("due_date", "required")
	} else {
		due = ParseDate(&v, "due_date", dueDate, now)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	m, err := c.held(meetingID, now, "decisions")
	if err != nil {
		return nil, err
	}
	if err := c.requireActive("record decisions"); err != nil {
		return nil, err
	}
	if _, err := c.sitting(ownerID, "owner_organization_id"); err != nil {
		return nil, err
	}
	if due.Before(Day(m.Start)) {
		return nil, domainerr.Invalid("due_date", "%s is before the meeting (%s)", due.Format(DateLayout), m.Start.Format(DateLayout))
	}
	return DecisionRecorded{CommissionID: c.ID, MeetingID: meetingID,
		Decision: Decision{ID: id, Text: decision, OwnerID: ownerID, Due: due, Status: DecisionOpen}}, nil
}

// CompleteDecision marks an open decision done.
func (c *Commission) CompleteDecision(id string) (Event, error) {
	var v domainerr.Violations
	CheckID(&v, "decision_id", id)
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, _, _, ok := c.Decision(id)
	if !ok {
		return nil, domainerr.Invalid("decision_id", "commission %s has no decision %s", c.ID, id)
	}
	if err := c.requireActive("complete decisions"); err != nil {
		return nil, err
	}
	if d.Status == DecisionDone {
		return nil, domainerr.Precondition("decision_done", "decision/"+id, "decision %s is done already", id)
	}
	return DecisionCompleted{CommissionID: c.ID, DecisionID: id}, nil
}

// ProjectInput is a project to add, before validation. The caller checks that
// the partners are registered organisations.
type ProjectInput struct {
	Title, Description string
	PartnerIDs         []string
	BudgetCents        int64
	FundingSource      string
	Status             ProjectStatus
	CPVCodes           []string
}

// AddProject decides a new project with id.
func (c *Commission) AddProject(id string, in ProjectInput, codes Codes) (Event, error) {
	var v domainerr.Violations
	p := Project{ID: id, Title: text(&v, "title", in.Title, maxName, true),
		Description:   text(&v, "description", in.Description, maxDescription, false),
		BudgetCents:   in.BudgetCents,
		FundingSource: text(&v, "funding_source", in.FundingSource, maxName, false),
		Status:        in.Status,
	}
	if len(in.PartnerIDs) == 0 {
		v.Add("partner_organization_ids", "at least one partner is required")
	}
	if len(in.PartnerIDs) > maxPartners {
		v.Add("partner_organization_ids", "at most %d partners, got %d", maxPartners, len(in.PartnerIDs))
	}
	for i, id := range in.PartnerIDs {
		f := "partner_organization_ids[" + strconv.Itoa(i) + "]"
		CheckID(&v, f, id)
		if slices.Contains(p.PartnerIDs, id) {
			v.Add(f, "organisation %s is listed twice", id)
		}
		p.PartnerIDs = append(p.PartnerIDs, id)
	}
	if in.BudgetCents < 0 {
		v.Add("budget_cents", "must not be negative, got %d", in.BudgetCents)
	}
	if p.Status == 0 {
		p.Status = ProjectProposed
	} else if !p.Status.Valid() {
		v.Add("status", "unknown project status %d", int(p.Status))
	}
	if len(in.CPVCodes) > maxCPV {
		v.Add("cpv_codes", "at most %d codes, got %d", maxCPV, len(in.CPVCodes))
	}
	for i, code := range in.CPVCodes {
		norm, err := codes.CPV(code)
		if err != nil {
			v.Add("cpv_codes["+strconv.Itoa(i)+"]", "%v", err)
			continue
		}
		p.CPVCodes = append(p.CPVCodes, norm)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("add projects"); err != nil {
		return nil, err
	}
	return ProjectAdded{CommissionID: c.ID, Project: p}, nil
}

// projectMoves are the allowed status changes.
var projectMoves = map[ProjectStatus][]ProjectStatus{
	ProjectProposed: {ProjectActive, ProjectCancelled},
	ProjectActive:   {ProjectCompleted, ProjectCancelled},
}

// ChangeProjectStatus moves a project on: proposed → active → completed, or
// cancelled before it completes.
func (c *Commission) ChangeProjectStatus(id string, s ProjectStatus) (Event, error) {
	var v domainerr.Violations
	CheckID(&v, "project_id", id)
	if !s.Valid() {
		v.Add("status", "want proposed, active, completed or cancelled")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, _, ok := c.Project(id)
	if !ok {
		return nil, domainerr.Invalid("project_id", "commission %s has no project %s", c.ID, id)
	}
	if err := c.requireActive("change projects"); err != nil {
		return nil, err
	}
	if !slices.Contains(projectMoves[p.Status], s) {
		return nil, domainerr.Precondition("project_status", "project/"+id, "project %s is %s; it cannot become %s", id, p.Status, s)
	}
	return ProjectStatusChanged{CommissionID: c.ID, ProjectID: id, Status: s}, nil
}

// LinkTender links a tender the caller found in the tender projection.
func (c *Commission) LinkTender(tenderID, note string) (Event, error) {
	var v domainerr.Violations
	CheckID(&v, "tender_id", tenderID)
	note = text(&v, "note", note, maxNote, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("link tenders"); err != nil {
		return nil, err
	}
	if slices.ContainsFunc(c.Tenders, func(l TenderLink) bool { return l.TenderID == tenderID }) {
		return nil, domainerr.Precondition("already_linked", c.subject(), "tender %s is linked to commission %s already", tenderID, c.ID)
	}
	return TenderLinked{CommissionID: c.ID, TenderID: tenderID, Note: note}, nil
}

// UnlinkTender removes a tender link.
func (c *Commission) UnlinkTender(tenderID string) (Event, error) {
	var v domainerr.Violations
	CheckID(&v, "tender_id", tenderID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("unlink tenders"); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(c.Tenders, func(l TenderLink) bool { return l.TenderID == tenderID }) {
		return nil, domainerr.Precondition("not_linked", c.subject(), "tender %s is not linked to commission %s", tenderID, c.ID)
	}
	return TenderUnlinked{CommissionID: c.ID, TenderID: tenderID}, nil
}

// LinkConsortium links a consortium the caller found in the tender projection.
func (c *Commission) LinkConsortium(consortiumID, note string) (Event, error) {
	var v domainerr.Violations
	CheckID(&v, "consortium_id", consortiumID)
	note = text(&v, "note", note, maxNote, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("link consortia"); err != nil {
		return nil, err
	}
	if slices.ContainsFunc(c.Consortia, func(l ConsortiumLink) bool { return l.ConsortiumID == consortiumID }) {
		return nil, domainerr.Precondition("already_linked", c.subject(), "consortium %s is linked to commission %s already", consortiumID, c.ID)
	}
	return ConsortiumLinked{CommissionID: c.ID, ConsortiumID: consortiumID, Note: note}, nil
}

// UnlinkConsortium removes a consortium link.
func (c *Commission) UnlinkConsortium(consortiumID string) (Event, error) {
	var v domainerr.Violations
	CheckID(&v, "consortium_id", consortiumID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := c.requireActive("unlink consortia"); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(c.Consortia, func(l ConsortiumLink) bool { return l.ConsortiumID == consortiumID }) {
		return nil, domainerr.Precondition("not_linked", c.subject(), "consortium %s is not linked to commission %s", consortiumID, c.ID)
	}
	return ConsortiumUnlinked{CommissionID: c.ID, ConsortiumID: consortiumID}, nil
}
