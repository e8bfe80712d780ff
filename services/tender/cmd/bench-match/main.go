// Command bench-match measures the matching engine on generated instances and
// checks its answers against a brute-force oracle on small pools.
//
// For every pool size n, every requirement count m and every team size k it
// runs -runs seeded instances (K = -topk) and prints, per cell, the p50 and
// p99 latency of matching.Recommend, the same as ratios against the brute
// force's p50 on the n ≤ 150 pools of this run (the baseline, so results
// compare across machines), the p50 and p99 of the process CPU time per call
// (all threads, garbage collector included: on a busy machine latency grows,
// CPU time much less), the mean search nodes, the mean pool after
// dominance reduction, the share of instances with a feasible team, the mean
// size of the best team and the share proven optimal. Progress goes to stderr.
//
// Usage (from services/tender):
//
//	go run ./cmd/bench-match                 # the full grid, a few minutes
//	go run ./cmd/bench-match -quick          # about 20 seconds
//	go run ./cmd/bench-match -sizes 10000 -ms 15 -ks 5 -runs 50
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/tender/matching"
	"github.com/consortia-dev/consortia/services/tender/matching/benchgen"
)

// oracleMaxN is the largest pool the brute force runs on.
const oracleMaxN = 150

// config is the command line.
type config struct {
	seed   uint64
	runs   int
	sizes  []int
	ms     []int
	ks     []int
	topK   int
	budget time.Duration
	oracle bool
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-match:", err)
		os.Exit(2)
	}
	if err := run(cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench-match:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line.
func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("bench-match", flag.ContinueOnError)
	seed := fs.Uint64("seed", 1, "seed of the instance generator")
	runs := fs.Int("runs", 20, "instances per cell")
	sizes := fs.String("sizes", "100,1000,10000,100000", "pool sizes n, comma separated")
	ms := fs.String("ms", "5,10,15,20", "requirement counts m, comma separated")
	ks := fs.String("ks", "3,5", "maximum team sizes k, comma separated")
	topK := fs.Int("topk", 10, "teams returned (K)")
	budget := fs.Duration("budget", 5*time.Second, "time budget per recommendation (0: none)")
	oracle := fs.Bool("oracle", true, "check against the brute force on pools of at most 150 companies")
	quick := fs.Bool("quick", false, "a short run (about 20 s): 8 runs per cell")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if *quick {
		*runs = 8
	}
	cfg := config{seed: *seed, runs: *runs, topK: *topK, budget: *budget, oracle: *oracle}
	var err error
	if cfg.sizes, err = ints(*sizes); err != nil {
		return config{}, fmt.Errorf("-sizes: %w", err)
	}
	if cfg.ms, err = ints(*ms); err != nil {
		return config{}, fmt.Errorf("-ms: %w", err)
	}
	if cfg.ks, err = ints(*ks); err != nil {
		return config{}, fmt.Errorf("-ks: %w", err)
	}
	for _, m := range cfg.ms {
		if m < 2 || m > len(benchgen.Vocabulary)+1 {
			return config{}, fmt.Errorf("-ms: %d is outside 2..%d", m, len(benchgen.Vocabulary)+1)
		}
	}
	if cfg.runs < 1 || cfg.topK < 1 {
		return config{}, fmt.Errorf("-runs and -topk must be positive")
	}
	return cfg, nil
}

// ints parses a comma-separated list of positive integers.
func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// cellKey identifies a cell of the grid.
type cellKey struct{ n, m, k int }

// cell accumulates one cell's measurements.
type cell struct {
	latencies []time.Duration
	cpus      []time.Duration // process CPU time of each run
	nodes     int64
	reduced   int64
	feasible  int
	bestSize  int
	optimal   int
}

// oracleCell accumulates the brute-force comparison for one (m, k).
type oracleCell struct {
	instances, agree int
	bf, engine       []time.Duration
	mismatches       []string
}

// run measures the grid and writes the report.
func run(cfg config, out, progress io.Writer) error {
	start := time.Now()
	loadBefore := loadAverage()
	cells := make(map[cellKey]*cell)
	oracles := make(map[[2]int]*oracleCell)
	shared := benchgen.Clusters
	for _, n := range cfg.sizes {
		for r := range cfg.runs {
			poolSeed := cfg.seed*1_000_003 + uint64(r)
			pool := benchgen.Pool(poolSeed, n)
			runtime.GC() // the generator's garbage is not the engine's cost
			for _, m := range cfg.ms {
				req := benchgen.Tender(cfg.seed*7_919+uint64(r), m)
				for _, k := range cfg.ks {
					key := cellKey{n, m, k}
					c := cells[key]
					if c == nil {
						c = &cell{}
						cells[key] = c
					}
					opts := matching.Options{MaxSize: k, TopK: cfg.topK, Budget: cfg.budget, SharedClusters: shared}
					cpu0, t0 := processCPU(), time.Now()
					res, err := matching.Recommend(context.Background(), req, pool, opts)
					elapsed := time.Since(t0)
					c.cpus = append(c.cpus, processCPU()-cpu0)
					if err != nil {
						return fmt.Errorf("n=%d m=%d k=%d run %d: %w", n, m, k, r, err)
					}
					c.latencies = append(c.latencies, elapsed)
					c.nodes += res.Stats.Nodes
					c.reduced += int64(res.Stats.Reduced)
					if res.Optimal {
						c.optimal++
					}
					if len(res.Teams) > 0 {
						c.feasible++
						c.bestSize += len(res.Teams[0].Team.Members)
					}
					if cfg.oracle && n <= oracleMaxN {
						o := oracles[[2]int{m, k}]
						if o == nil {
							o = &oracleCell{}
							oracles[[2]int{m, k}] = o
						}
						t1 := time.Now()
						want := bruteForce(req, pool, k, cfg.topK, shared)
						o.bf = append(o.bf, time.Since(t1))
						o.engine = append(o.engine, elapsed)
						o.instances++
						if res.Optimal && sameRanking(res, want) {
							o.agree++
						} else if len(o.mismatches) < 3 {
							o.mismatches = append(o.mismatches, fmt.Sprintf("n=%d m=%d k=%d run %d", n, m, k, r))
						}
					}
				}
			}
			fmt.Fprintf(progress, "\rn=%-6d run %d/%d  (%s elapsed)   ", n, r+1, cfg.runs, time.Since(start).Round(time.Second))
		}
		fmt.Fprintln(progress)
	}
	report(out, cfg, cells, oracles)
	fmt.Fprintf(out, "\ntotal wall time %s; GOMAXPROCS=%d; %s; load average before %s, after %s\n",
		time.Since(start).Round(time.Second), runtime.GOMAXPROCS(0), runtime.Version(), loadBefore, loadAverage())
	return nil
}

// loadAverage returns the 1-minute load average (Linux), or "?": latencies
// measured on a busy machine are longer, and the report should say so.
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

// report prints the tables.
func report(out io.Writer, cfg config, cells map[cellKey]*cell, oracles map[[2]int]*oracleCell) {
	fmt.Fprintf(out, "matching.Recommend, K=%d, %d runs per cell, budget %s, seed %d\n", cfg.topK, cfg.runs, cfg.budget, cfg.seed)
	fmt.Fprintf(out, "baseline bf = brute force p50 on the n=100 pools of this run, same m and k\n\n")
	fmt.Fprintf(out, "%7s %3s %2s %9s %9s %9s %9s %9s %9s %12s %9s %9s %7s %9s\n",
		"n", "m", "k", "p50 ms", "p99 ms", "p50/bf", "p99/bf", "cpu p50", "cpu p99", "mean nodes", "mean pool", "feasible", "size#1", "optimal")
	for _, n := range cfg.sizes {
		for _, m := range cfg.ms {
			for _, k := range cfg.ks {
				c := cells[cellKey{n, m, k}]
				p50, p99 := percentile(c.latencies, 50), percentile(c.latencies, 99)
				ratio50, ratio99 := "-", "-"
				if o := oracles[[2]int{m, k}]; o != nil {
					bf := percentile(o.bf, 50)
					ratio50, ratio99 = ratio(p50, bf), ratio(p99, bf)
				}
				size := "-"
				if c.feasible > 0 {
					size = fmt.Sprintf("%.1f", float64(c.bestSize)/float64(c.feasible))
				}
				runs := len(c.latencies)
				fmt.Fprintf(out, "%7d %3d %2d %9s %9s %9s %9s %9s %9s %12.0f %9.0f %8.0f%% %7s %8.0f%%\n",
					n, m, k, ms(p50), ms(p99), ratio50, ratio99, ms(percentile(c.cpus, 50)), ms(percentile(c.cpus, 99)),
					float64(c.nodes)/float64(runs), float64(c.reduced)/float64(runs),
					pct(c.feasible, runs), size, pct(c.optimal, runs))
			}
		}
	}
	if len(oracles) > 0 {
		fmt.Fprintf(out, "\nbrute-force oracle on n ≤ %d (same instances): every team, score and order must match\n", oracleMaxN)
		fmt.Fprintf(out, "%3s %2s %9s %9s %11s %11s %11s %9s\n", "m", "k", "instances", "agree", "bf p50 ms", "bf p99 ms", "engine p50", "speedup")
		for _, m := range cfg.ms {
			for _, k := range cfg.ks {
				o := oracles[[2]int{m, k}]
				if o == nil {
					continue
				}
				bf, eng := percentile(o.bf, 50), percentile(o.engine, 50)
				fmt.Fprintf(out, "%3d %2d %9d %9d %11s %11s %11s %9s\n", m, k, o.instances, o.agree, ms(bf), ms(percentile(o.bf, 99)), ms(eng), ratio(bf, eng))
				for _, mm := range o.mismatches {
					fmt.Fprintf(out, "    DISAGREEMENT: %s\n", mm)
				}
			}
		}
	}
	fmt.Fprintln(out)
	for _, t := range targets {
		c := cells[cellKey{t.n, t.m, 5}]
		if c == nil {
			fmt.Fprintf(out, "target n=%d m=%d k=5 p99 ≤ %s: not measured in this run\n", t.n, t.m, t.limit)
			continue
		}
		p99, cpu99 := percentile(c.latencies, 99), percentile(c.cpus, 99)
		verdict := "met"
		if p99 > t.limit {
			verdict = "MISSED"
		}
		fmt.Fprintf(out, "target n=%d m=%d k=5 p99 ≤ %s: %s ms over %d runs, %s (CPU time p99 %s ms, all threads)\n",
			t.n, t.m, t.limit, ms(p99), len(c.latencies), verdict, ms(cpu99))
	}
}

// targets are the latency goals the report checks (quiet machine, k = 5).
var targets = []struct {
	n, m  int
	limit time.Duration
}{{10_000, 15, 100 * time.Millisecond}, {100_000, 15, 300 * time.Millisecond}, {100_000, 20, 300 * time.Millisecond}}

// percentile returns the nearest-rank percentile p of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := (p*len(s) + 99) / 100 // ⌈p/100 · N⌉
	return s[max(0, rank-1)]
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// ratio formats a / b.
func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", float64(a)/float64(b))
}

// pct is 100·a/b.
func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
