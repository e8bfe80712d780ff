package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender/convert"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// Projection returns the read-model handler for the tender stream.
func Projection(st store.Store) eventlog.Handler { return projection{st: st} }

// ObservedProjection is Projection that also hands each tender, as stored
// after an event, to observe (the deadline scheduler's Deadlines.Observe).
func ObservedProjection(st store.Store, observe func(domain.Tender)) eventlog.Handler {
	return projection{st: st, observe: observe}
}

type projection struct {
	st      store.Store
	observe func(domain.Tender)
}

func (p projection) Checkpoint(ctx context.Context) (uint64, error) { return p.st.Checkpoint(ctx) }

// CaughtUp lets a store that defers work while it is rebuilt (the memory
// store's indexes) finish it before the service is ready.
func (p projection) CaughtUp(ctx context.Context) error {
	if c, ok := p.st.(eventlog.CatchUpper); ok {
		return c.CaughtUp(ctx)
	}
	return nil
}

func (p projection) Apply(ctx context.Context, ev eventlog.Event) error {
	cp, err := p.st.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if ev.Sequence <= cp {
		return nil
	}
	if strings.HasPrefix(ev.Subject, domain.SeatSubjectPrefix) {
		return nil // seats are decided on the log itself; no read model
	}
	de, err := convert.EventFrom(ev.Data)
	if err != nil {
		return eventlog.Permanent(err)
	}
	switch {
	case strings.HasPrefix(ev.Subject, domain.TenderSubjectPrefix):
		t, err := p.st.GetTender(ctx, strings.TrimPrefix(ev.Subject, domain.TenderSubjectPrefix))
		if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
			return err
		}
		if err := t.Apply(de, ev.Time, ev.Sequence); err != nil {
			return eventlog.Permanent(err)
		}
		if err := p.st.PutTender(ctx, t, ev.Sequence); err != nil {
			return err
		}
		if p.observe != nil {
			p.observe(t)
		}
		return nil
	case strings.HasPrefix(ev.Subject, domain.ConsortiumSubjectPrefix):
		c, err := p.st.GetConsortium(ctx, strings.TrimPrefix(ev.Subject, domain.ConsortiumSubjectPrefix))
		if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
			return err
		}
		if err := c.Apply(de, ev.Time, ev.Sequence); err != nil {
			return eventlog.Permanent(err)
		}
		return p.st.PutConsortium(ctx, c, ev.Sequence)
	}
	return eventlog.Permanent(fmt.Errorf("unexpected subject %s", ev.Subject))
}
