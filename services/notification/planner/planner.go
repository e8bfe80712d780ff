// Package planner decides who is told what. It keeps its own projection of the
// member and tender services' events (built with the tender module's own read
// model and projection code, so a company, a tender and a consortium look here
// exactly as they do to the tender service) and, for each event it has not
// planned before, records the notifications as intents on the NOTIFICATION
// stream. Which tenders fit a company is decided with the tender module's pure
// eligibility rules and matching engine, in process: no call to the tender
// service, so notifications keep flowing when it is down, and the answer is the
// one its RecommendConsortia would give from the same events.
//
// Exactly once: every intent's subject is its key's own and it is appended
// with "no earlier event on the subject" (expected version 0) and the key as
// Nats-Msg-Id, so planning an event again — after a crash, a redelivery or a
// rebuild of the in-memory state — never records a second intent. What was
// planned is remembered per source stream in a JetStream key-value bucket, so a
// restart replays the state without telling anyone again about old events.
package planner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/notification/convert"
	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/notification/timers"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	"github.com/consortia-dev/consortia/services/platform/eventlog"
	tenderapp "github.com/consortia-dev/consortia/services/tender/app"
	tconvert "github.com/consortia-dev/consortia/services/tender/convert"
	tdomain "github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/matching"
	"github.com/consortia-dev/consortia/services/tender/memberindex"
	tstore "github.com/consortia-dev/consortia/services/tender/store"
	tmemory "github.com/consortia-dev/consortia/services/tender/store/memory"
)

// Source streams and the filter on the member stream.
const (
	TenderStream = "TENDER"
	MemberStream = "MEMBER"
	MemberFilter = memberindex.Filter
	// Bucket keeps, per source stream, the last sequence planned.
	Bucket = "notification_planner"
)

// Config tunes the planner.
type Config struct {
	// ReminderOffsets: how long before a deadline "last chance" reminders fire (default 7 days and 48 hours).
	ReminderOffsets []time.Duration
	// CertificationOffsets: how long before expiry warnings fire (default 60 and 30 days).
	CertificationOffsets []time.Duration
	// MatchBudget bounds the matching search per tender (default 2 s).
	MatchBudget time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
}

// Planner turns source events and fired timers into intents.
type Planner struct {
	cfg    Config
	log    *eventlog.Log // NOTIFICATION
	st     store.Store   // recipients and endpoints
	world  *tmemory.Store
	timers *timers.Timers
	kv     jetstream.KeyValue

	ready <-chan struct{}

	mu      sync.Mutex
	planned map[string]uint64
	seen    map[string]uint64
}

// New returns a planner writing intents to log. The planned-through bucket
// is created when missing.
func New(ctx context.Context, js jetstream.JetStream, log *eventlog.Log, st store.Store, tm *timers.Timers, replicas int, cfg Config) (*Planner, error) {
	if len(cfg.ReminderOffsets) == 0 {
		cfg.ReminderOffsets = []time.Duration{7 * 24 * time.Hour, 48 * time.Hour}
	}
	if len(cfg.CertificationOffsets) == 0 {
		cfg.CertificationOffsets = []time.Duration{60 * 24 * time.Hour, 30 * 24 * time.Hour}
	}
	if cfg.MatchBudget == 0 {
		cfg.MatchBudget = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if replicas <= 0 {
		replicas = 1
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: Bucket, Description: "Last source-stream sequence the notification planner planned", Storage: jetstream.FileStorage, Replicas: replicas})
	if err != nil {
		return nil, fmt.Errorf("planner bucket: %w", err)
	}
	p := &Planner{cfg: cfg, log: log, st: st, world: tmemory.New(), timers: tm, kv: kv, planned: map[string]uint64{}, seen: map[string]uint64{}}
	for _, s := range []string{TenderStream, MemberStream} {
		e, err := kv.Get(ctx, s)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("planner bucket: %w", err)
		}
		n, _ := strconv.ParseUint(string(e.Value()), 10, 64)
		p.planned[s] = n
	}
	return p, nil
}

// TenderHandler is the projection handler of the TENDER stream.
func (p *Planner) TenderHandler() eventlog.Handler {
	return &handler{p: p, stream: TenderStream, inner: tenderapp.Projection(p.world), plan: p.planTender}
}

// MemberHandler is the projection handler of the MEMBER stream (organisation events).
func (p *Planner) MemberHandler() eventlog.Handler {
	return &handler{p: p, stream: MemberStream, inner: memberindex.Projection(p.world), plan: p.planMember}
}

// PlannedThrough returns the last planned sequence of a source stream.
func (p *Planner) PlannedThrough(stream string) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.planned[stream]
}

type handler struct {
	p      *Planner
	stream string
	inner  eventlog.Handler
	plan   func(ctx context.Context, ev eventlog.Event) error
}

func (h *handler) Checkpoint(ctx context.Context) (uint64, error) { return h.inner.Checkpoint(ctx) }

// Apply plans an event first (from copies of the state it changes), then
// applies it: when recording the intents fails, the event is retried with the
// state as it was.
func (h *handler) Apply(ctx context.Context, ev eventlog.Event) error {
	cp, err := h.inner.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if ev.Sequence <= cp {
		return nil
	}
	live := ev.Sequence > h.p.PlannedThrough(h.stream)
	if live {
		if err := h.p.waitReady(ctx); err != nil {
			return err
		}
		if err := h.plan(ctx, ev); err != nil {
			return err
		}
	}
	if err := h.inner.Apply(ctx, ev); err != nil {
		return err
	}
	if live {
		if err := h.p.markPlanned(ctx, h.stream, ev.Sequence); err != nil {
			return err
		}
	}
	h.p.mu.Lock()
	h.p.seen[h.stream] = max(h.p.seen[h.stream], ev.Sequence)
	h.p.mu.Unlock()
	return nil
}

func (p *Planner) markPlanned(ctx context.Context, stream string, seq uint64) error {
	if _, err := p.kv.Put(ctx, stream, []byte(strconv.FormatUint(seq, 10))); err != nil {
		return fmt.Errorf("planner: remember %s@%d: %w", stream, seq, err)
	}
	p.mu.Lock()
	p.planned[stream] = max(p.planned[stream], seq)
	p.mu.Unlock()
	return nil
}

func source(ev eventlog.Event) domain.Source {
	return domain.Source{EventID: ev.ID, EventType: ev.Type, Subject: ev.Subject, Time: ev.Time}
}

// Tell records the intents of notices: each recipient organisation's users
// and endpoints are read from the notification read model.
func (p *Planner) Tell(ctx context.Context, notices []domain.Notice) error {
	for _, n := range notices {
		if !domain.ValidID(n.OrganizationID) {
			p.cfg.Logger.Warn("planner: recipient is not an id; skipped", "organization", n.OrganizationID)
			continue
		}
		users, err := p.st.ListRecipients(ctx, n.OrganizationID)
		if err != nil {
			return err
		}
		eps, err := p.st.ListEndpoints(ctx, n.OrganizationID)
		if err != nil {
			return err
		}
		for _, in := range domain.Plan(n, users, eps) {
			if err := p.record(ctx, in); err != nil {
				return err
			}
			if in.Channel == domain.ChannelEmail && in.Digest {
				if err := p.scheduleDigest(ctx, in.UserID, users); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// record appends one intent, exactly once per key.
func (p *Planner) record(ctx context.Context, in domain.Intent) error {
	_, err := p.log.Append(ctx, eventlog.Draft{
		Subject: domain.IntentSubject(in.Channel, in.Key), Event: convert.Intent(in),
		ExpectedVersion: 0, MsgID: in.Key, Actor: "system:notification",
	})
	if errors.Is(err, domainerr.ErrConflict) {
		return nil // recorded already (outside the deduplication window): once is enough
	}
	if err != nil {
		return fmt.Errorf("record intent %s: %w", in.Key, err)
	}
	return nil
}

// ---- tender stream ----------------------------------------------------------

func (p *Planner) planTender(ctx context.Context, ev eventlog.Event) error {
	de, err := tconvert.EventFrom(ev.Data)
	if err != nil {
		return nil // the inner projection parks it
	}
	switch {
	case strings.HasPrefix(ev.Subject, tdomain.TenderSubjectPrefix):
		before, _ := p.world.GetTender(ctx, strings.TrimPrefix(ev.Subject, tdomain.TenderSubjectPrefix))
		after := before
		if err := after.Apply(de, ev.Time, ev.Sequence); err != nil {
			return nil
		}
		return p.tenderChanged(ctx, ev, de, before, after)
	case strings.HasPrefix(ev.Subject, tdomain.ConsortiumSubjectPrefix):
		before, _ := p.world.GetConsortium(ctx, strings.TrimPrefix(ev.Subject, tdomain.ConsortiumSubjectPrefix))
		after := before
		if err := after.Apply(de, ev.Time, ev.Sequence); err != nil {
			return nil
		}
		return p.consortiumChanged(ctx, ev, de, before, after)
	}
	return nil
}

func (p *Planner) tenderChanged(ctx context.Context, ev eventlog.Event, de tdomain.Event, before, after tdomain.Tender) error {
	opened := after.Status == tdomain.StatusActive && before.Status != tdomain.StatusActive
	switch de.(type) {
	case tdomain.TenderCreated, tdomain.TenderPublished, tdomain.TenderRevised:
		if opened && after.Details.Deadline.After(p.cfg.Now()) {
			notices, err := p.fitNotices(ctx, after, source(ev))
			if err != nil {
				return err
			}
			if err := p.Tell(ctx, notices); err != nil {
				return err
			}
		}
	}
	if !after.Status.Open() {
		if before.Status.Open() {
			return p.timers.Drop(ctx, "reminder."+after.ID)
		}
		return nil
	}
	if !after.Details.Deadline.Equal(before.Details.Deadline) || opened {
		return p.scheduleReminders(ctx, after)
	}
	return nil
}

func (p *Planner) scheduleReminders(ctx context.Context, t tdomain.Tender) error {
	if !domain.ValidID(t.ID) || t.Details.Deadline.IsZero() {
		return nil
	}
	now := p.cfg.Now()
	for _, off := range p.cfg.ReminderOffsets {
		name := fmt.Sprintf("reminder.%s.%ds", t.ID, int64(off/time.Second))
		at := t.Details.Deadline.Add(-off)
		if !at.After(now) {
			// Too late for this reminder: drop one scheduled for an earlier deadline.
			if err := p.timers.Drop(ctx, name); err != nil {
				return err
			}
			continue
		}
		if err := p.timers.Schedule(ctx, timers.Timer{Name: name, At: at, Kind: "reminder", TenderID: t.ID, Offset: int64(off / time.Second), Due: t.Details.Deadline}); err != nil {
			return err
		}
	}
	return nil
}

// names

func (p *Planner) companyName(ctx context.Context, id string) string {
	if c, err := p.world.GetCompany(ctx, id); err == nil && c.LegalName != "" {
		return c.LegalName
	}
	return id
}

func (p *Planner) tenderTitle(ctx context.Context, id string) (string, tdomain.Tender) {
	t, err := p.world.GetTender(ctx, id)
	if err != nil {
		return id, t
	}
	return shortTitle(t), t
}

func shortTitle(t tdomain.Tender) string {
	s := t.Details.Title
	if s == "" {
		return t.ID
	}
	if r := []rune(s); len(r) > 120 {
		return string(r[:117]) + "..."
	}
	return s
}

var madrid = func() *time.Location {
	l, err := time.LoadLocation(domain.DefaultTimeZone)
	if err != nil {
		return time.UTC
	}
	return l
}()

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "@unknown"
	}
	return t.In(madrid).Format("2006-01-02 15:04 MST")
}

// ---- which tenders fit ------------------------------------------------------

// relevance says why a tender concerns a company: a CPV interest that is a
// prefix of one of the tender's codes, or a required capability it has.
func relevance(c tdomain.Company, req eligibility.Requirements) string {
	for _, in := range c.CPVInterests {
		in = strings.TrimRight(strings.SplitN(in, "-", 2)[0], "0")
		if len(in) < 2 {
			continue
		}
		for _, code := range req.Technical.CPVs {
			if strings.HasPrefix(code, in) {
				return "CPV " + code
			}
		}
	}
	for _, need := range req.Capabilities {
		if slices.Contains(c.Capabilities, need) {
			return need
		}
	}
	return ""
}

// fitNotices finds, for each lot (or the whole tender), the active member
// companies the tender concerns that can bid for it: alone when they pass every
// rule by themselves, or with partners when one of the matching engine's top
// teams includes them. A company is told once per tender (its first lot).
func (p *Planner) fitNotices(ctx context.Context, t tdomain.Tender, src domain.Source) ([]domain.Notice, error) {
	companies, err := p.world.ListCompanies(ctx, t.Clusters())
	if err != nil || len(companies) == 0 {
		return nil, err
	}
	lots := []string{""}
	if len(t.Details.Lots) > 0 {
		lots = nil
		for _, l := range t.Details.Lots {
			lots = append(lots, l.ID)
		}
	}
	told := map[string]bool{}
	var out []domain.Notice
	for _, lot := range lots {
		req, err := t.EligibilityRequirements(lot)
		if err != nil {
			continue
		}
		if req.Deadline.IsZero() {
			req.Deadline = p.cfg.Now()
		}
		var relevant []tdomain.Company
		why := map[string]string{}
		for _, c := range companies {
			if told[c.ID] {
				continue
			}
			if w := relevance(c, req); w != "" {
				relevant = append(relevant, c)
				why[c.ID] = w
			}
		}
		if len(relevant) == 0 {
			continue
		}
		pool := make([]eligibility.Company, len(companies))
		for i, c := range companies {
			pool[i] = c.Eligibility(t.Clusters())
		}
		var teams []matching.Recommendation
		if res, err := matching.Recommend(ctx, req, pool, matching.Options{TopK: 50, Budget: p.cfg.MatchBudget, SharedClusters: t.Clusters()}); err == nil {
			teams = res.Teams
		} else {
			p.cfg.Logger.Warn("planner: matching failed; telling only companies eligible alone", "tender", t.ID, "err", err)
		}
		for _, c := range relevant {
			args := map[string]string{"tender": shortTitle(t), "authority": t.Details.Authority.Name, "deadline": formatTime(t.Details.Deadline), "why": why[c.ID]}
			if lot != "" {
				args["lot"] = lot
			}
			msg := ""
			if eligibility.Check(req, eligibility.TeamOf(c.Eligibility(t.Clusters())), eligibility.Options{}).Eligible {
				msg = domain.MsgTenderMatchedAlone
			} else {
				for _, r := range teams {
					var partners []string
					in := false
					for _, m := range r.Team.Members {
						if m.Company.ID == c.ID {
							in = true
						} else {
							partners = append(partners, m.Company.Label())
						}
					}
					if in && len(partners) > 0 {
						msg, args["partners"] = domain.MsgTenderMatchedTeam, strings.Join(partners, ", ")
						break
					}
				}
			}
			if msg == "" {
				continue // it concerns them, but no team with them qualifies: nothing to act on
			}
			told[c.ID] = true
			out = append(out, domain.Notice{Type: domain.TypeTenderMatched, OrganizationID: c.ID, MessageID: msg, Args: args, Link: "/tenders/" + t.ID, Source: src})
		}
	}
	return out, nil
}

// ---- consortia ---------------------------------------------------------------

func (p *Planner) report(ctx context.Context, t tdomain.Tender, c tdomain.Consortium) (eligibility.Report, bool) {
	if t.ID == "" {
		return eligibility.Report{}, false
	}
	req, err := t.EligibilityRequirements(c.LotID)
	if err != nil {
		return eligibility.Report{}, false
	}
	if req.Deadline.IsZero() {
		req.Deadline = p.cfg.Now()
	}
	team := c.Team(func(id string) eligibility.Company {
		co, err := p.world.GetCompany(ctx, id)
		if err != nil {
			return eligibility.Company{ID: id}
		}
		return co.Eligibility(t.Clusters())
	})
	return eligibility.Check(req, team, eligibility.Options{RequireShares: true}), true
}

func joined(c tdomain.Consortium, except string) []string {
	var out []string
	for _, m := range c.Joined() {
		if m.OrganizationID != except {
			out = append(out, m.OrganizationID)
		}
	}
	return out
}

func (p *Planner) consortiumChanged(ctx context.Context, ev eventlog.Event, de tdomain.Event, before, after tdomain.Consortium) error {
	title, t := p.tenderTitle(ctx, after.TenderID)
	args := func(extra ...string) map[string]string {
		a := map[string]string{"consortium": after.Name, "tender": title}
		for i := 0; i+1 < len(extra); i += 2 {
			a[extra[i]] = extra[i+1]
		}
		return a
	}
	link := "/consortia/" + after.ID
	src := source(ev)
	var notices []domain.Notice
	tell := func(orgs []string, typ domain.Type, msg string, a map[string]string) {
		for _, o := range orgs {
			notices = append(notices, domain.Notice{Type: typ, OrganizationID: o, MessageID: msg, Args: a, Link: link, Source: src})
		}
	}
	switch e := de.(type) {
	case tdomain.ConsortiumFormed:
		var invited []string
		for _, m := range after.Members {
			if m.Status == tdomain.MemberInvited {
				invited = append(invited, m.OrganizationID)
			}
		}
		tell(invited, domain.TypeConsortiumInvited, domain.MsgInvited, args())
	case tdomain.ConsortiumMemberInvited:
		tell([]string{e.OrganizationID}, domain.TypeConsortiumInvited, domain.MsgInvited, args())
	case tdomain.ConsortiumMemberJoined:
		tell(joined(after, e.OrganizationID), domain.TypeMemberResponded, domain.MsgMemberAccepted, args("member", p.companyName(ctx, e.OrganizationID)))
	case tdomain.ConsortiumInvitationDeclined:
		tell(joined(after, e.OrganizationID), domain.TypeMemberResponded, domain.MsgMemberDeclined, args("member", p.companyName(ctx, e.OrganizationID), "reason", e.Reason))
	case tdomain.ConsortiumShareSet:
		tell(joined(after, ""), domain.TypeSharesChanged, domain.MsgShareSet, args("member", p.companyName(ctx, e.OrganizationID), "share", eligibility.FormatShare(int64(e.ShareBP))))
	case tdomain.ConsortiumSubmitted:
		tell(joined(after, ""), domain.TypeConsortiumSubmitted, domain.MsgSubmitted, args())
	case tdomain.ConsortiumAwarded:
		tell(joined(after, ""), domain.TypeAwardResult, domain.MsgAwardWon, args())
	case tdomain.ConsortiumLost:
		winner := "@unknown"
		for _, a := range t.Details.Awards {
			if a.LotID == after.LotID && a.WinnerName != "" {
				winner = a.WinnerName
			}
		}
		tell(joined(after, ""), domain.TypeAwardResult, domain.MsgAwardLost, args("winner", winner))
	}
	// Eligibility while the bid is being formed: tell the members when it flips.
	if after.Status == tdomain.BidForming && len(after.Joined()) > 0 {
		rb, okb := p.report(ctx, t, before)
		ra, oka := p.report(ctx, t, after)
		if okb && oka && rb.Eligible != ra.Eligible {
			if ra.Eligible {
				tell(joined(after, ""), domain.TypeEligibilityChanged, domain.MsgEligible, args())
			} else if before.ID != "" {
				var failed []string
				for _, r := range ra.Failed() {
					failed = append(failed, r.Detail)
				}
				tell(joined(after, ""), domain.TypeEligibilityChanged, domain.MsgIneligible, args("failed", strings.Join(failed, "; ")))
			}
		}
	}
	return p.Tell(ctx, notices)
}

// ---- member stream: certifications ------------------------------------------

func (p *Planner) planMember(ctx context.Context, ev eventlog.Event) error {
	org := strings.TrimPrefix(ev.Subject, "member.organization.")
	switch e := ev.Data.(type) {
	case *memberv1.OrganizationRegistered:
		for _, c := range e.GetCertifications() {
			if err := p.scheduleCertification(ctx, org, c); err != nil {
				return err
			}
		}
	case *memberv1.CertificationAdded:
		return p.scheduleCertification(ctx, org, e.GetCertification())
	case *memberv1.CertificationReplaced:
		return p.scheduleCertification(ctx, org, e.GetCertification())
	case *memberv1.CertificationRemoved:
		if domain.ValidID(org) && domain.ValidID(e.GetCertificationId()) {
			return p.timers.Drop(ctx, "cert."+org+"."+e.GetCertificationId())
		}
	}
	return nil
}

func (p *Planner) scheduleCertification(ctx context.Context, org string, c *memberv1.Certification) error {
	if !domain.ValidID(org) || !domain.ValidID(c.GetId()) {
		return nil
	}
	exp, err := time.ParseInLocation("2006-01-02", c.GetExpiryDate(), madrid)
	if err != nil {
		return nil
	}
	now := p.cfg.Now()
	for _, off := range p.cfg.CertificationOffsets {
		name := fmt.Sprintf("cert.%s.%s.%ds", org, c.GetId(), int64(off/time.Second))
		at := exp.Add(-off)
		if !at.After(now) {
			if err := p.timers.Drop(ctx, name); err != nil {
				return err
			}
			continue
		}
		if err := p.timers.Schedule(ctx, timers.Timer{Name: name, At: at, Kind: "certification", OrgID: org, CertID: c.GetId(), Offset: int64(off / time.Second), Due: exp}); err != nil {
			return err
		}
	}
	return nil
}

// ---- digests ------------------------------------------------------------------

func (p *Planner) scheduleDigest(ctx context.Context, userID string, users []domain.Preferences) error {
	for _, u := range users {
		if u.UserID != userID {
			continue
		}
		name := "digest." + domain.UserKey(userID)
		if cur, ok, err := p.timers.Scheduled(ctx, name); err == nil && ok && cur.At.After(p.cfg.Now()) {
			return nil // one digest already due
		}
		return p.timers.Schedule(ctx, timers.Timer{Name: name, At: u.NextDigest(p.cfg.Now()), Kind: "digest", UserID: userID})
	}
	return nil
}

// ---- fired timers ---------------------------------------------------------------

// Fired handles a fired timer.
func (p *Planner) Fired(ctx context.Context, tm timers.Timer) error {
	src := domain.Source{EventID: tm.ID(), EventType: "consortia.notification.timer." + tm.Kind, Subject: "notifytimer." + tm.Name, Time: tm.At}
	switch tm.Kind {
	case "reminder":
		t, err := p.world.GetTender(ctx, tm.TenderID)
		if err != nil || !t.Status.Open() || !t.Details.Deadline.Equal(tm.Due) {
			return nil // cancelled or moved since: the moved deadline has its own timer
		}
		recipients := map[string]bool{}
		cs, err := p.world.ListConsortia(ctx, storeFilter(t.ID))
		if err != nil {
			return err
		}
		for _, c := range cs {
			for _, m := range c.Members {
				if c.Holds(m.OrganizationID) {
					recipients[m.OrganizationID] = true
				}
			}
		}
		fits, err := p.fitNotices(ctx, t, src)
		if err != nil {
			return err
		}
		for _, f := range fits {
			recipients[f.OrganizationID] = true
		}
		left := "@seconds:" + strconv.FormatInt(tm.Offset, 10)
		switch {
		case tm.Offset%(24*3600) == 0:
			left = "@days:" + strconv.FormatInt(tm.Offset/(24*3600), 10)
		case tm.Offset%3600 == 0:
			left = "@hours:" + strconv.FormatInt(tm.Offset/3600, 10)
		}
		var notices []domain.Notice
		orgs := make([]string, 0, len(recipients))
		for o := range recipients {
			orgs = append(orgs, o)
		}
		slices.Sort(orgs)
		for _, o := range orgs {
			notices = append(notices, domain.Notice{Type: domain.TypeDeadlineReminder, OrganizationID: o, MessageID: domain.MsgReminder,
				Args: map[string]string{"tender": shortTitle(t), "deadline": formatTime(t.Details.Deadline), "left": left}, Link: "/tenders/" + t.ID, Source: src})
		}
		return p.Tell(ctx, notices)
	case "certification":
		co, err := p.world.GetCompany(ctx, tm.OrgID)
		if err != nil {
			return nil
		}
		for _, c := range co.Certifications {
			if c.ID != tm.CertID {
				continue
			}
			if !sameDay(c.Expires, tm.Due) {
				return nil // renewed or corrected since
			}
			name := c.Kind
			if c.Level != eligibility.LevelNone {
				name += " " + c.Level.String()
			}
			return p.Tell(ctx, []domain.Notice{{Type: domain.TypeCertificationExpiring, OrganizationID: tm.OrgID, MessageID: domain.MsgCertExpiring,
				Args: map[string]string{"certification": name, "expiry": tm.Due.Format("2006-01-02"), "days": strconv.FormatInt(tm.Offset/(24*3600), 10)}, Link: "/profile", Source: src}})
		}
		return nil
	case "digest":
		return p.digest(ctx, tm, src)
	}
	return nil
}

func sameDay(a, b time.Time) bool {
	return a.Format("2006-01-02") == b.In(madrid).Format("2006-01-02") || a.Format("2006-01-02") == b.Format("2006-01-02")
}

func storeFilter(tenderID string) tstore.ConsortiumFilter {
	return tstore.ConsortiumFilter{TenderID: tenderID, LiveOnly: true}
}

func (p *Planner) digest(ctx context.Context, tm timers.Timer, src domain.Source) error {
	u, err := p.st.GetRecipient(ctx, tm.UserID)
	if err != nil || u.Email == "" {
		return nil
	}
	items, err := p.st.PendingDigest(ctx, tm.UserID)
	if err != nil || len(items) == 0 {
		return err
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	in := domain.Intent{Type: domain.TypeDigest, Channel: domain.ChannelEmail, OrganizationID: u.OrganizationID, UserID: u.UserID,
		Email: u.Email, Language: u.Lang(), MessageID: domain.MsgDigest, Args: map[string]string{"count": strconv.Itoa(len(items))},
		Link: "/notifications", Source: src, DigestKeys: keys}
	in.Key = domain.Key(src.EventID, "user:"+u.UserID, domain.ChannelEmail)
	return p.record(ctx, in)
}

// After makes planning of live events wait until ready is closed (the
// notification read model has caught up, so recipients and endpoints are known).
func (p *Planner) After(ready <-chan struct{}) { p.ready = ready }

func (p *Planner) waitReady(ctx context.Context) error {
	if p.ready == nil {
		return nil
	}
	select {
	case <-p.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Seen returns the last sequence of a source stream the planner has handled
// (planned, or applied as already planned). Filtered streams may end on a
// sequence it never receives; tests compare against it with that in mind.
func (p *Planner) Seen(stream string) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[stream]
}
