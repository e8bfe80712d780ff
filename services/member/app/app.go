// Package app runs the member service's use cases: it loads aggregates from the
// event log, lets the domain decide, appends the one resulting event with
// optimistic concurrency, and answers queries from the read model once the
// projection has caught up with the write (read-your-writes).
package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/member/convert"
	"github.com/consortia-dev/consortia/services/member/domain"
	"github.com/consortia-dev/consortia/services/member/store"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
)

// Projector is what the service needs of the running projection.
type Projector interface {
	WaitFor(ctx context.Context, seq uint64) error
}

// EventLog is what the service needs of the event log (eventlog.Log, on
// JetStream; its contract suite is eventlogtest.Run).
type EventLog interface {
	Append(ctx context.Context, d eventlog.Draft) (eventlog.Appended, error)
	Get(ctx context.Context, seq uint64) (eventlog.Event, error)
	LoadInto(ctx context.Context, subject string, m eventlog.Mark, state any, apply func(eventlog.Event) error) (version, marked uint64, err error)
}

// Service is the member application service.
type Service struct {
	log   EventLog
	store store.Store
	proj  Projector
	codes domain.Codes
	now   func() time.Time
}

// New returns a service. proj is the runner feeding store from log.
func New(log EventLog, st store.Store, proj Projector, codes domain.Codes) *Service {
	return &Service{log: log, store: st, proj: proj, codes: codes, now: time.Now}
}

// maxRetries bounds re-deciding a command after a concurrent write, when the
// caller did not pin an expected version. Every conflict means another write
// went through, so up to maxRetries+1 concurrent writers of one aggregate all
// succeed.
const maxRetries = 32

// retryPause waits a random moment, growing with the attempt (up to 32ms), before
// a command is decided again, so contending writers spread out instead of
// colliding again.
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

// Projection returns the read-model handler to run on the member stream.
func Projection(st store.Store) eventlog.Handler { return projection{st} }

type projection struct{ st store.Store }

func (p projection) Checkpoint(ctx context.Context) (uint64, error) { return p.st.Checkpoint(ctx) }

// CaughtUp lets a store that defers work while it is rebuilt (the memory
// store's indexes) finish it before the service is ready.
func (p projection) CaughtUp(ctx context.Context) error {
	if c, ok := p.st.(eventlog.CatchUpper); ok {
		return c.CaughtUp(ctx)
	}
	return nil
}

func (p projection) Apply(ctx context.Context, ev eventlog.Event) error {
	cp, err := p.st.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if ev.Sequence <= cp {
		return nil
	}
	de, err := convert.EventFrom(ev.Data)
	if err != nil {
		return eventlog.Permanent(err)
	}
	switch {
	case strings.HasPrefix(ev.Subject, domain.ClusterSubjectPrefix):
		var c domain.Cluster
		if old, err := p.st.GetCluster(ctx, strings.TrimPrefix(ev.Subject, domain.ClusterSubjectPrefix)); err == nil {
			c = old
		}
		if err := c.Apply(de, ev.Time, ev.Sequence); err != nil {
			return eventlog.Permanent(err)
		}
		return p.st.PutCluster(ctx, c, ev.Sequence)
	case strings.HasPrefix(ev.Subject, domain.OrganizationSubjectPrefix):
		var o domain.Organization
		// A registration starts the organisation: nothing to read first.
		if _, starts := de.(domain.OrganizationRegistered); !starts {
			if old, err := p.st.GetOrganization(ctx, strings.TrimPrefix(ev.Subject, domain.OrganizationSubjectPrefix)); err == nil {
				o = old
			} else if !errors.Is(err, domainerr.ErrNotFound) {
				return err
			}
		}
		if err := o.Apply(de, ev.Time, ev.Sequence); err != nil {
			return eventlog.Permanent(err)
		}
		return p.st.PutOrganization(ctx, o, ev.Sequence)
	}
	return eventlog.Permanent(fmt.Errorf("unexpected subject %s", ev.Subject))
}

// append writes one event and waits until the read model has it.
func (s *Service) append(ctx context.Context, subject string, e domain.Event, expected int64, m eventlog.Mark) (eventlog.Appended, error) {
	msg, err := convert.Event(e)
	if err != nil {
		return eventlog.Appended{}, err
	}
	res, err := s.log.Append(ctx, eventlog.Draft{
		Subject: subject, Event: msg, ExpectedVersion: expected, MsgID: m.MsgID, Fingerprint: m.Fingerprint,
		Actor: auth.FromContext(ctx).Actor(),
	})
	if err != nil {
		return res, err
	}
	if err := s.proj.WaitFor(ctx, res.Sequence); err != nil {
		return res, fmt.Errorf("waiting for read model: %w", err)
	}
	return res, nil
}

func (s *Service) loadOrganization(ctx context.Context, id string) (domain.Organization, error) {
	o, _, err := s.loadOrganizationSeeing(ctx, id, eventlog.Mark{})
	return o, err
}

// loadOrganizationSeeing also returns the sequence of the event appended with
// m's message id, if any: the command being retried was done already (a
// different request with the same key is ErrIdempotencyKeyReused).
func (s *Service) loadOrganizationSeeing(ctx context.Context, id string, m eventlog.Mark) (domain.Organization, uint64, error) {
	var o domain.Organization
	// The log keeps the folded organisation: only events appended since are applied.
	version, done, err := s.log.LoadInto(ctx, domain.OrganizationSubject(id), m, &o, func(ev eventlog.Event) error {
		de, err := convert.EventFrom(ev.Data)
		if err != nil {
			return err
		}
		return o.Apply(de, ev.Time, ev.Sequence)
	})
	if err != nil {
		return o, 0, err
	}
	if version == 0 {
		return o, 0, fmt.Errorf("organization %q: %w", id, domainerr.ErrNotFound)
	}
	return o, done, nil
}

// updateOrganization runs decide on the current organisation and appends its
// event. With expectedVersion 0 a conflicting concurrent write makes it reload
// and decide again; with a pinned version the conflict goes back to the caller.
func (s *Service) updateOrganization(ctx context.Context, id string, expectedVersion uint64, idemKey eventlog.Idempotency,
	authorize func(*auth.Principal, *domain.Organization) error,
	decide func(*domain.Organization) (domain.Event, error),
) (domain.Organization, error) {
	if id == "" {
		return domain.Organization{}, domainerr.Invalid("organization_id", "required")
	}
	subject := domain.OrganizationSubject(id)
	// Scoped to the aggregate, not the command, so a retry is recognised before
	// deciding again (which could fail: the certification is gone already).
	mark := idemKey.Mark("update", subject)
	for attempt := 0; ; attempt++ {
		o, done, err := s.loadOrganizationSeeing(ctx, id, mark)
		if err != nil {
			return o, err
		}
		if err := authorize(auth.FromContext(ctx), &o); err != nil {
			return o, err
		}
		if done != 0 {
			if err := s.proj.WaitFor(ctx, done); err != nil {
				return o, err
			}
			return s.store.GetOrganization(ctx, id)
		}
		if expectedVersion != 0 && o.Version != expectedVersion {
			return o, fmt.Errorf("organization %s is at version %d, not %d: %w", id, o.Version, expectedVersion, domainerr.ErrConflict)
		}
		e, err := decide(&o)
		if err != nil {
			return o, err
		}
		_, err = s.append(ctx, subject, e, int64(o.Version), mark)
		if errors.Is(err, domainerr.ErrConflict) && expectedVersion == 0 && attempt < maxRetries {
			if err := retryPause(ctx, attempt); err != nil {
				return o, err
			}
			continue
		}
		if err != nil {
			return o, err
		}
		return s.store.GetOrganization(ctx, id)
	}
}

// CreateCluster creates a cluster (agency staff and administrators).
func (s *Service) CreateCluster(ctx context.Context, name, region, description string, demo bool, idemKey string) (domain.Cluster, error) {
	p := auth.FromContext(ctx)
	if !p.Has(auth.RoleAgency) && !p.Has(auth.RoleAdmin) {
		return domain.Cluster{}, fmt.Errorf("only agency staff or administrators create clusters: %w", domainerr.ErrPermissionDenied)
	}
	e, err := domain.CreateCluster(name, region, description, demo, s.codes)
	if err != nil {
		return domain.Cluster{}, err
	}
	res, err := s.append(ctx, domain.ClusterSubject(e.ClusterID), e, 0, request(ctx, idemKey, "CreateCluster", "", name, region, description, demo).Mark("ClusterCreated"))
	if errors.Is(err, domainerr.ErrConflict) {
		// A retry with the same idempotency key comes back as a duplicate instead.
		return domain.Cluster{}, fmt.Errorf("a cluster named %q exists already (id %s): %w", e.Name, e.ClusterID, domainerr.ErrAlreadyExists)
	}
	if err != nil {
		return domain.Cluster{}, err
	}
	id := e.ClusterID
	if res.Duplicate {
		prev, err := s.log.Get(ctx, res.Sequence)
		if err != nil {
			return domain.Cluster{}, err
		}
		id = strings.TrimPrefix(prev.Subject, domain.ClusterSubjectPrefix)
	}
	return s.store.GetCluster(ctx, id)
}

// RegisterOrganization registers an organisation. A company user may register
// only its own organisation (or one while it has none yet).
func (s *Service) RegisterOrganization(ctx context.Context, r domain.Registration, idemKey string) (domain.Organization, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return domain.Organization{}, domainerr.ErrUnauthenticated
	}
	e, err := domain.Register(r, s.codes, s.now())
	if err != nil {
		return domain.Organization{}, err
	}
	privileged := p.Has(auth.RoleAdmin) || p.Has(auth.RoleAgency) || p.Has(auth.RoleClusterManager)
	if !privileged && !(p.Has(auth.RoleCompany) && (p.Organization == "" || p.Organization == e.OrganizationID)) {
		return domain.Organization{}, fmt.Errorf("a company user registers only its own organisation: %w", domainerr.ErrPermissionDenied)
	}
	res, err := s.append(ctx, domain.OrganizationSubject(e.OrganizationID), e, 0, request(ctx, idemKey, "RegisterOrganization", "", r).Mark("OrganizationRegistered"))
	if errors.Is(err, domainerr.ErrConflict) {
		// A retry with the same idempotency key comes back as a duplicate instead.
		return domain.Organization{}, fmt.Errorf("an organisation with tax id %s is already registered (id %s): %w", e.TaxID, e.OrganizationID, domainerr.ErrAlreadyExists)
	}
	if err != nil {
		return domain.Organization{}, err
	}
	id := e.OrganizationID
	if res.Duplicate {
		prev, err := s.log.Get(ctx, res.Sequence)
		if err != nil {
			return domain.Organization{}, err
		}
		id = strings.TrimPrefix(prev.Subject, domain.OrganizationSubjectPrefix)
	}
	return s.store.GetOrganization(ctx, id)
}

// canEdit: the company itself, a manager of a cluster the organisation is an
// active member of, or an administrator. A requested or suspended membership
// gives the manager no say over the organisation's data.
func canEdit(p *auth.Principal, o *domain.Organization) error {
	if p.Has(auth.RoleAdmin) || p.ActsFor(o.ID) {
		return nil
	}
	for _, m := range o.Memberships {
		if m.Status == domain.MembershipActive && p.ManagesCluster(m.ClusterID) {
			return nil
		}
	}
	return fmt.Errorf("%s may not change organisation %s (only the organisation itself, the manager of a cluster it is an active member of, or an administrator): %w",
		p.Actor(), o.ID, domainerr.ErrPermissionDenied)
}

// UpdateProfile replaces the profile.
func (s *Service) UpdateProfile(ctx context.Context, id string, p domain.Profile, expected uint64, key string) (domain.Organization, error) {
	return s.updateOrganization(ctx, id, expected, request(ctx, key, "UpdateProfile", id, p, expected), canEdit, func(o *domain.Organization) (domain.Event, error) {
		return o.UpdateProfile(p, s.codes)
	})
}

// AddCertification adds a certification.
func (s *Service) AddCertification(ctx context.Context, id string, c domain.CertificationInput, expected uint64, key string) (domain.Organization, error) {
	return s.updateOrganization(ctx, id, expected, request(ctx, key, "AddCertification", id, c, expected), canEdit, func(o *domain.Organization) (domain.Event, error) {
		return o.AddCertification(c)
	})
}

// ReplaceCertification replaces a certification in one event.
func (s *Service) ReplaceCertification(ctx context.Context, id, certID string, c domain.CertificationInput, expected uint64, key string) (domain.Organization, error) {
	return s.updateOrganization(ctx, id, expected, request(ctx, key, "ReplaceCertification", id, certID, c, expected), canEdit, func(o *domain.Organization) (domain.Event, error) {
		return o.ReplaceCertification(certID, c)
	})
}

// RemoveCertification removes a certification.
func (s *Service) RemoveCertification(ctx context.Context, id, certID string, expected uint64, key string) (domain.Organization, error) {
	return s.updateOrganization(ctx, id, expected, request(ctx, key, "RemoveCertification", id, certID, expected), canEdit, func(o *domain.Organization) (domain.Event, error) {
		return o.RemoveCertification(certID)
	})
}

// ReportTurnover sets one year's turnover.
func (s *Service) ReportTurnover(ctx context.Context, id string, t domain.Turnover, expected uint64, key string) (domain.Organization, error) {
	return s.updateOrganization(ctx, id, expected, request(ctx, key, "ReportTurnover", id, t, expected), canEdit, func(o *domain.Organization) (domain.Event, error) {
		return o.ReportTurnover(t, s.now())
	})
}

// AddReference adds a past contract.
func (s *Service) AddReference(ctx context.Context, id string, r domain.Reference, expected uint64, key string) (domain.Organization, error) {
	return s.updateOrganization(ctx, id, expected, request(ctx, key, "AddReference", id, r, expected), canEdit, func(o *domain.Organization) (domain.Event, error) {
		return o.AddReference(r, s.codes, s.now())
	})
}

// RemoveReference removes a past contract.
func (s *Service) RemoveReference(ctx context.Context, id, refID string, expected uint64, key string) (domain.Organization, error) {
	return s.updateOrganization(ctx, id, expected, request(ctx, key, "RemoveReference", id, refID, expected), canEdit, func(o *domain.Organization) (domain.Event, error) {
		return o.RemoveReference(refID)
	})
}

func (s *Service) requireCluster(ctx context.Context, clusterID string) error {
	if clusterID == "" {
		return domainerr.Invalid("cluster_id", "required")
	}
	_, err := s.store.GetCluster(ctx, clusterID)
	return err
}

// RequestMembership asks to join a cluster. Only the organisation itself (or
// an administrator) asks: a cluster manager cannot enrol another cluster's
// organisation, and so gains no access to it, without its consent.
func (s *Service) RequestMembership(ctx context.Context, id, clusterID, key string) (domain.Organization, error) {
	if err := s.requireCluster(ctx, clusterID); err != nil {
		return domain.Organization{}, err
	}
	authz := func(p *auth.Principal, o *domain.Organization) error {
		if p.Has(auth.RoleAdmin) || p.ActsFor(o.ID) {
			return nil
		}
		return fmt.Errorf("only organisation %s itself may ask to join cluster %s (a cluster manager approves the request): %w", o.ID, clusterID, domainerr.ErrPermissionDenied)
	}
	return s.updateOrganization(ctx, id, 0, request(ctx, key, "RequestMembership", id, clusterID), authz, func(o *domain.Organization) (domain.Event, error) {
		return o.RequestMembership(clusterID)
	})
}

func managerOf(clusterID string) func(*auth.Principal, *domain.Organization) error {
	return func(p *auth.Principal, _ *domain.Organization) error {
		if p.Has(auth.RoleAdmin) || p.ManagesCluster(clusterID) {
			return nil
		}
		return fmt.Errorf("only the manager of cluster %s may do this: %w", clusterID, domainerr.ErrPermissionDenied)
	}
}

// ApproveMembership activates a membership (cluster manager).
func (s *Service) ApproveMembership(ctx context.Context, id, clusterID, key string) (domain.Organization, error) {
	if err := s.requireCluster(ctx, clusterID); err != nil {
		return domain.Organization{}, err
	}
	return s.updateOrganization(ctx, id, 0, request(ctx, key, "ApproveMembership", id, clusterID), managerOf(clusterID), func(o *domain.Organization) (domain.Event, error) {
		return o.ApproveMembership(clusterID)
	})
}

// SuspendMembership suspends a membership (cluster manager).
func (s *Service) SuspendMembership(ctx context.Context, id, clusterID, reason, key string) (domain.Organization, error) {
	if err := s.requireCluster(ctx, clusterID); err != nil {
		return domain.Organization{}, err
	}
	return s.updateOrganization(ctx, id, 0, request(ctx, key, "SuspendMembership", id, clusterID, reason), managerOf(clusterID), func(o *domain.Organization) (domain.Event, error) {
		return o.SuspendMembership(clusterID, reason)
	})
}

func requireAuth(ctx context.Context) error {
	if auth.FromContext(ctx) == nil {
		return domainerr.ErrUnauthenticated
	}
	return nil
}

// GetOrganization reads an organisation from the read model, if the caller may see it.
func (s *Service) GetOrganization(ctx context.Context, id string) (domain.Organization, error) {
	if err := requireAuth(ctx); err != nil {
		return domain.Organization{}, err
	}
	if id == "" {
		return domain.Organization{}, domainerr.Invalid("organization_id", "required")
	}
	o, err := s.store.GetOrganization(ctx, id)
	if err != nil {
		return o, err
	}
	reader := s.reader(ctx)
	if !reader(&o) {
		p := auth.FromContext(ctx)
		return domain.Organization{}, fmt.Errorf("%s may not see organisation %s: %w", p.Actor(), id, domainerr.ErrPermissionDenied)
	}
	return o, nil
}

// reader returns who-may-see-what for the caller: administrators and agency
// staff see every organisation; a cluster manager those with a membership (in
// any state: only the organisation itself requests one) of a cluster they
// manage; a company itself and the fellow active
// members of its clusters (partners for a bid). Profiles hold turnover and
// references, so they are not public.
func (s *Service) reader(ctx context.Context) func(*domain.Organization) bool {
	p := auth.FromContext(ctx)
	if p.Has(auth.RoleAdmin) || p.Has(auth.RoleAgency) {
		return func(*domain.Organization) bool { return true }
	}
	var mine []string
	if p.Has(auth.RoleCompany) && p.Organization != "" {
		if own, err := s.store.GetOrganization(ctx, p.Organization); err == nil {
			for _, m := range own.Memberships {
				if m.Status == domain.MembershipActive {
					mine = append(mine, m.ClusterID)
				}
			}
		}
	}
	return func(o *domain.Organization) bool {
		if p.ActsFor(o.ID) {
			return true
		}
		for _, m := range o.Memberships {
			if p.ManagesCluster(m.ClusterID) || (m.Status == domain.MembershipActive && slices.Contains(mine, m.ClusterID)) {
				return true
			}
		}
		return false
	}
}

// ListOrganizations lists the organisations the caller may see.
func (s *Service) ListOrganizations(ctx context.Context, f store.Filter) ([]domain.Organization, string, error) {
	if err := requireAuth(ctx); err != nil {
		return nil, "", err
	}
	if f.PageSize < 0 {
		return nil, "", domainerr.Invalid("page_size", "must not be negative")
	}
	if f.Capability != "" && !domain.IsCapability(f.Capability) {
		return nil, "", domainerr.Invalid("capability", "unknown capability %q", f.Capability)
	}
	for _, r := range f.CPVPrefix {
		if r < '0' || r > '9' {
			return nil, "", domainerr.Invalid("cpv_prefix", "digits only, got %q", f.CPVPrefix)
		}
	}
	orgs, next, err := s.store.ListOrganizations(ctx, f)
	if err != nil {
		return nil, "", err
	}
	// Pages keep their tokens; a page may come back shorter than asked. The
	// page is the store's own copy: filtered in place (rows are large structs,
	// and growing a second slice showed in the list profile).
	reader := s.reader(ctx)
	visible := orgs[:0]
	for i := range orgs {
		if reader(&orgs[i]) {
			visible = append(visible, orgs[i])
		}
	}
	return visible, next, nil
}

// GetCluster reads a cluster.
func (s *Service) GetCluster(ctx context.Context, id string) (domain.Cluster, error) {
	if err := requireAuth(ctx); err != nil {
		return domain.Cluster{}, err
	}
	if id == "" {
		return domain.Cluster{}, domainerr.Invalid("cluster_id", "required")
	}
	return s.store.GetCluster(ctx, id)
}

// ListClusters lists clusters.
func (s *Service) ListClusters(ctx context.Context) ([]domain.Cluster, error) {
	if err := requireAuth(ctx); err != nil {
		return nil, err
	}
	return s.store.ListClusters(ctx)
}

// CheckMembership returns the status of an organisation in a cluster.
func (s *Service) CheckMembership(ctx context.Context, id, clusterID string) (domain.MembershipStatus, error) {
	if err := requireAuth(ctx); err != nil {
		return 0, err
	}
	var v domainerr.Violations
	if id == "" {
		v.Add("organization_id", "required")
	}
	if clusterID == "" {
		v.Add("cluster_id", "required")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	o, err := s.store.GetOrganization(ctx, id)
	if err != nil {
		return 0, err
	}
	m, _ := o.Membership(clusterID)
	return m.Status, nil
}
