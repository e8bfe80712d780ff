package app

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender/convert"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// SchedulerActor is the actor recorded on the events the deadline scheduler appends.
const SchedulerActor = "system:deadline-scheduler"

// Deadlines closes bidding on a tender when its submission deadline passes
// (TenderBiddingClosed; the tender is then under evaluation).
//
// It is a scheduler inside the tender service, not a JetStream message
// schedule. The embedded nats-server (v2.15) supports message schedules
// (Nats-Schedule, AllowMsgSchedules), but a schedule is a second copy of the
// deadline, kept as a message in the TENDER stream that every projection of
// the stream (this read model, the commission and notification services)
// would have to skip, to be replaced on every deadline change and ignored when
// stale. The deadline is already in the read model, so the scheduler derives
// what is due from it: at start (every active tender, Start) and on every
// projected change of a tender (Observe). Nothing is kept that the read model
// does not hold, so it is crash-safe: after a restart, overdue tenders close
// at once. The close is idempotent (the domain returns no event unless the
// tender is active with a passed deadline) and guarded by the tender's
// expected version, with a message id per tender and deadline: two replicas
// firing at once append one event; a deadline moved later before it fires
// leaves the tender open (the queued entry is stale and skipped).
type Deadlines struct {
	mu   sync.Mutex
	due  map[string]time.Time // tender id → deadline it closes at
	q    deadlineHeap         // may hold stale entries: checked against due
	wake chan struct{}
}

// NewDeadlines returns a scheduler; the projection feeds it (Observe) and Run
// runs it for a service.
func NewDeadlines() *Deadlines {
	return &Deadlines{due: map[string]time.Time{}, wake: make(chan struct{}, 1)}
}

// Observe records a tender's current state (called by the projection after
// each tender event): an active tender with a deadline is due then; any
// other state cancels what was due.
func (d *Deadlines) Observe(t domain.Tender) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t.Status != domain.StatusActive || t.Details.Deadline.IsZero() {
		delete(d.due, t.ID)
		return
	}
	if cur, ok := d.due[t.ID]; ok && cur.Equal(t.Details.Deadline) {
		return
	}
	d.due[t.ID] = t.Details.Deadline
	heap.Push(&d.q, deadlineEntry{at: t.Details.Deadline, id: t.ID})
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Pending is how many tenders wait for their deadline.
func (d *Deadlines) Pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.due)
}

// Run loads the active tenders from the read model (which must have caught
// up), then closes bidding on each as its deadline passes, until ctx ends.
func (d *Deadlines) Run(ctx context.Context, svc *Service) error {
	f := store.TenderFilter{Status: domain.StatusActive, PageSize: 500}
	for {
		ts, next, err := svc.store.ListTenders(ctx, f)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("deadline scheduler: list active tenders: %w", err)
		}
		for _, t := range ts {
			d.Observe(t)
		}
		if next == "" {
			break
		}
		f.PageToken = next
	}
	svc.logger.Info("deadline scheduler started", "active tenders with a deadline", d.Pending())
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		for _, id := range d.popDue(svc.now()) {
			if _, err := svc.CloseBidding(ctx, id); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				// Retried shortly: the tender is put back as due now.
				svc.logger.Warn("close bidding failed; retrying", "tender", id, "err", err)
				d.retry(id, svc.now().Add(2*time.Second))
			}
		}
		timer.Reset(d.untilNext(svc.now()))
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// popDue removes and returns the tenders due at now.
func (d *Deadlines) popDue(now time.Time) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for d.q.Len() > 0 && !d.q[0].at.After(now) {
		e := heap.Pop(&d.q).(deadlineEntry)
		if at, ok := d.due[e.id]; ok && at.Equal(e.at) {
			delete(d.due, e.id)
			out = append(out, e.id)
		}
	}
	return out
}

func (d *Deadlines) retry(id string, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.due[id]; ok {
		return // observed again meanwhile
	}
	d.due[id] = at
	heap.Push(&d.q, deadlineEntry{at: at, id: id})
}

// untilNext is the wait before the next entry is due (at most an hour, so a
// clock that jumps is noticed).
func (d *Deadlines) untilNext(now time.Time) time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.q.Len() == 0 {
		return time.Hour
	}
	return min(max(d.q[0].at.Sub(now), 0), time.Hour)
}

// CloseBidding closes bidding on a tender whose submission deadline has
// passed. It is idempotent: false (and nil) when there is nothing to do —
// already closed, not active, or the deadline is still ahead. The append is
// expected-version guarded and carries a message id per tender and deadline,
// so concurrent closers (two replicas) append one event.
func (s *Service) CloseBidding(ctx context.Context, id string) (bool, error) {
	subject := domain.TenderSubject(id)
	for attempt := 0; ; attempt++ {
		t, err := s.loadTender(ctx, id)
		if err != nil {
			if errors.Is(err, domainerr.ErrNotFound) {
				return false, nil
			}
			return false, err
		}
		e, err := t.CloseBidding(s.now())
		if err != nil || e == nil {
			return false, err
		}
		msg, err := convert.Event(e)
		if err != nil {
			return false, err
		}
		res, err := s.log.Append(ctx, eventlog.Draft{
			Subject: subject, Event: msg, ExpectedVersion: int64(t.Version), Actor: SchedulerActor,
			MsgID: eventlog.MsgID(t.Details.Deadline.UTC().Format(time.RFC3339Nano), "TenderBiddingClosed", subject),
		})
		if errors.Is(err, domainerr.ErrConflict) && attempt < maxRetries {
			if err := retryPause(ctx, attempt); err != nil {
				return false, err
			}
			continue
		}
		if err != nil {
			return false, fmt.Errorf("close bidding on tender %s: %w", id, err)
		}
		if err := s.proj.WaitFor(ctx, res.Sequence); err != nil {
			return false, fmt.Errorf("waiting for read model: %w", err)
		}
		if !res.Duplicate {
			s.logger.Info("bidding closed at the deadline", "tender", id, "deadline", t.Details.Deadline)
		}
		return !res.Duplicate, nil
	}
}

type deadlineEntry struct {
	at time.Time
	id string
}

type deadlineHeap []deadlineEntry

func (h deadlineHeap) Len() int { return len(h) }
func (h deadlineHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].id < h[j].id
}
func (h deadlineHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *deadlineHeap) Push(x any)   { *h = append(*h, x.(deadlineEntry)) }
func (h *deadlineHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
