package grpc_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/consortia-dev/consortia/services/platform/telemetry"
)

// The Prometheus endpoint shows the gRPC server metrics of the stats handler
// and the event log's counters after a command.
func TestMetricsExposeRPCsAndEvents(t *testing.T) {
	h, err := telemetry.SetupMetrics()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.register(51, "Measured")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	appended := regexp.MustCompile(`consortia_events_appended_total\{[^}]*stream="MEMBER"[^}]*type="OrganizationRegistered"[^}]*\} 1`)
	if !appended.MatchString(body) {
		t.Errorf("no appended-events counter for the registration in:\n%s", grep(body, "consortia_"))
	}
	if !strings.Contains(body, "rpc_server_") || !strings.Contains(body, `rpc_method="consortia.member.v1.MemberService/RegisterOrganization"`) {
		t.Errorf("no gRPC server metrics for RegisterOrganization in:\n%s", grep(body, "rpc_"))
	}
	if !strings.Contains(body, "consortia_projection_applied_total") {
		t.Error("no projection counter")
	}
}

func grep(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
