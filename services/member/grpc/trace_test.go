package grpc_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/consortia-dev/consortia/services/platform/telemetry"
)

// One trace follows a request from the gRPC server span through the NATS append
// (producer) to the read-model projection (consumer, continued from the event's
// traceparent header).
func TestTraceCrossesGRPCAndNATS(t *testing.T) {
	exp := keepSpans{tracetest.NewInMemoryExporter()}
	shutdown := telemetry.Setup("member-test", exp)
	e := newEnv(t)
	e.register(41, "Traced")
	if err := shutdown(context.Background()); err != nil { // flushes the spans
		t.Fatal(err)
	}
	var server, producer, consumer oteltrace.SpanContext
	for _, s := range exp.GetSpans() {
		switch {
		case s.SpanKind == oteltrace.SpanKindServer && strings.HasSuffix(s.Name, "/RegisterOrganization"):
			server = s.SpanContext
		case s.SpanKind == oteltrace.SpanKindProducer && s.Name == "append OrganizationRegistered":
			producer = s.SpanContext
		case s.SpanKind == oteltrace.SpanKindConsumer && strings.HasPrefix(s.Name, "project member-readmodel") && producer.IsValid() && s.Parent.SpanID() == producer.SpanID():
			consumer = s.SpanContext
		}
	}
	if !server.IsValid() || !producer.IsValid() || !consumer.IsValid() {
		t.Fatalf("spans: server %v, producer %v, consumer %v (of %d spans)", server.IsValid(), producer.IsValid(), consumer.IsValid(), len(exp.GetSpans()))
	}
	if producer.TraceID() != server.TraceID() || consumer.TraceID() != server.TraceID() {
		t.Fatalf("trace ids differ: server %s, append %s, projection %s", server.TraceID(), producer.TraceID(), consumer.TraceID())
	}
}

// keepSpans keeps the recorded spans when the provider shuts down (the
// in-memory exporter would reset them).
type keepSpans struct{ *tracetest.InMemoryExporter }

func (keepSpans) Shutdown(context.Context) error { return nil }
