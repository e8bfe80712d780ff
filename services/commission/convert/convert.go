// Package convert translates between the commission domain and its protobuf
// contracts (events and resources). The app (events on the log) and the grpc
// adapter (resources) both use it, so each mapping is written once.
package convert

import (
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	"github.com/consortia-dev/consortia/services/commission/domain"
)

// TS converts a time (nil for zero).
func TS(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func fromTS(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime().UTC()
}

// Date formats a date as YYYY-MM-DD ("" for zero).
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(domain.DateLayout)
}

func parseDate(s string) time.Time {
	t, _ := time.Parse(domain.DateLayout, s)
	return t
}

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

// AgendaItem to proto.
func AgendaItem(a domain.AgendaItem) *commissionv1.AgendaItem {
	return &commissionv1.AgendaItem{Title: a.Title, PresenterOrganizationId: a.PresenterID}
}

// AgendaItemFrom proto.
func AgendaItemFrom(a *commissionv1.AgendaItem) domain.AgendaItem {
	return domain.AgendaItem{Title: a.GetTitle(), PresenterID: a.GetPresenterOrganizationId()}
}

// Attendance to proto.
func Attendance(a domain.Attendance) *commissionv1.Attendance {
	return &commissionv1.Attendance{OrganizationId: a.OrganizationID, Status: commissionv1.AttendanceStatus(a.Status)}
}

// AttendanceFrom proto.
func AttendanceFrom(a *commissionv1.Attendance) domain.Attendance {
	return domain.Attendance{OrganizationID: a.GetOrganizationId(), Status: domain.AttendanceStatus(a.GetStatus())}
}

// Event converts a domain event to its protobuf message.
func Event(e domain.Event) (proto.Message, error) {
	switch e := e.(type) {
	case domain.CommissionCreated:
		return &commissionv1.CommissionCreated{CommissionId: e.CommissionID, Name: e.Name, Theme: e.Theme, Description: e.Description, ConveningClusterId: e.ConvenerID, Demo: e.Demo}, nil
	case domain.CommissionUpdated:
		return &commissionv1.CommissionUpdated{CommissionId: e.CommissionID, Name: e.Name, Theme: e.Theme, Description: e.Description}, nil
	case domain.CommissionClosed:
		return &commissionv1.CommissionClosed{CommissionId: e.CommissionID, Reason: e.Reason}, nil
	case domain.MemberAdded:
		return &commissionv1.CommissionMemberAdded{CommissionId: e.CommissionID, OrganizationId: e.OrganizationID, Role: commissionv1.MemberRole(e.Role), JoinedDate: Date(e.Joined)}, nil
	case domain.MemberInvited:
		return &commissionv1.CommissionMemberInvited{CommissionId: e.CommissionID, OrganizationId: e.OrganizationID, Role: commissionv1.MemberRole(e.Role)}, nil
	case domain.InvitationAccepted:
		return &commissionv1.CommissionInvitationAccepted{CommissionId: e.CommissionID, OrganizationId: e.OrganizationID, JoinedDate: Date(e.Joined)}, nil
	case domain.InvitationDeclined:
		return &commissionv1.CommissionInvitationDeclined{CommissionId: e.CommissionID, OrganizationId: e.OrganizationID, Reason: e.Reason}, nil
	case domain.MemberRoleChanged:
		return &commissionv1.CommissionMemberRoleChanged{CommissionId: e.CommissionID, OrganizationId: e.OrganizationID, Role: commissionv1.MemberRole(e.Role)}, nil
	case domain.MemberLeft:
		return &commissionv1.CommissionMemberLeft{CommissionId: e.CommissionID, OrganizationId: e.OrganizationID, LeftDate: Date(e.Left)}, nil
	case domain.MeetingScheduled:
		m := e.Meeting
		return &commissionv1.MeetingScheduled{CommissionId: e.CommissionID, MeetingId: m.ID, Title: m.Title, StartTime: TS(m.Start),
			Place: m.Place, Link: m.Link, Agenda: mapSlice(m.Agenda, AgendaItem)}, nil
	case domain.MeetingCancelled:
		return &commissionv1.MeetingCancelled{CommissionId: e.CommissionID, MeetingId: e.MeetingID, Reason: e.Reason}, nil
	case domain.AttendanceRecorded:
		return &commissionv1.MeetingAttendanceRecorded{CommissionId: e.CommissionID, MeetingId: e.MeetingID, Attendance: mapSlice(e.Attendance, Attendance)}, nil
	case domain.MinutesRecorded:
		return &commissionv1.MeetingMinutesRecorded{CommissionId: e.CommissionID, MeetingId: e.MeetingID, Minutes: e.Minutes}, nil
	case domain.DecisionRecorded:
		d := e.Decision
		return &commissionv1.DecisionRecorded{CommissionId: e.CommissionID, MeetingId: e.MeetingID, DecisionId: d.ID, Text: d.Text,
			OwnerOrganizationId: d.OwnerID, DueDate: Date(d.Due)}, nil
	case domain.DecisionCompleted:
		return &commissionv1.DecisionCompleted{CommissionId: e.CommissionID, DecisionId: e.DecisionID}, nil
	case domain.ProjectAdded:
		p := e.Project
		return &commissionv1.ProjectAdded{CommissionId: e.CommissionID, ProjectId: p.ID, Title: p.Title, Description: p.Description,
			PartnerOrganizationIds: p.PartnerIDs, BudgetCents: p.BudgetCents, FundingSource: p.FundingSource,
			Status: commissionv1.ProjectStatus(p.Status), CpvCodes: p.CPVCodes}, nil
	case domain.ProjectStatusChanged:
		return &commissionv1.ProjectStatusChanged{CommissionId: e.CommissionID, ProjectId: e.ProjectID, Status: commissionv1.ProjectStatus(e.Status)}, nil
	case domain.TenderLinked:
		return &commissionv1.TenderLinked{CommissionId: e.CommissionID, TenderId: e.TenderID, Note: e.Note}, nil
	case domain.TenderUnlinked:
		return &commissionv1.TenderUnlinked{CommissionId: e.CommissionID, TenderId: e.TenderID}, nil
	case domain.ConsortiumLinked:
		return &commissionv1.ConsortiumLinked{CommissionId: e.CommissionID, ConsortiumId: e.ConsortiumID, Note: e.Note}, nil
	case domain.ConsortiumUnlinked:
		return &commissionv1.ConsortiumUnlinked{CommissionId: e.CommissionID, ConsortiumId: e.ConsortiumID}, nil
	}
	return nil, fmt.Errorf("convert: unknown domain event %T", e)
}

// EventFrom converts a stored protobuf event to the domain event.
func EventFrom(m proto.Message) (domain.Event, error) {
	switch e := m.(type) {
	case *commissionv1.CommissionCreated:
		return domain.CommissionCreated{CommissionID: e.GetCommissionId(), Name: e.GetName(), Theme: e.GetTheme(), Description: e.GetDescription(), ConvenerID: e.GetConveningClusterId(), Demo: e.GetDemo()}, nil
	case *commissionv1.CommissionUpdated:
		return domain.CommissionUpdated{CommissionID: e.GetCommissionId(), Name: e.GetName(), Theme: e.GetTheme(), Description: e.GetDescription()}, nil
	case *commissionv1.CommissionClosed:
		return domain.CommissionClosed{CommissionID: e.GetCommissionId(), Reason: e.GetReason()}, nil
	case *commissionv1.CommissionMemberAdded:
		return domain.MemberAdded{CommissionID: e.GetCommissionId(), OrganizationID: e.GetOrganizationId(), Role: domain.Role(e.GetRole()), Joined: parseDate(e.GetJoinedDate())}, nil
	case *commissionv1.CommissionMemberInvited:
		return domain.MemberInvited{CommissionID: e.GetCommissionId(), OrganizationID: e.GetOrganizationId(), Role: domain.Role(e.GetRole())}, nil
	case *commissionv1.CommissionInvitationAccepted:
		return domain.InvitationAccepted{CommissionID: e.GetCommissionId(), OrganizationID: e.GetOrganizationId(), Joined: parseDate(e.GetJoinedDate())}, nil
	case *commissionv1.CommissionInvitationDeclined:
		return domain.InvitationDeclined{CommissionID: e.GetCommissionId(), OrganizationID: e.GetOrganizationId(), Reason: e.GetReason()}, nil
	case *commissionv1.CommissionMemberRoleChanged:
		return domain.MemberRoleChanged{CommissionID: e.GetCommissionId(), OrganizationID: e.GetOrganizationId(), Role: domain.Role(e.GetRole())}, nil
	case *commissionv1.CommissionMemberLeft:
		return domain.MemberLeft{CommissionID: e.GetCommissionId(), OrganizationID: e.GetOrganizationId(), Left: parseDate(e.GetLeftDate())}, nil
	case *commissionv1.MeetingScheduled:
		return domain.MeetingScheduled{CommissionID: e.GetCommissionId(), Meeting: domain.Meeting{
			ID: e.GetMeetingId(), Title: e.GetTitle(), Start: fromTS(e.GetStartTime()), Place: e.GetPlace(), Link: e.GetLink(),
			Agenda: mapSlice(e.GetAgenda(), AgendaItemFrom),
		}}, nil
	case *commissionv1.MeetingCancelled:
		return domain.MeetingCancelled{CommissionID: e.GetCommissionId(), MeetingID: e.GetMeetingId(), Reason: e.GetReason()}, nil
	case *commissionv1.MeetingAttendanceRecorded:
		return domain.AttendanceRecorded{CommissionID: e.GetCommissionId(), MeetingID: e.GetMeetingId(), Attendance: mapSlice(e.GetAttendance(), AttendanceFrom)}, nil
	case *commissionv1.MeetingMinutesRecorded:
		return domain.MinutesRecorded{CommissionID: e.GetCommissionId(), MeetingID: e.GetMeetingId(), Minutes: e.GetMinutes()}, nil
	case *commissionv1.DecisionRecorded:
		return domain.DecisionRecorded{CommissionID: e.GetCommissionId(), MeetingID: e.GetMeetingId(), Decision: domain.Decision{
			ID: e.GetDecisionId(), Text: e.GetText(), OwnerID: e.GetOwnerOrganizationId(), Due: parseDate(e.GetDueDate()), Status: domain.DecisionOpen,
		}}, nil
	case *commissionv1.DecisionCompleted:
		return domain.DecisionCompleted{CommissionID: e.GetCommissionId(), DecisionID: e.GetDecisionId()}, nil
	case *commissionv1.ProjectAdded:
		return domain.ProjectAdded{CommissionID: e.GetCommissionId(), Project: domain.Project{
			ID: e.GetProjectId(), Title: e.GetTitle(), Description: e.GetDescription(), PartnerIDs: e.GetPartnerOrganizationIds(),
			BudgetCents: e.GetBudgetCents(), FundingSource: e.GetFundingSource(), Status: domain.ProjectStatus(e.GetStatus()), CPVCodes: e.GetCpvCodes(),
		}}, nil
	case *commissionv1.ProjectStatusChanged:
		return domain.ProjectStatusChanged{CommissionID: e.GetCommissionId(), ProjectID: e.GetProjectId(), Status: domain.ProjectStatus(e.GetStatus())}, nil
	case *commissionv1.TenderLinked:
		return domain.TenderLinked{CommissionID: e.GetCommissionId(), TenderID: e.GetTenderId(), Note: e.GetNote()}, nil
	case *commissionv1.TenderUnlinked:
		return domain.TenderUnlinked{CommissionID: e.GetCommissionId(), TenderID: e.GetTenderId()}, nil
	case *commissionv1.ConsortiumLinked:
		return domain.ConsortiumLinked{CommissionID: e.GetCommissionId(), ConsortiumID: e.GetConsortiumId(), Note: e.GetNote()}, nil
	case *commissionv1.ConsortiumUnlinked:
		return domain.ConsortiumUnlinked{CommissionID: e.GetCommissionId(), ConsortiumID: e.GetConsortiumId()}, nil
	}
	return nil, fmt.Errorf("convert: unknown commission event %T", m)
}

// Names resolves the ids a commission resource shows by name, from the
// service's own projections.
type Names struct {
	Clusters      map[string]string              // cluster id → name
	Organizations map[string]domain.Organization // by id
	Tenders       map[string]string              // tender id → title
	Bids          map[string]domain.Bid          // by consortium id
}

// Commission to proto, with names from n.
func Commission(c domain.Commission, n Names) *commissionv1.Commission {
	out := &commissionv1.Commission{
		Id: c.ID, Name: c.Name, Theme: c.Theme, Description: c.Description,
		ConveningClusterId: c.ConvenerID, ConveningClusterName: n.Clusters[c.ConvenerID],
		Status: commissionv1.CommissionStatus(c.Status), CloseReason: c.CloseReason, Demo: c.Demo,
		CreateTime: TS(c.Created), UpdateTime: TS(c.Updated), Version: c.Version,
	}
	for _, m := range c.Members {
		o := n.Organizations[m.OrganizationID]
		out.Members = append(out.Members, &commissionv1.CommissionMember{
			OrganizationId: m.OrganizationID, OrganizationName: o.Name, ClusterIds: o.ActiveIn,
			Role: commissionv1.MemberRole(m.Role), Status: commissionv1.MemberStatus(m.Status),
			JoinedDate: Date(m.Joined), LeftDate: Date(m.Left), InviteTime: TS(m.Invited),
		})
	}
	for _, m := range c.Meetings {
		pm := &commissionv1.Meeting{
			Id: m.ID, Title: m.Title, StartTime: TS(m.Start), Place: m.Place, Link: m.Link,
			Agenda: mapSlice(m.Agenda, AgendaItem), Attendance: mapSlice(m.Attendance, Attendance),
			Minutes: m.Minutes, Cancelled: m.Cancelled, CancelReason: m.CancelReason,
		}
		for _, d := range m.Decisions {
			pm.Decisions = append(pm.Decisions, &commissionv1.Decision{Id: d.ID, Text: d.Text, OwnerOrganizationId: d.OwnerID,
				DueDate: Date(d.Due), Status: commissionv1.DecisionStatus(d.Status), CompleteTime: TS(d.Completed)})
		}
		out.Meetings = append(out.Meetings, pm)
	}
	for _, p := range c.Projects {
		out.Projects = append(out.Projects, &commissionv1.Project{Id: p.ID, Title: p.Title, Description: p.Description,
			PartnerOrganizationIds: p.PartnerIDs, BudgetCents: p.BudgetCents, FundingSource: p.FundingSource,
			Status: commissionv1.ProjectStatus(p.Status), CpvCodes: p.CPVCodes, CreateTime: TS(p.Created)})
	}
	for _, l := range c.Tenders {
		out.Tenders = append(out.Tenders, &commissionv1.TenderLink{TenderId: l.TenderID, TenderTitle: n.Tenders[l.TenderID], Note: l.Note, LinkTime: TS(l.Linked)})
	}
	for _, l := range c.Consortia {
		b := n.Bids[l.ConsortiumID]
		out.Consortia = append(out.Consortia, &commissionv1.ConsortiumLink{ConsortiumId: l.ConsortiumID, ConsortiumName: b.Name,
			Status: commissionv1.BidStatus(b.Status), Note: l.Note, LinkTime: TS(l.Linked)})
	}
	return out
}

// Summary is one commission list row.
func Summary(c domain.Commission, n Names, now time.Time) *commissionv1.CommissionSummary {
	out := &commissionv1.CommissionSummary{
		Id: c.ID, Name: c.Name, Theme: c.Theme, ConveningClusterId: c.ConvenerID, ConveningClusterName: n.Clusters[c.ConvenerID],
		Status: commissionv1.CommissionStatus(c.Status), LinkedTenders: int32(len(c.Tenders)), Projects: int32(len(c.Projects)), Demo: c.Demo,
	}
	for _, m := range c.Sitting() {
		out.Members++
		for _, cl := range n.Organizations[m.OrganizationID].ActiveIn {
			if !slices.Contains(out.ClusterIds, cl) {
				out.ClusterIds = append(out.ClusterIds, cl)
			}
		}
	}
	for _, m := range c.Meetings {
		if m.Held(now) {
			out.MeetingsHeld++
		}
	}
	if m, ok := c.NextMeeting(now); ok {
		out.NextMeetingTime = TS(m.Start)
	}
	return out
}

func bids(f domain.BidFigures) *commissionv1.BidFigures {
	return &commissionv1.BidFigures{
		TendersPursued: int32(f.TendersPursued), TendersSubmitted: int32(f.TendersSubmitted), TendersWon: int32(f.TendersWon),
		TendersLost: int32(f.TendersLost), PursuedValueCents: f.PursuedValueCents, AwardedValueCents: f.AwardedValueCents,
	}
}

func projects(p domain.ProjectCounts) *commissionv1.ProjectCounts {
	return &commissionv1.ProjectCounts{Proposed: int32(p.Proposed), Active: int32(p.Active), Completed: int32(p.Completed), Cancelled: int32(p.Cancelled)}
}

// Report to proto.
func Report(r domain.Report, now time.Time, sequences map[string]uint64) *commissionv1.CrossClusterReport {
	out := &commissionv1.CrossClusterReport{
		FromDate: Date(r.Period.From), ToDate: Date(r.Period.To), Totals: bids(r.Totals), GenerateTime: TS(now), StreamSequences: sequences,
	}
	for _, c := range r.Clusters {
		out.Clusters = append(out.Clusters, &commissionv1.ClusterFigures{
			ClusterId: c.ClusterID, ClusterName: c.ClusterName, MemberOrganizations: int32(c.MemberOrganizations),
			CommissionMembers: int32(c.CommissionMembers), Bids: bids(c.Bids), InterClusterConsortia: int32(c.InterClusterConsortia),
			MeetingsAttended: int32(c.MeetingsAttended), MeetingsExpected: int32(c.MeetingsExpected), Projects: projects(c.Projects),
		})
	}
	for _, p := range r.Matrix {
		out.Matrix = append(out.Matrix, &commissionv1.ClusterPair{
			ClusterAId: p.A, ClusterAName: r.Names[p.A], ClusterBId: p.B, ClusterBName: r.Names[p.B],
			Consortia: int32(p.Consortia), Awarded: int32(p.Awarded), AwardedValueCents: p.AwardedValueCents,
		})
	}
	for _, c := range r.Commissions {
		f := &commissionv1.CommissionFigures{
			CommissionId: c.CommissionID, Name: c.Name, ConveningClusterId: c.ConvenerID, Status: commissionv1.CommissionStatus(c.Status),
			Members: int32(c.Members), MeetingsHeld: int32(c.MeetingsHeld), MeetingsAttended: int32(c.MeetingsAttended),
			MeetingsExpected: int32(c.MeetingsExpected), DecisionsOpen: int32(c.DecisionsOpen), DecisionsDone: int32(c.DecisionsDone),
			Projects: projects(c.Projects), LinkedTenders: int32(c.LinkedTenders), Bids: bids(c.Bids),
		}
		for _, m := range c.MembersByCluster {
			f.MembersByCluster = append(f.MembersByCluster, &commissionv1.ClusterCount{ClusterId: m.ClusterID, ClusterName: r.Names[m.ClusterID], Count: int32(m.Count)})
		}
		out.Commissions = append(out.Commissions, f)
	}
	for _, m := range r.Months {
		out.Months = append(out.Months, &commissionv1.MonthFigures{Month: m.Month, ClusterId: m.ClusterID, TendersWon: int32(m.TendersWon), AwardedValueCents: m.AwardedValueCents})
	}
	for _, b := range r.InterBids {
		out.InterClusterConsortia = append(out.InterClusterConsortia, &commissionv1.InterClusterConsortium{
			ConsortiumId: b.Bid.ID, Name: b.Bid.Name, TenderId: b.Bid.TenderID, TenderTitle: b.TenderTitle, LotId: b.Bid.LotID,
			ClusterIds: b.ClusterIDs, Status: commissionv1.BidStatus(b.Bid.Status), AwardedValueCents: b.AwardedValueCents, FormTime: TS(b.Bid.Formed),
		})
	}
	return out
}
