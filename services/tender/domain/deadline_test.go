package domain_test

import (
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/tender/domain"
)

// withDeadline is details() with the given deadline.
func withDeadline(deadline time.Time) domain.Details {
	d := details()
	d.Deadline = deadline
	return d
}

func TestCloseBidding(t *testing.T) {
	cases := []struct {
		name     string
		status   domain.Status
		deadline time.Time
		want     bool // an event
	}{
		{"active, deadline passed", domain.StatusActive, now.Add(-time.Minute), true},
		{"active, deadline exactly now", domain.StatusActive, now, true},
		{"active, deadline ahead", domain.StatusActive, now.Add(time.Second), false},
		{"active, no deadline", domain.StatusActive, time.Time{}, false},
		// A planned tender is published first; it does not go straight to evaluation.
		{"planned, deadline passed", domain.StatusPlanned, now.Add(-time.Hour), false},
		{"already under evaluation", domain.StatusEvaluation, now.Add(-time.Hour), false},
		{"complete", domain.StatusComplete, now.Add(-time.Hour), false},
		{"cancelled", domain.StatusCancelled, now.Add(-time.Hour), false},
		{"unsuccessful", domain.StatusUnsuccessful, now.Add(-time.Hour), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenderIn(t, tc.status, withDeadline(tc.deadline))
			e, err := tn.CloseBidding(now)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want {
				if e != nil {
					t.Fatalf("event %+v, want none", e)
				}
				return
			}
			want := domain.TenderBiddingClosed{TenderID: "t1", Deadline: tc.deadline}
			if e != want {
				t.Fatalf("event = %+v, want %+v", e, want)
			}
			apply(t, tn, e)
			if tn.Status != domain.StatusEvaluation {
				t.Fatalf("status after close = %v", tn.Status)
			}
			// Idempotent: a second close (a second replica, a restart) decides nothing.
			if again, err := tn.CloseBidding(now.Add(time.Hour)); again != nil || err != nil {
				t.Fatalf("second close = %+v, %v", again, err)
			}
		})
	}
}

// A deadline moved later before the close leaves the tender open; moving it
// after the close reopens bidding until the new deadline.
func TestDeadlineMovesAroundTheClose(t *testing.T) {
	tn := tenderIn(t, domain.StatusActive, withDeadline(now.Add(time.Hour)))
	later := now.Add(48 * time.Hour)
	apply(t, tn, must(t)(tn.ChangeDeadline(later, "errata", now)))
	if e, _ := tn.CloseBidding(now.Add(2 * time.Hour)); e != nil {
		t.Fatalf("closed at the old deadline: %+v", e)
	}
	apply(t, tn, must(t)(tn.CloseBidding(later)))
	if tn.Status != domain.StatusEvaluation {
		t.Fatalf("status = %v, want evaluation", tn.Status)
	}
	// Under evaluation: no submission, but award, cancel and close without award.
	if tn.Status.Open() {
		t.Fatal("a tender under evaluation is open")
	}
	for name, cmd := range map[string]func(domain.Tender) (domain.Event, error){
		"award":  func(t domain.Tender) (domain.Event, error) { return t.Award(domain.Award{WinnerName: "UTE"}) },
		"cancel": func(t domain.Tender) (domain.Event, error) { return t.Cancel("withdrawn") },
		"close":  func(t domain.Tender) (domain.Event, error) { return t.CloseUnsuccessful("no bids") },
	} {
		if _, err := cmd(*tn); err != nil {
			t.Errorf("%s under evaluation: %v", name, err)
		}
	}
	reopened := later.Add(7 * 24 * time.Hour)
	apply(t, tn, must(t)(tn.ChangeDeadline(reopened, "extension after the deadline", later.Add(time.Minute))))
	if tn.Status != domain.StatusActive || !tn.Details.Deadline.Equal(reopened) || len(tn.DeadlineChanges) != 2 {
		t.Fatalf("after a late extension: status %v, deadline %v, %d changes", tn.Status, tn.Details.Deadline, len(tn.DeadlineChanges))
	}
}

func TestStatusAt(t *testing.T) {
	cases := []struct {
		name     string
		status   domain.Status
		deadline time.Time
		want     domain.Status
	}{
		{"active, deadline ahead", domain.StatusActive, now.Add(time.Hour), domain.StatusActive},
		{"active, deadline passed", domain.StatusActive, now.Add(-time.Hour), domain.StatusEvaluation},
		{"active, no deadline", domain.StatusActive, time.Time{}, domain.StatusActive},
		{"planned, deadline passed", domain.StatusPlanned, now.Add(-time.Hour), domain.StatusPlanned},
		{"complete, deadline passed", domain.StatusComplete, now.Add(-time.Hour), domain.StatusComplete},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := domain.StatusAt(tc.status, tc.deadline, now); got != tc.want {
				t.Fatalf("StatusAt = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStatusDecided(t *testing.T) {
	for _, s := range append(allStatuses, domain.StatusEvaluation) {
		want := s == domain.StatusComplete || s == domain.StatusCancelled || s == domain.StatusUnsuccessful
		if s.Decided() != want {
			t.Errorf("%v.Decided() = %v", s, s.Decided())
		}
	}
}
