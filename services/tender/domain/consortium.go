package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

// ConsortiumStatus is a consortium's stored state. READY is not stored: it is
// FORMING with every rule met, computed when the consortium is read.
type ConsortiumStatus int

// Consortium states.
const (
	BidUnspecified ConsortiumStatus = iota
	BidForming
	BidReady
	BidSubmitted
	BidAwarded
	BidLost
	BidDissolved
)

func (s ConsortiumStatus) String() string {
	return [...]string{"unspecified", "forming", "ready", "submitted", "awarded", "lost", "dissolved"}[s]
}

// MemberStatus is a member's state.
type MemberStatus int

// Member states.
const (
	MemberUnspecified MemberStatus = iota
	MemberInvited
	MemberJoined
	MemberDeclined
	MemberWithdrawn
)

func (s MemberStatus) String() string {
	return [...]string{"unspecified", "invited", "joined", "declined", "withdrawn"}[s]
}

// Draft is a proposed member: for a check, a new consortium or a recommendation.
type Draft struct {
	OrganizationID    string
	ShareBP           int
	Lead              bool
	Covers, Certifies []string
}

// Member is an organisation's place in a consortium.
type Member struct {
	OrganizationID     string
	Status             MemberStatus
	ShareBP            int
	Lead               bool
	Covers, Certifies  []string
	Invited, Responded time.Time
}

// Consortium is the consortium (UTE bid) aggregate.
type Consortium struct {
	ID, TenderID, LotID, Name string
	Members                   []Member
	Status                    ConsortiumStatus
	DissolveReason            string
	Demo                      bool
	Created, Updated          time.Time
	Version                   uint64
}

// Member returns the member with the organisation id.
func (c *Consortium) Member(orgID string) (Member, int, bool) {
	for i, m := range c.Members {
		if m.OrganizationID == orgID {
			return m, i, true
		}
	}
	return Member{}, -1, false
}

// Lead returns the lead organisation id.
func (c *Consortium) Lead() string {
	for _, m := range c.Members {
		if m.Lead {
			return m.OrganizationID
		}
	}
	return ""
}

// Joined returns the members who accepted.
func (c *Consortium) Joined() []Member {
	var out []Member
	for _, m := range c.Members {
		if m.Status == MemberJoined {
			out = append(out, m)
		}
	}
	return out
}

// Pending returns the members invited who have not answered yet.
func (c *Consortium) Pending() []Member {
	var out []Member
	for _, m := range c.Members {
		if m.Status == MemberInvited {
			out = append(out, m)
		}
	}
	return out
}

// Holds reports whether orgID occupies a seat: invited or joined in a live consortium.
func (c *Consortium) Holds(orgID string) bool {
	if c.Status == BidDissolved || c.Status == BidLost {
		return false
	}
	m, _, ok := c.Member(orgID)
	return ok && (m.Status == MemberInvited || m.Status == MemberJoined)
}

// Team returns the joined members as an eligibility team, with companies
// looked up by id (unknown companies appear with only their id, and fail).
func (c *Consortium) Team(company func(id string) eligibility.Company) eligibility.Team {
	var t eligibility.Team
	for _, m := range c.Joined() {
		t.Members = append(t.Members, eligibility.Member{
			Company: company(m.OrganizationID), ShareBP: m.ShareBP, Lead: m.Lead,
			Covers: slices.Clone(m.Covers), Certifies: slices.Clone(m.Certifies),
		})
	}
	return t
}

func (c *Consortium) subject() string { return "consortium/" + c.ID }

func (c *Consortium) requireForming(action string) error {
	if c.Status != BidForming {
		return domainerr.Precondition("consortium_status", c.subject(), "cannot %s: consortium %s is %s", action, c.ID, c.Status)
	}
	return nil
}

// Form validates a new consortium. leadJoins is true when the lead company
// forms its own bid (it joins at once); otherwise everyone is invited.
func Form(id string, t *Tender, lotID, name string, members []Draft, leadJoins bool, demo bool) (ConsortiumFormed, error) {
	var v domainerr.Violations
	if err := t.CheckLot(lotID); err != nil {
		return ConsortiumFormed{}, err
	}
	if len(members) == 0 {
		v.Add("members", "at least the lead organisation is required")
	}
	if len(members) > MaxTeamMembers {
		return ConsortiumFormed{}, domainerr.Invalid("members", "at most %d members, got %d", MaxTeamMembers, len(members))
	}
	lead, seen := "", map[string]bool{}
	for i, m := range members {
		f := fmt.Sprintf("members[%d].", i)
		switch {
		case m.OrganizationID == "":
			v.Add(f+"organization_id", "required")
		case seen[m.OrganizationID]:
			v.Add(f+"organization_id", "organisation %s listed twice", m.OrganizationID)
		}
		seen[m.OrganizationID] = true
		if m.ShareBP < 0 || m.ShareBP > 10000 {
			v.Add(f+"share_bp", "must be between 0 and 10000 (hundredths of a percent), got %d", m.ShareBP)
		}
		if m.Lead {
			if lead != "" {
				v.Add(f+"lead", "only one lead (representative) per consortium")
			}
			lead = m.OrganizationID
		}
	}
	if len(members) > 0 && lead == "" {
		v.Add("members", "mark exactly one member as lead (the UTE's representative, LCSP art. 69)")
	}
	if err := v.Err(); err != nil {
		return ConsortiumFormed{}, err
	}
	if err := t.requireOpen("form a consortium"); err != nil {
		return ConsortiumFormed{}, err
	}
	req, err := t.EligibilityRequirements(lotID)
	if err != nil {
		return ConsortiumFormed{}, err
	}
	if req.MaxMembers > 0 && len(members) > req.MaxMembers {
		return ConsortiumFormed{}, domainerr.Precondition("max_members", "tender/"+t.ID, "the tender allows at most %d members; %d proposed", req.MaxMembers, len(members))
	}
	if strings.TrimSpace(name) == "" {
		name = shorten("UTE "+strings.TrimSpace(t.Details.Title), 120)
	}
	return ConsortiumFormed{
		ConsortiumID: id, TenderID: t.ID, LotID: lotID, Name: strings.TrimSpace(name),
		LeadID: lead, LeadJoined: leadJoins, Members: slices.Clone(members), Demo: demo,
	}, nil
}

// Invite invites another organisation.
func (c *Consortium) Invite(orgID string, maxMembers int) (Event, error) {
	if orgID == "" {
		return nil, domainerr.Invalid("organization_id", "required")
	}
	if err := c.requireForming("invite"); err != nil {
		return nil, err
	}
	if m, _, ok := c.Member(orgID); ok && (m.Status == MemberInvited || m.Status == MemberJoined) {
		return nil, domainerr.Precondition("invitation", c.subject(), "organisation %s is already %s", orgID, m.Status)
	}
	live := 0
	for _, m := range c.Members {
		if m.Status == MemberInvited || m.Status == MemberJoined {
			live++
		}
	}
	if maxMembers > 0 && live >= maxMembers {
		return nil, domainerr.Precondition("max_members", c.subject(), "the tender allows at most %d members; %d already invited or joined", maxMembers, live)
	}
	return ConsortiumMemberInvited{ConsortiumID: c.ID, OrganizationID: orgID}, nil
}

func (c *Consortium) invited(orgID, action string) error {
	if err := c.requireForming(action); err != nil {
		return err
	}
	m, _, ok := c.Member(orgID)
	if !ok || m.Status != MemberInvited {
		status := "not invited"
		if ok {
			status = m.Status.String()
		}
		return domainerr.Precondition("invitation", c.subject(), "cannot %s: organisation %s is %s", action, orgID, status)
	}
	return nil
}

// Accept joins an invited organisation.
func (c *Consortium) Accept(orgID string) (Event, error) {
	if err := c.invited(orgID, "accept"); err != nil {
		return nil, err
	}
	return ConsortiumMemberJoined{ConsortiumID: c.ID, OrganizationID: orgID}, nil
}

// Decline records a refusal.
func (c *Consortium) Decline(orgID, reason string) (Event, error) {
	if err := c.invited(orgID, "decline"); err != nil {
		return nil, err
	}
	return ConsortiumInvitationDeclined{ConsortiumID: c.ID, OrganizationID: orgID, Reason: strings.TrimSpace(reason)}, nil
}

func (c *Consortium) joined(orgID, action string) (Member, error) {
	if err := c.requireForming(action); err != nil {
		return Member{}, err
	}
	m, _, ok := c.Member(orgID)
	if !ok || m.Status != MemberJoined {
		return Member{}, domainerr.Precondition("membership", c.subject(), "cannot %s: organisation %s has not joined consortium %s", action, orgID, c.ID)
	}
	return m, nil
}

// Withdraw lets a joined member leave (the lead must hand over first), or
// withdraws an invitation not yet answered.
func (c *Consortium) Withdraw(orgID, reason string) (Event, error) {
	if m, _, ok := c.Member(orgID); ok && m.Status == MemberInvited {
		if err := c.requireForming("withdraw"); err != nil {
			return nil, err
		}
		return ConsortiumMemberWithdrew{ConsortiumID: c.ID, OrganizationID: orgID, Reason: strings.TrimSpace(reason)}, nil
	}
	m, err := c.joined(orgID, "withdraw")
	if err != nil {
		return nil, err
	}
	if m.Lead {
		return nil, domainerr.Precondition("lead", c.subject(), "the lead cannot withdraw; name another lead first or dissolve the consortium")
	}
	return ConsortiumMemberWithdrew{ConsortiumID: c.ID, OrganizationID: orgID, Reason: strings.TrimSpace(reason)}, nil
}

// SetShare sets a joined member's share.
func (c *Consortium) SetShare(orgID string, bp int) (Event, error) {
	if bp < 1 || bp > 10000 {
		return nil, domainerr.Invalid("share_bp", "must be between 1 and 10000 hundredths of a percent (0.01 %%–100 %%), got %d", bp)
	}
	if _, err := c.joined(orgID, "set a share"); err != nil {
		return nil, err
	}
	return ConsortiumShareSet{ConsortiumID: c.ID, OrganizationID: orgID, ShareBP: bp}, nil
}

// AssignRoles records which capabilities and certified systems a member covers.
func (c *Consortium) AssignRoles(orgID string, covers, certifies []string) (Event, error) {
	if _, err := c.joined(orgID, "assign roles"); err != nil {
		return nil, err
	}
	return ConsortiumRolesAssigned{ConsortiumID: c.ID, OrganizationID: orgID, Covers: slices.Clone(covers), Certifies: slices.Clone(certifies)}, nil
}

// ChangeLead names another joined member as lead.
func (c *Consortium) ChangeLead(orgID string) (Event, error) {
	m, err := c.joined(orgID, "change the lead")
	if err != nil {
		return nil, err
	}
	if m.Lead {
		return nil, domainerr.Precondition("lead", c.subject(), "organisation %s is already the lead", orgID)
	}
	return ConsortiumLeadChanged{ConsortiumID: c.ID, OrganizationID: orgID}, nil
}

// Submit records the submission when no invitation is pending and the
// eligibility report (checked with shares) holds; otherwise each pending
// invitation (type "invitation_pending", subject the organisation) and every
// failed rule is returned as a violation. A joint bid is signed by all its
// members, so an invited company that has not answered blocks it: it accepts
// or declines, or the lead or a manager withdraws the invitation.
func (c *Consortium) Submit(t *Tender, report eligibility.Report) (Event, error) {
	if err := c.requireForming("submit"); err != nil {
		return nil, err
	}
	if err := t.requireOpen("submit"); err != nil {
		return nil, err
	}
	pe := &domainerr.PreconditionError{}
	for _, m := range c.Pending() {
		pe.Violations = append(pe.Violations, domainerr.PreconditionViolation{Type: ViolationInvitationPending, Subject: "organization/" + m.OrganizationID,
			Description: fmt.Sprintf("organisation %s has not answered its invitation: it accepts or declines, or the invitation is withdrawn, before the bid is submitted", m.OrganizationID)})
	}
	if !report.Eligible || len(pe.Violations) > 0 {
		for _, r := range report.Failed() {
			subject := c.subject()
			if r.Member != "" {
				subject = "organization/" + r.Member
			} else if r.Subject != "" {
				subject = r.Subject
			}
			pe.Violations = append(pe.Violations, domainerr.PreconditionViolation{Type: r.Rule, Subject: subject, Description: r.Detail})
		}
		return nil, pe
	}
	return ConsortiumSubmitted{ConsortiumID: c.ID}, nil
}

// ViolationInvitationPending is the precondition violation type of a
// submission refused because an invitation is unanswered.
const ViolationInvitationPending = "invitation_pending"

// Dissolve ends a consortium before submission.
func (c *Consortium) Dissolve(reason string) (Event, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, domainerr.Invalid("reason", "required")
	}
	if err := c.requireForming("dissolve"); err != nil {
		return nil, err
	}
	return ConsortiumDissolved{ConsortiumID: c.ID, Reason: strings.TrimSpace(reason)}, nil
}

// Outcome records the result of a submitted bid.
func (c *Consortium) Outcome(won bool) (Event, error) {
	if c.Status != BidSubmitted {
		return nil, domainerr.Precondition("consortium_status", c.subject(), "only a submitted consortium has an outcome; %s is %s", c.ID, c.Status)
	}
	if won {
		return ConsortiumAwarded{ConsortiumID: c.ID}, nil
	}
	return ConsortiumLost{ConsortiumID: c.ID}, nil
}

// Apply folds an event into the consortium.
func (c *Consortium) Apply(e Event, at time.Time, version uint64) error {
	set := func(orgID string, f func(*Member)) {
		ms := slices.Clone(c.Members)
		for i := range ms {
			if ms[i].OrganizationID == orgID {
				f(&ms[i])
			}
		}
		c.Members = ms
	}
	switch e := e.(type) {
	case ConsortiumFormed:
		*c = Consortium{ID: e.ConsortiumID, TenderID: e.TenderID, LotID: e.LotID, Name: e.Name, Status: BidForming, Demo: e.Demo, Created: at}
		for _, d := range e.Members {
			m := Member{OrganizationID: d.OrganizationID, Status: MemberInvited, ShareBP: d.ShareBP, Lead: d.Lead,
				Covers: slices.Clone(d.Covers), Certifies: slices.Clone(d.Certifies), Invited: at}
			if d.Lead && e.LeadJoined {
				m.Status, m.Responded = MemberJoined, at
			}
			c.Members = append(c.Members, m)
		}
	case ConsortiumMemberInvited:
		if _, _, ok := c.Member(e.OrganizationID); ok {
			set(e.OrganizationID, func(m *Member) { *m = Member{OrganizationID: m.OrganizationID, Status: MemberInvited, Invited: at} })
		} else {
			c.Members = append(slices.Clone(c.Members), Member{OrganizationID: e.OrganizationID, Status: MemberInvited, Invited: at})
		}
	case ConsortiumMemberJoined:
		set(e.OrganizationID, func(m *Member) { m.Status, m.Responded = MemberJoined, at })
	case ConsortiumInvitationDeclined:
		set(e.OrganizationID, func(m *Member) { m.Status, m.Responded, m.Lead = MemberDeclined, at, false })
	case ConsortiumMemberWithdrew:
		set(e.OrganizationID, func(m *Member) { m.Status, m.Responded, m.ShareBP = MemberWithdrawn, at, 0 })
	case ConsortiumShareSet:
		set(e.OrganizationID, func(m *Member) { m.ShareBP = e.ShareBP })
	case ConsortiumRolesAssigned:
		set(e.OrganizationID, func(m *Member) { m.Covers, m.Certifies = slices.Clone(e.Covers), slices.Clone(e.Certifies) })
	case ConsortiumLeadChanged:
		ms := slices.Clone(c.Members)
		for i := range ms {
			ms[i].Lead = ms[i].OrganizationID == e.OrganizationID
		}
		c.Members = ms
	case ConsortiumSubmitted:
		c.Status = BidSubmitted
	case ConsortiumAwarded:
		c.Status = BidAwarded
	case ConsortiumLost:
		c.Status = BidLost
	case ConsortiumDissolved:
		c.Status, c.DissolveReason = BidDissolved, e.Reason
	default:
		return fmt.Errorf("consortium: unexpected event %T", e)
	}
	c.Updated = at
	c.Version = version
	return nil
}

// shorten cuts s to at most max characters at a word boundary, marking the
// cut with "…" (a default consortium name from a long tender title: cutting
// bytes broke words and, with accents, characters).
func shorten(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	cut := string(r[:max-1])
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:-") + "…"
}
