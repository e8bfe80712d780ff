package domain

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Period is a range of days, both ends inclusive; a zero end is open.
type Period struct {
	From, To time.Time // dates (UTC midnight)
}

// ParsePeriod parses from/to dates (YYYY-MM-DD, empty for open ends).
func ParsePeriod(from, to string) (Period, error) {
	var v domainerr.Violations
	var p Period
	if strings.TrimSpace(from) != "" {
		p.From = ParseDate(&v, "from_date", from, time.Time{})
	}
	if strings.TrimSpace(to) != "" {
		p.To = ParseDate(&v, "to_date", to, time.Time{})
	}
	if len(v) == 0 && !p.From.IsZero() && !p.To.IsZero() && p.To.Before(p.From) {
		v.Add("to_date", "%s is before from_date %s", p.To.Format(DateLayout), p.From.Format(DateLayout))
	}
	return p, v.Err()
}

// Contains reports whether t falls on a day of the period. A zero t (the event
// did not happen) is never in it.
func (p Period) Contains(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	d := Day(t)
	return (p.From.IsZero() || !d.Before(p.From)) && (p.To.IsZero() || !d.After(p.To))
}

// ProjectCounts counts projects by status.
type ProjectCounts struct{ Proposed, Active, Completed, Cancelled int }

func (p *ProjectCounts) add(s ProjectStatus) {
	switch s {
	case ProjectProposed:
		p.Proposed++
	case ProjectActive:
		p.Active++
	case ProjectCompleted:
		p.Completed++
	case ProjectCancelled:
		p.Cancelled++
	}
}

// BidFigures count tenders pursued through consortia and their outcomes.
type BidFigures struct {
	TendersPursued, TendersSubmitted, TendersWon, TendersLost int
	PursuedValueCents, AwardedValueCents                      int64
}

// ClusterFigures are one cluster's figures.
type ClusterFigures struct {
	ClusterID, ClusterName             string
	MemberOrganizations                int
	CommissionMembers                  int
	Bids                               BidFigures
	InterClusterConsortia              int
	MeetingsAttended, MeetingsExpected int
	Projects                           ProjectCounts
}

// ClusterPair is one cell of the collaboration matrix (A < B by id).
type ClusterPair struct {
	A, B              string
	Consortia         int
	Awarded           int
	AwardedValueCents int64
}

// ClusterCount is a count for one cluster.
type ClusterCount struct {
	ClusterID string
	Count     int
}

// CommissionFigures are one commission's figures.
type CommissionFigures struct {
	CommissionID, Name, ConvenerID     string
	Status                             Status
	Members                            int
	MembersByCluster                   []ClusterCount
	MeetingsHeld                       int
	MeetingsAttended, MeetingsExpected int
	DecisionsOpen, DecisionsDone       int
	Projects                           ProjectCounts
	LinkedTenders                      int
	Bids                               BidFigures
}

// MonthFigures are a cluster's awards in one month.
type MonthFigures struct {
	Month             string // YYYY-MM
	ClusterID         string
	TendersWon        int
	AwardedValueCents int64
}

// InterClusterBid is a consortium whose members come from two or more clusters.
type InterClusterBid struct {
	Bid               Bid
	TenderTitle       string
	ClusterIDs        []string
	AwardedValueCents int64
}

// Report is the cross-cluster report.
type Report struct {
	Period      Period
	Clusters    []ClusterFigures
	Matrix      []ClusterPair
	Commissions []CommissionFigures
	Months      []MonthFigures
	InterBids   []InterClusterBid
	Totals      BidFigures
	Names       map[string]string // cluster id → name
}

// ReportInput is what the report is computed from.
type ReportInput struct {
	Period        Period
	Clusters      []Cluster               // every known cluster
	Selected      []string                // clusters to report; empty: all of Clusters
	Organizations map[string]Organization // by id
	Tenders       map[string]Tender       // by id
	Bids          []Bid
	Commissions   []Commission // the commissions the caller may read
	Now           time.Time
}

// bidView is a bid with what the report needs of it worked out once.
type bidView struct {
	Bid
	clusters     []string // union of its members' active clusters, sorted
	inter        bool
	pairs        [][2]string
	awarded      int64
	wonAt        time.Time
	estimatedFor int64
}

// ClustersOf returns the clusters a team's members are active in (sorted) and
// whether the team is inter-cluster: no single cluster has every member with a
// known cluster as an active member, and at least two members have one.
// Pairs are the cluster pairs {X, Y} (X < Y) such that one member is in X and
// another member in Y.
func ClustersOf(members []string, orgs map[string]Organization) (clusters []string, inter bool, pairs [][2]string) {
	var sets [][]string
	for _, id := range members {
		o, ok := orgs[id]
		if !ok || len(o.ActiveIn) == 0 {
			continue
		}
		sets = append(sets, o.ActiveIn)
		for _, c := range o.ActiveIn {
			if !slices.Contains(clusters, c) {
				clusters = append(clusters, c)
			}
		}
	}
	slices.Sort(clusters)
	if len(sets) < 2 {
		return clusters, false, nil
	}
	for _, c := range clusters {
		all := true
		for _, s := range sets {
			if !slices.Contains(s, c) {
				all = false
				break
			}
		}
		if all {
			return clusters, false, nil
		}
	}
	for i := range sets {
		for j := range sets {
			if i == j {
				continue
			}
			for _, x := range sets[i] {
				for _, y := range sets[j] {
					if x < y && !slices.Contains(pairs, [2]string{x, y}) {
						pairs = append(pairs, [2]string{x, y})
					}
				}
			}
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	return clusters, true, pairs
}

func viewOf(b Bid, in *ReportInput) bidView {
	v := bidView{Bid: b}
	v.clusters, v.inter, v.pairs = ClustersOf(b.Members, in.Organizations)
	t := in.Tenders[b.TenderID]
	v.estimatedFor = t.EstimatedFor(b.LotID)
	if b.Status == BidAwarded {
		v.wonAt = b.Decided
		for _, a := range t.Awards {
			if a.ConsortiumID == b.ID {
				v.awarded += a.AmountCents
				if !a.Time.IsZero() {
					v.wonAt = a.Time
				}
			}
		}
	}
	return v
}

// bidTally accumulates BidFigures counting each tender (and each tender's lot
// for the pursued value) once.
type bidTally struct {
	f                             BidFigures
	pursued, submitted, won, lost map[string]bool
	pursuedLots                   map[[2]string]bool
}

func newTally() *bidTally {
	return &bidTally{pursued: map[string]bool{}, submitted: map[string]bool{}, won: map[string]bool{}, lost: map[string]bool{}, pursuedLots: map[[2]string]bool{}}
}

func (t *bidTally) add(b bidView, p Period) {
	if p.Contains(b.Formed) {
		if !t.pursued[b.TenderID] {
			t.pursued[b.TenderID] = true
			t.f.TendersPursued++
		}
		if k := [2]string{b.TenderID, b.LotID}; !t.pursuedLots[k] {
			t.pursuedLots[k] = true
			t.f.PursuedValueCents += b.estimatedFor
		}
	}
	if p.Contains(b.Submitted) && !t.submitted[b.TenderID] {
		t.submitted[b.TenderID] = true
		t.f.TendersSubmitted++
	}
	if b.Status == BidAwarded && p.Contains(b.wonAt) {
		if !t.won[b.TenderID] {
			t.won[b.TenderID] = true
			t.f.TendersWon++
		}
		t.f.AwardedValueCents += b.awarded
	}
	if b.Status == BidLost && p.Contains(b.Decided) && !t.lost[b.TenderID] {
		t.lost[b.TenderID] = true
		t.f.TendersLost++
	}
}

// ComputeReport computes the cross-cluster report. Bid figures follow the
// period by event: pursued by formation, submitted by submission, won by the
// award date, lost by the outcome's time; meetings and decisions by the
// meeting's start; member counts and projects are as they are now. A bid
// belongs to every cluster one of its members is active in; an awarded bid's
// value counts in full under each of them (and once in the totals).
func ComputeReport(in ReportInput) Report {
	r := Report{Period: in.Period, Names: map[string]string{}}
	for _, c := range in.Clusters {
		r.Names[c.ID] = c.Name
	}
	selected := in.Selected
	if len(selected) == 0 {
		for _, c := range in.Clusters {
			selected = append(selected, c.ID)
		}
	}
	isSel := func(id string) bool { return slices.Contains(selected, id) }
	involves := func(cs []string) bool { return slices.ContainsFunc(cs, isSel) }

	bids := make([]bidView, 0, len(in.Bids))
	for _, b := range in.Bids {
		bids = append(bids, viewOf(b, &in))
	}
	byID := map[string]bidView{}
	for _, b := range bids {
		byID[b.ID] = b
	}

	// Per cluster.
	idx := map[string]int{}
	for _, id := range selected {
		idx[id] = len(r.Clusters)
		r.Clusters = append(r.Clusters, ClusterFigures{ClusterID: id, ClusterName: r.Names[id]})
	}
	for _, o := range in.Organizations {
		for _, c := range o.ActiveIn {
			if i, ok := idx[c]; ok {
				r.Clusters[i].MemberOrganizations++
			}
		}
	}
	sitting := map[string]bool{}
	for _, c := range in.Commissions {
		for _, m := range c.Sitting() {
			sitting[m.OrganizationID] = true
		}
	}
	for org := range sitting {
		for _, c := range in.Organizations[org].ActiveIn {
			if i, ok := idx[c]; ok {
				r.Clusters[i].CommissionMembers++
			}
		}
	}
	tallies := make([]*bidTally, len(r.Clusters))
	for i := range tallies {
		tallies[i] = newTally()
	}
	total := newTally()
	pairs := map[[2]string]*ClusterPair{}
	months := map[[2]string]*MonthFigures{}
	monthWon := map[[3]string]bool{}
	for _, b := range bids {
		if !involves(b.clusters) {
			continue
		}
		total.add(b, in.Period)
		for _, c := range b.clusters {
			if i, ok := idx[c]; ok {
				tallies[i].add(b, in.Period)
			}
		}
		won := b.Status == BidAwarded && in.Period.Contains(b.wonAt)
		if won {
			m := b.wonAt.UTC().Format("2006-01")
			for _, c := range b.clusters {
				if !isSel(c) {
					continue
				}
				k := [2]string{m, c}
				mf := months[k]
				if mf == nil {
					mf = &MonthFigures{Month: m, ClusterID: c}
					months[k] = mf
				}
				if !monthWon[[3]string{m, c, b.TenderID}] {
					monthWon[[3]string{m, c, b.TenderID}] = true
					mf.TendersWon++
				}
				mf.AwardedValueCents += b.awarded
			}
		}
		if !b.inter || !in.Period.Contains(b.Formed) {
			continue
		}
		r.InterBids = append(r.InterBids, InterClusterBid{Bid: b.Bid, TenderTitle: in.Tenders[b.TenderID].Title, ClusterIDs: b.clusters, AwardedValueCents: b.awarded})
		for _, c := range b.clusters {
			if i, ok := idx[c]; ok {
				r.Clusters[i].InterClusterConsortia++
			}
		}
		for _, p := range b.pairs {
			if !isSel(p[0]) && !isSel(p[1]) {
				continue
			}
			cell := pairs[p]
			if cell == nil {
				cell = &ClusterPair{A: p[0], B: p[1]}
				pairs[p] = cell
			}
			cell.Consortia++
			if won {
				cell.Awarded++
				cell.AwardedValueCents += b.awarded
			}
		}
	}
	for i := range r.Clusters {
		r.Clusters[i].Bids = tallies[i].f
	}
	r.Totals = total.f

	// Commissions, and the clusters' meetings and projects.
	for _, c := range in.Commissions {
		if len(in.Selected) > 0 && !isSel(c.ConvenerID) && !slices.ContainsFunc(c.Sitting(), func(m Member) bool {
			return involves(in.Organizations[m.OrganizationID].ActiveIn)
		}) {
			continue
		}
		f := CommissionFigures{CommissionID: c.ID, Name: c.Name, ConvenerID: c.ConvenerID, Status: c.Status, LinkedTenders: len(c.Tenders)}
		byCluster := map[string]int{}
		for _, m := range c.Sitting() {
			f.Members++
			for _, cl := range in.Organizations[m.OrganizationID].ActiveIn {
				byCluster[cl]++
			}
		}
		for cl, n := range byCluster {
			f.MembersByCluster = append(f.MembersByCluster, ClusterCount{ClusterID: cl, Count: n})
		}
		slices.SortFunc(f.MembersByCluster, func(a, b ClusterCount) int {
			return cmp.Or(cmp.Compare(r.Names[a.ClusterID], r.Names[b.ClusterID]), cmp.Compare(a.ClusterID, b.ClusterID))
		})
		for _, m := range c.Meetings {
			if !m.Held(in.Now) || !in.Period.Contains(m.Start) {
				continue
			}
			f.MeetingsHeld++
			for _, a := range m.Attendance {
				f.MeetingsExpected++
				if a.Status == Present {
					f.MeetingsAttended++
				}
				for _, cl := range in.Organizations[a.OrganizationID].ActiveIn {
					if i, ok := idx[cl]; ok {
						r.Clusters[i].MeetingsExpected++
						if a.Status == Present {
							r.Clusters[i].MeetingsAttended++
						}
					}
				}
			}
			for _, d := range m.Decisions {
				if d.Status == DecisionDone {
					f.DecisionsDone++
				} else {
					f.DecisionsOpen++
				}
			}
		}
		for _, p := range c.Projects {
			f.Projects.add(p.Status)
			var in2 []int
			for _, org := range p.PartnerIDs {
				for _, cl := range in.Organizations[org].ActiveIn {
					if i, ok := idx[cl]; ok && !slices.Contains(in2, i) {
						in2 = append(in2, i)
					}
				}
			}
			for _, i := range in2 {
				r.Clusters[i].Projects.add(p.Status)
			}
		}
		t := newTally()
		seen := map[string]bool{}
		for _, b := range bids {
			if slices.ContainsFunc(c.Tenders, func(l TenderLink) bool { return l.TenderID == b.TenderID }) {
				seen[b.ID] = true
				t.add(b, in.Period)
			}
		}
		for _, l := range c.Consortia {
			if b, ok := byID[l.ConsortiumID]; ok && !seen[b.ID] {
				seen[b.ID] = true
				t.add(b, in.Period)
			}
		}
		f.Bids = t.f
		r.Commissions = append(r.Commissions, f)
	}

	slices.SortFunc(r.Clusters, func(a, b ClusterFigures) int {
		return cmp.Or(cmp.Compare(a.ClusterName, b.ClusterName), cmp.Compare(a.ClusterID, b.ClusterID))
	})
	slices.SortFunc(r.Commissions, func(a, b CommissionFigures) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.CommissionID, b.CommissionID))
	})
	for _, p := range pairs {
		r.Matrix = append(r.Matrix, *p)
	}
	slices.SortFunc(r.Matrix, func(a, b ClusterPair) int {
		return cmp.Or(cmp.Compare(r.Names[a.A], r.Names[b.A]), cmp.Compare(r.Names[a.B], r.Names[b.B]), cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B))
	})
	for _, m := range months {
		r.Months = append(r.Months, *m)
	}
	slices.SortFunc(r.Months, func(a, b MonthFigures) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(r.Names[a.ClusterID], r.Names[b.ClusterID]), cmp.Compare(a.ClusterID, b.ClusterID))
	})
	slices.SortFunc(r.InterBids, func(a, b InterClusterBid) int {
		return cmp.Or(a.Bid.Formed.Compare(b.Bid.Formed), cmp.Compare(a.Bid.ID, b.Bid.ID))
	})
	return r
}
