// Package app runs the tender service's use cases: tenders, consortia and their
// eligibility. Commands load the aggregate from the event log, let the domain
// decide, append one event with optimistic concurrency (re-deciding on a
// concurrent write) and return once the read model has it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	"github.com/consortia-dev/consortia/services/tender/convert"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// Projector is what the service needs of the running tender projection.
type Projector interface {
	WaitFor(ctx context.Context, seq uint64) error
}

// Memberships answers whether an organisation is an active member of any of
// the clusters (the member service over gRPC, with the local index as fallback).
type Memberships interface {
	ActiveIn(ctx context.Context, orgID string, clusters []string) (bool, error)
}

// EventLog is what the service needs of the event log (eventlog.Log, on
// JetStream; its contract suite is eventlogtest.Run).
type EventLog interface {
	Append(ctx context.Context, d eventlog.Draft) (eventlog.Appended, error)
	Get(ctx context.Context, seq uint64) (eventlog.Event, error)
	Load(ctx context.Context, subject string, apply func(eventlog.Event) error) (uint64, error)
	LoadInto(ctx context.Context, subject string, m eventlog.Mark, state any, apply func(eventlog.Event) error) (version, marked uint64, err error)
	History(ctx context.Context, subject string) ([]eventlog.Event, error)
}

// Service is the tender application service.
type Service struct {
	log     EventLog
	store   store.Store
	proj    Projector
	codes   domain.Codes
	members Memberships
	logger  *slog.Logger
	now     func() time.Time
}

// New returns a service.
func New(log EventLog, st store.Store, proj Projector, codes domain.Codes, members Memberships, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{log: log, store: st, proj: proj, codes: codes, members: members, logger: logger, now: time.Now}
}

// maxRetries bounds how often a command is decided again after a concurrent
// write; with retryPause between attempts, many writers on one aggregate all
// get through (loads are cheap, so they would otherwise collide in lockstep).
const maxRetries = 32

// retryPause waits a random moment, growing with the attempt (up to 32ms),
// before a command is decided again, so contending writers spread out.
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

// Store exposes the read model (for the demo seeder and tests).
func (s *Service) Store() store.Store { return s.store }

// append writes one event and waits until the read model has it.
func (s *Service) append(ctx context.Context, subject string, e domain.Event, expected int64, m eventlog.Mark) (eventlog.Appended, error) {
	res, err := s.write(ctx, subject, e, expected, m)
	if err != nil {
		return res, err
	}
	if err := s.proj.WaitFor(ctx, res.Sequence); err != nil {
		return res, fmt.Errorf("waiting for read model: %w", err)
	}
	return res, nil
}

// write appends one event without waiting for the read model.
func (s *Service) write(ctx context.Context, subject string, e domain.Event, expected int64, m eventlog.Mark) (eventlog.Appended, error) {
	msg, err := convert.Event(e)
	if err != nil {
		return eventlog.Appended{}, err
	}
	return s.log.Append(ctx, eventlog.Draft{Subject: subject, Event: msg, ExpectedVersion: expected, MsgID: m.MsgID, Fingerprint: m.Fingerprint, Actor: auth.FromContext(ctx).Actor()})
}

// load folds an aggregate's events and returns its version and the sequence of
// the event appended with m's message id (0 if none): a command retried with
// the same idempotency key returns the recorded result instead of deciding
// again (which could now fail, or conflict); the same key with a different
// request is eventlog.ErrIdempotencyKeyReused.
func load[T interface {
	Apply(domain.Event, time.Time, uint64) error
}](ctx context.Context, log EventLog, subject string, m eventlog.Mark, agg T) (version, marked uint64, err error) {
	// The log keeps the folded aggregate: only events appended since are applied.
	return log.LoadInto(ctx, subject, m, agg, func(ev eventlog.Event) error {
		de, err := convert.EventFrom(ev.Data)
		if err != nil {
			return err
		}
		return agg.Apply(de, ev.Time, ev.Sequence)
	})
}

func (s *Service) loadTender(ctx context.Context, id string) (domain.Tender, error) {
	t, _, err := s.loadTenderMarked(ctx, id, eventlog.Mark{})
	return t, err
}

func (s *Service) loadTenderMarked(ctx context.Context, id string, m eventlog.Mark) (domain.Tender, uint64, error) {
	if id == "" {
		return domain.Tender{}, 0, domainerr.Invalid("tender_id", "required")
	}
	var t domain.Tender
	v, marked, err := load(ctx, s.log, domain.TenderSubject(id), m, &t)
	if err == nil && v == 0 {
		err = fmt.Errorf("tender %q: %w", id, domainerr.ErrNotFound)
	}
	return t, marked, err
}

func (s *Service) loadConsortium(ctx context.Context, id string) (domain.Consortium, error) {
	c, _, err := s.loadConsortiumMarked(ctx, id, eventlog.Mark{})
	return c, err
}

func (s *Service) loadConsortiumMarked(ctx context.Context, id string, m eventlog.Mark) (domain.Consortium, uint64, error) {
	if id == "" {
		return domain.Consortium{}, 0, domainerr.Invalid("consortium_id", "required")
	}
	var c domain.Consortium
	v, marked, err := load(ctx, s.log, domain.ConsortiumSubject(id), m, &c)
	if err == nil && v == 0 {
		err = fmt.Errorf("consortium %q: %w", id, domainerr.ErrNotFound)
	}
	return c, marked, err
}

func requireAuth(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, domainerr.ErrUnauthenticated
	}
	return p, nil
}

// managesOwner: the manager of the cluster that owns the tender.
func managesOwner(p *auth.Principal, t *domain.Tender) bool {
	return p.Has(auth.RoleAdmin) || p.ManagesCluster(t.ClusterID)
}

// managesAny: a manager of the owning or a sharing cluster.
func managesAny(p *auth.Principal, t *domain.Tender) bool {
	if p.Has(auth.RoleAdmin) {
		return true
	}
	for _, c := range t.Clusters() {
		if p.ManagesCluster(c) {
			return true
		}
	}
	return false
}

func denied(p *auth.Principal, what string) error {
	return fmt.Errorf("%s may not %s: %w", p.Actor(), what, domainerr.ErrPermissionDenied)
}

// ---- tenders ----

// CreateTender creates a typed-in tender for a cluster the caller manages.
func (s *Service) CreateTender(ctx context.Context, clusterID string, d domain.Details, publish bool, sharedWith []string, demo bool, key string) (domain.Tender, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return domain.Tender{}, err
	}
	if clusterID == "" {
		return domain.Tender{}, domainerr.Invalid("cluster_id", "required")
	}
	if !p.Has(auth.RoleAdmin) && !p.ManagesCluster(clusterID) {
		return domain.Tender{}, denied(p, "create tenders for cluster "+clusterID)
	}
	d, err = domain.ValidateDetails(d, s.codes, s.now(), true)
	if err != nil {
		return domain.Tender{}, err
	}
	status := domain.StatusPlanned
	if publish {
		status = domain.StatusActive
	}
	id := uuid.NewString()
	res, err := s.append(ctx, domain.TenderSubject(id), domain.TenderCreated{TenderID: id, ClusterID: clusterID, Details: d, Status: status, Source: domain.Source{System: "manual"}, Demo: demo}, 0, request(ctx, key, "CreateTender", clusterID, d, publish, sharedWith, demo).Mark("TenderCreated"))
	if err != nil {
		return domain.Tender{}, err
	}
	if res.Duplicate {
		prev, err := s.log.Get(ctx, res.Sequence)
		if err != nil {
			return domain.Tender{}, err
		}
		id = strings.TrimPrefix(prev.Subject, domain.TenderSubjectPrefix)
	}
	if len(sharedWith) > 0 {
		return s.ShareTender(ctx, id, sharedWith, key)
	}
	return s.store.GetTender(ctx, id)
}

func (s *Service) updateTender(ctx context.Context, id string, key eventlog.Idempotency, authz func(*auth.Principal, *domain.Tender) bool, what string, decide func(*domain.Tender) (domain.Event, error)) (domain.Tender, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return domain.Tender{}, err
	}
	subject := domain.TenderSubject(id)
	mark := key.Mark("update", subject)
	for attempt := 0; ; attempt++ {
		t, done, err := s.loadTenderMarked(ctx, id, mark)
		if err != nil {
			return t, err
		}
		if !authz(p, &t) {
			return t, denied(p, what+" tender "+id)
		}
		if done != 0 {
			if err := s.proj.WaitFor(ctx, done); err != nil {
				return t, err
			}
			return s.store.GetTender(ctx, id)
		}
		e, err := decide(&t)
		if err != nil {
			return t, err
		}
		_, err = s.append(ctx, subject, e, int64(t.Version), mark)
		if errors.Is(err, domainerr.ErrConflict) && attempt < maxRetries {
			if err := retryPause(ctx, attempt); err != nil {
				return t, err
			}
			continue
		}
		if err != nil {
			return t, err
		}
		return s.store.GetTender(ctx, id)
	}
}

// PublishTender opens a planned tender.
func (s *Service) PublishTender(ctx context.Context, id, key string) (domain.Tender, error) {
	return s.updateTender(ctx, id, request(ctx, key, "PublishTender", id), managesOwner, "publish", func(t *domain.Tender) (domain.Event, error) { return t.Publish() })
}

// ShareTender sets the clusters the tender is shared with.
func (s *Service) ShareTender(ctx context.Context, id string, clusters []string, key string) (domain.Tender, error) {
	return s.updateTender(ctx, id, request(ctx, key, "ShareTender", id, clusters), managesOwner, "share", func(t *domain.Tender) (domain.Event, error) { return t.Share(clusters) })
}

// ChangeDeadline moves the deadline.
func (s *Service) ChangeDeadline(ctx context.Context, id string, deadline time.Time, reason, key string) (domain.Tender, error) {
	return s.updateTender(ctx, id, request(ctx, key, "ChangeDeadline", id, deadline, reason), managesOwner, "change the deadline of", func(t *domain.Tender) (domain.Event, error) {
		return t.ChangeDeadline(deadline, reason, s.now())
	})
}

// CancelTender records a cancellation.
func (s *Service) CancelTender(ctx context.Context, id, reason, key string) (domain.Tender, error) {
	return s.updateTender(ctx, id, request(ctx, key, "CancelTender", id, reason), managesOwner, "cancel", func(t *domain.Tender) (domain.Event, error) { return t.Cancel(reason) })
}

// CloseTenderUnsuccessful closes a tender without award.
func (s *Service) CloseTenderUnsuccessful(ctx context.Context, id, reason, key string) (domain.Tender, error) {
	return s.updateTender(ctx, id, request(ctx, key, "CloseTenderUnsuccessful", id, reason), managesOwner, "close", func(t *domain.Tender) (domain.Event, error) { return t.CloseUnsuccessful(reason) })
}

// AwardTender records the award, then marks the submitted consortia of the lot
// awarded or lost. Those follow-up events are separate appends: if the process
// stops in between, calling AwardTender again (same idempotency key) completes them.
func (s *Service) AwardTender(ctx context.Context, id string, a domain.Award, key string) (domain.Tender, error) {
	t, err := s.loadTender(ctx, id)
	if err != nil {
		return t, err
	}
	// A retry after a partial failure finds the award recorded: only the
	// consortium outcomes are left to do.
	recorded := slices.ContainsFunc(t.Details.Awards, func(x domain.Award) bool {
		return x.LotID == a.LotID && x.ConsortiumID == a.ConsortiumID && x.WinnerName == a.WinnerName
	})
	req := request(ctx, key, "AwardTender", id, a)
	if !recorded {
		if t, err = s.updateTender(ctx, id, req, managesOwner, "award", func(t *domain.Tender) (domain.Event, error) { return t.Award(a) }); err != nil {
			return t, err
		}
	} else if !managesOwner(auth.FromContext(ctx), &t) {
		return t, denied(auth.FromContext(ctx), "award tender "+id)
	}
	cs, err := s.store.ListConsortia(ctx, store.ConsortiumFilter{TenderID: id, LotID: a.LotID})
	if err != nil {
		return t, err
	}
	for _, c := range cs {
		if c.Status != domain.BidSubmitted || c.LotID != a.LotID {
			continue
		}
		won := a.ConsortiumID == c.ID
		if _, err := s.updateConsortium(ctx, c.ID, req, func(_ *auth.Principal, c *domain.Consortium, _ *domain.Tender) (domain.Event, error) {
			return c.Outcome(won)
		}); err != nil {
			return t, fmt.Errorf("record outcome of consortium %s: %w", c.ID, err)
		}
	}
	return s.store.GetTender(ctx, id)
}

// GetTender reads a tender.
func (s *Service) GetTender(ctx context.Context, id string) (domain.Tender, error) {
	if _, err := requireAuth(ctx); err != nil {
		return domain.Tender{}, err
	}
	if id == "" {
		return domain.Tender{}, domainerr.Invalid("tender_id", "required")
	}
	return s.store.GetTender(ctx, id)
}

// ListTenders lists tenders (public information: any signed-in user).
func (s *Service) ListTenders(ctx context.Context, f store.TenderFilter) ([]domain.Tender, string, error) {
	if _, err := requireAuth(ctx); err != nil {
		return nil, "", err
	}
	var v domainerr.Violations
	for _, r := range f.CPVPrefix {
		if r < '0' || r > '9' {
			v.Add("cpv_prefix", "digits only, got %q", f.CPVPrefix)
			break
		}
	}
	if f.PageSize < 0 {
		v.Add("page_size", "must not be negative")
	}
	if f.Status < 0 || f.Status > domain.StatusEvaluation {
		v.Add("status", "unknown status %d", f.Status)
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	return s.store.ListTenders(ctx, f)
}

// ---- consortia ----

// teamFor returns the eligibility team of a consortium, with "active" judged
// against the tender's clusters.
func (s *Service) teamFor(ctx context.Context, c *domain.Consortium, t *domain.Tender) eligibility.Team {
	return c.Team(func(id string) eligibility.Company {
		co, err := s.store.GetCompany(ctx, id)
		if err != nil {
			return eligibility.Company{ID: id}
		}
		return co.Eligibility(t.Clusters())
	})
}

// Report is the current eligibility of a consortium's joined members, with shares.
func (s *Service) Report(ctx context.Context, c *domain.Consortium) (eligibility.Report, error) {
	t, err := s.store.GetTender(ctx, c.TenderID)
	if err != nil {
		return eligibility.Report{}, err
	}
	req, err := s.requirements(&t, c.LotID)
	if err != nil {
		return eligibility.Report{}, err
	}
	return eligibility.Check(req, s.teamFor(ctx, c, &t), eligibility.Options{RequireShares: true}), nil
}

// Name returns an organisation's legal name from the index ("" if unknown).
func (s *Service) Name(ctx context.Context, id string) string {
	c, err := s.store.GetCompany(ctx, id)
	if err != nil {
		return ""
	}
	return c.LegalName
}

// checkEligibleMember: an active member of a cluster the tender is shared with,
// and not joined to another live consortium for the same lot.
func (s *Service) checkEligibleMember(ctx context.Context, t *domain.Tender, lotID, orgID, exceptConsortium string) error {
	ok, err := s.members.ActiveIn(ctx, orgID, t.Clusters())
	if err != nil {
		return err
	}
	if !ok {
		return domainerr.Precondition("active_membership", "organization/"+orgID,
			"organisation %s is not an active member of a cluster tender %s is shared with (%s)", orgID, t.ID, strings.Join(t.Clusters(), ", "))
	}
	cs, err := s.store.ListConsortia(ctx, store.ConsortiumFilter{TenderID: t.ID, LotID: lotID, OrganizationID: orgID, LiveOnly: true})
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.ID == exceptConsortium || c.LotID != lotID {
			continue
		}
		if m, _, ok := c.Member(orgID); ok && m.Status == domain.MemberJoined {
			return domainerr.Precondition("one_consortium_per_lot", "organization/"+orgID,
				"organisation %s is already in consortium %s for this lot; an organisation may be in at most one consortium per lot", orgID, c.ID)
		}
	}
	return nil
}

// CreateConsortium forms a consortium and invites its members in one step. A
// cluster manager invites everyone; a company forming its own bid is the lead
// and joins at once.
func (s *Service) CreateConsortium(ctx context.Context, tenderID, lotID, name string, members []domain.Draft, demo bool, key string) (domain.Consortium, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return domain.Consortium{}, err
	}
	t, err := s.loadTender(ctx, tenderID)
	if err != nil {
		return domain.Consortium{}, err
	}
	leadJoins := false
	if !managesAny(p, &t) {
		lead := ""
		for _, m := range members {
			if m.Lead {
				lead = m.OrganizationID
			}
		}
		if lead == "" || !p.ActsFor(lead) {
			return domain.Consortium{}, denied(p, "form a consortium for tender "+tenderID+" (a cluster manager of its clusters, or the lead company itself)")
		}
		leadJoins = true
	}
	id := uuid.NewString()
	e, err := domain.Form(id, &t, lotID, name, members, leadJoins, demo)
	if err != nil {
		return domain.Consortium{}, err
	}
	for _, m := range members {
		if err := s.checkEligibleMember(ctx, &t, lotID, m.OrganizationID, ""); err != nil {
			return domain.Consortium{}, err
		}
	}
	if leadJoins {
		// The lead joins at once, so it takes its seat for the lot first, as
		// accepting an invitation does: of simultaneous formations (or a
		// formation and an acceptance) for one lot, exactly one gets it.
		if err := s.takeSeat(ctx, t.ID, lotID, e.LeadID, id); err != nil {
			return domain.Consortium{}, err
		}
	}
	res, err := s.append(ctx, domain.ConsortiumSubject(id), e, 0, request(ctx, key, "CreateConsortium", tenderID, lotID, name, members, demo).Mark("ConsortiumFormed"))
	if err != nil {
		return domain.Consortium{}, err
	}
	if res.Duplicate {
		prev, err := s.log.Get(ctx, res.Sequence)
		if err != nil {
			return domain.Consortium{}, err
		}
		id = strings.TrimPrefix(prev.Subject, domain.ConsortiumSubjectPrefix)
	}
	return s.store.GetConsortium(ctx, id)
}

// updateConsortium loads the consortium and its tender, lets decide authorise
// and decide, appends, and re-decides on concurrent writes (no lost update).
func (s *Service) updateConsortium(ctx context.Context, id string, key eventlog.Idempotency, decide func(*auth.Principal, *domain.Consortium, *domain.Tender) (domain.Event, error)) (domain.Consortium, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return domain.Consortium{}, err
	}
	subject := domain.ConsortiumSubject(id)
	mark := key.Mark("update", subject)
	for attempt := 0; ; attempt++ {
		c, done, err := s.loadConsortiumMarked(ctx, id, mark)
		if err != nil {
			return c, err
		}
		t, err := s.store.GetTender(ctx, c.TenderID)
		if err != nil {
			return c, err
		}
		if done != 0 {
			// Retried: answer as the first time (the caller was authorised then;
			// canSee still guards what it reads).
			if err := s.proj.WaitFor(ctx, done); err != nil {
				return c, err
			}
			if !canSee(p, &c, &t) {
				return c, denied(p, "see consortium "+id)
			}
			return s.store.GetConsortium(ctx, id)
		}
		e, err := decide(p, &c, &t)
		if err != nil {
			return c, err
		}
		_, err = s.append(ctx, subject, e, int64(c.Version), mark)
		if errors.Is(err, domainerr.ErrConflict) && attempt < maxRetries {
			if err := retryPause(ctx, attempt); err != nil {
				return c, err
			}
			continue
		}
		if err != nil {
			return c, err
		}
		return s.store.GetConsortium(ctx, id)
	}
}

func leads(p *auth.Principal, c *domain.Consortium, t *domain.Tender) bool {
	return managesAny(p, t) || p.ActsFor(c.Lead())
}

// InviteMember invites another organisation (lead company or cluster manager).
func (s *Service) InviteMember(ctx context.Context, id, orgID, key string) (domain.Consortium, error) {
	return s.updateConsortium(ctx, id, request(ctx, key, "InviteMember", id, orgID), func(p *auth.Principal, c *domain.Consortium, t *domain.Tender) (domain.Event, error) {
		if !leads(p, c, t) {
			return nil, denied(p, "invite to consortium "+c.ID)
		}
		req, err := s.requirements(t, c.LotID)
		if err != nil {
			return nil, err
		}
		e, err := c.Invite(orgID, req.MaxMembers)
		if err != nil {
			return nil, err
		}
		return e, s.checkEligibleMember(ctx, t, c.LotID, orgID, c.ID)
	})
}

// AcceptInvitation joins the invited company.
func (s *Service) AcceptInvitation(ctx context.Context, id, orgID, key string) (domain.Consortium, error) {
	return s.updateConsortium(ctx, id, request(ctx, key, "AcceptInvitation", id, orgID), func(p *auth.Principal, c *domain.Consortium, t *domain.Tender) (domain.Event, error) {
		if !p.ActsFor(orgID) && !p.Has(auth.RoleAdmin) {
			return nil, denied(p, "accept for organisation "+orgID)
		}
		e, err := c.Accept(orgID)
		if err != nil {
			return nil, err
		}
		if err := s.checkEligibleMember(ctx, t, c.LotID, orgID, c.ID); err != nil {
			return nil, err
		}
		// The read-model check above gives the usual answer; the seat makes
		// simultaneous joins into two consortia of one lot exclusive.
		return e, s.takeSeat(ctx, t.ID, c.LotID, orgID, c.ID)
	})
}

// DeclineInvitation declines for the invited company.
func (s *Service) DeclineInvitation(ctx context.Context, id, orgID, reason, key string) (domain.Consortium, error) {
	return s.updateConsortium(ctx, id, request(ctx, key, "DeclineInvitation", id, orgID, reason), func(p *auth.Principal, c *domain.Consortium, _ *domain.Tender) (domain.Event, error) {
		if !p.ActsFor(orgID) && !p.Has(auth.RoleAdmin) {
			return nil, denied(p, "decline for organisation "+orgID)
		}
		return c.Decline(orgID, reason)
	})
}

// WithdrawMember lets a member leave (itself or a cluster manager).
func (s *Service) WithdrawMember(ctx context.Context, id, orgID, reason, key string) (domain.Consortium, error) {
	return s.updateConsortium(ctx, id, request(ctx, key, "WithdrawMember", id, orgID, reason), func(p *auth.Principal, c *domain.Consortium, t *domain.Tender) (domain.Event, error) {
		// A member leaves itself or is removed by a manager; the lead may also
		// withdraw an invitation it sent that is not answered yet.
		m, _, _ := c.Member(orgID)
		if !p.ActsFor(orgID) && !managesAny(p, t) && !(m.Status == domain.MemberInvited && leads(p, c, t)) {
			return nil, denied(p, "withdraw organisation "+orgID)
		}
		return c.Withdraw(orgID, reason)
	})
}

// SetShare sets a member's share (the member itself, the lead or a manager).
func (s *Service) SetShare(ctx context.Context, id, orgID string, bp int, key string) (domain.Consortium, error) {
	return s.updateConsortium(ctx, id, request(ctx, key, "SetShare", id, orgID, bp), func(p *auth.Principal, c *domain.Consortium, t *domain.Tender) (domain.Event, error) {
		if !p.ActsFor(orgID) && !leads(p, c, t) {
			return nil, denied(p, "set the share of organisation "+orgID)
		}
		return c.SetShare(orgID, bp)
	})
}

// AssignRoles records what a member covers.
func (s *Service) AssignRoles(ctx context.Context, id, orgID string, covers, certifies []string, key string) (domain.Consortium, error) {
	return s.updateConsortium(ctx, id, request(ctx, key, "AssignRoles", id, orgID, covers, certifies), func(p *auth.Principal, c *domain.Consortium, t *domain.Tender) (domain.Event, error) {
		if !p.ActsFor(orgID) && !leads(p, c, t) {
			return nil, denied(p, "assign roles of organisation "+orgID)
		}
		return c.AssignRoles(orgID, covers, certifies)
	})
}

// ChangeLead names a new lead.
func (s *Service) ChangeLead(ctx context.Context, id, orgID, key string) (domain.Consortium, error) {
	return s.updateConsortium(ctx, id, request(ctx, key, "ChangeLead", id, orgID), func(p *auth.Principal, c *domain.Consortium, t *domain.Tender) (domain.Event, error) {
		if !leads(p, c, t) {
			return nil, denied(p, "change the lead of consortium "+c.ID)
		}
		return c.ChangeLead(orgID)
	})
}

// SubmitConsortium records the submission when every rule holds.
func (s *Service) SubmitConsortium(ctx context.Context, id, key string) (domain.Consortium, error) {
	return s.updateConsortium(ctx, id, request(ctx, key, "SubmitConsortium", id), func(p *auth.Principal, c *domain.Consortium, t *domain.Tender) (domain.Event, error) {
		if !leads(p, c, t) {
			return nil, denied(p, "submit consortium "+c.ID)
		}
		req, err := s.requirements(t, c.LotID)
		if err != nil {
			return nil, err
		}
		return c.Submit(t, eligibility.Check(req, s.teamFor(ctx, c, t), eligibility.Options{RequireShares: true}))
	})
}

// DissolveConsortium ends a consortium before submission.
func (s *Service) DissolveConsortium(ctx context.Context, id, reason, key string) (domain.Consortium, error) {
	return s.updateConsortium(ctx, id, request(ctx, key, "DissolveConsortium", id, reason), func(p *auth.Principal, c *domain.Consortium, t *domain.Tender) (domain.Event, error) {
		if !leads(p, c, t) {
			return nil, denied(p, "dissolve consortium "+c.ID)
		}
		return c.Dissolve(reason)
	})
}

// canSee: agency and admins see every consortium; managers those of their
// clusters' tenders; companies those they are invited to or in.
func canSee(p *auth.Principal, c *domain.Consortium, t *domain.Tender) bool {
	if p.Has(auth.RoleAgency) || managesAny(p, t) {
		return true
	}
	_, _, ok := c.Member(p.Organization)
	return ok && p.Has(auth.RoleCompany)
}

// GetConsortium reads a consortium.
func (s *Service) GetConsortium(ctx context.Context, id string) (domain.Consortium, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return domain.Consortium{}, err
	}
	if id == "" {
		return domain.Consortium{}, domainerr.Invalid("consortium_id", "required")
	}
	c, err := s.store.GetConsortium(ctx, id)
	if err != nil {
		return c, err
	}
	t, err := s.store.GetTender(ctx, c.TenderID)
	if err != nil {
		return c, err
	}
	if !canSee(p, &c, &t) {
		return domain.Consortium{}, denied(p, "see consortium "+id)
	}
	return c, nil
}

// ListConsortia lists the consortia the caller may see.
func (s *Service) ListConsortia(ctx context.Context, tenderID, orgID string) ([]domain.Consortium, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.ListConsortia(ctx, store.ConsortiumFilter{TenderID: tenderID, OrganizationID: orgID})
	if err != nil {
		return nil, err
	}
	out := cs[:0]
	for _, c := range cs {
		t, err := s.store.GetTender(ctx, c.TenderID)
		if err == nil && canSee(p, &c, &t) {
			out = append(out, c)
		}
	}
	return out, nil
}

// CheckEligibility checks a draft team without storing anything. The report
// shows each member's turnover, references and certifications, so it takes
// only organisations the caller may see (mayRead); at most
// domain.MaxTeamMembers, each once.
func (s *Service) CheckEligibility(ctx context.Context, tenderID, lotID string, members []domain.Draft, requireShares bool) (eligibility.Report, error) {
	p, err := requireAuth(ctx)
	if err != nil {
		return eligibility.Report{}, err
	}
	switch {
	case len(members) == 0:
		return eligibility.Report{}, domainerr.Invalid("members", "at least one member is required")
	case len(members) > domain.MaxTeamMembers:
		return eligibility.Report{}, domainerr.Invalid("members", "at most %d members, got %d", domain.MaxTeamMembers, len(members))
	}
	var v domainerr.Violations
	first := map[string]int{}
	for i, m := range members {
		if j, ok := first[m.OrganizationID]; ok {
			v.Add(fmt.Sprintf("members[%d].organization_id", i), "organisation %s is members[%d] already: list each member once", m.OrganizationID, j)
			continue
		}
		first[m.OrganizationID] = i
		if m.ShareBP < 0 || m.ShareBP > 10000 {
			v.Add(fmt.Sprintf("members[%d].share_bp", i), "must be between 0 and 10000 (hundredths of a percent), got %d", m.ShareBP)
		}
	}
	if err := v.Err(); err != nil {
		return eligibility.Report{}, err
	}
	t, err := s.GetTender(ctx, tenderID)
	if err != nil {
		return eligibility.Report{}, err
	}
	req, err := s.requirements(&t, lotID)
	if err != nil {
		return eligibility.Report{}, err
	}
	var hidden, fields []string
	for i, m := range members {
		ok, err := s.mayRead(ctx, p, m.OrganizationID)
		if err != nil {
			return eligibility.Report{}, err
		}
		if !ok {
			hidden = append(hidden, m.OrganizationID)
			fields = append(fields, fmt.Sprintf("members[%d].organization_id", i))
		}
	}
	if len(hidden) > 0 {
		return eligibility.Report{}, fmt.Errorf("%s may not see organisation %s (%s): an eligibility check shows each member's solvency evidence, "+
			"so it takes only organisations you may see (yourself, fellow active members of your clusters, the members of consortia you are in or manage): %w",
			p.Actor(), strings.Join(hidden, ", "), strings.Join(fields, ", "), domainerr.ErrPermissionDenied)
	}
	var team eligibility.Team
	for i, m := range members {
		co, err := s.store.GetCompany(ctx, m.OrganizationID)
		if err != nil {
			v.Add(fmt.Sprintf("members[%d].organization_id", i), "unknown organisation %q", m.OrganizationID)
			continue
		}
		team.Members = append(team.Members, eligibility.Member{Company: co.Eligibility(t.Clusters()), ShareBP: m.ShareBP, Lead: m.Lead, Covers: m.Covers, Certifies: m.Certifies})
	}
	if err := v.Err(); err != nil {
		return eligibility.Report{}, err
	}
	return eligibility.Check(req, team, eligibility.Options{RequireShares: requireShares}), nil
}

// AuditTrail returns the events of a tender or consortium the caller may see.
func (s *Service) AuditTrail(ctx context.Context, aggregate, id string) ([]eventlog.Event, error) {
	if _, err := requireAuth(ctx); err != nil {
		return nil, err
	}
	var subject string
	switch aggregate {
	case "tender":
		if _, err := s.GetTender(ctx, id); err != nil {
			return nil, err
		}
		subject = domain.TenderSubject(id)
	case "consortium":
		if _, err := s.GetConsortium(ctx, id); err != nil {
			return nil, err
		}
		subject = domain.ConsortiumSubject(id)
	default:
		return nil, domainerr.Invalid("aggregate", "want \"tender\" or \"consortium\", got %q", aggregate)
	}
	return s.log.History(ctx, subject)
}
