package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
)

func lead(id string) domain.Draft   { return domain.Draft{OrganizationID: id, Lead: true} }
func member(id string) domain.Draft { return domain.Draft{OrganizationID: id} }

func TestForm(t *testing.T) {
	capped := details()
	capped.Requirements.MaxMembers = 2
	cases := []struct {
		name      string
		status    domain.Status
		d         domain.Details
		lot       string
		members   []domain.Draft
		leadJoins bool
		err       string
		fields    []string
	}{
		{name: "manager invites everyone", status: domain.StatusActive, d: details(), members: []domain.Draft{lead("A"), member("B"), member("C")}},
		{name: "lead company joins at once", status: domain.StatusPlanned, d: details(), members: []domain.Draft{member("B"), lead("A")}, leadJoins: true},
		{name: "for a lot", status: domain.StatusActive, d: withLots(details()), lot: "2", members: []domain.Draft{lead("A"), member("B")}},
		{name: "no members", status: domain.StatusActive, d: details(), fields: []string{"members"}},
		{name: "no lead", status: domain.StatusActive, d: details(), members: []domain.Draft{member("A"), member("B")}, fields: []string{"members"}},
		{name: "two leads", status: domain.StatusActive, d: details(), members: []domain.Draft{lead("A"), lead("B")}, fields: []string{"members[1].lead"}},
		{name: "listed twice", status: domain.StatusActive, d: details(), members: []domain.Draft{lead("A"), member("B"), member("A")}, fields: []string{"members[2].organization_id"}},
		{name: "no organisation id", status: domain.StatusActive, d: details(), members: []domain.Draft{lead("A"), member("")}, fields: []string{"members[1].organization_id"}},
		{name: "share out of range", status: domain.StatusActive, d: details(), members: []domain.Draft{{OrganizationID: "A", Lead: true, ShareBP: 10001}, {OrganizationID: "B", ShareBP: -1}},
			fields: []string{"members[0].share_bp", "members[1].share_bp"}},
		{name: "lot required", status: domain.StatusActive, d: withLots(details()), members: []domain.Draft{lead("A")}, err: "invalid:lot_id"},
		{name: "unknown lot", status: domain.StatusActive, d: withLots(details()), lot: "9", members: []domain.Draft{lead("A")}, err: "invalid:lot_id"},
		{name: "max members", status: domain.StatusActive, d: capped, members: []domain.Draft{lead("A"), member("B"), member("C")}, err: "precondition:max_members"},
		{name: "lot max members", status: domain.StatusActive, d: withLots(details()), lot: "2", members: []domain.Draft{lead("A"), member("B"), member("C")}, err: "precondition:max_members"},
		{name: "at max members", status: domain.StatusActive, d: capped, members: []domain.Draft{lead("A"), member("B")}},
		{name: "complete tender", status: domain.StatusComplete, d: details(), members: []domain.Draft{lead("A")}, err: "precondition:tender_status"},
		{name: "cancelled tender", status: domain.StatusCancelled, d: details(), members: []domain.Draft{lead("A")}, err: "precondition:tender_status"},
		{name: "unsuccessful tender", status: domain.StatusUnsuccessful, d: details(), members: []domain.Draft{lead("A")}, err: "precondition:tender_status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenderIn(t, tc.status, tc.d)
			e, err := domain.Form("c1", tn, tc.lot, " UTE Norte ", tc.members, tc.leadJoins, false)
			if tc.fields != nil {
				wantInvalid(t, err, tc.fields...)
				return
			}
			wantErr(t, err, tc.err)
			if tc.err != "" {
				return
			}
			if e.ConsortiumID != "c1" || e.TenderID != "t1" || e.LotID != tc.lot || e.Name != "UTE Norte" || e.LeadID != "A" || e.LeadJoined != tc.leadJoins || len(e.Members) != len(tc.members) {
				t.Fatalf("ConsortiumFormed = %+v", e)
			}
			var c domain.Consortium
			apply(t, &c, e)
			if c.Status != domain.BidForming || c.Lead() != "A" || c.Version != seq || c.Created.IsZero() {
				t.Fatalf("formed consortium = %+v", c)
			}
			for _, m := range c.Members {
				want := domain.MemberInvited
				if m.Lead && tc.leadJoins {
					want = domain.MemberJoined
				}
				if m.Status != want || m.Invited.IsZero() || (want == domain.MemberJoined) == m.Responded.IsZero() {
					t.Errorf("member %s = %+v, want %v", m.OrganizationID, m, want)
				}
			}
		})
	}
}

func TestFormDefaultName(t *testing.T) {
	cases := []struct{ title, want string }{
		{"Mantenimiento de aplicaciones", "UTE Mantenimiento de aplicaciones"},
		// Long titles are cut at a word, never inside one (nor inside an accented letter).
		{strings.Repeat("Servicio ", 30), "UTE " + strings.TrimSpace(strings.Repeat("Servicio ", 12)) + "…"},
		{strings.Repeat("gestión ", 30), "UTE " + strings.TrimSpace(strings.Repeat("gestión ", 14)) + "…"},
	}
	for _, c := range cases {
		d := details()
		d.Title = c.title
		e, err := domain.Form("c1", tenderIn(t, domain.StatusActive, d), "", "  ", []domain.Draft{lead("A")}, false, true)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name != c.want || len([]rune(e.Name)) > 120 || !e.Demo {
			t.Errorf("title %q: name %q (%d characters), demo %v; want %q", c.title, e.Name, len([]rune(e.Name)), e.Demo, c.want)
		}
	}
}

// consortium returns a forming consortium "c1" with A (lead, joined), B (joined),
// C (invited), D (declined), E (withdrawn), built by folding events.
func consortium(t *testing.T) *domain.Consortium {
	t.Helper()
	var c domain.Consortium
	apply(t, &c, domain.ConsortiumFormed{ConsortiumID: "c1", TenderID: "t1", Name: "UTE", LeadID: "A", LeadJoined: true,
		Members: []domain.Draft{{OrganizationID: "A", Lead: true, ShareBP: 6000}, member("B"), member("C"), member("D"), member("E")}})
	apply(t, &c, must(t)(c.Accept("B")))
	apply(t, &c, must(t)(c.Accept("E")))
	apply(t, &c, must(t)(c.Decline("D", " too busy ")))
	apply(t, &c, must(t)(c.SetShare("E", 1000)))
	apply(t, &c, must(t)(c.Withdraw("E", "changed plans")))
	return &c
}

// closed returns the consortium moved to status s.
func closed(t *testing.T, s domain.ConsortiumStatus) *domain.Consortium {
	t.Helper()
	c := consortium(t)
	switch s {
	case domain.BidSubmitted, domain.BidAwarded, domain.BidLost:
		apply(t, c, domain.ConsortiumSubmitted{ConsortiumID: "c1"})
		if s == domain.BidAwarded {
			apply(t, c, domain.ConsortiumAwarded{ConsortiumID: "c1"})
		} else if s == domain.BidLost {
			apply(t, c, domain.ConsortiumLost{ConsortiumID: "c1"})
		}
	case domain.BidDissolved:
		apply(t, c, must(t)(c.Dissolve("no partners")))
	}
	return c
}

func statusOf(c *domain.Consortium, org string) domain.MemberStatus {
	m, _, _ := c.Member(org)
	return m.Status
}

func TestConsortiumFoldedState(t *testing.T) {
	c := consortium(t)
	want := map[string]domain.MemberStatus{"A": domain.MemberJoined, "B": domain.MemberJoined, "C": domain.MemberInvited, "D": domain.MemberDeclined, "E": domain.MemberWithdrawn}
	for org, s := range want {
		if got := statusOf(c, org); got != s {
			t.Errorf("%s is %v, want %v", org, got, s)
		}
	}
	if e, _, _ := c.Member("E"); e.ShareBP != 0 || e.Responded.IsZero() {
		t.Errorf("withdrawn member keeps share %d / responded %v", e.ShareBP, e.Responded)
	}
	var joined []string
	for _, m := range c.Joined() {
		joined = append(joined, m.OrganizationID)
	}
	if !slices.Equal(joined, []string{"A", "B"}) {
		t.Errorf("Joined() = %q", joined)
	}
	if _, i, ok := c.Member("nobody"); ok || i != -1 {
		t.Error("Member found an organisation that is not there")
	}
	if err := c.Apply(domain.TenderPublished{TenderID: "t1"}, now, seq+1); err == nil {
		t.Error("a consortium folded a tender event")
	}
}

func TestConsortiumApplyDoesNotAliasEarlierCopies(t *testing.T) {
	c := consortium(t)
	before := *c
	apply(t, c, must(t)(c.SetShare("B", 4000)))
	apply(t, c, must(t)(c.ChangeLead("B")))
	apply(t, c, must(t)(c.AssignRoles("B", []string{"cloud"}, []string{"ENS"})))
	if b, _, _ := before.Member("B"); b.ShareBP != 0 || b.Lead || b.Covers != nil {
		t.Fatalf("an earlier copy (a read model value) changed: %+v", b)
	}
	if b, _, _ := c.Member("B"); b.ShareBP != 4000 || !b.Lead || !slices.Equal(b.Covers, []string{"cloud"}) || !slices.Equal(b.Certifies, []string{"ENS"}) {
		t.Fatalf("B = %+v", b)
	}
	if a, _, _ := c.Member("A"); a.Lead || c.Lead() != "B" {
		t.Fatalf("lead not handed over: A %+v, lead %q", a, c.Lead())
	}
}

func TestConsortiumCommands(t *testing.T) {
	type cmd = func(*domain.Consortium) (domain.Event, error)
	invite := func(org string, max int) cmd {
		return func(c *domain.Consortium) (domain.Event, error) { return c.Invite(org, max) }
	}
	accept := func(org string) cmd { return func(c *domain.Consortium) (domain.Event, error) { return c.Accept(org) } }
	decline := func(org string) cmd {
		return func(c *domain.Consortium) (domain.Event, error) { return c.Decline(org, "no") }
	}
	withdraw := func(org string) cmd {
		return func(c *domain.Consortium) (domain.Event, error) { return c.Withdraw(org, "leaving") }
	}
	share := func(org string, bp int) cmd {
		return func(c *domain.Consortium) (domain.Event, error) { return c.SetShare(org, bp) }
	}
	changeLead := func(org string) cmd {
		return func(c *domain.Consortium) (domain.Event, error) { return c.ChangeLead(org) }
	}
	roles := func(org string) cmd {
		return func(c *domain.Consortium) (domain.Event, error) { return c.AssignRoles(org, []string{"cloud"}, nil) }
	}
	dissolve := func(reason string) cmd {
		return func(c *domain.Consortium) (domain.Event, error) { return c.Dissolve(reason) }
	}

	cases := []struct {
		name   string
		status domain.ConsortiumStatus // forming unless set
		cmd    cmd
		err    string
		check  func(*testing.T, *domain.Consortium)
	}{
		{name: "invite new", cmd: invite("F", 0), check: func(t *testing.T, c *domain.Consortium) {
			if statusOf(c, "F") != domain.MemberInvited || len(c.Members) != 6 {
				t.Errorf("F not invited: %+v", c.Members)
			}
		}},
		{name: "re-invite declined", cmd: invite("D", 0), check: func(t *testing.T, c *domain.Consortium) {
			if d, _, _ := c.Member("D"); d.Status != domain.MemberInvited || !d.Responded.IsZero() || len(c.Members) != 5 {
				t.Errorf("D = %+v", d)
			}
		}},
		{name: "re-invite withdrawn", cmd: invite("E", 0)},
		{name: "invite invited", cmd: invite("C", 0), err: "precondition:invitation"},
		{name: "invite joined", cmd: invite("B", 0), err: "precondition:invitation"},
		{name: "invite without id", cmd: invite("", 0), err: "invalid:organization_id"},
		// A, B joined and C invited hold 3 seats; declined and withdrawn ones do not count.
		{name: "invite within max members", cmd: invite("F", 4)},
		{name: "invite over max members", cmd: invite("F", 3), err: "precondition:max_members"},
		{name: "invite when submitted", status: domain.BidSubmitted, cmd: invite("F", 0), err: "precondition:consortium_status"},
		{name: "invite when dissolved", status: domain.BidDissolved, cmd: invite("F", 0), err: "precondition:consortium_status"},

		{name: "accept invited", cmd: accept("C"), check: func(t *testing.T, c *domain.Consortium) {
			if m, _, _ := c.Member("C"); m.Status != domain.MemberJoined || m.Responded.IsZero() {
				t.Errorf("C = %+v", m)
			}
		}},
		{name: "accept joined", cmd: accept("B"), err: "precondition:invitation"},
		{name: "accept declined", cmd: accept("D"), err: "precondition:invitation"},
		{name: "accept withdrawn", cmd: accept("E"), err: "precondition:invitation"},
		{name: "accept not invited", cmd: accept("Z"), err: "precondition:invitation"},
		{name: "accept when submitted", status: domain.BidSubmitted, cmd: accept("C"), err: "precondition:consortium_status"},
		{name: "accept when lost", status: domain.BidLost, cmd: accept("C"), err: "precondition:consortium_status"},

		{name: "decline invited", cmd: decline("C"), check: func(t *testing.T, c *domain.Consortium) {
			if statusOf(c, "C") != domain.MemberDeclined {
				t.Errorf("C is %v", statusOf(c, "C"))
			}
		}},
		{name: "decline joined", cmd: decline("B"), err: "precondition:invitation"},
		{name: "decline when dissolved", status: domain.BidDissolved, cmd: decline("C"), err: "precondition:consortium_status"},

		{name: "withdraw joined", cmd: withdraw("B"), check: func(t *testing.T, c *domain.Consortium) {
			if statusOf(c, "B") != domain.MemberWithdrawn || len(c.Joined()) != 1 {
				t.Errorf("B is %v", statusOf(c, "B"))
			}
		}},
		{name: "lead cannot withdraw", cmd: withdraw("A"), err: "precondition:lead"},
		{name: "withdraw an invitation", cmd: withdraw("C"), check: func(t *testing.T, c *domain.Consortium) {
			if statusOf(c, "C") != domain.MemberWithdrawn || c.Holds("C") {
				t.Errorf("C is %v", statusOf(c, "C"))
			}
		}},
		{name: "withdraw declined", cmd: withdraw("D"), err: "precondition:membership"},
		{name: "withdraw an invitation after submission", status: domain.BidSubmitted, cmd: withdraw("C"), err: "precondition:consortium_status"},
		{name: "withdraw after submission", status: domain.BidSubmitted, cmd: withdraw("B"), err: "precondition:consortium_status"},

		{name: "share minimum", cmd: share("B", 1)},
		{name: "share maximum", cmd: share("B", 10000), check: func(t *testing.T, c *domain.Consortium) {
			if m, _, _ := c.Member("B"); m.ShareBP != 10000 {
				t.Errorf("B share = %d", m.ShareBP)
			}
		}},
		{name: "share zero", cmd: share("B", 0), err: "invalid:share_bp"},
		{name: "share negative", cmd: share("B", -5), err: "invalid:share_bp"},
		{name: "share over 100 %", cmd: share("B", 10001), err: "invalid:share_bp"},
		{name: "share of invited", cmd: share("C", 100), err: "precondition:membership"},
		{name: "share of declined", cmd: share("D", 100), err: "precondition:membership"},
		{name: "share of stranger", cmd: share("Z", 100), err: "precondition:membership"},
		{name: "share after submission", status: domain.BidSubmitted, cmd: share("B", 100), err: "precondition:consortium_status"},
		{name: "bad share before state", status: domain.BidSubmitted, cmd: share("B", 0), err: "invalid:share_bp"},

		{name: "change lead", cmd: changeLead("B"), check: func(t *testing.T, c *domain.Consortium) {
			if c.Lead() != "B" {
				t.Errorf("lead = %q", c.Lead())
			}
		}},
		{name: "change lead to lead", cmd: changeLead("A"), err: "precondition:lead"},
		{name: "change lead to invited", cmd: changeLead("C"), err: "precondition:membership"},
		{name: "change lead when awarded", status: domain.BidAwarded, cmd: changeLead("B"), err: "precondition:consortium_status"},

		{name: "assign roles", cmd: roles("B")},
		{name: "assign roles to invited", cmd: roles("C"), err: "precondition:membership"},

		{name: "dissolve", cmd: dissolve(" partners left "), check: func(t *testing.T, c *domain.Consortium) {
			if c.Status != domain.BidDissolved || c.DissolveReason != "partners left" {
				t.Errorf("status %v reason %q", c.Status, c.DissolveReason)
			}
		}},
		{name: "dissolve without reason", cmd: dissolve(" "), err: "invalid:reason"},
		{name: "dissolve submitted", status: domain.BidSubmitted, cmd: dissolve("x"), err: "precondition:consortium_status"},
		{name: "dissolve dissolved", status: domain.BidDissolved, cmd: dissolve("x"), err: "precondition:consortium_status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := consortium(t)
			if tc.status != domain.BidUnspecified {
				c = closed(t, tc.status)
			}
			version := c.Version
			e, err := tc.cmd(c)
			wantErr(t, err, tc.err)
			if tc.err != "" {
				if e != nil {
					t.Errorf("an event came with the error: %+v", e)
				}
				return
			}
			apply(t, c, e)
			if c.Version == version {
				t.Error("version did not move")
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	for _, s := range []domain.ConsortiumStatus{domain.BidForming, domain.BidSubmitted, domain.BidAwarded, domain.BidLost, domain.BidDissolved} {
		for _, won := range []bool{true, false} {
			c := closed(t, s)
			e, err := c.Outcome(won)
			if s != domain.BidSubmitted {
				wantPrecondition(t, err, "consortium_status")
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			apply(t, c, e)
			if want := map[bool]domain.ConsortiumStatus{true: domain.BidAwarded, false: domain.BidLost}[won]; c.Status != want {
				t.Errorf("outcome(%v) → %v", won, c.Status)
			}
		}
	}
}

func TestHolds(t *testing.T) {
	cases := []struct {
		status domain.ConsortiumStatus
		org    string
		want   bool
	}{
		{domain.BidForming, "A", true},  // joined lead
		{domain.BidForming, "B", true},  // joined
		{domain.BidForming, "C", true},  // invited
		{domain.BidForming, "D", false}, // declined
		{domain.BidForming, "E", false}, // withdrawn
		{domain.BidForming, "Z", false}, // never invited
		{domain.BidSubmitted, "B", true},
		{domain.BidAwarded, "B", true},
		{domain.BidLost, "B", false},
		{domain.BidDissolved, "B", false},
		{domain.BidDissolved, "C", false},
	}
	for _, tc := range cases {
		if got := closed(t, tc.status).Holds(tc.org); got != tc.want {
			t.Errorf("%v consortium: Holds(%s) = %v, want %v", tc.status, tc.org, got, tc.want)
		}
	}
}

// eligibleCompany is active in tera and alone meets details()'s requirements.
func eligibleCompany(id string) domain.Company {
	y := details().Deadline.Year()
	return domain.Company{
		ID: id, LegalName: "Company " + id, ActiveIn: []string{"tera"},
		Capabilities: []string{"software-development", "cybersecurity"},
		Certifications: []domain.CompanyCertification{{ID: "x", Certification: eligibility.Certification{
			Kind: "ENS", Level: eligibility.LevelMedia, Issued: now.AddDate(-1, 0, 0), Expires: now.AddDate(2, 0, 0)}}},
		Turnover:   []eligibility.YearAmount{{Year: y - 1, Cents: 300_000_00}},
		References: []eligibility.Reference{{CPV: "72000000", Cents: 200_000_00, Year: y - 1}},
	}
}

func TestTeamUsesJoinedMembersOnly(t *testing.T) {
	c := consortium(t)
	var asked []string
	team := c.Team(func(id string) eligibility.Company {
		asked = append(asked, id)
		return eligibleCompany(id).Eligibility([]string{"tera"})
	})
	if !slices.Equal(asked, []string{"A", "B"}) || len(team.Members) != 2 || !team.Members[0].Lead || team.Members[0].ShareBP != 6000 {
		t.Fatalf("asked %q, team %+v", asked, team.Members)
	}
}

func TestSubmit(t *testing.T) {
	tn := tenderIn(t, domain.StatusActive, details())
	req, err := tn.EligibilityRequirements("")
	if err != nil {
		t.Fatal(err)
	}
	companies := map[string]domain.Company{"A": eligibleCompany("A"), "B": eligibleCompany("B")}
	team := func(c *domain.Consortium) eligibility.Team {
		return c.Team(func(id string) eligibility.Company { return companies[id].Eligibility(tn.Clusters()) })
	}

	t.Run("shares sum to 100", func(t *testing.T) {
		c := consortium(t)
		apply(t, c, must(t)(c.Decline("C", "")))
		apply(t, c, must(t)(c.SetShare("B", 4000)))
		rep := eligibility.Check(req, team(c), eligibility.Options{RequireShares: true})
		if !rep.Eligible {
			t.Fatalf("fixture not eligible: %+v", rep.Failed())
		}
		e, err := c.Submit(tn, rep)
		if err != nil || e != (domain.ConsortiumSubmitted{ConsortiumID: "c1"}) {
			t.Fatalf("Submit = %v, %v", e, err)
		}
	})

	t.Run("pending invitation", func(t *testing.T) {
		c := consortium(t) // C is invited
		apply(t, c, must(t)(c.SetShare("B", 4000)))
		rep := eligibility.Check(req, team(c), eligibility.Options{RequireShares: true})
		if !rep.Eligible {
			t.Fatalf("fixture not eligible: %+v", rep.Failed())
		}
		version := c.Version
		e, err := c.Submit(tn, rep)
		pe := wantPrecondition(t, err, domain.ViolationInvitationPending)
		if e != nil || len(pe.Violations) != 1 || pe.Violations[0].Subject != "organization/C" {
			t.Fatalf("Submit = %v, %+v; want one violation naming C", e, pe.Violations)
		}
		if c.Version != version || c.Status != domain.BidForming {
			t.Error("a refused submission changed the consortium")
		}
		// Withdrawing the invitation (or C declining) lets the bid go.
		apply(t, c, must(t)(c.Withdraw("C", "no answer")))
		if e, err := c.Submit(tn, rep); err != nil || e == nil {
			t.Fatalf("after withdrawing the invitation: %v, %v", e, err)
		}
	})

	t.Run("every failed rule is a violation", func(t *testing.T) {
		c := consortium(t)
		apply(t, c, must(t)(c.Withdraw("C", "")))
		apply(t, c, must(t)(c.SetShare("B", 3950))) // 60 % + 39.5 % = 99.5 %
		weak := companies["B"]
		weak.ActiveIn = nil                               // not an active member any more
		weak.Certifications, weak.Capabilities = nil, nil // does not matter: A covers them
		companies["B"] = weak
		defer func() { companies["B"] = eligibleCompany("B") }()
		rep := eligibility.Check(req, team(c), eligibility.Options{RequireShares: true})
		failed := rep.Failed()
		if rep.Eligible || len(failed) != 2 {
			t.Fatalf("fixture: want 2 failed rules, got %+v", failed)
		}
		version := c.Version
		e, err := c.Submit(tn, rep)
		if e != nil {
			t.Fatalf("an event came with the error: %+v", e)
		}
		var pe *domainerr.PreconditionError
		if !errors.As(err, &pe) {
			t.Fatalf("err = %v (%T), want *domainerr.PreconditionError", err, err)
		}
		if len(pe.Violations) != len(failed) {
			t.Fatalf("%d violations for %d failed rules: %+v", len(pe.Violations), len(failed), pe.Violations)
		}
		want := []domainerr.PreconditionViolation{
			{Type: eligibility.RuleActive, Subject: "organization/B", Description: failed[0].Detail},
			{Type: eligibility.RuleShares, Subject: "consortium/c1", Description: failed[1].Detail},
		}
		if !slices.Equal(pe.Violations, want) {
			t.Fatalf("violations = %+v\nwant %+v", pe.Violations, want)
		}
		if !strings.Contains(want[1].Description, "99.5") {
			t.Errorf("shares violation does not give the sum: %q", want[1].Description)
		}
		if c.Version != version || c.Status != domain.BidForming {
			t.Error("a refused submission changed the consortium")
		}
	})

	t.Run("certification violation names the certification", func(t *testing.T) {
		c := consortium(t)
		apply(t, c, must(t)(c.Decline("C", "")))
		apply(t, c, must(t)(c.SetShare("B", 4000)))
		expired := companies["A"]
		expired.Certifications = nil
		companies["A"] = expired
		nocert := companies["B"]
		nocert.Certifications = nil
		companies["B"] = nocert
		defer func() { companies["A"], companies["B"] = eligibleCompany("A"), eligibleCompany("B") }()
		rep := eligibility.Check(req, team(c), eligibility.Options{RequireShares: true})
		_, err := c.Submit(tn, rep)
		pe := wantPrecondition(t, err, eligibility.RuleCertification)
		if pe.Violations[0].Subject != "ENS media" {
			t.Errorf("subject = %q, want the certification", pe.Violations[0].Subject)
		}
	})

	t.Run("not forming", func(t *testing.T) {
		for _, s := range []domain.ConsortiumStatus{domain.BidSubmitted, domain.BidDissolved, domain.BidAwarded} {
			_, err := closed(t, s).Submit(tn, eligibility.Report{Eligible: true})
			wantPrecondition(t, err, "consortium_status")
		}
	})

	t.Run("tender closed", func(t *testing.T) {
		for _, s := range []domain.Status{domain.StatusComplete, domain.StatusCancelled, domain.StatusUnsuccessful} {
			_, err := consortium(t).Submit(tenderIn(t, s, details()), eligibility.Report{Eligible: true})
			wantPrecondition(t, err, "tender_status")
		}
	})
}

func TestCompanyEligibility(t *testing.T) {
	co := eligibleCompany("A")
	co.ActiveIn = []string{"tera", "gira"}
	for _, tc := range []struct {
		clusters []string
		want     bool
	}{{[]string{"tera"}, true}, {[]string{"other", "gira"}, true}, {[]string{"other"}, false}, {nil, false}} {
		if got := co.ActiveInAny(tc.clusters); got != tc.want {
			t.Errorf("ActiveInAny(%q) = %v", tc.clusters, got)
		}
		e := co.Eligibility(tc.clusters)
		if e.Active != tc.want || e.ID != "A" || e.Name != "Company A" || len(e.Certifications) != 1 || e.Certifications[0].Level != eligibility.LevelMedia {
			t.Errorf("Eligibility(%q) = %+v", tc.clusters, e)
		}
	}
	// The eligibility view is a copy.
	e := co.Eligibility(nil)
	e.Capabilities[0] = "changed"
	if co.Capabilities[0] == "changed" {
		t.Error("Eligibility aliases the company's capabilities")
	}
}

var _ = time.Second
