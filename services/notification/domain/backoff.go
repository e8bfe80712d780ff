package domain

import (
	"math"
	"time"
)

// Backoff is the retry schedule of external deliveries (webhooks, e-mail):
// attempt n+1 follows a failed attempt n after min(Max, Initial·Factor^(n-1)),
// spread by ±Jitter (a fraction) so receivers that failed together are not hit
// again together. After Attempts failed attempts the delivery is dead-lettered.
type Backoff struct {
	Initial  time.Duration
	Factor   float64
	Max      time.Duration
	Attempts int
	Jitter   float64
}

// DefaultBackoff: 8 attempts; the waits after each failure are about 5 s, 20 s,
// 1 m 20 s, 5 m 20 s, 21 m 20 s, 1 h 25 m and 5 h 41 m (±20 %), so a receiver
// that is down for up to ~7 h still gets every event.
var DefaultBackoff = Backoff{Initial: 5 * time.Second, Factor: 4, Max: 6 * time.Hour, Attempts: 8, Jitter: 0.2}

// Delay returns the wait after failed attempt n (from 1); r in [0,1) is the
// random draw for the jitter (0.5 means none).
func (b Backoff) Delay(n int, r float64) time.Duration {
	if n < 1 {
		n = 1
	}
	d := float64(b.Initial) * math.Pow(b.Factor, float64(n-1))
	if d > float64(b.Max) {
		d = float64(b.Max)
	}
	d *= 1 + b.Jitter*(2*r-1)
	return time.Duration(d)
}

// Final reports whether failed attempt n was the last one.
func (b Backoff) Final(n int) bool { return n >= b.Attempts }
