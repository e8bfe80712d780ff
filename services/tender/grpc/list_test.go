package grpc_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/tender/internal/testenv"
)

// TestListTendersRightAfterEachWrite checks that a list page shows each
// write to a tender at once: the list reuses tenders it converted before
// (by id, version and update time), and must never serve an earlier state.
func TestListTendersRightAfterEachWrite(t *testing.T) {
	w := newWorld(t)
	mgr := w.Ctx(testenv.Manager(w.tera))
	tn := w.tender(w.details())
	steps := []struct {
		name string
		do   func() (*tenderv1.Tender, error)
	}{
		{"share with GIRA", func() (*tenderv1.Tender, error) {
			r, err := w.Tenders.ShareTender(mgr, &tenderv1.ShareTenderRequest{TenderId: tn.GetId(), ClusterIds: []string{w.gira}})
			return r.GetTender(), err
		}},
		{"change the deadline", func() (*tenderv1.Tender, error) {
			r, err := w.Tenders.ChangeDeadline(mgr, &tenderv1.ChangeDeadlineRequest{TenderId: tn.GetId(),
				Deadline: timestamppb.New(w.deadline.Add(7 * 24 * time.Hour)), Reason: "Aclaraciones al pliego"})
			return r.GetTender(), err
		}},
		{"share with nobody", func() (*tenderv1.Tender, error) {
			r, err := w.Tenders.ShareTender(mgr, &tenderv1.ShareTenderRequest{TenderId: tn.GetId()})
			return r.GetTender(), err
		}},
	}
	list := func() *tenderv1.Tender {
		t.Helper()
		res, err := w.Tenders.ListTenders(mgr, &tenderv1.ListTendersRequest{ClusterId: w.tera})
		if err != nil || len(res.GetTenders()) != 1 {
			t.Fatalf("ListTenders = %v, %v; want the one tender", res, err)
		}
		return res.GetTenders()[0]
	}
	if got := list(); !proto.Equal(got, tn) {
		t.Fatalf("first list:\n got %v\nwant %v", got, tn)
	}
	version := tn.GetVersion()
	for _, s := range steps {
		want, err := s.do()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if want.GetVersion() <= version {
			t.Fatalf("%s: version %d did not advance past %d", s.name, want.GetVersion(), version)
		}
		version = want.GetVersion()
		for round := range 2 { // the second from the list's cache
			if got := list(); !proto.Equal(got, want) {
				t.Fatalf("%s, list %d: stale:\n got %v\nwant %v", s.name, round, got, want)
			}
		}
	}
}
