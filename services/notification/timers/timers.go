// Package timers keeps the notification service's timers (deadline reminders,
// certification expiry warnings, daily digests) in JetStream as message
// schedules (nats-server 2.12+: a message with "Nats-Schedule: @at <time>" is
// published by the server to its Nats-Schedule-Target at that time), so no
// timer lives in process memory: a restart, even of the NATS server, loses
// none. One schedule per subject: scheduling a subject again replaces its
// timer (a moved deadline), purging the subject drops it (a cancelled tender).
package timers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream holds the schedules and the fired timers. It is its own stream
// because message schedules must be enabled on the stream that holds them.
const (
	Stream         = "NOTIFYTIMER"
	schedulePrefix = "notifytimer.schedule."
	firedPrefix    = "notifytimer.fired."
	// Consumer is the durable consumer of fired timers.
	Consumer = "notification-timers"
)

// Timer is what a schedule carries and a fired timer returns.
type Timer struct {
	// Name identifies the timer: dot-separated subject tokens, e.g.
	// "reminder.<tender>.604800s"; the same name is the same timer.
	Name string `json:"name"`
	// At is when it fires.
	At time.Time `json:"at"`
	// Kind and the ids say what it is about.
	Kind     string    `json:"kind"`
	TenderID string    `json:"tender_id,omitempty"`
	OrgID    string    `json:"organization_id,omitempty"`
	CertID   string    `json:"certification_id,omitempty"`
	UserID   string    `json:"user_id,omitempty"`
	Offset   int64     `json:"offset_seconds,omitempty"`
	Due      time.Time `json:"due,omitempty"` // the deadline or expiry the timer warns of
}

// ID is the timer's firing identity (its name and time), the source event id
// of the notifications it causes: a timer that fires twice notifies once.
func (t Timer) ID() string { return "timer:" + t.Name + "@" + t.At.UTC().Format(time.RFC3339) }

// Timers schedules and drops timers.
type Timers struct {
	js     jetstream.JetStream
	stream jetstream.Stream
}

// Open creates or updates the timer stream with message schedules allowed.
func Open(ctx context.Context, js jetstream.JetStream, replicas int) (*Timers, error) {
	if replicas <= 0 {
		replicas = 1
	}
	s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:              Stream,
		Description:       "Consortia notification timers (message schedules) and their firings",
		Subjects:          []string{"notifytimer.>"},
		Storage:           jetstream.FileStorage,
		Replicas:          replicas,
		AllowMsgSchedules: true,
		// Fired timers are only needed until handled; keep a week for inspection.
		MaxAge:     7 * 24 * time.Hour,
		Duplicates: time.Hour,
	})
	if err != nil {
		return nil, fmt.Errorf("timer stream %s (needs nats-server 2.12+ for message schedules): %w", Stream, err)
	}
	return &Timers{js: js, stream: s}, nil
}

// Schedule sets the timer named t.Name to fire at t.At, replacing an earlier
// schedule of the same name.
func (ts *Timers) Schedule(ctx context.Context, t Timer) error {
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	msg := nats.NewMsg(schedulePrefix + t.Name)
	msg.Data = data
	_, err = ts.js.PublishMsg(ctx, msg, jetstream.WithScheduleAt(t.At), jetstream.WithScheduleTarget(firedPrefix+t.Name), jetstream.WithExpectStream(Stream))
	if err != nil {
		return fmt.Errorf("schedule %s at %s: %w", t.Name, t.At.Format(time.RFC3339), err)
	}
	return nil
}

// Drop removes the timers whose names start with prefix (a token boundary:
// "reminder.<tender>" drops every reminder of the tender).
func (ts *Timers) Drop(ctx context.Context, prefix string) error {
	if err := ts.stream.Purge(ctx, jetstream.WithPurgeSubject(schedulePrefix+prefix+".>")); err != nil {
		return fmt.Errorf("drop timers %s: %w", prefix, err)
	}
	return nil
}

// Scheduled returns the timer currently scheduled under name, if any (tests, diagnostics).
func (ts *Timers) Scheduled(ctx context.Context, name string) (Timer, bool, error) {
	raw, err := ts.stream.GetLastMsgForSubject(ctx, schedulePrefix+name)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Timer{}, false, nil
	}
	if err != nil {
		return Timer{}, false, err
	}
	var t Timer
	if err := json.Unmarshal(raw.Data, &t); err != nil {
		return Timer{}, false, err
	}
	return t, true, nil
}

// Consume runs handle for every fired timer on a durable consumer until ctx
// ends. A handler error retries the timer later; a timer fired twice (the
// server's at-least-once) is handled twice, so handlers are idempotent by Timer.ID.
func Consume(ctx context.Context, js jetstream.JetStream, logger *slog.Logger, handle func(context.Context, Timer) error) error {
	cons, err := js.CreateOrUpdateConsumer(ctx, Stream, jetstream.ConsumerConfig{
		Durable: Consumer, Description: "Handles fired notification timers",
		FilterSubject: firedPrefix + ">", AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Minute, MaxAckPending: 16,
		DeliverPolicy: jetstream.DeliverAllPolicy, MaxDeliver: -1,
	})
	if err != nil {
		return fmt.Errorf("timer consumer: %w", err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var t Timer
		if err := json.Unmarshal(m.Data(), &t); err != nil || !strings.HasPrefix(m.Subject(), firedPrefix) {
			logger.Error("timers: unreadable fired timer; dropped", "subject", m.Subject(), "err", err)
			_ = m.Term()
			return
		}
		if err := handle(ctx, t); err != nil {
			if ctx.Err() == nil {
				logger.Warn("timers: handling failed; retrying", "timer", t.Name, "err", err)
				_ = m.NakWithDelay(2 * time.Second)
			}
			return
		}
		_ = m.Ack()
	})
	if err != nil {
		return fmt.Errorf("timer consume: %w", err)
	}
	<-ctx.Done()
	cc.Stop()
	<-cc.Closed()
	return nil
}
