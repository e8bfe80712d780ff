package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/member/convert"
	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/platform/taxid"
	"github.com/consortia-dev/consortia/services/tender/matching"
	"github.com/consortia-dev/consortia/services/tender/matching/benchgen"
)

// result is one printed row.
type result struct {
	what, project, baseline, ratio, goal, verdict string
}

// pair measures a row's project and baseline side in each round, alternating
// which goes first, and returns the samples.
func pair(rounds int, project, baseline func() sample) (ps, bs []sample) {
	for r := range rounds {
		if r%2 == 0 {
			ps, bs = append(ps, project()), append(bs, baseline())
		} else {
			bs, ps = append(bs, baseline()), append(ps, project())
		}
	}
	return ps, bs
}

// summary is the median over rounds of rate, p50 and p99, with the errors.
type summary struct {
	rate     float64
	p50, p99 time.Duration
	errs     int
	firstErr error
}

func summarise(ss []sample) summary {
	var rates []float64
	var p50s, p99s []time.Duration
	var out summary
	for _, s := range ss {
		rates = append(rates, s.rate())
		p50s = append(p50s, s.pct(50))
		p99s = append(p99s, s.pct(99))
		out.errs += s.errs
		if out.firstErr == nil {
			out.firstErr = s.firstErr
		}
	}
	out.rate, out.p50, out.p99 = median(rates), medianDur(p50s), medianDur(p99s)
	return out
}

func (s summary) String() string {
	txt := fmt.Sprintf("%s/s p99 %s", thousands(s.rate), ms(s.p99))
	if s.errs > 0 {
		txt += fmt.Sprintf(" (%d errors: %v)", s.errs, s.firstErr)
	}
	return txt
}

// throughputRow compares rates; goal is met when ratio ≥ want (and, with
// p99Factor > 0, the project's p99 ≤ p99Factor × the baseline's p99).
func throughputRow(what string, ps, bs []sample, want, p99Factor float64, goal string) result {
	p, b := summarise(ps), summarise(bs)
	ratio := 0.0
	if b.rate > 0 {
		ratio = p.rate / b.rate
	}
	ok := ratio >= want && p.errs == 0
	if p99Factor > 0 && float64(p.p99) > p99Factor*float64(b.p99) {
		ok = false
	}
	return result{what: what, project: p.String(), baseline: b.String(), ratio: fmt.Sprintf("%.2f", ratio), goal: goal, verdict: verdict(ok)}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// benchStream is the stream of the raw-publish baselines: same server, same
// file storage and fsync as the services' streams.
const benchStream = "BENCH"

func (st *stack) benchStream(ctx context.Context) error {
	_, err := st.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: benchStream, Subjects: []string{"bench.>"}, Storage: jetstream.FileStorage})
	return err
}

// payload is the size of a member event as the services append it.
var payload = make([]byte, 320)

// cifCounter numbers the tax ids of registered organisations.
var cifCounter atomic.Int64

// nextCIF is a fresh, valid company tax id (CIF B + 7 digits + control digit).
func nextCIF() string {
	base := fmt.Sprintf("B%07d", cifCounter.Add(1)%10_000_000)
	for c := '0'; c <= '9'; c++ {
		if _, err := taxid.Validate(base + string(c)); err == nil {
			return base + string(c)
		}
	}
	panic("no control digit for " + base)
}

// registration is a valid company registration with a fresh tax id.
func registration(year int) *memberv1.RegisterOrganizationRequest {
	cif := nextCIF()
	return &memberv1.RegisterOrganizationRequest{
		Kind: memberv1.OrganizationKind_ORGANIZATION_KIND_COMPANY, LegalName: "Bench " + cif + " S.L.", TaxId: cif,
		Profile: &memberv1.OrganizationProfile{
			SizeBand: memberv1.SizeBand_SIZE_BAND_SMALL, Headcount: 12,
			Address:      &memberv1.Address{Locality: "Santander", Nuts: "ES130"},
			Capabilities: []string{"software-development", "cloud"}, CpvInterests: []string{"72000000-5"},
		},
		Turnover: []*memberv1.Turnover{{Year: int32(year - 2), AmountCents: 1_000_000_00}, {Year: int32(year - 1), AmountCents: 1_200_000_00}},
	}
}

// register registers one organisation and returns its id.
func (st *stack) register(ctx context.Context) (string, error) {
	res, err := st.members.RegisterOrganization(st.admin, registration(time.Now().Year()))
	return res.GetOrganization().GetId(), err
}

// seedOrganizations registers n organisations through the member service
// (32 concurrent callers) and returns their ids.
func (st *stack) seedOrganizations(ctx context.Context, n int) ([]string, error) {
	ids := make([]string, n)
	var next atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	for range 32 {
		g.Go(func() error {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				id, err := st.register(gctx)
				if err != nil {
					return fmt.Errorf("register organisation %d: %w", i, err)
				}
				ids[i] = id
			}
			return nil
		})
	}
	return ids, g.Wait()
}

// seedTenders creates n published tenders through the tender service (32
// concurrent callers, as a manager of the bench's cluster).
func (st *stack) seedTenders(ctx context.Context, n int) error {
	deadline := time.Now().AddDate(0, 3, 0)
	var next atomic.Int64
	g, _ := errgroup.WithContext(ctx)
	for range 32 {
		g.Go(func() error {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				_, err := st.tenders.CreateTender(st.manager, &tenderv1.CreateTenderRequest{ClusterId: st.cluster, Publish: true, Details: &tenderv1.TenderDetails{
					Authority:     &tenderv1.Authority{Name: "Gobierno de Cantabria", Nif: "S3933002B"},
					Title:         fmt.Sprintf("Servicio de desarrollo %d", i),
					ProcedureType: tenderv1.ProcedureType_PROCEDURE_TYPE_OPEN, ContractType: tenderv1.ContractType_CONTRACT_TYPE_SERVICES,
					CpvCodes: []string{"72200000-7"}, Nuts: []string{"ES130"},
					EstimatedValueCents: int64(100_000_00 + i), BudgetWithoutVatCents: 100_000_00, BudgetWithVatCents: 121_000_00,
					DurationMonths: 12, SubmissionDeadline: timestamppb.New(deadline.Add(time.Duration(i) * time.Minute)),
					Requirements: &tenderv1.Requirements{Capabilities: []string{"software-development"}},
				}})
				if err != nil {
					return fmt.Errorf("create tender %d: %w", i, err)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// updateRows: ReportTurnover on an existing organisation (each caller its
// own) against a raw JetStream publish with an expected subject sequence
// (each caller its own subject), at each concurrency.
func (st *stack) updateRows(ctx context.Context, orgs []string, cs []int, rounds int, d time.Duration) []result {
	year := time.Now().Year()
	var out []result
	for _, c := range cs {
		project := func() sample {
			return closedLoop(ctx, c, d, func(ctx context.Context, w, i int) error {
				_, err := st.members.ReportTurnover(st.admin, &memberv1.ReportTurnoverRequest{OrganizationId: orgs[w],
					Turnover: &memberv1.Turnover{Year: int32(year - 1), AmountCents: int64(1_000_000_00 + i)}})
				return err
			})
		}
		baseline := func() sample {
			run := uniqueName()
			last := make([]uint64, c)
			return closedLoop(ctx, c, d, func(ctx context.Context, w, _ int) error {
				ack, err := st.js.Publish(ctx, "bench.update."+run+"."+strconv.Itoa(w), payload, jetstream.WithExpectLastSequencePerSubject(last[w]))
				if err == nil {
					last[w] = ack.Sequence
				}
				return err
			})
		}
		ps, bs := pair(rounds, project, baseline)
		out = append(out, throughputRow(fmt.Sprintf("Update existing organisation c=%d", c), ps, bs, 0.7, 2, "≥ 0.7, p99 ≤ 2× raw p99"))
	}
	return out
}

// registerRows: RegisterOrganization (a new aggregate) against a raw publish
// to a new subject.
func (st *stack) registerRows(ctx context.Context, cs []int, rounds int, d time.Duration) []result {
	var out []result
	for _, c := range cs {
		project := func() sample {
			return closedLoop(ctx, c, d, func(ctx context.Context, _, _ int) error {
				_, err := st.register(ctx)
				return err
			})
		}
		baseline := func() sample {
			run := uniqueName()
			return closedLoop(ctx, c, d, func(ctx context.Context, w, i int) error {
				_, err := st.js.Publish(ctx, "bench.register."+run+"."+strconv.Itoa(w)+"."+strconv.Itoa(i), payload)
				return err
			})
		}
		ps, bs := pair(rounds, project, baseline)
		out = append(out, throughputRow(fmt.Sprintf("Register (new aggregate) c=%d", c), ps, bs, 0.7, 0, "≥ 0.7"))
	}
	return out
}

// historyRow: the p50 of an update (c=1) on organisations whose histories
// hold 2, 100, 1,000 and 3,000 events. The histories are written directly to
// the member stream with the member domain's events (TurnoverReported, as
// the service would append them), which is quick; the measured updates go
// through the service. Each round uses fresh organisations for the short
// histories (so "2 events" stays short); the long ones are reused (a round
// adds `updates` events to them).
func (st *stack) historyRow(ctx context.Context, sizes []int, rounds, updates int) (result, error) {
	log, err := eventlog.Open(ctx, st.js, eventlog.StreamConfig{Name: member.Stream, Subjects: []string{domain.SubjectPrefix + ">"}}, "consortia/member")
	if err != nil {
		return result{}, err
	}
	year := time.Now().Year()
	withHistory := func(events int) (string, error) {
		id, err := st.register(ctx)
		if err != nil {
			return "", err
		}
		var next atomic.Int64
		g, gctx := errgroup.WithContext(ctx)
		for range 16 {
			g.Go(func() error {
				for i := next.Add(1); i < int64(events); i = next.Add(1) {
					msg, err := convert.Event(domain.TurnoverReported{OrganizationID: id, Turnover: domain.Turnover{Year: year - 1, Cents: 1_000_000_00 + i}})
					if err != nil {
						return err
					}
					if _, err := log.Append(gctx, eventlog.Draft{Subject: domain.OrganizationSubject(id), Event: msg, ExpectedVersion: eventlog.AnyVersion, Actor: "system:bench-e2e"}); err != nil {
						return err
					}
				}
				return nil
			})
		}
		return id, g.Wait()
	}
	long := map[int]string{} // reused across rounds
	for _, n := range sizes {
		if n >= 1000 {
			if long[n], err = withHistory(n); err != nil {
				return result{}, err
			}
		}
	}
	p50s := map[int][]time.Duration{}
	errs := 0
	var firstErr error
	for range rounds {
		for _, n := range sizes {
			id := long[n]
			if id == "" {
				if id, err = withHistory(n); err != nil {
					return result{}, err
				}
			}
			// One untimed update first: the history was appended behind the
			// service's back, so its first load is a cold one.
			if _, err := st.members.ReportTurnover(st.admin, &memberv1.ReportTurnoverRequest{OrganizationId: id,
				Turnover: &memberv1.Turnover{Year: int32(year - 1), AmountCents: 2_000_000_00}}); err != nil {
				return result{}, fmt.Errorf("update with %d events: %w", n, err)
			}
			var lat []time.Duration
			for i := range updates {
				t0 := time.Now()
				_, err := st.members.ReportTurnover(st.admin, &memberv1.ReportTurnoverRequest{OrganizationId: id,
					Turnover: &memberv1.Turnover{Year: int32(year - 1), AmountCents: int64(3_000_000_00 + i)}})
				lat = append(lat, time.Since(t0))
				if err != nil {
					errs++
					if firstErr == nil {
						firstErr = err
					}
				}
			}
			p50s[n] = append(p50s[n], sample{lat: lat}.pct(50))
		}
	}
	txt := ""
	for i, n := range sizes {
		if i > 0 {
			txt += ", "
		}
		txt += fmt.Sprintf("%s → %s", thousands(float64(n)), ms(medianDur(p50s[n])))
	}
	if errs > 0 {
		txt += fmt.Sprintf(" (%d errors: %v)", errs, firstErr)
	}
	first, last := sizes[0], sizes[len(sizes)-1]
	ratio := float64(medianDur(p50s[last])) / float64(medianDur(p50s[first]))
	return result{what: "Update p50 vs history (events), c=1", project: txt, baseline: fmt.Sprintf("%s-event aggregate", thousands(float64(first))),
		ratio: fmt.Sprintf("%.2f", ratio), goal: fmt.Sprintf("%s within 1.5× of %s", thousands(float64(last)), thousands(float64(first))), verdict: verdict(ratio <= 1.5 && errs == 0)}, nil
}

// listRow compares a gRPC list call (first page of 20) at c=8 with
// Health.Check on the same server.
func listRow(ctx context.Context, what string, rounds int, d time.Duration, health grpc_health_v1.HealthClient, call func() error) result {
	project := func() sample {
		return closedLoop(ctx, 8, d, func(context.Context, int, int) error { return call() })
	}
	baseline := func() sample {
		return closedLoop(ctx, 8, d, func(ctx context.Context, _, _ int) error {
			res, err := health.Check(ctx, &grpc_health_v1.HealthCheckRequest{})
			if err == nil && res.GetStatus() != grpc_health_v1.HealthCheckResponse_SERVING {
				err = fmt.Errorf("health %v", res.GetStatus())
			}
			return err
		})
	}
	ps, bs := pair(rounds, withCPU(project), withCPU(baseline))
	return withCPURatio(throughputRow(what, ps, bs, 0.5, 0, "≥ 0.5 of Health.Check"), ps, bs)
}

// withCPURatio adds to a list row the median CPU time and heap allocation
// per call of project and baseline (the whole process: services, gateway and
// the bench's clients), and the CPU ratio (baseline over project: what the rate ratio
// would be on an otherwise idle machine, where the rows are CPU-bound). The
// verdict stays the rate ratio's.
func withCPURatio(r result, ps, bs []sample) result {
	med := func(ss []sample) time.Duration {
		var ds []time.Duration
		for _, s := range ss {
			ds = append(ds, s.cpuPerOp())
		}
		return medianDur(ds)
	}
	medAlloc := func(ss []sample) string {
		var xs []float64
		for _, s := range ss {
			xs = append(xs, s.allocPerOp())
		}
		return fmt.Sprintf("%.1f KB", median(xs)/1024)
	}
	p, b := med(ps), med(bs)
	if p <= 0 || b <= 0 {
		return r
	}
	r.project += fmt.Sprintf(", %s CPU, %s allocated/call", us(p), medAlloc(ps))
	r.baseline += fmt.Sprintf(", %s CPU, %s allocated/call", us(b), medAlloc(bs))
	r.ratio += fmt.Sprintf(" (CPU %.2f)", float64(b)/float64(p))
	return r
}

// us formats a duration in microseconds.
func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

// httpRow compares GET /v1/tenders?pageSize=20 at c=8 with GET /healthz on the gateway.
func (st *stack) httpRow(ctx context.Context, rounds int, d time.Duration) result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	get := func(path, token string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, st.httpURL+path, nil)
		if err != nil {
			return err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return nil
	}
	project := func() sample {
		return closedLoop(ctx, 8, d, func(context.Context, int, int) error { return get("/v1/tenders?pageSize=20", st.managerTk) })
	}
	baseline := func() sample {
		return closedLoop(ctx, 8, d, func(context.Context, int, int) error { return get("/healthz", "") })
	}
	ps, bs := pair(rounds, withCPU(project), withCPU(baseline))
	return withCPURatio(throughputRow("HTTP GET /v1/tenders (20) c=8", ps, bs, 0.3, 0, "≥ 0.3 of GET /healthz"), ps, bs)
}

// rebuildRow: a fresh member service rebuilding its read model from the
// member stream (from start to health SERVING) against a raw ordered
// consumer reading the same stream.
func (st *stack) rebuildRow(ctx context.Context, rounds int) (result, error) {
	stream, err := st.js.Stream(ctx, member.Stream)
	if err != nil {
		return result{}, err
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return result{}, err
	}
	events := info.State.Msgs
	project := func() (time.Duration, error) {
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		start := time.Now()
		m, err := member.New(runCtx, service.Env{ListenAddr: "127.0.0.1:0", JS: st.js, Verifier: st.issuer.Verifier(), Codes: st.lists, Logger: st.log.With("component", "member-rebuild")})
		if err != nil {
			return 0, err
		}
		var wg sync.WaitGroup
		var runErr error
		wg.Go(func() { runErr = m.Run(runCtx) })
		select {
		case <-m.Ready():
		case <-ctx.Done():
		}
		took := time.Since(start)
		cancel()
		wg.Wait()
		if runErr != nil && ctx.Err() == nil && runErr != context.Canceled {
			return took, runErr
		}
		return took, ctx.Err()
	}
	baseline := func() (time.Duration, error) {
		start := time.Now()
		cons, err := st.js.OrderedConsumer(ctx, member.Stream, jetstream.OrderedConsumerConfig{})
		if err != nil {
			return 0, err
		}
		it, err := cons.Messages(jetstream.PullMaxMessages(4096))
		if err != nil {
			return 0, err
		}
		defer it.Stop()
		for n := uint64(0); n < events; n++ {
			if _, err := it.Next(); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
	var rates [2][]float64 // project, baseline
	for r := range rounds {
		for j := range 2 {
			side := (j + r) % 2 // alternate which goes first
			f := project
			if side == 1 {
				f = baseline
			}
			took, err := f()
			if err != nil {
				return result{}, err
			}
			rates[side] = append(rates[side], float64(events)/took.Seconds())
		}
	}
	pr, br := rates[0], rates[1]
	p, b := median(pr), median(br)
	ratio := p / b
	return result{what: fmt.Sprintf("Read-model rebuild, %s events", thousands(float64(events))),
		project:  fmt.Sprintf("%s events/s (%.1f s to ready)", thousands(p), float64(events)/p),
		baseline: fmt.Sprintf("raw ordered consumer %s events/s", thousands(b)),
		ratio:    fmt.Sprintf("%.2f", ratio), goal: "≥ 100k events/s and ≥ 0.6 of raw", verdict: verdict(p >= 100_000 && ratio >= 0.6)}, nil
}

// matchingRows: matching.Recommend on bench-match's generated instances
// (n companies, m requirements, k = 5, K = 10), p50 and p99 over runs.
func matchingRows(ctx context.Context, n, runs int) ([]result, error) {
	lat := map[int][]time.Duration{}
	reqs := []int{15, 20}
	for r := range runs {
		pool := benchgen.Pool(1_000_003+uint64(r), n)
		for _, m := range reqs {
			req := benchgen.Tender(7_919+uint64(r), m)
			t0 := time.Now()
			res, err := matching.Recommend(ctx, req, pool, matching.Options{MaxSize: 5, TopK: 10, Budget: 5 * time.Second, SharedClusters: benchgen.Clusters})
			if err != nil {
				return nil, err
			}
			if !res.Optimal {
				return nil, fmt.Errorf("matching n=%d m=%d run %d: not optimal within the budget", n, m, r)
			}
			lat[m] = append(lat[m], time.Since(t0))
		}
	}
	var out []result
	for _, m := range reqs {
		s := sample{lat: lat[m]}
		out = append(out, result{what: fmt.Sprintf("Matching n=%s, m=%d, k=5 (%d runs)", thousands(float64(n)), m, runs),
			project: fmt.Sprintf("p50 %s, p99 %s", ms(s.pct(50)), ms(s.pct(99))), baseline: "brute force: infeasible at this n", ratio: "—",
			goal: "p99 ≤ 300 ms (quiet)", verdict: verdict(s.pct(99) <= 300*time.Millisecond)})
	}
	return out, nil
}
