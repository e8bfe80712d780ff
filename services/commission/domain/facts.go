package domain

import (
	"fmt"
	"slices"
	"time"
)

// The facts below are what the commission service keeps of the member and
// tender services' events (its own projections of their streams), so it
// answers cross-cluster questions without calling them.

// Cluster is a cluster of the member service.
type Cluster struct {
	ID, Name string
	Demo     bool
	Version  uint64
}

// Organization is a registered organisation with the clusters it is an active member of.
type Organization struct {
	ID, Name string
	ActiveIn []string // cluster ids
	Demo     bool
	Version  uint64
}

// ActiveInCluster reports whether the organisation is an active member of cluster id.
func (o Organization) ActiveInCluster(id string) bool { return slices.Contains(o.ActiveIn, id) }

// Lot is a lot of a tender with its estimated value.
type Lot struct {
	ID             string
	EstimatedCents int64
}

// Award is an award the tender service recorded.
type Award struct {
	LotID        string
	ConsortiumID string // the winning consortium when it was one of ours
	AmountCents  int64
	Time         time.Time // the award date, or the event's time when the source gave none
}

// Tender is a tender of the tender service.
type Tender struct {
	ID, ClusterID, Title string
	EstimatedCents       int64
	Lots                 []Lot
	Awards               []Award
	Demo                 bool
	Version              uint64
}

// EstimatedFor returns the estimated value of a lot (or of the whole tender for "").
func (t Tender) EstimatedFor(lotID string) int64 {
	if lotID != "" {
		for _, l := range t.Lots {
			if l.ID == lotID {
				return l.EstimatedCents
			}
		}
	}
	return t.EstimatedCents
}

// BidStatus is a consortium bid's state (values match the proto enum).
type BidStatus int

// Bid statuses.
const (
	BidForming   BidStatus = 1
	BidSubmitted BidStatus = 2
	BidAwarded   BidStatus = 3
	BidLost      BidStatus = 4
	BidDissolved BidStatus = 5
)

func (s BidStatus) String() string {
	switch s {
	case BidForming:
		return "forming"
	case BidSubmitted:
		return "submitted"
	case BidAwarded:
		return "awarded"
	case BidLost:
		return "lost"
	case BidDissolved:
		return "dissolved"
	}
	return fmt.Sprintf("bid-status(%d)", int(s))
}

// Bid is a consortium of the tender service.
type Bid struct {
	ID, TenderID, LotID, Name string
	// Members are the organisations invited or joined (declined and withdrawn ones leave).
	Members []string
	Status  BidStatus
	// Formed, Submitted and Decided are the times of those events (zero until then).
	Formed, Submitted, Decided time.Time
	Demo                       bool
	Version                    uint64
}
