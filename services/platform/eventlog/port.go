package eventlog

import "context"

// The event log as a port: what application services use of it. *Log
// implements them on JetStream; eventlogtest.Run is the contract any
// implementation must pass. Application packages declare the subset they need
// (small interfaces where used); these name the whole surface once.

// Appender appends events.
type Appender interface {
	Append(ctx context.Context, d Draft) (Appended, error)
}

// Loader folds aggregates.
type Loader interface {
	Load(ctx context.Context, subject string, apply func(Event) error) (uint64, error)
	LoadMarked(ctx context.Context, subject, msgID string, apply func(Event) error) (version, marked uint64, err error)
	LoadMark(ctx context.Context, subject string, m Mark, apply func(Event) error) (version, marked uint64, err error)
	LoadInto(ctx context.Context, subject string, m Mark, state any, apply func(Event) error) (version, marked uint64, err error)
}

// Reader reads stored events.
type Reader interface {
	Get(ctx context.Context, seq uint64) (Event, error)
	History(ctx context.Context, subject string) ([]Event, error)
}

// Store is the whole event store: append, load and read.
type Store interface {
	Appender
	Loader
	Reader
}

var _ Store = (*Log)(nil)
