// Package storetest is the contract every commission read-model adapter must
// meet (store.Store). An adapter's test calls Run with a constructor of empty
// stores:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
//	}
//
// newStore is called once per subtest and must return an empty store (a fresh
// database for persistent adapters); clean it up with t.Cleanup.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/consortia-dev/consortia/services/commission/domain"
	"github.com/consortia-dev/consortia/services/commission/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Run runs the contract suite against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"EmptyStore", testEmpty},
		{"CommissionRoundTrip", testCommissionRoundTrip},
		{"FactsRoundTrip", testFactsRoundTrip},
		{"NotFound", testNotFound},
		{"CheckpointPerStreamIgnoresReplays", testCheckpoints},
		{"ListCommissionsFilters", testFilters},
		{"ListCommissionsOrderAndPages", testPages},
		{"BadPageToken", testBadPageToken},
		{"ListFactsOrder", testFactsOrder},
		{"ConcurrentUse", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if s == nil {
				t.Fatal("newStore returned nil")
			}
			tt.fn(t, s)
		})
	}
}

var ctx = context.Background()

// base is a fixed instant at millisecond precision (what databases keep).
var base = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Commission returns a commission fixture with every field set.
func Commission(id, name string) domain.Commission {
	return domain.Commission{
		ID: id, Name: name, Theme: "Salud digital", Description: "Proyectos colaborativos de " + name,
		ConvenerID: "c-tera", Status: domain.StatusActive, CloseReason: "",
		Members: []domain.Member{
			{OrganizationID: "o-1", Role: domain.RoleChair, Status: domain.MemberStatusJoined, Joined: day(2026, 1, 10)},
			{OrganizationID: "o-2", Role: domain.RoleMember, Status: domain.MemberStatusLeft, Joined: day(2026, 1, 10), Left: day(2026, 2, 1)},
			{OrganizationID: "o-3", Role: domain.RoleSecretary, Status: domain.MemberStatusInvited, Invited: base.Add(time.Minute)},
		},
		Meetings: []domain.Meeting{{
			ID: "m-1", Title: "Sesión constitutiva", Start: base.Add(-48 * time.Hour), Place: "Santander", Link: "https://meet.example/x",
			Agenda:     []domain.AgendaItem{{Title: "Bienvenida", PresenterID: "o-1"}, {Title: "Plan"}},
			Attendance: []domain.Attendance{{OrganizationID: "o-1", Status: domain.Present}, {OrganizationID: "o-2", Status: domain.Excused}},
			Minutes:    "Se acuerda el plan.",
			Decisions: []domain.Decision{
				{ID: "d-1", Text: "Redactar el plan", OwnerID: "o-1", Due: day(2026, 4, 1), Status: domain.DecisionDone, Completed: base.Add(time.Hour)},
				{ID: "d-2", Text: "Buscar socios", OwnerID: "o-1", Due: day(2026, 5, 1), Status: domain.DecisionOpen},
			},
		}, {ID: "m-2", Title: "Cancelada", Start: base.Add(48 * time.Hour), Link: "https://meet.example/y", Cancelled: true, CancelReason: "festivo"}},
		Projects: []domain.Project{{ID: "p-1", Title: "Historia clínica", Description: "d", PartnerIDs: []string{"o-1", "o-2"},
			BudgetCents: 120_000_00, FundingSource: "FEDER", Status: domain.ProjectActive, CPVCodes: []string{"72000000"}, Created: base}},
		Tenders:   []domain.TenderLink{{TenderID: "t-1", Note: "encaja", Linked: base}},
		Consortia: []domain.ConsortiumLink{{ConsortiumID: "b-1", Note: "seguimos", Linked: base.Add(time.Second)}},
		Demo:      true, Created: base, Updated: base.Add(2 * time.Hour), Version: 7,
	}
}

func put(t *testing.T, s store.Store, c domain.Commission, seq uint64) {
	t.Helper()
	if err := s.PutCommission(ctx, c, seq); err != nil {
		t.Fatalf("PutCommission(%s, %d): %v", c.ID, seq, err)
	}
}

func checkpoints(t *testing.T, s store.Store) [3]uint64 {
	t.Helper()
	a, err1 := s.Checkpoint(ctx)
	b, err2 := s.DirectoryCheckpoint(ctx)
	c, err3 := s.BidsCheckpoint(ctx)
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	return [3]uint64{a, b, c}
}

func testEmpty(t *testing.T, s store.Store) {
	if cp := checkpoints(t, s); cp != [3]uint64{} {
		t.Errorf("checkpoints of an empty store: %v", cp)
	}
	cs, next, err := s.ListCommissions(ctx, store.Filter{})
	if err != nil || len(cs) != 0 || next != "" {
		t.Errorf("ListCommissions: %v %q %v", cs, next, err)
	}
	for name, f := range map[string]func() (int, error){
		"clusters": func() (int, error) { l, err := s.ListClusters(ctx); return len(l), err },
		"orgs":     func() (int, error) { l, err := s.ListOrganizations(ctx); return len(l), err },
		"tenders":  func() (int, error) { l, err := s.ListTenders(ctx); return len(l), err },
		"bids":     func() (int, error) { l, err := s.ListBids(ctx); return len(l), err },
	} {
		if n, err := f(); err != nil || n != 0 {
			t.Errorf("%s: %d, %v", name, n, err)
		}
	}
}

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s round trip:\n got %+v\nwant %+v", what, got, want)
	}
}

func testCommissionRoundTrip(t *testing.T, s store.Store) {
	want := Commission("k-1", "Comisión de Salud Digital")
	put(t, s, want, 3)
	got, err := s.GetCommission(ctx, "k-1")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "commission", got, want)
	// An agency-convened, closed commission with nothing in it.
	bare := domain.Commission{ID: "k-2", Name: "Educación", Theme: "Educación", Status: domain.StatusClosed, CloseReason: "done", Created: base, Updated: base, Version: 4}
	put(t, s, bare, 4)
	got, err = s.GetCommission(ctx, "k-2")
	if err != nil {
		t.Fatal(err)
	}
	same(t, "bare commission", got, bare)
	if cp, _ := s.Checkpoint(ctx); cp != 4 {
		t.Errorf("checkpoint %d, want 4", cp)
	}
}

// Facts returns one fixture of each fact kind with every field set.
func Facts() (domain.Cluster, domain.Organization, domain.Tender, domain.Bid) {
	return domain.Cluster{ID: "c-tera", Name: "TERA", Demo: true, Version: 1},
		domain.Organization{ID: "o-1", Name: "Demo Uno S.L.", ActiveIn: []string{"c-gira", "c-tera"}, Demo: true, Version: 2},
		domain.Tender{ID: "t-1", ClusterID: "c-tera", Title: "Plataforma", EstimatedCents: 500_000_00,
			Lots:   []domain.Lot{{ID: "1", EstimatedCents: 200_000_00}, {ID: "2", EstimatedCents: 300_000_00}},
			Awards: []domain.Award{{LotID: "1", ConsortiumID: "b-1", AmountCents: 190_000_00, Time: base}}, Demo: true, Version: 3},
		domain.Bid{ID: "b-1", TenderID: "t-1", LotID: "1", Name: "UTE Uno", Members: []string{"o-1", "o-2"}, Status: domain.BidAwarded,
			Formed: base.Add(-time.Hour), Submitted: base.Add(-time.Minute), Decided: base, Demo: true, Version: 4}
}

func testFactsRoundTrip(t *testing.T, s store.Store) {
	cl, org, tn, bid := Facts()
	if err := errors.Join(s.PutCluster(ctx, cl, 1), s.PutOrganization(ctx, org, 2), s.PutTender(ctx, tn, 3), s.PutBid(ctx, bid, 4)); err != nil {
		t.Fatal(err)
	}
	gc, err1 := s.GetCluster(ctx, cl.ID)
	gorg, err2 := s.GetOrganization(ctx, org.ID)
	gt, err3 := s.GetTender(ctx, tn.ID)
	gb, err4 := s.GetBid(ctx, bid.ID)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		t.Fatal(err)
	}
	same(t, "cluster", gc, cl)
	same(t, "organization", gorg, org)
	same(t, "tender", gt, tn)
	same(t, "bid", gb, bid)
	// Facts with empty lists.
	bare := domain.Tender{ID: "t-2", ClusterID: "c-tera", Title: "Sin lotes", Version: 5}
	if err := s.PutTender(ctx, bare, 5); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetTender(ctx, "t-2"); err != nil || !reflect.DeepEqual(got, bare) {
		t.Errorf("bare tender: %+v %v", got, err)
	}
	if cp := checkpoints(t, s); cp != [3]uint64{0, 2, 5} {
		t.Errorf("checkpoints %v, want [0 2 5]", cp)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	for name, err := range map[string]error{
		"commission": second(s.GetCommission(ctx, "nope")),
		"cluster":    second(s.GetCluster(ctx, "nope")),
		"org":        second(s.GetOrganization(ctx, "nope")),
		"tender":     second(s.GetTender(ctx, "nope")),
		"bid":        second(s.GetBid(ctx, "nope")),
	} {
		if !errors.Is(err, domainerr.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func testCheckpoints(t *testing.T, s store.Store) {
	c := Commission("k-1", "A")
	c.Version = 10
	put(t, s, c, 10)
	old := c
	old.Name, old.Version = "Older", 9
	put(t, s, old, 9)  // replay of an earlier event: ignored
	put(t, s, old, 10) // the same event again: ignored
	if got, _ := s.GetCommission(ctx, "k-1"); got.Name != "A" {
		t.Errorf("a replayed write changed the commission: %q", got.Name)
	}
	// A replay for another commission below the checkpoint is ignored too.
	put(t, s, Commission("k-2", "B"), 5)
	if _, err := s.GetCommission(ctx, "k-2"); !errors.Is(err, domainerr.ErrNotFound) {
		t.Errorf("write at 5 below checkpoint 10 was stored: %v", err)
	}
	// Each stream has its own checkpoint.
	cl, org, tn, bid := Facts()
	if err := errors.Join(s.PutCluster(ctx, cl, 3), s.PutOrganization(ctx, org, 4), s.PutTender(ctx, tn, 2), s.PutBid(ctx, bid, 6)); err != nil {
		t.Fatal(err)
	}
	if cp := checkpoints(t, s); cp != [3]uint64{10, 4, 6} {
		t.Errorf("checkpoints %v, want [10 4 6]", cp)
	}
	org2 := org
	org2.Name = "replayed"
	bid2 := bid
	bid2.Status = domain.BidLost
	if err := errors.Join(s.PutOrganization(ctx, org2, 4), s.PutBid(ctx, bid2, 5)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetOrganization(ctx, org.ID); got.Name != org.Name {
		t.Errorf("replayed organisation write applied: %q", got.Name)
	}
	if got, _ := s.GetBid(ctx, bid.ID); got.Status != domain.BidAwarded {
		t.Errorf("replayed bid write applied: %v", got.Status)
	}
	bid2.Version = 7
	if err := s.PutBid(ctx, bid2, 7); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetBid(ctx, bid.ID); got.Status != domain.BidLost {
		t.Errorf("a newer bid write was not applied: %v", got.Status)
	}
	if cp := checkpoints(t, s); cp != [3]uint64{10, 4, 7} {
		t.Errorf("checkpoints %v, want [10 4 7]", cp)
	}
}

func ids(cs []domain.Commission) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func testFilters(t *testing.T, s store.Store) {
	health := Commission("k-health", "Comisión de Salud Digital") // convened by c-tera; o-1 sits, o-3 invited, o-2 left
	edu := domain.Commission{ID: "k-edu", Name: "Comisión de Educación", Theme: "Educación", Description: "Recursos DIGITALES para escuelas",
		Status: domain.StatusActive, Members: []domain.Member{{OrganizationID: "o-9", Role: domain.RoleMember, Status: domain.MemberStatusJoined, Joined: day(2026, 1, 1)}},
		Created: base, Updated: base, Version: 2}
	ind := domain.Commission{ID: "k-ind", Name: "Industria 4.0 GIRA", Theme: "Industria 4.0", ConvenerID: "c-gira", Status: domain.StatusClosed,
		CloseReason: "fin", Created: base, Updated: base, Version: 3}
	put(t, s, health, 1)
	put(t, s, edu, 2)
	put(t, s, ind, 3)
	for _, tc := range []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"all", store.Filter{}, []string{"k-edu", "k-health", "k-ind"}},
		{"query name", store.Filter{Query: "salud"}, []string{"k-health"}},
		{"query theme", store.Filter{Query: "INDUSTRIA"}, []string{"k-ind"}},
		{"query description", store.Filter{Query: "digitales"}, []string{"k-edu"}},
		{"query spaces", store.Filter{Query: "  educación "}, []string{"k-edu"}},
		{"status active", store.Filter{Status: domain.StatusActive}, []string{"k-edu", "k-health"}},
		{"status closed", store.Filter{Status: domain.StatusClosed}, []string{"k-ind"}},
		{"agency convened", store.Filter{AgencyConvened: true}, []string{"k-edu"}},
		{"convener", store.Filter{ConvenerIDs: []string{"c-gira"}}, []string{"k-ind"}},
		{"sitting member", store.Filter{SittingAny: []string{"o-9"}}, []string{"k-edu"}},
		{"convener or sitting", store.Filter{ConvenerIDs: []string{"c-gira"}, SittingAny: []string{"o-1"}}, []string{"k-health", "k-ind"}},
		{"left member does not sit", store.Filter{SittingAny: []string{"o-2"}}, []string{}},
		{"invited member does not sit", store.Filter{SittingAny: []string{"o-3"}}, []string{}},
		{"member org joined", store.Filter{MemberOrg: "o-1"}, []string{"k-health"}},
		{"member org invited", store.Filter{MemberOrg: "o-3"}, []string{"k-health"}},
		{"member org left", store.Filter{MemberOrg: "o-2"}, []string{}},
		{"combined", store.Filter{Status: domain.StatusActive, ConvenerIDs: []string{"c-tera", "c-gira"}}, []string{"k-health"}},
	} {
		got, next, err := s.ListCommissions(ctx, tc.f)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !slices.Equal(ids(got), tc.want) || next != "" {
			t.Errorf("%s: %v (next %q), want %v", tc.name, ids(got), next, tc.want)
		}
	}
}

func testPages(t *testing.T, s store.Store) {
	// 7 commissions, two with the same name (the id breaks the tie).
	names := []string{"Delta", "Alfa", "Charlie", "Bravo", "Alfa", "Eco", "Foxtrot"}
	for i, n := range names {
		c := Commission(fmt.Sprintf("k-%d", i), n)
		put(t, s, c, uint64(i+1))
	}
	want := []string{"k-1", "k-4", "k-3", "k-2", "k-0", "k-5", "k-6"}
	var got []string
	token := ""
	pages := 0
	for {
		page, next, err := s.ListCommissions(ctx, store.Filter{PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, ids(page)...)
		if pages == 1 {
			// A commission added before the cursor does not shift later pages.
			put(t, s, Commission("k-new", "Aaa"), 100)
		}
		if next == "" {
			break
		}
		token = next
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("pages: %v in %d pages, want %v in 3", got, pages, want)
	}
	all, _, err := s.ListCommissions(ctx, store.Filter{})
	if err != nil || len(all) != 8 {
		t.Errorf("default page: %d, %v", len(all), err)
	}
}

func testBadPageToken(t *testing.T, s store.Store) {
	for i := range 3 {
		put(t, s, Commission(fmt.Sprintf("k-%d", i), fmt.Sprintf("C %d", i)), uint64(i+1))
	}
	_, next, err := s.ListCommissions(ctx, store.Filter{PageSize: 1})
	if err != nil || next == "" {
		t.Fatalf("first page: next %q, %v", next, err)
	}
	for _, tok := range []string{"LTU", "C 0\x00k-0", next[:len(next)-2], next + "x"} {
		cs, n, err := s.ListCommissions(ctx, store.Filter{PageSize: 1, PageToken: tok})
		var inv *domainerr.InvalidError
		if !errors.As(err, &inv) || len(inv.Violations) != 1 || inv.Violations[0].Field != "page_token" {
			t.Errorf("token %q: %d commissions, next %q, err %v; want InvalidArgument on page_token", tok, len(cs), n, err)
		}
	}
}

func testFactsOrder(t *testing.T, s store.Store) {
	seq := uint64(0)
	next := func() uint64 { seq++; return seq }
	for _, c := range []domain.Cluster{{ID: "c-3", Name: "MarCa"}, {ID: "c-1", Name: "GIRA"}, {ID: "c-2", Name: "TERA"}} {
		c.Version = next()
		if err := s.PutCluster(ctx, c, c.Version); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []domain.Organization{{ID: "o-b", Name: "Beta"}, {ID: "o-a", Name: "Alfa", ActiveIn: []string{"c-1"}}} {
		o.Version = next()
		if err := s.PutOrganization(ctx, o, o.Version); err != nil {
			t.Fatal(err)
		}
	}
	cls, err := s.ListClusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cls {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"GIRA", "MarCa", "TERA"}) {
		t.Errorf("clusters by name: %v", names)
	}
	orgs, err := s.ListOrganizations(ctx)
	if err != nil || len(orgs) != 2 || orgs[0].ID != "o-a" || !slices.Equal(orgs[0].ActiveIn, []string{"c-1"}) {
		t.Errorf("organisations by name: %+v %v", orgs, err)
	}
	// An organisation updated: the list shows the latest version.
	if err := s.PutOrganization(ctx, domain.Organization{ID: "o-b", Name: "Beta", ActiveIn: []string{"c-2"}, Version: 9}, 9); err != nil {
		t.Fatal(err)
	}
	orgs, _ = s.ListOrganizations(ctx)
	if len(orgs) != 2 || !slices.Equal(orgs[1].ActiveIn, []string{"c-2"}) {
		t.Errorf("updated organisation: %+v", orgs)
	}
	for _, id := range []string{"b-2", "b-1", "b-3"} {
		v := next()
		if err := s.PutBid(ctx, domain.Bid{ID: id, TenderID: "t-1", Status: domain.BidForming, Version: v}, v); err != nil {
			t.Fatal(err)
		}
		v = next()
		if err := s.PutTender(ctx, domain.Tender{ID: "t-" + id, Version: v}, v); err != nil {
			t.Fatal(err)
		}
	}
	bids, err := s.ListBids(ctx)
	if err != nil || len(bids) != 3 || bids[0].ID != "b-1" || bids[2].ID != "b-3" {
		t.Errorf("bids by id: %+v %v", bids, err)
	}
	ts, err := s.ListTenders(ctx)
	if err != nil || len(ts) != 3 || ts[0].ID != "t-b-1" {
		t.Errorf("tenders by id: %+v %v", ts, err)
	}
}

// testConcurrent: a writer per stream with increasing sequences and readers
// at once; run under -race.
func testConcurrent(t *testing.T, s store.Store) {
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	wg.Go(func() {
		for i := 1; i <= n; i++ {
			c := Commission("k-1", fmt.Sprintf("v%d", i))
			c.Version = uint64(i)
			errs <- s.PutCommission(ctx, c, uint64(i))
		}
	})
	wg.Go(func() {
		for i := 1; i <= n; i++ {
			errs <- s.PutOrganization(ctx, domain.Organization{ID: "o-1", Name: fmt.Sprint(i), Version: uint64(i)}, uint64(i))
		}
	})
	wg.Go(func() {
		for i := 1; i <= n; i++ {
			errs <- s.PutBid(ctx, domain.Bid{ID: "b-1", Status: domain.BidForming, Version: uint64(i)}, uint64(i))
		}
	})
	wg.Go(func() {
		for range n {
			_, _, err := s.ListCommissions(ctx, store.Filter{})
			errs <- err
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.GetCommission(ctx, "k-1")
	if err != nil || c.Name != fmt.Sprintf("v%d", n) {
		t.Errorf("after concurrent writes: %q %v", c.Name, err)
	}
	if cp := checkpoints(t, s); cp != [3]uint64{n, n, n} {
		t.Errorf("checkpoints %v", cp)
	}
}
