package eligibility

import (
	"strings"
	"testing"
	"time"
)

// A tender without a deadline is checked on the day of the check, and every
// certification result says so in what it needs and in its detail.
func TestCheckSaysWhenTheDeadlineIsAssumed(t *testing.T) {
	req := tender()
	req.Deadline, req.DeadlineAssumed = time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC), true
	a := company("A1", "Alfa", 300_000)
	a.Certifications = []Certification{{Kind: "ENS", Level: LevelMedia, Issued: day(2025, 1, 1), Expires: day(2028, 1, 1)}}
	rep := Check(req, TeamOf(a), Options{})
	r := one(t, rep, RuleCertification, "")
	if !r.OK || !strings.HasSuffix(r.Needed, NoDeadlineNeeded) || !strings.HasSuffix(r.Detail, NoDeadlineDetail) ||
		!strings.Contains(r.Needed, "2027-03-15") {
		t.Fatalf("certification result %+v does not say the deadline is assumed", r)
	}
	if one(t, rep, RuleEconomic, "").Detail == "" || strings.Contains(one(t, rep, RuleEconomic, "").Detail, NoDeadlineDetail) {
		t.Errorf("only certification results carry the note")
	}
	req.DeadlineAssumed = false
	if r := one(t, Check(req, TeamOf(a), Options{}), RuleCertification, ""); strings.Contains(r.Needed, NoDeadlineNeeded) {
		t.Errorf("a real deadline is not an assumed one: %+v", r)
	}
}
