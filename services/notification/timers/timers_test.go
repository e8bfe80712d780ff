package timers_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/notification/timers"
	"github.com/consortia-dev/consortia/services/platform/natstest"
)

// A schedule fires once at its time; scheduling the same name again moves it;
// dropping it means it never fires.
func TestSchedulesFireMoveAndDrop(t *testing.T) {
	ns := natstest.Start(t)
	ctx := t.Context()
	ts, err := timers.Open(ctx, ns.JS, 1)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := ts.Schedule(ctx, timers.Timer{Name: "test.moved", Kind: "test", At: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Moved from an hour ahead to 1 s ahead: only the new time counts.
	if err := ts.Schedule(ctx, timers.Timer{Name: "test.moved", Kind: "test", At: now.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := ts.Schedule(ctx, timers.Timer{Name: "test.dropped.x", Kind: "test", At: now.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := ts.Drop(ctx, "test.dropped"); err != nil {
		t.Fatal(err)
	}
	if err := ts.Schedule(ctx, timers.Timer{Name: "test.last", Kind: "test", At: now.Add(2 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var fired []string
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = timers.Consume(cctx, ns.JS, slog.Default(), func(_ context.Context, tm timers.Timer) error {
			mu.Lock()
			fired = append(fired, tm.Name)
			n := len(fired)
			mu.Unlock()
			if tm.Name == "test.last" || n > 5 {
				cancel()
			}
			return nil
		})
	}()
	<-done
	mu.Lock()
	defer mu.Unlock()
	t.Logf("fired: %v", fired)
	if len(fired) != 2 || fired[0] != "test.moved" || fired[1] != "test.last" {
		t.Fatalf("fired %v, want [test.moved test.last] (moved once, dropped never)", fired)
	}
}
