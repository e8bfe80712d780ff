package grpc_test

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/mongotest"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// appliedBy reads the projection counter (consortia.projection.applied) of one
// projection from a manual reader.
func appliedBy(t *testing.T, r *sdkmetric.ManualReader, projection string) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(t.Context(), &rm); err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "consortia.projection.applied" {
				continue
			}
			sum, ok := m.Data.(metricdata.Sum[int64])
			if !ok {
				t.Fatalf("%s is a %T", m.Name, m.Data)
			}
			for _, dp := range sum.DataPoints {
				if v, _ := dp.Attributes.Value("projection"); v.AsString() == projection {
					n += dp.Value
				}
			}
		}
	}
	return n
}

// TestMongoReadModelResumesFromItsCheckpoint: a tender service on Mongo read
// models, stopped while another replica keeps writing, applies on restart
// exactly the events appended since it stopped (not the whole stream), and
// answers from what it kept plus those.
func TestMongoReadModelResumesFromItsCheckpoint(t *testing.T) {
	client, err := mongo.Connect(options.Client().ApplyURI(mongotest.URI(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := client.Database(service.Database("tender"))
	t.Cleanup(func() { _ = db.Drop(context.Background()) })

	w := newWorld(t)
	manager := testenv.Manager(w.tera)
	create := func(title string) string {
		t.Helper()
		d := w.details()
		d.Title = title
		res, err := w.Tenders.CreateTender(w.Ctx(manager), &tenderv1.CreateTenderRequest{ClusterId: w.tera, Details: d})
		if err != nil {
			t.Fatalf("CreateTender %s: %v", title, err)
		}
		return res.GetTender().GetId()
	}

	// Replica "a" on Mongo writes and projects three tenders, then stops.
	w.TenderMongo, w.TenderInstance = client, "a"
	w.RestartTender()
	before := []string{create("Antes 1"), create("Antes 2"), create("Antes 3")}
	w.StopTender()
	atStop := w.Messages("")

	// Meanwhile a memory replica ("b") takes writes.
	w.TenderMongo, w.TenderInstance = nil, "b"
	w.StartTender()
	after := []string{create("Después 1"), create("Después 2")}
	if _, err := w.Tenders.PublishTender(w.Ctx(manager), &tenderv1.PublishTenderRequest{TenderId: after[0]}); err != nil {
		t.Fatalf("PublishTender: %v", err)
	}
	w.StopTender()
	appendedSince := int64(w.Messages("") - atStop)
	if appendedSince < 3 {
		t.Fatalf("only %d events appended while replica a was down", appendedSince)
	}

	// Replica "a" restarts on the same database; count what its projection applies.
	reader := sdkmetric.NewManualReader()
	prev := otel.GetMeterProvider()
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	t.Cleanup(func() { otel.SetMeterProvider(prev) })
	w.TenderMongo, w.TenderInstance = client, "a"
	w.StartTender()
	applied := appliedBy(t, reader, "tender-readmodel-a")
	t.Logf("mongo backend: %s; stream holds %d events; %d appended while replica a was stopped; replica a applied %d on restart",
		mongotest.Backend(), w.Messages(""), appendedSince, applied)
	if applied != appendedSince {
		t.Errorf("replica a applied %d events on restart, want the %d appended since it stopped (it should resume from its checkpoint, not rebuild)", applied, appendedSince)
	}
	for _, id := range append(before, after...) {
		if _, err := w.Tenders.GetTender(w.Ctx(manager), &tenderv1.GetTenderRequest{TenderId: id}); err != nil {
			t.Errorf("GetTender %s after the restart: %v", id, err)
		}
	}
	got, err := w.Tenders.GetTender(w.Ctx(manager), &tenderv1.GetTenderRequest{TenderId: after[0]})
	if err == nil && got.GetTender().GetStatus() != tenderv1.TenderStatus_TENDER_STATUS_ACTIVE {
		t.Errorf("the tender published while replica a was down is %v after its restart", got.GetTender().GetStatus())
	}
}
