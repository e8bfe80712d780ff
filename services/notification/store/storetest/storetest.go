// Package storetest is the contract every notification read-model adapter
// passes (memory and Mongo run the same suite).
package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Run runs the suite; open returns a fresh, empty store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("checkpoint moves and old sequences are ignored", func(t *testing.T) { checkpoint(t, open(t)) })
	t.Run("recipients by organisation", func(t *testing.T) { recipients(t, open(t)) })
	t.Run("endpoints", func(t *testing.T) { endpoints(t, open(t)) })
	t.Run("inbox item once per key, states, paging", func(t *testing.T) { inbox(t, open(t)) })
	t.Run("deliveries newest first", func(t *testing.T) { deliveries(t, open(t)) })
	t.Run("digest items", func(t *testing.T) { digest(t, open(t)) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func checkpoint(t *testing.T, st store.Store) {
	ctx := t.Context()
	cp, err := st.Checkpoint(ctx)
	must(t, err)
	if cp != 0 {
		t.Fatalf("fresh store checkpoint = %d, want 0", cp)
	}
	must(t, st.PutRecipient(ctx, domain.Preferences{UserID: "u1", OrganizationID: "o1", Email: "a@x.invalid"}, 5))
	// An older event applied again (a redelivery) must not overwrite.
	must(t, st.PutRecipient(ctx, domain.Preferences{UserID: "u1", OrganizationID: "o1", Email: "old@x.invalid"}, 3))
	cp, _ = st.Checkpoint(ctx)
	if cp != 5 {
		t.Fatalf("checkpoint = %d, want 5", cp)
	}
	r, err := st.GetRecipient(ctx, "u1")
	must(t, err)
	if r.Email != "a@x.invalid" {
		t.Fatalf("old event overwrote the recipient: %q", r.Email)
	}
	if _, err := st.GetRecipient(ctx, "nobody"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Fatalf("missing recipient: %v, want not found", err)
	}
}

func recipients(t *testing.T, st store.Store) {
	ctx := t.Context()
	q := &domain.QuietHours{StartMinute: 22 * 60, EndMinute: 7 * 60, TimeZone: "Europe/Madrid"}
	must(t, st.PutRecipient(ctx, domain.Preferences{UserID: "b", OrganizationID: "o1", Language: "en", Quiet: q,
		Types: []domain.TypePreference{{Type: domain.TypeTenderMatched, Email: false, Webhook: true, Mode: domain.ModeDailyDigest}}, DigestMinute: 9 * 60, Version: 1}, 1))
	must(t, st.PutRecipient(ctx, domain.Preferences{UserID: "a", OrganizationID: "o1"}, 2))
	must(t, st.PutRecipient(ctx, domain.Preferences{UserID: "c", OrganizationID: "o2"}, 3))
	rs, err := st.ListRecipients(ctx, "o1")
	must(t, err)
	if len(rs) != 2 || rs[0].UserID != "a" || rs[1].UserID != "b" {
		t.Fatalf("recipients of o1 = %+v", rs)
	}
	b := rs[1]
	if b.Lang() != "en" || b.Quiet == nil || b.Quiet.StartMinute != 22*60 || b.Quiet.TimeZone != "Europe/Madrid" || b.DigestMinute != 9*60 {
		t.Fatalf("preferences not kept: %+v", b)
	}
	if tp := b.For(domain.TypeTenderMatched); tp.Email || !tp.Webhook || tp.Mode != domain.ModeDailyDigest {
		t.Fatalf("type preference not kept: %+v", tp)
	}
}

func endpoints(t *testing.T, st store.Store) {
	ctx := t.Context()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	must(t, st.PutEndpoint(ctx, domain.Endpoint{ID: "e2", OrganizationID: "o1", URL: "https://b.example/h", Enabled: true, Secret: "whsec_b", Created: t0.Add(time.Minute), Types: []domain.Type{domain.TypeAwardResult}}, 1))
	must(t, st.PutEndpoint(ctx, domain.Endpoint{ID: "e1", OrganizationID: "o1", URL: "https://a.example/h", Enabled: true, Secret: "whsec_a", Created: t0}, 2))
	must(t, st.PutEndpoint(ctx, domain.Endpoint{ID: "e3", OrganizationID: "o1", Deleted: true, Created: t0}, 3))
	es, err := st.ListEndpoints(ctx, "o1")
	must(t, err)
	if len(es) != 2 || es[0].ID != "e1" || es[1].ID != "e2" {
		t.Fatalf("endpoints = %+v", es)
	}
	if es[1].Secret != "whsec_b" || len(es[1].Types) != 1 || es[1].Types[0] != domain.TypeAwardResult || !es[1].Created.Equal(t0.Add(time.Minute)) {
		t.Fatalf("endpoint not kept: %+v", es[1])
	}
	exp := t0.Add(24 * time.Hour)
	e := es[0]
	e.PreviousSecret, e.PreviousExpires, e.Secret = e.Secret, exp, "whsec_new"
	must(t, st.PutEndpoint(ctx, e, 4))
	got, err := st.GetEndpoint(ctx, "e1")
	must(t, err)
	if got.Secret != "whsec_new" || got.PreviousSecret != "whsec_a" || !got.PreviousExpires.Equal(exp) {
		t.Fatalf("rotation not kept: %+v", got)
	}
}

func inbox(t *testing.T, st store.Store) {
	ctx := t.Context()
	seq := uint64(0)
	for i := range 25 {
		seq++
		added, err := st.AddInboxItem(ctx, domain.InboxItem{ID: fmt.Sprintf("%032x", i), OrganizationID: "o1", Type: domain.TypeConsortiumInvited,
			MessageID: domain.MsgInvited, Args: map[string]string{"consortium": fmt.Sprint(i)}, State: domain.InboxUnread, Sequence: seq,
			Created: time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC)}, seq)
		must(t, err)
		if !added {
			t.Fatalf("item %d not added", i)
		}
	}
	// The same key again (a re-planned intent, a later sequence) adds nothing.
	seq++
	added, err := st.AddInboxItem(ctx, domain.InboxItem{ID: fmt.Sprintf("%032x", 3), OrganizationID: "o1", State: domain.InboxUnread, Sequence: seq}, seq)
	must(t, err)
	if added {
		t.Fatal("a second item with the same key was added")
	}
	seq++
	_, _ = st.AddInboxItem(ctx, domain.InboxItem{ID: fmt.Sprintf("%032x", 99), OrganizationID: "o2", State: domain.InboxUnread, Sequence: seq}, seq)
	n, err := st.CountUnread(ctx, "o1")
	must(t, err)
	if n != 25 {
		t.Fatalf("unread = %d, want 25", n)
	}
	page, next, err := st.ListInbox(ctx, store.InboxFilter{OrganizationID: "o1", PageSize: 10})
	must(t, err)
	if len(page) != 10 || next == "" || page[0].ID != fmt.Sprintf("%032x", 24) || page[0].Args["consortium"] != "24" {
		t.Fatalf("first page: %d items, next %q, first %+v", len(page), next, page[0])
	}
	var all []domain.InboxItem
	all = append(all, page...)
	for next != "" {
		page, next, err = st.ListInbox(ctx, store.InboxFilter{OrganizationID: "o1", PageSize: 10, PageToken: next})
		must(t, err)
		all = append(all, page...)
	}
	if len(all) != 25 || all[24].ID != fmt.Sprintf("%032x", 0) {
		t.Fatalf("paged through %d items", len(all))
	}
	if _, _, err := st.ListInbox(ctx, store.InboxFilter{OrganizationID: "o1", PageToken: "garbage!"}); err == nil {
		t.Fatal("a bad page token was accepted")
	}
	seq++
	must(t, st.SetInboxState(ctx, "o1", fmt.Sprintf("%032x", 1), domain.InboxRead, seq))
	seq++
	must(t, st.SetInboxState(ctx, "o1", fmt.Sprintf("%032x", 2), domain.InboxArchived, seq))
	seq++
	// Another organisation cannot change o1's item.
	must(t, st.SetInboxState(ctx, "o2", fmt.Sprintf("%032x", 4), domain.InboxArchived, seq))
	n, _ = st.CountUnread(ctx, "o1")
	if n != 23 {
		t.Fatalf("unread after read+archive = %d, want 23", n)
	}
	def, _, _ := st.ListInbox(ctx, store.InboxFilter{OrganizationID: "o1", PageSize: 100})
	if len(def) != 24 {
		t.Fatalf("default list (not archived) = %d, want 24", len(def))
	}
	arch, _, _ := st.ListInbox(ctx, store.InboxFilter{OrganizationID: "o1", State: domain.InboxArchived})
	if len(arch) != 1 || arch[0].ID != fmt.Sprintf("%032x", 2) {
		t.Fatalf("archived = %+v", arch)
	}
	seq++
	marked, err := st.MarkAllRead(ctx, "o1", 20, seq)
	must(t, err)
	if marked != 18 { // items at sequences 1..20, minus the read one and the archived one
		t.Fatalf("marked %d, want 18", marked)
	}
	n, _ = st.CountUnread(ctx, "o1")
	if n != 5 {
		t.Fatalf("unread after mark-all-read through 20 = %d, want 5", n)
	}
	if _, err := st.GetInboxItem(ctx, "o2", fmt.Sprintf("%032x", 1)); !errors.Is(err, domainerr.ErrNotFound) {
		t.Fatalf("o2 read o1's item: %v", err)
	}
}

func deliveries(t *testing.T, st store.Store) {
	ctx := t.Context()
	for i := range 5 {
		must(t, st.PutDelivery(ctx, domain.Delivery{Key: fmt.Sprintf("%032x", i), Channel: domain.ChannelWebhook, OrganizationID: "o1",
			EndpointID: []string{"e1", "e2"}[i%2], Status: domain.DeliveryPending, Sequence: uint64(i + 1), Created: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)}, uint64(i+1)))
	}
	d, err := st.GetDelivery(ctx, fmt.Sprintf("%032x", 2))
	must(t, err)
	next := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
	d.Status, d.Attempts, d.LastError, d.LastHTTPStatus, d.NextAttempt = domain.DeliveryPending, 3, "HTTP 500", 500, next
	must(t, st.PutDelivery(ctx, d, 6))
	ds, err := st.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: "o1", EndpointID: "e1", Limit: 10})
	must(t, err)
	if len(ds) != 3 || ds[0].Key != fmt.Sprintf("%032x", 4) || ds[1].Attempts != 3 || ds[1].LastHTTPStatus != 500 || !ds[1].NextAttempt.Equal(next) {
		t.Fatalf("deliveries of e1 = %+v", ds)
	}
	ds, _ = st.ListDeliveries(ctx, store.DeliveryFilter{OrganizationID: "o1", Limit: 2})
	if len(ds) != 2 {
		t.Fatalf("limit 2 gave %d", len(ds))
	}
}

func digest(t *testing.T, st store.Store) {
	ctx := t.Context()
	for i := range 3 {
		must(t, st.PutDigestItem(ctx, domain.DigestItem{Key: fmt.Sprintf("%032x", i), UserID: "u1", Type: domain.TypeTenderMatched,
			MessageID: domain.MsgTenderMatchedAlone, Args: map[string]string{"tender": "T"}, Sequence: uint64(i + 1)}, uint64(i+1)))
	}
	must(t, st.PutDigestItem(ctx, domain.DigestItem{Key: fmt.Sprintf("%032x", 9), UserID: "u2", Sequence: 4}, 4))
	must(t, st.MarkDigestSent(ctx, []string{fmt.Sprintf("%032x", 0), fmt.Sprintf("%032x", 1)}, 5))
	p, err := st.PendingDigest(ctx, "u1")
	must(t, err)
	if len(p) != 1 || p[0].Key != fmt.Sprintf("%032x", 2) || p[0].Args["tender"] != "T" {
		t.Fatalf("pending digest of u1 = %+v", p)
	}
}
