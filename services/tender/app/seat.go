package app

import (
	"context"
	"errors"
	"time"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender/convert"
	"github.com/consortia-dev/consortia/services/tender/domain"
)

// seatGrace is how long a freshly taken seat counts as held before its
// consortium shows the member joined: the gap between the two appends of a
// join. A seat left behind by a process that died in that gap frees itself.
const seatGrace = 30 * time.Second

// takeSeat reserves orgID's one seat on the tender's lot for consortium id,
// with optimistic concurrency on the seat's subject: of two simultaneous joins
// into different consortia of the same lot, exactly one gets the seat. Taking
// a seat the consortium already holds is a no-op.
func (s *Service) takeSeat(ctx context.Context, tenderID, lotID, orgID, consortiumID string) error {
	subject := domain.SeatSubject(tenderID, lotID, orgID)
	for attempt := 0; ; attempt++ {
		var last domain.ConsortiumSeatTaken
		var lastAt time.Time
		version, err := s.log.Load(ctx, subject, func(ev eventlog.Event) error {
			de, err := convert.EventFrom(ev.Data)
			if err != nil {
				return err
			}
			if st, ok := de.(domain.ConsortiumSeatTaken); ok {
				last, lastAt = st, ev.Time
			}
			return nil
		})
		if err != nil {
			return err
		}
		if last.ConsortiumID == consortiumID {
			return nil
		}
		if last.ConsortiumID != "" {
			held, err := s.seatHeld(ctx, last, lastAt)
			if err != nil {
				return err
			}
			if held {
				return domainerr.Precondition("one_consortium_per_lot", "organization/"+orgID,
					"organisation %s is already in consortium %s for this lot; an organisation may be in at most one consortium per lot", orgID, last.ConsortiumID)
			}
		}
		msg, err := convert.Event(domain.ConsortiumSeatTaken{TenderID: tenderID, LotID: lotID, OrganizationID: orgID, ConsortiumID: consortiumID})
		if err != nil {
			return err
		}
		_, err = s.log.Append(ctx, eventlog.Draft{Subject: subject, ExpectedVersion: int64(version), Event: msg})
		if errors.Is(err, domainerr.ErrConflict) && attempt < maxRetries {
			continue // someone took it meanwhile: look again
		}
		return err
	}
}

// seatHeld: the seat's consortium is live and has the member joined, or the
// member is still invited there (or the consortium is not formed yet: a lead
// forming its own bid takes the seat first) and the seat was taken so recently
// that the join may be on its way. A member that withdrew or declined frees the
// seat.
func (s *Service) seatHeld(ctx context.Context, seat domain.ConsortiumSeatTaken, at time.Time) (bool, error) {
	c, err := s.loadConsortium(ctx, seat.ConsortiumID)
	if errors.Is(err, domainerr.ErrNotFound) {
		return s.now().Sub(at) < seatGrace, nil
	}
	if err != nil {
		return false, err
	}
	live := c.Status != domain.BidDissolved && c.Status != domain.BidLost
	m, _, ok := c.Member(seat.OrganizationID)
	switch {
	case !ok || !live:
		return false, nil
	case m.Status == domain.MemberJoined:
		return true, nil
	case m.Status == domain.MemberInvited:
		return s.now().Sub(at) < seatGrace, nil
	}
	return false, nil
}
