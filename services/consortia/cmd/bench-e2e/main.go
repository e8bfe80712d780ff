// Command bench-e2e measures the product at scale against baselines on the
// same machine, in the same run: it starts the stack in this process (an
// embedded nats-server with JetStream and fsync on every write, the member
// and tender services through their constructors, the gateway), seeds it,
// and for each row of issue 12's table measures the project and its baseline
// interleaved, in rounds (3 by default), printing the median of the rounds,
// the ratio and the goal. Baselines: raw JetStream publishes (with an
// expected subject sequence for updates) to a stream on the same server,
// gRPC Health.Check on the same gRPC server, GET /healthz on the same
// gateway, and a raw ordered consumer on the same stream.
//
// Usage (from services/consortia; `make bench-e2e`, BENCH_ARGS=-quick):
//
//	go run ./cmd/bench-e2e            # 100k organisations and tenders, 3 s per measurement: several minutes
//	go run ./cmd/bench-e2e -quick     # 10k of each, 1 s per measurement: about 1–2 minutes
//
// Seeding goes through the services (RegisterOrganization, CreateTender,
// 32 concurrent callers); only the long histories of the history row are
// appended directly to the member stream, with the member domain's events.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
)

// config is the command line.
type config struct {
	orgs, tenders int
	duration      time.Duration
	rounds        int
	updates       int // timed updates per history size and round
	matchN        int
	matchRuns     int
	concurrency   []int
	histories     []int // history sizes of the history row, shortest first
	quick         bool
	cpuProfile    string
	memProfile    string
	listsOnly     bool // only the list rows (profiling the query path)
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("bench-e2e", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "a short run (about 1–2 minutes): 10k organisations and tenders, 1 s per measurement, fewer matching runs")
	orgs := fs.Int("orgs", 100_000, "organisations to seed")
	tenders := fs.Int("tenders", 100_000, "tenders to seed")
	duration := fs.Duration("duration", 3*time.Second, "how long each measurement runs")
	rounds := fs.Int("rounds", 3, "rounds of project and baseline, interleaved")
	updates := fs.Int("updates", 40, "timed updates per history size and round")
	matchN := fs.Int("match-n", 100_000, "companies in each matching pool")
	matchRuns := fs.Int("match-runs", 20, "matching instances per m")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (stack and bench clients) to this file")
	memProfile := fs.String("memprofile", "", "write a heap profile, taken after the service rows (before matching), to this file")
	listsOnly := fs.Bool("lists-only", false, "seed, then measure only the list rows (gRPC and HTTP); for profiling the query path")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	cfg := config{orgs: *orgs, tenders: *tenders, duration: *duration, rounds: *rounds, updates: *updates,
		matchN: *matchN, matchRuns: *matchRuns, concurrency: []int{1, 8, 32}, histories: []int{2, 100, 1000, 3000}, quick: *quick, cpuProfile: *cpuProfile, memProfile: *memProfile, listsOnly: *listsOnly}
	if *quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		def := func(name string, v *int, q int) {
			if !set[name] {
				*v = q
			}
		}
		def("orgs", &cfg.orgs, 10_000)
		def("tenders", &cfg.tenders, 10_000)
		def("updates", &cfg.updates, 20)
		def("match-runs", &cfg.matchRuns, 8)
		if !set["duration"] {
			cfg.duration = time.Second
		}
	}
	if cfg.orgs < 32 || cfg.tenders < 1 || cfg.rounds < 1 || cfg.updates < 1 || cfg.matchRuns < 1 || cfg.matchN < 1 {
		return config{}, fmt.Errorf("-orgs must be at least 32 and the other counts positive")
	}
	return cfg, nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-e2e:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if cfg.cpuProfile != "" && !cfg.listsOnly { // with -lists-only, the profile covers the list rows only (run)
		if err := startCPUProfile(cfg.cpuProfile); err != nil {
			fmt.Fprintln(os.Stderr, "bench-e2e: -cpuprofile:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench-e2e:", err)
		os.Exit(1)
	}
}

// run starts the stack, measures every row and prints the table to out
// (progress to progress).
func run(ctx context.Context, cfg config, out, progress io.Writer) error {
	start := time.Now()
	loadBefore := loadAverage()
	log := slog.New(slog.NewTextHandler(progress, &slog.HandlerOptions{Level: slog.LevelError}))
	step := func(format string, args ...any) {
		fmt.Fprintf(progress, "[%5.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
	st, err := startStack(ctx, log)
	if err != nil {
		return err
	}
	defer st.close()
	if err := st.benchStream(ctx); err != nil {
		return err
	}
	step("stack up; seeding %s organisations through RegisterOrganization", thousands(float64(cfg.orgs)))
	orgs, err := st.seedOrganizations(ctx, cfg.orgs)
	if err != nil {
		return err
	}
	step("seeding %s tenders through CreateTender", thousands(float64(cfg.tenders)))
	if err := st.seedTenders(ctx, cfg.tenders); err != nil {
		return err
	}
	seeded := time.Since(start)

	var rows []result
	if !cfg.listsOnly {
		step("updates")
		rows = append(rows, st.updateRows(ctx, orgs, cfg.concurrency, cfg.rounds, cfg.duration)...)
		step("registers")
		rows = append(rows, st.registerRows(ctx, cfg.concurrency, cfg.rounds, cfg.duration)...)
		step("update latency vs history")
		h, err := st.historyRow(ctx, cfg.histories, cfg.rounds, cfg.updates)
		if err != nil {
			return err
		}
		rows = append(rows, h)
	}
	step("list calls")
	if cfg.listsOnly && cfg.cpuProfile != "" {
		if err := startCPUProfile(cfg.cpuProfile); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	rows = append(rows, listRow(ctx, fmt.Sprintf("gRPC ListTenders(20) c=8, %s tenders", thousands(float64(cfg.tenders))), cfg.rounds, cfg.duration, st.tenderH, func() error {
		res, err := st.tenders.ListTenders(st.manager, &tenderv1.ListTendersRequest{PageSize: 20})
		if err == nil && len(res.GetTenders()) != 20 {
			err = fmt.Errorf("ListTenders returned %d tenders, want 20", len(res.GetTenders()))
		}
		return err
	}))
	rows = append(rows, listRow(ctx, fmt.Sprintf("gRPC ListOrganizations(20) c=8, %s orgs", thousands(float64(cfg.orgs))), cfg.rounds, cfg.duration, st.memberH, func() error {
		res, err := st.members.ListOrganizations(st.agency, &memberv1.ListOrganizationsRequest{PageSize: 20})
		if err == nil && len(res.GetOrganizations()) != 20 {
			err = fmt.Errorf("ListOrganizations returned %d organisations, want 20", len(res.GetOrganizations()))
		}
		return err
	}))
	rows = append(rows, st.httpRow(ctx, cfg.rounds, cfg.duration))
	if !cfg.listsOnly {
		step("read-model rebuild")
		rb, err := st.rebuildRow(ctx, cfg.rounds)
		if err != nil {
			return err
		}
		rows = append(rows, rb)
	}
	rssServices, _ := rss()
	if cfg.memProfile != "" {
		if err := writeHeapProfile(cfg.memProfile); err != nil {
			return err
		}
	}
	if !cfg.listsOnly {
		step("matching")
		mr, err := matchingRows(ctx, cfg.matchN, cfg.matchRuns)
		if err != nil {
			return err
		}
		rows = append(rows, mr...)
	}

	host, _ := os.Hostname()
	fmt.Fprintf(out, "bench-e2e %s, %s; %s, %d CPUs, GOMAXPROCS=%d, %s, host %s\n", time.Now().Format("2006-01-02 15:04 MST"),
		map[bool]string{true: "-quick", false: "full run"}[cfg.quick], cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), host)
	fmt.Fprintf(out, "embedded nats-server, file storage, fsync on every write; %s organisations and %s tenders seeded through the services in %.0f s; %d rounds of %s, project and baseline interleaved, medians shown\n\n",
		thousands(float64(cfg.orgs)), thousands(float64(cfg.tenders)), seeded.Seconds(), cfg.rounds, cfg.duration)
	printTable(out, rows)
	now, peak := rss()
	fmt.Fprintf(out, "\nRSS (whole process: nats-server, member, tender, gateway, bench clients): %s after the service rows, %s at the end (after matching), peak %s\n", rssServices, now, peak)
	met := 0
	for _, r := range rows {
		if r.verdict == "met" {
			met++
		}
	}
	fmt.Fprintf(out, "goals met: %d of %d; wall time %s; load average before %s, after %s\n", met, len(rows), time.Since(start).Round(time.Second), loadBefore, loadAverage())
	return nil
}

// printTable prints the rows in aligned columns.
func printTable(out io.Writer, rows []result) {
	head := result{what: "what", project: "project", baseline: "baseline", ratio: "ratio", goal: "goal", verdict: "verdict"}
	all := append([]result{head}, rows...)
	width := [5]int{}
	for _, r := range all {
		for i, v := range []string{r.what, r.project, r.baseline, r.ratio, r.goal} {
			width[i] = max(width[i], len([]rune(v)))
		}
	}
	pad := func(s string, w int) string { return s + strings.Repeat(" ", w-len([]rune(s))) }
	for _, r := range all {
		fmt.Fprintf(out, "%s  %s  %s  %s  %s  %s\n", pad(r.what, width[0]), pad(r.project, width[1]), pad(r.baseline, width[2]), pad(r.ratio, width[3]), pad(r.goal, width[4]), r.verdict)
	}
}

// startCPUProfile starts the CPU profile into path (stopped by pprof.StopCPUProfile).
func startCPUProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return pprof.StartCPUProfile(f)
}

// writeHeapProfile writes the live heap (after a collection) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	return pprof.WriteHeapProfile(f)
}
