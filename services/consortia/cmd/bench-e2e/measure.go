package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// sample is one measurement: how many operations completed, how long each
// took, and the errors.
type sample struct {
	ops      int
	errs     int
	firstErr error
	lat      []time.Duration
	elapsed  time.Duration
	cpu      time.Duration // CPU time of the whole process during the sample (withCPU), 0 if not measured
	alloc    uint64        // bytes the whole process allocated on the heap during the sample (withCPU)
}

// withCPU measures the process's CPU time (user and system, every thread)
// while measure runs, into the sample's cpu. CPU time per operation does not
// depend on how busy the machine is with other processes, unlike rates.
func withCPU(measure func() sample) func() sample {
	return func() sample {
		before, allocBefore := processCPU(), heapAllocs()
		s := measure()
		if before > 0 {
			s.cpu = processCPU() - before
		}
		s.alloc = heapAllocs() - allocBefore
		return s
	}
}

// heapAllocs is the cumulative count of bytes allocated on the heap by this
// process. What a call allocates is what the garbage collector has to
// catch up with (scanning the whole live heap once per heap's worth).
func heapAllocs() uint64 {
	m := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m[0].Value.Uint64()
}

// allocPerOp is the sample's heap allocation per completed operation, or 0.
func (s sample) allocPerOp() float64 {
	if s.ops == 0 {
		return 0
	}
	return float64(s.alloc) / float64(s.ops)
}

// processCPU is the CPU time this process has used, or 0 if unknown.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuPerOp is the sample's CPU time per completed operation, or 0.
func (s sample) cpuPerOp() time.Duration {
	if s.ops == 0 {
		return 0
	}
	return s.cpu / time.Duration(s.ops)
}

// rate is operations per second.
func (s sample) rate() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.ops) / s.elapsed.Seconds()
}

// pct is the nearest-rank percentile p of the latencies.
func (s sample) pct(p int) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	l := slices.Clone(s.lat)
	slices.Sort(l)
	rank := (p*len(l) + 99) / 100
	return l[max(0, rank-1)]
}

// closedLoop runs op from c workers, each calling it again as soon as it
// returns, for d (and at least once per worker), and measures every call.
// op gets the worker's number and its call count.
func closedLoop(ctx context.Context, c int, d time.Duration, op func(ctx context.Context, worker, i int) error) sample {
	var mu sync.Mutex
	var out sample
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range c {
		wg.Go(func() {
			var lat []time.Duration
			errs, i := 0, 0
			var first error
			for ; i == 0 || time.Now().Before(deadline); i++ {
				if ctx.Err() != nil {
					break
				}
				t0 := time.Now()
				err := op(ctx, w, i)
				lat = append(lat, time.Since(t0))
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
				}
			}
			mu.Lock()
			out.ops += len(lat) - errs
			out.errs += errs
			out.lat = append(out.lat, lat...)
			if out.firstErr == nil {
				out.firstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	return out
}

// median of xs (the middle round of three).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// medianDur is median for durations.
func medianDur(ds []time.Duration) time.Duration {
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = float64(d)
	}
	return time.Duration(median(xs))
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return fmt.Sprintf("%.2f ms", v)
	}
}

// thousands formats n with thousands separators.
func thousands(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// rss returns the process's resident set now and at its peak, from /proc (Linux).
func rss() (now, peak string) {
	now, peak = "?", "?"
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			now = kbToMB(f[1])
		case "VmHWM:":
			peak = kbToMB(f[1])
		}
	}
	return
}

func kbToMB(kb string) string {
	var v float64
	_, _ = fmt.Sscan(kb, &v)
	return fmt.Sprintf("%.0f MB", v/1024)
}

// loadAverage is the 1-minute load average (Linux), or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// cpuModel names the processor (Linux), or "?".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

// newKey is a fresh Ed25519 signing key for the bench's issuer.
func newKey() ed25519.PrivateKey {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return priv
}
