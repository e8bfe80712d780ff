package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestQuickRunSmoke runs the whole program on tiny sizes: the stack starts,
// every row is measured and printed. It asserts no timing, only that each
// row ran without errors.
func TestQuickRunSmoke(t *testing.T) {
	cfg := config{orgs: 32, tenders: 25, duration: 30 * time.Millisecond, rounds: 1, updates: 2, matchN: 300, matchRuns: 1,
		concurrency: []int{1, 8}, histories: []int{2, 12}, quick: true}
	var out, progress bytes.Buffer
	if err := run(t.Context(), cfg, &out, &progress); err != nil {
		t.Fatalf("run: %v\n%s", err, progress.String())
	}
	t.Log("\n" + out.String())
	for _, want := range []string{"Update existing organisation c=1", "Update existing organisation c=8", "Register (new aggregate) c=8",
		"Update p50 vs history", "gRPC ListTenders(20)", "gRPC ListOrganizations(20)", "HTTP GET /v1/tenders", "Read-model rebuild",
		"Matching n=300, m=15", "Matching n=300, m=20", "RSS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report has no %q row", want)
		}
	}
	if strings.Contains(out.String(), "errors:") {
		t.Errorf("a row reported errors:\n%s", out.String())
	}
}
