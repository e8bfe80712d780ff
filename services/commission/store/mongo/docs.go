package mongo

import (
	"time"

	"github.com/consortia-dev/consortia/services/commission/domain"
)

// The documents below are the adapter's own model: bson tags live only here.
// Times are stored as dates (millisecond precision) and left out when zero.

type memberDoc struct {
	OrganizationID string     `bson:"organization_id"`
	Role           int        `bson:"role"`
	Status         int        `bson:"status"`
	Joined         *time.Time `bson:"joined,omitempty"`
	Left           *time.Time `bson:"left,omitempty"`
	Invited        *time.Time `bson:"invited,omitempty"`
}

type agendaDoc struct {
	Title       string `bson:"title"`
	PresenterID string `bson:"presenter_id,omitempty"`
}

type attendanceDoc struct {
	OrganizationID string `bson:"organization_id"`
	Status         int    `bson:"status"`
}

type decisionDoc struct {
	ID        string     `bson:"id"`
	Text      string     `bson:"text"`
	OwnerID   string     `bson:"owner_id"`
	Due       *time.Time `bson:"due,omitempty"`
	Status    int        `bson:"status"`
	Completed *time.Time `bson:"completed,omitempty"`
}

type meetingDoc struct {
	ID           string          `bson:"id"`
	Title        string          `bson:"title"`
	Start        *time.Time      `bson:"start,omitempty"`
	Place        string          `bson:"place,omitempty"`
	Link         string          `bson:"link,omitempty"`
	Agenda       []agendaDoc     `bson:"agenda,omitempty"`
	Attendance   []attendanceDoc `bson:"attendance,omitempty"`
	Minutes      string          `bson:"minutes,omitempty"`
	Decisions    []decisionDoc   `bson:"decisions,omitempty"`
	Cancelled    bool            `bson:"cancelled,omitempty"`
	CancelReason string          `bson:"cancel_reason,omitempty"`
}

type projectDoc struct {
	ID            string     `bson:"id"`
	Title         string     `bson:"title"`
	Description   string     `bson:"description,omitempty"`
	PartnerIDs    []string   `bson:"partner_ids,omitempty"`
	BudgetCents   int64      `bson:"budget_cents"`
	FundingSource string     `bson:"funding_source,omitempty"`
	Status        int        `bson:"status"`
	CPVCodes      []string   `bson:"cpv_codes,omitempty"`
	Created       *time.Time `bson:"created,omitempty"`
}

type linkDoc struct {
	ID     string     `bson:"id"`
	Note   string     `bson:"note,omitempty"`
	Linked *time.Time `bson:"linked,omitempty"`
}

// commissionDoc is one commission. Sitting and MemberOrgs are derived for
// queries: the organisations sitting on it now, and those sitting or invited.
type commissionDoc struct {
	ID          string       `bson:"_id"`
	Seq         uint64       `bson:"seq"`
	SortKey     string       `bson:"sort_key"`
	Name        string       `bson:"name"`
	Theme       string       `bson:"theme"`
	Description string       `bson:"description,omitempty"`
	ConvenerID  string       `bson:"convener_id"`
	Status      int          `bson:"status"`
	CloseReason string       `bson:"close_reason,omitempty"`
	Members     []memberDoc  `bson:"members,omitempty"`
	Meetings    []meetingDoc `bson:"meetings,omitempty"`
	Projects    []projectDoc `bson:"projects,omitempty"`
	Tenders     []linkDoc    `bson:"tenders,omitempty"`
	Consortia   []linkDoc    `bson:"consortia,omitempty"`
	Demo        bool         `bson:"demo,omitempty"`
	Created     *time.Time   `bson:"created,omitempty"`
	Updated     *time.Time   `bson:"updated,omitempty"`
	Version     uint64       `bson:"version"`
	Sitting     []string     `bson:"sitting"`
	MemberOrgs  []string     `bson:"member_orgs"`
}

type clusterDoc struct {
	ID      string `bson:"_id"`
	Seq     uint64 `bson:"seq"`
	Name    string `bson:"name"`
	Demo    bool   `bson:"demo,omitempty"`
	Version uint64 `bson:"version"`
}

type organizationDoc struct {
	ID       string   `bson:"_id"`
	Seq      uint64   `bson:"seq"`
	Name     string   `bson:"name"`
	ActiveIn []string `bson:"active_in,omitempty"`
	Demo     bool     `bson:"demo,omitempty"`
	Version  uint64   `bson:"version"`
}

type lotDoc struct {
	ID             string `bson:"id"`
	EstimatedCents int64  `bson:"estimated_cents"`
}

type awardDoc struct {
	LotID        string     `bson:"lot_id,omitempty"`
	ConsortiumID string     `bson:"consortium_id,omitempty"`
	AmountCents  int64      `bson:"amount_cents"`
	Time         *time.Time `bson:"time,omitempty"`
}

type tenderDoc struct {
	ID             string     `bson:"_id"`
	Seq            uint64     `bson:"seq"`
	ClusterID      string     `bson:"cluster_id"`
	Title          string     `bson:"title"`
	EstimatedCents int64      `bson:"estimated_cents"`
	Lots           []lotDoc   `bson:"lots,omitempty"`
	Awards         []awardDoc `bson:"awards,omitempty"`
	Demo           bool       `bson:"demo,omitempty"`
	Version        uint64     `bson:"version"`
}

type bidDoc struct {
	ID        string     `bson:"_id"`
	Seq       uint64     `bson:"seq"`
	TenderID  string     `bson:"tender_id"`
	LotID     string     `bson:"lot_id,omitempty"`
	Name      string     `bson:"name"`
	Members   []string   `bson:"members,omitempty"`
	Status    int        `bson:"status"`
	Formed    *time.Time `bson:"formed,omitempty"`
	Submitted *time.Time `bson:"submitted,omitempty"`
	Decided   *time.Time `bson:"decided,omitempty"`
	Demo      bool       `bson:"demo,omitempty"`
	Version   uint64     `bson:"version"`
}

func tp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func tv(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// mapSlice converts a slice, keeping nil for empty input (so documents read
// back equal the values written).
func mapSlice[T, U any](in []T, f func(T) U) []U {
	if len(in) == 0 {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func strs(in []string) []string { return mapSlice(in, func(s string) string { return s }) }

func toCommissionDoc(c domain.Commission, seq uint64, sortKey string) commissionDoc {
	d := commissionDoc{
		ID: c.ID, Seq: seq, SortKey: sortKey, Name: c.Name, Theme: c.Theme, Description: c.Description, ConvenerID: c.ConvenerID,
		Status: int(c.Status), CloseReason: c.CloseReason, Demo: c.Demo, Created: tp(c.Created), Updated: tp(c.Updated), Version: c.Version,
		Sitting: []string{}, MemberOrgs: []string{},
	}
	d.Members = mapSlice(c.Members, func(m domain.Member) memberDoc {
		return memberDoc{OrganizationID: m.OrganizationID, Role: int(m.Role), Status: int(m.Status), Joined: tp(m.Joined), Left: tp(m.Left), Invited: tp(m.Invited)}
	})
	for _, m := range c.Members {
		switch m.Status {
		case domain.MemberStatusJoined:
			d.Sitting = append(d.Sitting, m.OrganizationID)
			d.MemberOrgs = append(d.MemberOrgs, m.OrganizationID)
		case domain.MemberStatusInvited:
			d.MemberOrgs = append(d.MemberOrgs, m.OrganizationID)
		}
	}
	d.Meetings = mapSlice(c.Meetings, func(m domain.Meeting) meetingDoc {
		return meetingDoc{
			ID: m.ID, Title: m.Title, Start: tp(m.Start), Place: m.Place, Link: m.Link,
			Agenda: mapSlice(m.Agenda, func(a domain.AgendaItem) agendaDoc { return agendaDoc{Title: a.Title, PresenterID: a.PresenterID} }),
			Attendance: mapSlice(m.Attendance, func(a domain.Attendance) attendanceDoc {
				return attendanceDoc{OrganizationID: a.OrganizationID, Status: int(a.Status)}
			}),
			Minutes: m.Minutes,
			Decisions: mapSlice(m.Decisions, func(x domain.Decision) decisionDoc {
				return decisionDoc{ID: x.ID, Text: x.Text, OwnerID: x.OwnerID, Due: tp(x.Due), Status: int(x.Status), Completed: tp(x.Completed)}
			}),
			Cancelled: m.Cancelled, CancelReason: m.CancelReason,
		}
	})
	d.Projects = mapSlice(c.Projects, func(p domain.Project) projectDoc {
		return projectDoc{ID: p.ID, Title: p.Title, Description: p.Description, PartnerIDs: strs(p.PartnerIDs), BudgetCents: p.BudgetCents,
			FundingSource: p.FundingSource, Status: int(p.Status), CPVCodes: strs(p.CPVCodes), Created: tp(p.Created)}
	})
	d.Tenders = mapSlice(c.Tenders, func(l domain.TenderLink) linkDoc { return linkDoc{ID: l.TenderID, Note: l.Note, Linked: tp(l.Linked)} })
	d.Consortia = mapSlice(c.Consortia, func(l domain.ConsortiumLink) linkDoc {
		return linkDoc{ID: l.ConsortiumID, Note: l.Note, Linked: tp(l.Linked)}
	})
	return d
}

func (d commissionDoc) domain() domain.Commission {
	return domain.Commission{
		ID: d.ID, Name: d.Name, Theme: d.Theme, Description: d.Description, ConvenerID: d.ConvenerID,
		Status: domain.Status(d.Status), CloseReason: d.CloseReason, Demo: d.Demo, Created: tv(d.Created), Updated: tv(d.Updated), Version: d.Version,
		Members: mapSlice(d.Members, func(m memberDoc) domain.Member {
			return domain.Member{OrganizationID: m.OrganizationID, Role: domain.Role(m.Role), Status: domain.MemberStatus(m.Status),
				Joined: tv(m.Joined), Left: tv(m.Left), Invited: tv(m.Invited)}
		}),
		Meetings: mapSlice(d.Meetings, func(m meetingDoc) domain.Meeting {
			return domain.Meeting{
				ID: m.ID, Title: m.Title, Start: tv(m.Start), Place: m.Place, Link: m.Link,
				Agenda: mapSlice(m.Agenda, func(a agendaDoc) domain.AgendaItem {
					return domain.AgendaItem{Title: a.Title, PresenterID: a.PresenterID}
				}),
				Attendance: mapSlice(m.Attendance, func(a attendanceDoc) domain.Attendance {
					return domain.Attendance{OrganizationID: a.OrganizationID, Status: domain.AttendanceStatus(a.Status)}
				}),
				Minutes: m.Minutes,
				Decisions: mapSlice(m.Decisions, func(x decisionDoc) domain.Decision {
					return domain.Decision{ID: x.ID, Text: x.Text, OwnerID: x.OwnerID, Due: tv(x.Due), Status: domain.DecisionStatus(x.Status), Completed: tv(x.Completed)}
				}),
				Cancelled: m.Cancelled, CancelReason: m.CancelReason,
			}
		}),
		Projects: mapSlice(d.Projects, func(p projectDoc) domain.Project {
			return domain.Project{ID: p.ID, Title: p.Title, Description: p.Description, PartnerIDs: strs(p.PartnerIDs), BudgetCents: p.BudgetCents,
				FundingSource: p.FundingSource, Status: domain.ProjectStatus(p.Status), CPVCodes: strs(p.CPVCodes), Created: tv(p.Created)}
		}),
		Tenders: mapSlice(d.Tenders, func(l linkDoc) domain.TenderLink {
			return domain.TenderLink{TenderID: l.ID, Note: l.Note, Linked: tv(l.Linked)}
		}),
		Consortia: mapSlice(d.Consortia, func(l linkDoc) domain.ConsortiumLink {
			return domain.ConsortiumLink{ConsortiumID: l.ID, Note: l.Note, Linked: tv(l.Linked)}
		}),
	}
}

func toTenderDoc(t domain.Tender, seq uint64) tenderDoc {
	return tenderDoc{
		ID: t.ID, Seq: seq, ClusterID: t.ClusterID, Title: t.Title, EstimatedCents: t.EstimatedCents, Demo: t.Demo, Version: t.Version,
		Lots: mapSlice(t.Lots, func(l domain.Lot) lotDoc { return lotDoc{ID: l.ID, EstimatedCents: l.EstimatedCents} }),
		Awards: mapSlice(t.Awards, func(a domain.Award) awardDoc {
			return awardDoc{LotID: a.LotID, ConsortiumID: a.ConsortiumID, AmountCents: a.AmountCents, Time: tp(a.Time)}
		}),
	}
}

func (d tenderDoc) domain() domain.Tender {
	return domain.Tender{
		ID: d.ID, ClusterID: d.ClusterID, Title: d.Title, EstimatedCents: d.EstimatedCents, Demo: d.Demo, Version: d.Version,
		Lots: mapSlice(d.Lots, func(l lotDoc) domain.Lot { return domain.Lot{ID: l.ID, EstimatedCents: l.EstimatedCents} }),
		Awards: mapSlice(d.Awards, func(a awardDoc) domain.Award {
			return domain.Award{LotID: a.LotID, ConsortiumID: a.ConsortiumID, AmountCents: a.AmountCents, Time: tv(a.Time)}
		}),
	}
}

func toBidDoc(b domain.Bid, seq uint64) bidDoc {
	return bidDoc{ID: b.ID, Seq: seq, TenderID: b.TenderID, LotID: b.LotID, Name: b.Name, Members: strs(b.Members), Status: int(b.Status),
		Formed: tp(b.Formed), Submitted: tp(b.Submitted), Decided: tp(b.Decided), Demo: b.Demo, Version: b.Version}
}

func (d bidDoc) domain() domain.Bid {
	return domain.Bid{ID: d.ID, TenderID: d.TenderID, LotID: d.LotID, Name: d.Name, Members: strs(d.Members), Status: domain.BidStatus(d.Status),
		Formed: tv(d.Formed), Submitted: tv(d.Submitted), Decided: tv(d.Decided), Demo: d.Demo, Version: d.Version}
}
