package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/consortia-dev/consortia/services/consortia/demo"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/config"
)

// loadCase is one request shape of a load run.
type loadCase struct {
	name   string
	method string
	path   string
	body   string
	token  string
}

// runLoad drives a running stack (`make run`) over HTTP with concurrent
// clients, one request shape at a time, and prints throughput and latency
// percentiles as ratios against a baseline measured in the same run (the
// gateway's /healthz: HTTP only, no service call), so results compare across
// machines. Writes go through the whole path: HTTP, gRPC, JetStream with fsync,
// projection.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	base := fs.String("url", config.String("CONSORTIA_GATEWAY_URL", "http://127.0.0.1:8080"), "gateway base URL (CONSORTIA_GATEWAY_URL)")
	duration := fs.Duration("duration", 5*time.Second, "how long each request shape runs")
	clients := fs.Int("c", 8, "concurrent clients")
	state := fs.String("state", config.String("CONSORTIA_STATE_DIR", ".data"), "state folder holding the development signing key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	iss, err := auth.LoadOrCreateIssuer(*state, devIssuer, devAudience)
	if err != nil {
		return err
	}
	year := time.Now().Year()
	token := func(key string) (string, error) {
		u, ok := demo.UserByKey(year, key)
		if !ok {
			return "", fmt.Errorf("no demo user %q", key)
		}
		return iss.Issue(u.Claims, time.Hour)
	}
	manager, err := token("tera-manager")
	if err != nil {
		return err
	}
	company, err := token("company1")
	if err != nil {
		return err
	}
	u1, _ := demo.UserByKey(year, "company1")
	tenderID, err := firstTender(ctx, *base, manager)
	if err != nil {
		return fmt.Errorf("is `make run` up at %s? %w", *base, err)
	}
	cases := []loadCase{
		{name: "baseline GET /healthz", method: http.MethodGet, path: "/healthz"},
		{name: "GET /v1/tenders (read model)", method: http.MethodGet, path: "/v1/tenders?pageSize=20", token: manager},
		{name: "POST :checkEligibility", method: http.MethodPost, path: "/v1/tenders/" + tenderID + ":checkEligibility",
			body: `{"members":[{"organizationId":"` + u1.Claims.Organization + `"}]}`, token: manager},
		{name: "POST :recommend (matching)", method: http.MethodPost, path: "/v1/tenders/" + tenderID + ":recommend", body: `{"topK":10}`, token: manager},
		{name: "POST turnover (write, fsync)", method: http.MethodPost, path: "/v1/organizations/" + u1.Claims.Organization + "/turnover",
			body: fmt.Sprintf(`{"turnover":{"year":%d,"amountCents":"123456700"}}`, year-1), token: company},
	}
	fmt.Fprintf(stdout, "%-32s %10s %10s %10s %12s %12s\n", "request", "req/s", "p50 ms", "p99 ms", "req/s ratio", "p50 ratio")
	var baseRPS, baseP50 float64
	for i, c := range cases {
		fmt.Fprintf(stderr, "running %s for %s with %d clients...\n", c.name, *duration, *clients)
		rps, p50, p99, errs := drive(ctx, *base, c, *duration, *clients)
		if i == 0 {
			baseRPS, baseP50 = rps, p50
		}
		fmt.Fprintf(stdout, "%-32s %10.0f %10.2f %10.2f %11.3fx %11.1fx", c.name, rps, p50, p99, rps/baseRPS, p50/baseP50)
		if errs > 0 {
			fmt.Fprintf(stdout, "  (%d errors)", errs)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// drive runs one request shape with n clients for d and returns throughput,
// p50 and p99 latency in milliseconds, and the number of failed requests.
func drive(ctx context.Context, base string, c loadCase, d time.Duration, n int) (rps, p50, p99 float64, errs int) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	var mu sync.Mutex
	var lat []float64
	var wg sync.WaitGroup
	start := time.Now()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, c.method, base+c.path, strings.NewReader(c.body))
				if c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				ms := float64(time.Since(t0).Microseconds()) / 1000
				ok := err == nil && resp.StatusCode < 300
				if resp != nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if ctx.Err() != nil {
					return // cut off by the end of the run
				}
				mu.Lock()
				if ok {
					lat = append(lat, ms)
				} else {
					errs++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	if len(lat) == 0 {
		return 0, 0, 0, errs
	}
	slices.Sort(lat)
	pick := func(q float64) float64 { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	return float64(len(lat)) / elapsed, pick(0.50), pick(0.99), errs
}

func firstTender(ctx context.Context, base, token string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/tenders?pageSize=50&status=TENDER_STATUS_ACTIVE", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var list struct {
		Tenders []struct {
			ID   string            `json:"id"`
			Lots []json.RawMessage `json:"lots"`
		} `json:"tenders"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return "", fmt.Errorf("list tenders: %w", err)
	}
	// The first tender without lots (a lot id would be needed otherwise).
	for _, t := range list.Tenders {
		if len(t.Lots) == 0 {
			return t.ID, nil
		}
	}
	return "", fmt.Errorf("no active tender without lots at %s", base)
}
