package telemetry_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/consortia-dev/consortia/services/platform/telemetry"
)

func attrs(kvs []attribute.KeyValue) map[attribute.Key]string {
	m := map[attribute.Key]string{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value.Emit()
	}
	return m
}

// The resource has the service's defaults, which the standard variables
// override, and a current semantic-conventions schema.
func TestResourceFromEnvironment(t *testing.T) {
	t.Setenv("OTEL_SERVICE_NAME", "")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")
	res, err := telemetry.Resource(t.Context(), "member")
	if err != nil {
		t.Fatal(err)
	}
	a := attrs(res.Attributes())
	if a[semconv.ServiceNameKey] != "consortia-member" || a[semconv.ServiceNamespaceKey] != "consortia" || a[semconv.TelemetrySDKLanguageKey] != "go" || a[semconv.HostNameKey] == "" {
		t.Fatalf("default resource %v", a)
	}
	if res.SchemaURL() != semconv.SchemaURL {
		t.Fatalf("schema %s, want %s", res.SchemaURL(), semconv.SchemaURL)
	}

	t.Setenv("OTEL_SERVICE_NAME", "member-eu-west")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=production,service.namespace=agency,service.version=1.4.0")
	res, err = telemetry.Resource(t.Context(), "member")
	if err != nil {
		t.Fatal(err)
	}
	a = attrs(res.Attributes())
	if a[semconv.ServiceNameKey] != "member-eu-west" || a[semconv.ServiceNamespaceKey] != "agency" || a["deployment.environment.name"] != "production" || a[semconv.ServiceVersionKey] != "1.4.0" {
		t.Fatalf("resource with OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES: %v", a)
	}
}

func TestSamplerFromEnvironment(t *testing.T) {
	for _, tc := range []struct {
		sampler, arg, want string
		bad                bool
	}{
		{"", "", "ParentBased{root:AlwaysOnSampler", false},
		{"always_on", "", "AlwaysOnSampler", false},
		{"always_off", "", "AlwaysOffSampler", false},
		{"traceidratio", "0.25", "TraceIDRatioBased{0.25}", false},
		{"parentbased_traceidratio", "0.1", "ParentBased{root:TraceIDRatioBased{0.1}", false},
		{"parentbased_always_off", "", "ParentBased{root:AlwaysOffSampler", false},
		{"traceidratio", "2", "ParentBased{root:AlwaysOnSampler", true},
		{"jaeger_remote", "", "ParentBased{root:AlwaysOnSampler", true},
	} {
		t.Run(tc.sampler+"="+tc.arg, func(t *testing.T) {
			t.Setenv("OTEL_TRACES_SAMPLER", tc.sampler)
			t.Setenv("OTEL_TRACES_SAMPLER_ARG", tc.arg)
			s, err := telemetry.Sampler()
			if (err != nil) != tc.bad {
				t.Fatalf("err = %v, want error %v", err, tc.bad)
			}
			if !strings.HasPrefix(s.Description(), tc.want) {
				t.Fatalf("sampler %s, want %s…", s.Description(), tc.want)
			}
		})
	}
}

// Setup exports spans with the environment's resource, and samples as
// OTEL_TRACES_SAMPLER says.
func TestSetupFollowsTheEnvironment(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	t.Setenv("OTEL_SERVICE_NAME", "tender-canary")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")
	t.Setenv("OTEL_TRACES_SAMPLER", "always_on")
	t.Setenv("OTEL_TRACES_SAMPLER_ARG", "")
	exp := keep{tracetest.NewInMemoryExporter()}
	shutdown := telemetry.Setup("tender", exp)
	_, span := otel.Tracer("test").Start(context.Background(), "work")
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := exp.GetSpans()
	if len(spans) != 1 || attrs(spans[0].Resource.Attributes())[semconv.ServiceNameKey] != "tender-canary" {
		t.Fatalf("spans %d, resource %v", len(spans), spans)
	}

	t.Setenv("OTEL_TRACES_SAMPLER", "always_off")
	off := keep{tracetest.NewInMemoryExporter()}
	shutdown = telemetry.Setup("tender", off)
	ctx, span := otel.Tracer("test").Start(context.Background(), "work")
	span.End()
	if err := shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(off.GetSpans()); n != 0 || span.SpanContext().IsSampled() {
		t.Fatalf("always_off exported %d spans (sampled %v)", n, span.SpanContext().IsSampled())
	}
}

// keep keeps the exported spans through shutdown (which flushes them).
type keep struct{ *tracetest.InMemoryExporter }

func (keep) Shutdown(context.Context) error { return nil }
