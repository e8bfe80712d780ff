// Package follow projects the member and tender services' events into the
// commission service's own facts (clusters, organisations with their active
// memberships, tenders with their awards, consortium bids), so the
// cross-cluster report and the commission pages answer without calling those
// services and keep answering while they are down.
package follow

import (
	"context"
	"errors"
	"slices"
	"strings"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/commission/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
)

// Streams followed and their subject filters (the tender service's seats are
// of no interest here).
const (
	MemberStream = "MEMBER"
	TenderStream = "TENDER"
)

// Subject prefixes of the followed aggregates.
const (
	clusterPrefix    = "member.cluster."
	orgPrefix        = "member.organization."
	tenderPrefix     = "tender.tender."
	consortiumPrefix = "tender.consortium."
)

// MemberFilter and TenderFilter are the projections' subject filters.
var (
	MemberFilter = []string{clusterPrefix + ">", orgPrefix + ">"}
	TenderFilter = []string{tenderPrefix + ">", consortiumPrefix + ">"}
)

// Members returns the handler for the MEMBER stream.
func Members(st store.Directory) eventlog.Handler { return members{st} }

type members struct{ st store.Directory }

func (p members) Checkpoint(ctx context.Context) (uint64, error) {
	return p.st.DirectoryCheckpoint(ctx)
}

func (p members) Apply(ctx context.Context, ev eventlog.Event) error {
	cp, err := p.st.DirectoryCheckpoint(ctx)
	if err != nil {
		return err
	}
	if ev.Sequence <= cp {
		return nil
	}
	switch {
	case strings.HasPrefix(ev.Subject, clusterPrefix):
		id := strings.TrimPrefix(ev.Subject, clusterPrefix)
		c, err := p.st.GetCluster(ctx, id)
		if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
			return err
		}
		if e, ok := ev.Data.(*memberv1.ClusterCreated); ok {
			c = domain.Cluster{ID: id, Name: e.GetName(), Demo: e.GetDemo()}
		}
		c.ID, c.Version = id, ev.Sequence
		return p.st.PutCluster(ctx, c, ev.Sequence)
	case strings.HasPrefix(ev.Subject, orgPrefix):
		id := strings.TrimPrefix(ev.Subject, orgPrefix)
		o, err := p.st.GetOrganization(ctx, id)
		if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
			return err
		}
		o.ID = id
		FoldMember(&o, ev.Data)
		o.Version = ev.Sequence
		return p.st.PutOrganization(ctx, o, ev.Sequence)
	}
	return eventlog.Permanent(errors.New("unexpected member subject " + ev.Subject))
}

// FoldMember applies one organisation event; the others leave it unchanged.
func FoldMember(o *domain.Organization, m any) {
	switch e := m.(type) {
	case *memberv1.OrganizationRegistered:
		o.Name, o.Demo = e.GetLegalName(), e.GetDemo()
	case *memberv1.MembershipApproved:
		if !slices.Contains(o.ActiveIn, e.GetClusterId()) {
			o.ActiveIn = append(slices.Clone(o.ActiveIn), e.GetClusterId())
			slices.Sort(o.ActiveIn)
		}
	case *memberv1.MembershipSuspended:
		o.ActiveIn = slices.DeleteFunc(slices.Clone(o.ActiveIn), func(c string) bool { return c == e.GetClusterId() })
		if len(o.ActiveIn) == 0 {
			o.ActiveIn = nil
		}
	}
}

// Tenders returns the handler for the TENDER stream.
func Tenders(st store.Bids) eventlog.Handler { return tenders{st} }

type tenders struct{ st store.Bids }

func (p tenders) Checkpoint(ctx context.Context) (uint64, error) { return p.st.BidsCheckpoint(ctx) }

func (p tenders) Apply(ctx context.Context, ev eventlog.Event) error {
	cp, err := p.st.BidsCheckpoint(ctx)
	if err != nil {
		return err
	}
	if ev.Sequence <= cp {
		return nil
	}
	switch {
	case strings.HasPrefix(ev.Subject, tenderPrefix):
		id := strings.TrimPrefix(ev.Subject, tenderPrefix)
		t, err := p.st.GetTender(ctx, id)
		if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
			return err
		}
		t.ID = id
		FoldTender(&t, ev)
		t.Version = ev.Sequence
		return p.st.PutTender(ctx, t, ev.Sequence)
	case strings.HasPrefix(ev.Subject, consortiumPrefix):
		id := strings.TrimPrefix(ev.Subject, consortiumPrefix)
		b, err := p.st.GetBid(ctx, id)
		if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
			return err
		}
		b.ID = id
		FoldBid(&b, ev)
		b.Version = ev.Sequence
		return p.st.PutBid(ctx, b, ev.Sequence)
	}
	return eventlog.Permanent(errors.New("unexpected tender subject " + ev.Subject))
}

func details(t *domain.Tender, d *tenderv1.TenderDetails) {
	t.Title, t.EstimatedCents = d.GetTitle(), d.GetEstimatedValueCents()
	t.Lots = nil
	for _, l := range d.GetLots() {
		t.Lots = append(t.Lots, domain.Lot{ID: l.GetId(), EstimatedCents: l.GetEstimatedValueCents()})
	}
}

// FoldTender applies one tender event. Only the awards the tender service
// records (TenderAwarded) are kept: they name the winning consortium.
func FoldTender(t *domain.Tender, ev eventlog.Event) {
	switch e := ev.Data.(type) {
	case *tenderv1.TenderCreated:
		t.ClusterID, t.Demo = e.GetClusterId(), e.GetDemo()
		details(t, e.GetDetails())
	case *tenderv1.TenderRevised:
		details(t, e.GetDetails())
	case *tenderv1.TenderAwarded:
		a := e.GetAward()
		at := ev.Time
		if a.GetAwardTime() != nil {
			at = a.GetAwardTime().AsTime()
		}
		t.Awards = append(slices.Clone(t.Awards), domain.Award{LotID: a.GetLotId(), ConsortiumID: a.GetConsortiumId(), AmountCents: a.GetAmountCents(), Time: at.UTC()})
	}
}

func without(members []string, id string) []string {
	out := slices.DeleteFunc(slices.Clone(members), func(m string) bool { return m == id })
	if len(out) == 0 {
		return nil
	}
	return out
}

// FoldBid applies one consortium event.
func FoldBid(b *domain.Bid, ev eventlog.Event) {
	at := ev.Time.UTC()
	switch e := ev.Data.(type) {
	case *tenderv1.ConsortiumFormed:
		b.TenderID, b.LotID, b.Name, b.Demo = e.GetTenderId(), e.GetLotId(), e.GetName(), e.GetDemo()
		b.Status, b.Formed, b.Members = domain.BidForming, at, nil
		for _, m := range e.GetMembers() {
			if !slices.Contains(b.Members, m.GetOrganizationId()) {
				b.Members = append(b.Members, m.GetOrganizationId())
			}
		}
		if lead := e.GetLeadOrganizationId(); lead != "" && !slices.Contains(b.Members, lead) {
			b.Members = append(b.Members, lead)
		}
	case *tenderv1.ConsortiumMemberInvited:
		if !slices.Contains(b.Members, e.GetOrganizationId()) {
			b.Members = append(slices.Clone(b.Members), e.GetOrganizationId())
		}
	case *tenderv1.ConsortiumMemberJoined:
		if !slices.Contains(b.Members, e.GetOrganizationId()) {
			b.Members = append(slices.Clone(b.Members), e.GetOrganizationId())
		}
	case *tenderv1.ConsortiumInvitationDeclined:
		b.Members = without(b.Members, e.GetOrganizationId())
	case *tenderv1.ConsortiumMemberWithdrew:
		b.Members = without(b.Members, e.GetOrganizationId())
	case *tenderv1.ConsortiumSubmitted:
		b.Status, b.Submitted = domain.BidSubmitted, at
	case *tenderv1.ConsortiumAwarded:
		b.Status, b.Decided = domain.BidAwarded, at
	case *tenderv1.ConsortiumLost:
		b.Status, b.Decided = domain.BidLost, at
	case *tenderv1.ConsortiumDissolved:
		b.Status, b.Decided = domain.BidDissolved, at
	}
}
