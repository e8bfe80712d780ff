package grpc_test

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// One trace follows a request from the gRPC server span through the NATS append
// (producer) to the read-model projection (consumer, continued from the event's
// traceparent header).
func TestTraceCrossesGRPCAndNATS(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	// Synchronous export: each span is recorded when it ends, no flush to race with.
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp)))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	e := newEnv(t)
	e.register(41, "Traced")

	var server, producer, consumer oteltrace.SpanContext
	eventually(t, 10*time.Second, 20*time.Millisecond, func() bool {
		server, producer, consumer = oteltrace.SpanContext{}, oteltrace.SpanContext{}, oteltrace.SpanContext{}
		spans := exp.GetSpans()
		for _, s := range spans {
			switch {
			case s.SpanKind == oteltrace.SpanKindServer && strings.HasSuffix(s.Name, "/RegisterOrganization"):
				server = s.SpanContext
			case s.SpanKind == oteltrace.SpanKindProducer && s.Name == "append OrganizationRegistered":
				producer = s.SpanContext
			}
		}
		for _, s := range spans {
			if s.SpanKind == oteltrace.SpanKindConsumer && strings.HasPrefix(s.Name, "project member-readmodel") && producer.IsValid() && s.Parent.SpanID() == producer.SpanID() {
				consumer = s.SpanContext
			}
		}
		return server.IsValid() && producer.IsValid() && consumer.IsValid()
	}, "server, append and projection spans")
	if producer.TraceID() != server.TraceID() || consumer.TraceID() != server.TraceID() {
		t.Fatalf("trace ids differ: server %s, append %s, projection %s", server.TraceID(), producer.TraceID(), consumer.TraceID())
	}
}
