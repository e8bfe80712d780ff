package domain_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

var now = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

type cpvOnly struct{}

func (cpvOnly) CPV(code string) (string, error) {
	if code == "72000000" {
		return code, nil
	}
	return "", fmt.Errorf("cpv: unknown code %s", code)
}

// build applies events in order, as the log would.
func build(t *testing.T, evs ...domain.Event) domain.Commission {
	t.Helper()
	var c domain.Commission
	for i, e := range evs {
		if err := c.Apply(e, now.Add(time.Duration(i)*time.Minute), uint64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func base(t *testing.T) domain.Commission {
	created, err := domain.Create("k", domain.Details{Name: " Salud ", Theme: "Salud digital"}, "", false)
	if err != nil {
		t.Fatal(err)
	}
	return build(t, created,
		domain.MemberAdded{CommissionID: "k", OrganizationID: "a", Role: domain.RoleChair, Joined: day("2026-01-10")},
		domain.MemberAdded{CommissionID: "k", OrganizationID: "b", Role: domain.RoleMember, Joined: day("2026-03-01")},
		domain.MeetingScheduled{CommissionID: "k", Meeting: domain.Meeting{ID: "m1", Title: "Constitución", Start: day("2026-02-01"), Place: "Santander"}},
	)
}

// kind names the error kind: ok, invalid (fields), precondition (type) or another.
func kind(err error) string {
	var inv *domainerr.InvalidError
	var pre *domainerr.PreconditionError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &inv):
		s := "invalid"
		for _, v := range inv.Violations {
			s += " " + v.Field
		}
		return s
	case errors.As(err, &pre):
		return "precondition " + pre.Violations[0].Type
	}
	return err.Error()
}

func TestCommands(t *testing.T) {
	c := base(t)
	if c.Name != "Salud" || c.Status != domain.StatusActive || c.Version != 4 {
		t.Fatalf("built commission %+v", c)
	}
	closed := c
	if err := closed.Apply(domain.CommissionClosed{CommissionID: "k", Reason: "fin"}, now, 5); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		run  func(c domain.Commission) error
		want string
	}{
		{"second chair", func(c domain.Commission) error { _, err := c.AddMember("z", domain.RoleChair, "", now); return err }, "precondition single_chair"},
		{"add twice", func(c domain.Commission) error { _, err := c.AddMember("b", 0, "", now); return err }, "precondition already_member"},
		{"bad join date", func(c domain.Commission) error { _, err := c.AddMember("z", 7, "2026-02-30", now); return err }, "invalid role joined_date"},
		{"id with a dot", func(c domain.Commission) error { _, err := c.AddMember("a.b", 0, "", now); return err }, "invalid organization_id"},
		{"leave before joining", func(c domain.Commission) error { _, err := c.RemoveMember("b", "2026-02-01", now); return err }, "invalid left_date"},
		{"leave", func(c domain.Commission) error { _, err := c.RemoveMember("b", "", now); return err }, "ok"},
		{"accept without invitation", func(c domain.Commission) error { _, err := c.Accept("b", now); return err }, "precondition not_invited"},
		{"attendance of a member who joined later", func(c domain.Commission) error {
			_, err := c.RecordAttendance("m1", []domain.Attendance{{OrganizationID: "a", Status: domain.Present}, {OrganizationID: "b", Status: domain.Present}}, now)
			return err
		}, "invalid attendance[1].organization_id"},
		{"attendance twice listed", func(c domain.Commission) error {
			_, err := c.RecordAttendance("m1", []domain.Attendance{{OrganizationID: "a", Status: domain.Present}, {OrganizationID: "a", Status: 9}}, now)
			return err
		}, "invalid attendance[1].status attendance[1].organization_id"},
		{"minutes of an unknown meeting", func(c domain.Commission) error { _, err := c.RecordMinutes("m9", "x", now); return err }, "invalid meeting_id"},
		{"decision due before the meeting", func(c domain.Commission) error {
			_, err := c.RecordDecision("m1", "d", "x", "a", "2026-01-31", now)
			return err
		}, "invalid due_date"},
		{"decision owner not sitting", func(c domain.Commission) error {
			_, err := c.RecordDecision("m1", "d", "x", "zz", "2026-03-01", now)
			return err
		}, "precondition not_member"},
		{"cancel a past meeting", func(c domain.Commission) error { _, err := c.CancelMeeting("m1", "lluvia", now); return err }, "precondition meeting_started"},
		{"project", func(c domain.Commission) error {
			_, err := c.AddProject("p", domain.ProjectInput{Title: "P", PartnerIDs: []string{"a", "a"}, CPVCodes: []string{"72000000", "1"}, Status: 9}, cpvOnly{})
			return err
		}, "invalid partner_organization_ids[1] status cpv_codes[1]"},
		{"link twice", func(c domain.Commission) error {
			if err := c.Apply(domain.TenderLinked{CommissionID: "k", TenderID: "t"}, now, 9); err != nil {
				return err
			}
			_, err := c.LinkTender("t", "")
			return err
		}, "precondition already_linked"},
		{"schedule on a closed commission", func(domain.Commission) error {
			_, err := closed.Schedule("m2", domain.MeetingInput{Title: "x", Start: now, Place: "y"})
			return err
		}, "precondition commission_status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := kind(tc.run(c)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestProjectMoves(t *testing.T) {
	c := base(t)
	e, err := c.AddProject("p", domain.ProjectInput{Title: "P", PartnerIDs: []string{"a"}}, cpvOnly{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(e, now, 10); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		to   domain.ProjectStatus
		want string
	}{
		{domain.ProjectCompleted, "precondition project_status"},
		{domain.ProjectActive, "ok"},
		{domain.ProjectProposed, "precondition project_status"},
		{domain.ProjectCompleted, "ok"},
		{domain.ProjectCancelled, "precondition project_status"},
	}
	for i, s := range steps {
		e, err := c.ChangeProjectStatus("p", s.to)
		if got := kind(err); got != s.want {
			t.Fatalf("step %d to %v: %s, want %s", i, s.to, got, s.want)
		}
		if err == nil {
			if err := c.Apply(e, now, uint64(11+i)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestSitsOn(t *testing.T) {
	m := domain.Member{Status: domain.MemberStatusLeft, Joined: day("2026-01-10"), Left: day("2026-03-01")}
	for d, want := range map[string]bool{"2026-01-09": false, "2026-01-10": true, "2026-02-28": true, "2026-03-01": false} {
		if got := m.SitsOn(day(d).Add(15 * time.Hour)); got != want {
			t.Errorf("SitsOn(%s) = %v", d, got)
		}
	}
	if (domain.Member{Status: domain.MemberStatusInvited}).SitsOn(now) {
		t.Error("an invited organisation sits on the commission")
	}
}

func TestApplyDoesNotShareSlices(t *testing.T) {
	c := base(t)
	saved := c
	if err := c.Apply(domain.MemberLeft{CommissionID: "k", OrganizationID: "a", Left: day("2026-05-01")}, now, 20); err != nil {
		t.Fatal(err)
	}
	if saved.Members[0].Status != domain.MemberStatusJoined {
		t.Error("applying an event changed an earlier copy of the commission")
	}
}
