// Package app runs the commission service's use cases: it loads a commission
// from the event log, checks the caller against it, lets the domain decide,
// appends the one resulting event with optimistic concurrency, and answers
// from the read model once the projection has applied the write
// (read-your-writes). Reads and the cross-cluster report use only the
// service's own projections.
package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/consortia-dev/consortia/services/commission/convert"
	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/commission/store"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
)

// Projector is what the service needs of the running projection of its own stream.
type Projector interface {
	WaitFor(ctx context.Context, seq uint64) error
}

// Service is the commission application service.
type Service struct {
	log   *eventlog.Log
	store store.Store
	proj  Projector
	codes domain.Codes
	now   func() time.Time
}

// New returns a service; proj is the runner feeding st from log.
func New(log *eventlog.Log, st store.Store, proj Projector, codes domain.Codes) *Service {
	return &Service{log: log, store: st, proj: proj, codes: codes, now: time.Now}
}

// Store returns the read model (tests and demo data look at it).
func (s *Service) Store() store.Store { return s.store }

// Projection returns the read-model handler of the commission stream.
func Projection(st store.Commissions) eventlog.Handler { return projection{st} }

type projection struct{ st store.Commissions }

func (p projection) Checkpoint(ctx context.Context) (uint64, error) { return p.st.Checkpoint(ctx) }

func (p projection) Apply(ctx context.Context, ev eventlog.Event) error {
	cp, err := p.st.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if ev.Sequence <= cp {
		return nil
	}
	if !strings.HasPrefix(ev.Subject, domain.CommissionSubjectPrefix) {
		return eventlog.Permanent(fmt.Errorf("unexpected subject %s", ev.Subject))
	}
	de, err := convert.EventFrom(ev.Data)
	if err != nil {
		return eventlog.Permanent(err)
	}
	c, err := p.st.GetCommission(ctx, strings.TrimPrefix(ev.Subject, domain.CommissionSubjectPrefix))
	if err != nil && !errors.Is(err, domainerr.ErrNotFound) {
		return err
	}
	if err := c.Apply(de, ev.Time, ev.Sequence); err != nil {
		return eventlog.Permanent(err)
	}
	return p.st.PutCommission(ctx, c, ev.Sequence)
}

// maxRetries bounds re-deciding a command after a concurrent write when the
// caller did not pin an expected version.
const maxRetries = 16

func retryPause(ctx context.Context, attempt int) error {
	t := time.NewTimer(time.Duration(rand.Int64N(int64(time.Millisecond << min(attempt, 5)))))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func requireAuth(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, domainerr.ErrUnauthenticated
	}
	return p, nil
}

// append writes one event and waits until the read model has it.
func (s *Service) append(ctx context.Context, subject string, e domain.Event, expected int64, msgID string) (eventlog.Appended, error) {
	msg, err := convert.Event(e)
	if err != nil {
		return eventlog.Appended{}, err
	}
	res, err := s.log.Append(ctx, eventlog.Draft{Subject: subject, Event: msg, ExpectedVersion: expected, MsgID: msgID, Actor: auth.FromContext(ctx).Actor()})
	if err != nil {
		return res, err
	}
	if err := s.proj.WaitFor(ctx, res.Sequence); err != nil {
		return res, fmt.Errorf("waiting for read model: %w", err)
	}
	return res, nil
}

// load replays a commission from the log; marked is the sequence of its event
// appended with msgID (0: none).
func (s *Service) load(ctx context.Context, id, msgID string) (domain.Commission, uint64, error) {
	var c domain.Commission
	version, marked, err := s.log.LoadMarked(ctx, domain.CommissionSubject(id), msgID, func(ev eventlog.Event) error {
		de, err := convert.EventFrom(ev.Data)
		if err != nil {
			return err
		}
		return c.Apply(de, ev.Time, ev.Sequence)
	})
	if err != nil {
		return c, 0, err
	}
	if version == 0 {
		return c, 0, fmt.Errorf("commission %q: %w", id, domainerr.ErrNotFound)
	}
	return c, marked, nil
}

func checkCommissionID(id string) error {
	var v domainerr.Violations
	domain.CheckID(&v, "commission_id", id)
	return v.Err()
}

// update runs decide on the current commission and appends its event; it
// returns the commission as the read model has it and the event (the stored
// one when the command was a retry). With expected 0 a concurrent write makes
// it reload and decide again; a pinned version that moved is ErrConflict.
func (s *Service) update(ctx context.Context, id string, expected uint64, key, scope string,
	authorize func(*auth.Principal, *domain.Commission) error,
	decide func(*domain.Commission) (domain.Event, error),
) (domain.Commission, domain.Event, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return domain.Commission{}, nil, err
	}
	if err := checkCommissionID(id); err != nil {
		return domain.Commission{}, nil, err
	}
	subject := domain.CommissionSubject(id)
	msgID := eventlog.MsgID(key, scope, subject)
	for attempt := 0; ; attempt++ {
		c, done, err := s.load(ctx, id, msgID)
		if err != nil {
			return c, nil, err
		}
		if err := authorize(p, &c); err != nil {
			return c, nil, err
		}
		if done != 0 {
			if err := s.proj.WaitFor(ctx, done); err != nil {
				return c, nil, err
			}
			ev, err := s.log.Get(ctx, done)
			if err != nil {
				return c, nil, err
			}
			de, err := convert.EventFrom(ev.Data)
			if err != nil {
				return c, nil, err
			}
			got, err := s.store.GetCommission(ctx, id)
			return got, de, err
		}
		if expected != 0 && c.Version != expected {
			return c, nil, fmt.Errorf("commission %s is at version %d, not %d: %w", id, c.Version, expected, domainerr.ErrConflict)
		}
		e, err := decide(&c)
		if err != nil {
			return c, nil, err
		}
		_, err = s.append(ctx, subject, e, int64(c.Version), msgID)
		if errors.Is(err, domainerr.ErrConflict) && expected == 0 && attempt < maxRetries {
			if err := retryPause(ctx, attempt); err != nil {
				return c, nil, err
			}
			continue
		}
		if err != nil {
			return c, nil, err
		}
		got, err := s.store.GetCommission(ctx, id)
		return got, e, err
	}
}

func (s *Service) commissionOnly(c domain.Commission, _ domain.Event, err error) (domain.Commission, error) {
	return c, err
}

// knownOrganization checks a referenced organisation against the directory.
func (s *Service) knownOrganization(ctx context.Context, field, id string) error {
	var v domainerr.Violations
	domain.CheckID(&v, field, id)
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := s.store.GetOrganization(ctx, id); errors.Is(err, domainerr.ErrNotFound) {
		return domainerr.Invalid(field, "no organisation %s is registered", id)
	} else if err != nil {
		return err
	}
	return nil
}

// CreateCommission creates a commission convened by convenerID ("" for the agency).
func (s *Service) CreateCommission(ctx context.Context, d domain.Details, convenerID string, demo bool, key string) (domain.Commission, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return domain.Commission{}, err
	}
	id := uuid.NewString()
	e, err := domain.Create(id, d, convenerID, demo)
	if err != nil {
		return domain.Commission{}, err
	}
	if convenerID != "" {
		if _, err := s.store.GetCluster(ctx, convenerID); errors.Is(err, domainerr.ErrNotFound) {
			return domain.Commission{}, domainerr.Invalid("convening_cluster_id", "no cluster %s exists", convenerID)
		} else if err != nil {
			return domain.Commission{}, err
		}
	}
	if err := mayCreate(p, convenerID); err != nil {
		return domain.Commission{}, err
	}
	res, err := s.append(ctx, domain.CommissionSubject(id), e, 0, eventlog.MsgID(key, "CommissionCreated"))
	if err != nil {
		return domain.Commission{}, err
	}
	if res.Duplicate {
		prev, err := s.log.Get(ctx, res.Sequence)
		if err != nil {
			return domain.Commission{}, err
		}
		id = strings.TrimPrefix(prev.Subject, domain.CommissionSubjectPrefix)
	}
	return s.store.GetCommission(ctx, id)
}

// UpdateCommission replaces name, theme and description.
func (s *Service) UpdateCommission(ctx context.Context, id string, d domain.Details, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "update", manage, func(c *domain.Commission) (domain.Event, error) { return c.Update(d) }))
}

// CloseCommission closes a commission.
func (s *Service) CloseCommission(ctx context.Context, id, reason string, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "close", manage, func(c *domain.Commission) (domain.Event, error) { return c.Close(reason) }))
}

// AddMember adds an organisation directly.
func (s *Service) AddMember(ctx context.Context, id, orgID string, r domain.Role, joinedDate string, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "add-member", manage, func(c *domain.Commission) (domain.Event, error) {
		e, err := c.AddMember(orgID, r, joinedDate, s.now())
		if err != nil {
			return nil, err
		}
		return e, s.knownOrganization(ctx, "organization_id", orgID)
	}))
}

// InviteMember invites an organisation (a notification, once that service exists).
func (s *Service) InviteMember(ctx context.Context, id, orgID string, r domain.Role, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "invite", manage, func(c *domain.Commission) (domain.Event, error) {
		e, err := c.Invite(orgID, r)
		if err != nil {
			return nil, err
		}
		return e, s.knownOrganization(ctx, "organization_id", orgID)
	}))
}

// invitee: the invited company itself (or an administrator).
func invitee(orgID string) func(*auth.Principal, *domain.Commission) error {
	return func(p *auth.Principal, c *domain.Commission) error {
		if p.Has(auth.RoleAdmin) || p.ActsFor(orgID) {
			return nil
		}
		return denied(p, "answer organisation "+orgID+"'s invitation to commission "+c.ID)
	}
}

// AcceptInvitation joins the commission (the invited company).
func (s *Service) AcceptInvitation(ctx context.Context, id, orgID, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, 0, key, "accept-"+orgID, invitee(orgID), func(c *domain.Commission) (domain.Event, error) {
		return c.Accept(orgID, s.now())
	}))
}

// DeclineInvitation declines an invitation (the invited company).
func (s *Service) DeclineInvitation(ctx context.Context, id, orgID, reason, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, 0, key, "decline-"+orgID, invitee(orgID), func(c *domain.Commission) (domain.Event, error) {
		return c.Decline(orgID, reason)
	}))
}

// ChangeMemberRole gives a member another role.
func (s *Service) ChangeMemberRole(ctx context.Context, id, orgID string, r domain.Role, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "role", manage, func(c *domain.Commission) (domain.Event, error) { return c.ChangeRole(orgID, r) }))
}

// RemoveMember records that a member left.
func (s *Service) RemoveMember(ctx context.Context, id, orgID, leftDate string, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "remove", manage, func(c *domain.Commission) (domain.Event, error) {
		return c.RemoveMember(orgID, leftDate, s.now())
	}))
}

// ScheduleMeeting schedules a meeting and returns its id.
func (s *Service) ScheduleMeeting(ctx context.Context, id string, in domain.MeetingInput, expected uint64, key string) (domain.Commission, string, error) {
	c, e, err := s.update(ctx, id, expected, key, "schedule", manage, func(c *domain.Commission) (domain.Event, error) {
		return c.Schedule(uuid.NewString(), in)
	})
	if err != nil {
		return c, "", err
	}
	ms, ok := e.(domain.MeetingScheduled)
	if !ok {
		return c, "", fmt.Errorf("idempotency key %q was used for another command: %w", key, domainerr.ErrConflict)
	}
	return c, ms.Meeting.ID, nil
}

// CancelMeeting cancels a meeting.
func (s *Service) CancelMeeting(ctx context.Context, id, meetingID, reason string, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "cancel", manage, func(c *domain.Commission) (domain.Event, error) {
		return c.CancelMeeting(meetingID, reason, s.now())
	}))
}

// RecordAttendance records a meeting's attendance.
func (s *Service) RecordAttendance(ctx context.Context, id, meetingID string, att []domain.Attendance, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "attendance", manage, func(c *domain.Commission) (domain.Event, error) {
		return c.RecordAttendance(meetingID, att, s.now())
	}))
}

// RecordMinutes records a meeting's minutes.
func (s *Service) RecordMinutes(ctx context.Context, id, meetingID, minutes string, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "minutes", manage, func(c *domain.Commission) (domain.Event, error) {
		return c.RecordMinutes(meetingID, minutes, s.now())
	}))
}

// RecordDecision records a decision and returns its id.
func (s *Service) RecordDecision(ctx context.Context, id, meetingID, text, ownerID, dueDate string, expected uint64, key string) (domain.Commission, string, error) {
	c, e, err := s.update(ctx, id, expected, key, "decision", manage, func(c *domain.Commission) (domain.Event, error) {
		return c.RecordDecision(meetingID, uuid.NewString(), text, ownerID, dueDate, s.now())
	})
	if err != nil {
		return c, "", err
	}
	dr, ok := e.(domain.DecisionRecorded)
	if !ok {
		return c, "", fmt.Errorf("idempotency key %q was used for another command: %w", key, domainerr.ErrConflict)
	}
	return c, dr.Decision.ID, nil
}

// CompleteDecision marks a decision done: the commission's managers or the
// company owning the decision.
func (s *Service) CompleteDecision(ctx context.Context, id, decisionID string, expected uint64, key string) (domain.Commission, error) {
	authz := func(p *auth.Principal, c *domain.Commission) error {
		if canManage(p, c) {
			return nil
		}
		if d, _, _, ok := c.Decision(decisionID); ok && p.ActsFor(d.OwnerID) {
			return nil
		}
		return denied(p, "complete decision "+decisionID+" of commission "+c.ID)
	}
	return s.commissionOnly(s.update(ctx, id, expected, key, "complete", authz, func(c *domain.Commission) (domain.Event, error) {
		return c.CompleteDecision(decisionID)
	}))
}

// AddProject adds a project and returns its id.
func (s *Service) AddProject(ctx context.Context, id string, in domain.ProjectInput, expected uint64, key string) (domain.Commission, string, error) {
	c, e, err := s.update(ctx, id, expected, key, "project", manage, func(c *domain.Commission) (domain.Event, error) {
		e, err := c.AddProject(uuid.NewString(), in, s.codes)
		if err != nil {
			return nil, err
		}
		var v domainerr.Violations
		for i, org := range in.PartnerIDs {
			if _, err := s.store.GetOrganization(ctx, org); errors.Is(err, domainerr.ErrNotFound) {
				v.Add(fmt.Sprintf("partner_organization_ids[%d]", i), "no organisation %s is registered", org)
			} else if err != nil {
				return nil, err
			}
		}
		return e, v.Err()
	})
	if err != nil {
		return c, "", err
	}
	pa, ok := e.(domain.ProjectAdded)
	if !ok {
		return c, "", fmt.Errorf("idempotency key %q was used for another command: %w", key, domainerr.ErrConflict)
	}
	return c, pa.Project.ID, nil
}

// ChangeProjectStatus moves a project on.
func (s *Service) ChangeProjectStatus(ctx context.Context, id, projectID string, st domain.ProjectStatus, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "project-status", manage, func(c *domain.Commission) (domain.Event, error) {
		return c.ChangeProjectStatus(projectID, st)
	}))
}

// LinkTender links a tender known to the service's projection.
func (s *Service) LinkTender(ctx context.Context, id, tenderID, note string, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "link-tender", manage, func(c *domain.Commission) (domain.Event, error) {
		e, err := c.LinkTender(tenderID, note)
		if err != nil {
			return nil, err
		}
		if _, err := s.store.GetTender(ctx, tenderID); errors.Is(err, domainerr.ErrNotFound) {
			return nil, domainerr.Invalid("tender_id", "no tender %s is known", tenderID)
		} else if err != nil {
			return nil, err
		}
		return e, nil
	}))
}

// UnlinkTender removes a tender link.
func (s *Service) UnlinkTender(ctx context.Context, id, tenderID string, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "unlink-tender", manage, func(c *domain.Commission) (domain.Event, error) {
		return c.UnlinkTender(tenderID)
	}))
}

// LinkConsortium links a consortium known to the service's projection.
func (s *Service) LinkConsortium(ctx context.Context, id, consortiumID, note string, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "link-consortium", manage, func(c *domain.Commission) (domain.Event, error) {
		e, err := c.LinkConsortium(consortiumID, note)
		if err != nil {
			return nil, err
		}
		if _, err := s.store.GetBid(ctx, consortiumID); errors.Is(err, domainerr.ErrNotFound) {
			return nil, domainerr.Invalid("consortium_id", "no consortium %s is known", consortiumID)
		} else if err != nil {
			return nil, err
		}
		return e, nil
	}))
}

// UnlinkConsortium removes a consortium link.
func (s *Service) UnlinkConsortium(ctx context.Context, id, consortiumID string, expected uint64, key string) (domain.Commission, error) {
	return s.commissionOnly(s.update(ctx, id, expected, key, "unlink-consortium", manage, func(c *domain.Commission) (domain.Event, error) {
		return c.UnlinkConsortium(consortiumID)
	}))
}

// GetCommission reads a commission the caller may read.
func (s *Service) GetCommission(ctx context.Context, id string) (domain.Commission, error) {
	if _, err := requireAuth(ctx); err != nil {
		return domain.Commission{}, err
	}
	if err := checkCommissionID(id); err != nil {
		return domain.Commission{}, err
	}
	c, err := s.store.GetCommission(ctx, id)
	if err != nil {
		return c, err
	}
	if err := s.read(ctx, &c); err != nil {
		return domain.Commission{}, err
	}
	return c, nil
}

// ListQuery is a commission search.
type ListQuery struct {
	Filter    store.Filter
	ClusterID string // convened by or sat on by this cluster
}

// ListCommissions lists the commissions the caller may read. A page may come
// back shorter than asked (others' commissions are left out); its token still
// leads to the next.
func (s *Service) ListCommissions(ctx context.Context, q ListQuery) ([]domain.Commission, string, error) {
	if _, err := requireAuth(ctx); err != nil {
		return nil, "", err
	}
	f, err := s.filter(ctx, q)
	if err != nil {
		return nil, "", err
	}
	page, next, err := s.store.ListCommissions(ctx, f)
	if err != nil {
		return nil, "", err
	}
	reader := s.reader(ctx)
	visible := page[:0:0]
	for i := range page {
		if reader(&page[i]) {
			visible = append(visible, page[i])
		}
	}
	return visible, next, nil
}

func (s *Service) filter(ctx context.Context, q ListQuery) (store.Filter, error) {
	f := q.Filter
	var v domainerr.Violations
	if f.PageSize < 0 {
		v.Add("page_size", "must not be negative")
	}
	if f.Status < 0 || f.Status > domain.StatusClosed {
		v.Add("status", "unknown status %d", int(f.Status))
	}
	if len(f.Query) > 200 {
		v.Add("query", "at most 200 characters")
	}
	if f.MemberOrg != "" {
		domain.CheckID(&v, "organization_id", f.MemberOrg)
	}
	if q.ClusterID != "" {
		domain.CheckID(&v, "cluster_id", q.ClusterID)
	}
	if err := v.Err(); err != nil {
		return f, err
	}
	if q.ClusterID != "" {
		if _, err := s.store.GetCluster(ctx, q.ClusterID); errors.Is(err, domainerr.ErrNotFound) {
			return f, domainerr.Invalid("cluster_id", "no cluster %s exists", q.ClusterID)
		} else if err != nil {
			return f, err
		}
		orgs, err := s.store.ListOrganizations(ctx)
		if err != nil {
			return f, err
		}
		f.ConvenerIDs = []string{q.ClusterID}
		f.SittingAny = nil
		for _, o := range orgs {
			if o.ActiveInCluster(q.ClusterID) {
				f.SittingAny = append(f.SittingAny, o.ID)
			}
		}
	}
	return f, nil
}

// allVisible returns every commission matching q the caller may read.
func (s *Service) allVisible(ctx context.Context, q ListQuery) ([]domain.Commission, error) {
	var out []domain.Commission
	q.Filter.PageSize, q.Filter.PageToken = 500, ""
	for {
		page, next, err := s.ListCommissions(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		q.Filter.PageToken = next
	}
}

// AuditTrail returns a commission's events, if the caller may read it.
func (s *Service) AuditTrail(ctx context.Context, id string) ([]eventlog.Event, error) {
	if _, err := s.GetCommission(ctx, id); err != nil {
		return nil, err
	}
	return s.log.History(ctx, domain.CommissionSubject(id))
}

// Names resolves the names shown with commissions, from the projections.
func (s *Service) Names(ctx context.Context) (convert.Names, error) {
	n := convert.Names{Clusters: map[string]string{}, Organizations: map[string]domain.Organization{}, Tenders: map[string]string{}, Bids: map[string]domain.Bid{}}
	cls, err := s.store.ListClusters(ctx)
	if err != nil {
		return n, err
	}
	for _, c := range cls {
		n.Clusters[c.ID] = c.Name
	}
	orgs, err := s.store.ListOrganizations(ctx)
	if err != nil {
		return n, err
	}
	for _, o := range orgs {
		n.Organizations[o.ID] = o
	}
	ts, err := s.store.ListTenders(ctx)
	if err != nil {
		return n, err
	}
	for _, t := range ts {
		n.Tenders[t.ID] = t.Title
	}
	bs, err := s.store.ListBids(ctx)
	if err != nil {
		return n, err
	}
	for _, b := range bs {
		n.Bids[b.ID] = b
	}
	return n, nil
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }
