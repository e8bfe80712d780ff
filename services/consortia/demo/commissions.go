package demo

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	commissionapp "github.com/consortia-dev/consortia/services/commission/app"
	commissiondomain "github.com/consortia-dev/consortia/services/commission/domain"
	commissionstore "github.com/consortia-dev/consortia/services/commission/store"
	tenderapp "github.com/consortia-dev/consortia/services/tender/app"
	tenderdomain "github.com/consortia-dev/consortia/services/tender/domain"
	tenderstore "github.com/consortia-dev/consortia/services/tender/store"
)

// companyWhere returns the first demo company of the kind (its name's
// suffix) whose approved memberships are exactly clusters (keys).
func companyWhere(year int, kind string, clusters ...string) (Company, error) {
	for _, c := range Companies(year) {
		if slices.Equal(c.Clusters, clusters) && len(c.Pending) == 0 && strings.HasSuffix(c.Registration.LegalName, " "+kind+" S.L.") {
			return c, nil
		}
	}
	return Company{}, fmt.Errorf("demo: no %s company in %v", kind, clusters)
}

// interClusterBid is a demo consortium the seed forms, submits and settles in
// the tender service, on a typed-in demo tender of TERA shared with the other
// clusters (no solvency asked, so any active members may bid).
type interClusterBid struct {
	key, title, authority, name string
	cpv                         string
	estimated, awarded          int64 // cents; awarded 0: lost to another bidder
	awardedAgo                  int   // days before now
	members                     []Company
}

// SeedCommissions writes the demo commissions — a Digital Health commission
// and an Education commission convened by the agency, an Industry 4.0
// commission per cluster — with members from several clusters, past meetings
// with attendance, minutes and decisions, upcoming ones, a project, linked
// tenders, and consortia bid through the tender service: two inter-cluster
// consortia awarded (two months apart, so the charts have a history) and one
// lost. It runs while the commission service has no commission; every write
// carries an idempotency key, so a seed interrupted half way is finished by
// the next start without duplicates. ctx comes from SeedContext.
func SeedCommissions(ctx context.Context, svc *commissionapp.Service, tenders *tenderapp.Service, now time.Time, log *slog.Logger) (int, error) {
	if existing, _, err := svc.ListCommissions(ctx, commissionapp.ListQuery{Filter: commissionstore.Filter{PageSize: 1}}); err != nil || len(existing) > 0 {
		return 0, err
	}
	year := now.Year()
	pick := func(kind string, clusters ...string) Company {
		c, err := companyWhere(year, kind, clusters...)
		if err != nil {
			panic(err) // the demo companies are generated deterministically: a programming error
		}
		return c
	}
	var (
		health    = pick("Salud Digital", "tera")
		software  = pick("Software", "tera")
		data      = pick("Datos", "tera")
		cloud     = pick("Cloud", "tera")
		training  = pick("Formación", "tera")
		industry  = pick("Industria", "gira", "tera")
		systems   = pick("Sistemas", "marca")
		networks  = pick("Redes", "marca", "tera")
		company1  = Companies(year)[0] // demo user company1: sits on two commissions
		company2  = Companies(year)[1] // demo user company2: invited to the Education commission
		tera      = ClusterID("tera")
		sharedAll = []string{ClusterID("gira"), ClusterID("marca")}
	)

	// Consortia first: the commissions link them.
	bids := []interClusterBid{
		{key: "health", title: "Demo: plataforma de telemonitorización de pacientes crónicos", authority: "Servicio Cántabro de Salud (demo)",
			name: "UTE Telemonitorización Cantabria (demo)", cpv: "72212000", estimated: 240_000_00, awarded: 218_400_00, awardedAgo: 62,
			members: []Company{health, systems}},
		{key: "industry", title: "Demo: gemelo digital de la red de puertos y polígonos industriales", authority: "Gobierno de Cantabria (demo)",
			name: "UTE Industria Conectada (demo)", cpv: "72260000", estimated: 360_000_00, awarded: 331_250_00, awardedAgo: 3,
			members: []Company{industry, systems, software}},
		{key: "ports", title: "Demo: red de sensores del puerto de Santander", authority: "Autoridad Portuaria de Santander (demo)",
			name: "UTE Puerto Sensorizado (demo)", cpv: "72260000", estimated: 150_000_00, awardedAgo: 20,
			members: []Company{networks, data}},
	}
	tenderIDs, consortiumIDs := map[string]string{}, map[string]string{}
	for _, b := range bids {
		tid, cid, err := seedBid(ctx, tenders, tera, sharedAll, b, now)
		if err != nil {
			return 0, fmt.Errorf("demo consortium %s: %w", b.name, err)
		}
		tenderIDs[b.key], consortiumIDs[b.key] = tid, cid
	}
	// An education tender of the real demo list to follow (the first one).
	var educationTender string
	if ts, _, err := tenders.ListTenders(ctx, tenderstore.TenderFilter{ClusterID: tera, PageSize: 1}); err == nil && len(ts) > 0 {
		educationTender = ts[0].ID
	}
	// The commission service sees the tender service's events through its own
	// projection; wait until it knows them before linking.
	for _, id := range consortiumIDs {
		if err := waitFor(ctx, func() bool { _, err := svc.Store().GetBid(ctx, id); return err == nil }); err != nil {
			return 0, err
		}
	}
	for _, c := range []Company{health, software, data, cloud, training, industry, systems, networks, company1, company2} {
		if err := waitFor(ctx, func() bool {
			o, err := svc.Store().GetOrganization(ctx, c.ID())
			return err == nil && len(o.ActiveIn) > 0
		}); err != nil {
			return 0, err
		}
	}

	day := func(daysAgo int) string { return now.AddDate(0, 0, -daysAgo).Format(commissiondomain.DateLayout) }
	at := func(days int, hour int) time.Time {
		d := now.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.UTC)
	}
	type member struct {
		c    Company
		role commissiondomain.Role
	}
	type meeting struct {
		title, place, link string
		start              time.Time
		agenda             []string
		present, excused   []Company
		minutes            string
		decisions          []string // owned by the first member, due a month after
	}
	type commissionSpec struct {
		key, name, theme, description, convener string
		members                                 []member
		invite                                  []Company
		meetings                                []meeting
		project                                 *commissiondomain.ProjectInput
		tenders, consortia                      []string
	}
	specs := []commissionSpec{
		{key: "health", name: "Comisión de Salud Digital (demo)", theme: "Salud digital",
			description: "Demo. Comisión interclúster que promueve proyectos colaborativos de salud digital entre empresas TIC, industriales y del sector marítimo.",
			members:     []member{{health, commissiondomain.RoleChair}, {systems, commissiondomain.RoleSecretary}, {industry, 0}, {company1, 0}, {data, 0}},
			meetings: []meeting{
				{title: "Sesión constitutiva", place: "Sede de la agencia, Santander", start: at(-70, 10), agenda: []string{"Objetivos de la comisión", "Mapa de capacidades de los clústeres"},
					present: []Company{health, systems, industry, company1}, excused: []Company{data},
					minutes:   "Se constituye la comisión. Se acuerda preparar un mapa de capacidades y presentarse en consorcio a la licitación de telemonitorización.",
					decisions: []string{"Preparar el mapa de capacidades de los socios"}},
				{title: "Seguimiento de licitaciones", link: "https://meet.example.invalid/salud-digital", start: at(-14, 16), agenda: []string{"Resultado de la licitación de telemonitorización", "Proyecto de historia clínica interoperable"},
					present: []Company{health, data, company1}, excused: []Company{systems, industry},
					minutes:   "La UTE de telemonitorización resultó adjudicataria. Se propone el proyecto de historia clínica interoperable a la convocatoria regional.",
					decisions: []string{"Redactar la memoria técnica del proyecto"}},
				{title: "Plan de trabajo del semestre", place: "Parque Científico y Tecnológico de Cantabria", start: at(21, 10), agenda: []string{"Nuevas licitaciones de salud", "Calendario"}},
			},
			project: &commissiondomain.ProjectInput{Title: "Historia clínica interoperable (demo)", Description: "Demo. Integración de la historia clínica entre hospitales y atención primaria.",
				PartnerIDs: []string{health.ID(), data.ID(), systems.ID()}, BudgetCents: 420_000_00, FundingSource: "Programa Cantabria Digital (demo)",
				Status: commissiondomain.ProjectActive, CPVCodes: []string{"72212000"}},
			tenders: []string{tenderIDs["health"]}, consortia: []string{consortiumIDs["health"]}},
		{key: "industry-tera", name: "Comisión Industria 4.0 TERA (demo)", theme: "Industria 4.0", convener: "tera",
			description: "Demo. Digitalización de la industria: IoT, gemelos digitales y ciberseguridad industrial.",
			members:     []member{{software, commissiondomain.RoleChair}, {industry, 0}, {cloud, 0}},
			meetings: []meeting{{title: "Arranque", place: "Santander", start: at(-40, 9), agenda: []string{"Prioridades"}, present: []Company{software, industry, cloud},
				minutes: "Se priorizan gemelos digitales y ciberseguridad OT.", decisions: []string{"Proponer un piloto de gemelo digital"}}},
			tenders: []string{tenderIDs["industry"]}},
		{key: "industry-gira", name: "Comisión Industria 4.0 GIRA (demo)", theme: "Industria 4.0", convener: "gira",
			description: "Demo. Proveedores de automoción y fabricación avanzada.",
			members:     []member{{industry, commissiondomain.RoleChair}, {systems, 0}},
			meetings: []meeting{{title: "Fábrica conectada", place: "Torrelavega", start: at(-30, 11), agenda: []string{"Casos de uso"}, present: []Company{industry}, excused: []Company{systems},
				minutes: "Se comparten casos de uso de mantenimiento predictivo."}},
			consortia: []string{consortiumIDs["industry"]}},
		{key: "industry-marca", name: "Comisión Industria 4.0 MarCa (demo)", theme: "Industria 4.0", convener: "marca",
			description: "Demo. Puertos inteligentes e industria naval.",
			members:     []member{{systems, commissiondomain.RoleChair}, {networks, 0}},
			meetings:    []meeting{{title: "Puertos inteligentes", place: "Santoña", start: at(10, 12), agenda: []string{"Sensores y 5G en puerto"}}},
			tenders:     []string{tenderIDs["ports"]}, consortia: []string{consortiumIDs["ports"]}},
		{key: "education", name: "Comisión de Educación (demo)", theme: "Educación",
			description: "Demo. Con la consejería de educación: recursos digitales para los centros educativos y empresas de los clústeres para sus licitaciones.",
			members:     []member{{training, commissiondomain.RoleChair}, {company1, commissiondomain.RoleSecretary}, {networks, 0}},
			invite:      []Company{company2},
			meetings: []meeting{
				{title: "Reunión con la consejería", place: "Consejería de Educación, Santander", start: at(-21, 10), agenda: []string{"Necesidades de los centros", "Próximas licitaciones"},
					present: []Company{training, company1}, excused: []Company{networks},
					minutes:   "La consejería presenta su plan de recursos digitales. Se acuerda identificar empresas para sus próximas licitaciones.",
					decisions: []string{"Enviar a la consejería el catálogo de empresas"}},
				{title: "Segunda reunión", link: "https://meet.example.invalid/educacion", start: at(35, 17), agenda: []string{"Catálogo de empresas"}},
			}},
	}
	if educationTender != "" {
		specs[4].tenders = []string{educationTender}
	}

	created := 0
	for _, s := range specs {
		k := func(step string) string { return "demo-commission-" + s.key + "-" + step }
		convener := ""
		if s.convener != "" {
			convener = ClusterID(s.convener)
		}
		c, err := svc.CreateCommission(ctx, commissiondomain.Details{Name: s.name, Theme: s.theme, Description: s.description}, convener, true, k("create"))
		if err != nil {
			return created, fmt.Errorf("demo commission %s: %w", s.name, err)
		}
		created++
		id := c.ID
		for _, m := range s.members {
			if _, err := svc.AddMember(ctx, id, m.c.ID(), m.role, day(120), 0, k("member-"+m.c.ID())); err != nil {
				return created, fmt.Errorf("demo commission %s: member %s: %w", s.name, m.c.Registration.LegalName, err)
			}
		}
		for _, o := range s.invite {
			if _, err := svc.InviteMember(ctx, id, o.ID(), commissiondomain.RoleMember, 0, k("invite-"+o.ID())); err != nil {
				return created, fmt.Errorf("demo commission %s: invitation: %w", s.name, err)
			}
		}
		for i, mt := range s.meetings {
			step := fmt.Sprintf("meeting-%d", i)
			in := commissiondomain.MeetingInput{Title: mt.title, Start: mt.start, Place: mt.place, Link: mt.link}
			for _, a := range mt.agenda {
				in.Agenda = append(in.Agenda, commissiondomain.AgendaItem{Title: a})
			}
			_, mid, err := svc.ScheduleMeeting(ctx, id, in, 0, k(step))
			if err != nil {
				return created, fmt.Errorf("demo commission %s: meeting %s: %w", s.name, mt.title, err)
			}
			var att []commissiondomain.Attendance
			for _, o := range mt.present {
				att = append(att, commissiondomain.Attendance{OrganizationID: o.ID(), Status: commissiondomain.Present})
			}
			for _, o := range mt.excused {
				att = append(att, commissiondomain.Attendance{OrganizationID: o.ID(), Status: commissiondomain.Excused})
			}
			if len(att) > 0 {
				if _, err := svc.RecordAttendance(ctx, id, mid, att, 0, k(step+"-attendance")); err != nil {
					return created, fmt.Errorf("demo commission %s: attendance: %w", s.name, err)
				}
			}
			if mt.minutes != "" {
				if _, err := svc.RecordMinutes(ctx, id, mid, mt.minutes, 0, k(step+"-minutes")); err != nil {
					return created, fmt.Errorf("demo commission %s: minutes: %w", s.name, err)
				}
			}
			for j, d := range mt.decisions {
				due := mt.start.AddDate(0, 1, 0).Format(commissiondomain.DateLayout)
				_, did, err := svc.RecordDecision(ctx, id, mid, d, s.members[0].c.ID(), due, 0, k(fmt.Sprintf("%s-decision-%d", step, j)))
				if err != nil {
					return created, fmt.Errorf("demo commission %s: decision: %w", s.name, err)
				}
				if i == 0 { // the first meeting's decisions are done
					if _, err := svc.CompleteDecision(ctx, id, did, 0, k(fmt.Sprintf("%s-decision-%d-done", step, j))); err != nil {
						return created, fmt.Errorf("demo commission %s: decision done: %w", s.name, err)
					}
				}
			}
		}
		if s.project != nil {
			if _, _, err := svc.AddProject(ctx, id, *s.project, 0, k("project")); err != nil {
				return created, fmt.Errorf("demo commission %s: project: %w", s.name, err)
			}
		}
		for _, t := range s.tenders {
			if _, err := svc.LinkTender(ctx, id, t, "Demo: la comisión la sigue", 0, k("tender-"+t)); err != nil {
				return created, fmt.Errorf("demo commission %s: link tender: %w", s.name, err)
			}
		}
		for _, b := range s.consortia {
			if _, err := svc.LinkConsortium(ctx, id, b, "Demo: consorcio de socios de la comisión", 0, k("consortium-"+b)); err != nil {
				return created, fmt.Errorf("demo commission %s: link consortium: %w", s.name, err)
			}
		}
	}
	log.Info("demo commissions created", "commissions", created, "consortia", len(bids))
	return created, nil
}

// seedBid types in the tender, forms the consortium, has its members accept
// with equal shares, submits it and records the award (to it, or to another
// bidder when b.awarded is 0). Idempotency keys make a rerun a no-op.
func seedBid(ctx context.Context, svc *tenderapp.Service, owner string, shared []string, b interClusterBid, now time.Time) (tenderID, consortiumID string, err error) {
	k := func(step string) string { return "demo-bid-" + b.key + "-" + step }
	d := tenderdomain.Details{
		Authority: tenderdomain.Authority{Name: b.authority}, Title: b.title,
		Description: "Demo: licitación inventada para la demostración del informe entre clústeres.",
		Procedure:   1, ContractType: 1, CPVs: []string{b.cpv}, NUTS: []string{"ES130"},
		EstimatedCents: b.estimated, BudgetNoVATCents: b.estimated, BudgetWithVATCents: b.estimated * 121 / 100,
		DurationMonths: 12, Deadline: now.AddDate(0, 2, 0),
		Requirements: tenderdomain.Requirements{EconomicExempt: true, Technical: tenderdomain.Technical{Exempt: true}},
	}
	t, err := svc.CreateTender(ctx, owner, d, true, shared, true, k("tender"))
	if err != nil {
		return "", "", err
	}
	var drafts []tenderdomain.Draft
	n := len(b.members)
	for i, m := range b.members {
		share := 10000 / n
		if i == 0 {
			share += 10000 - share*n
		}
		drafts = append(drafts, tenderdomain.Draft{OrganizationID: m.ID(), ShareBP: share, Lead: i == 0})
	}
	c, err := svc.CreateConsortium(ctx, t.ID, "", b.name, drafts, true, k("consortium"))
	if err != nil {
		return "", "", err
	}
	for _, m := range b.members {
		if _, err := svc.AcceptInvitation(ctx, c.ID, m.ID(), k("accept-"+m.ID())); err != nil {
			return "", "", err
		}
	}
	if _, err := svc.SubmitConsortium(ctx, c.ID, k("submit")); err != nil {
		return "", "", err
	}
	award := tenderdomain.Award{WinnerName: b.name, AmountCents: b.awarded, Date: now.AddDate(0, 0, -b.awardedAgo), ConsortiumID: c.ID, OffersReceived: 3}
	if b.awarded == 0 {
		award = tenderdomain.Award{WinnerName: "Otra empresa licitadora S.A. (demo)", AmountCents: b.estimated * 9 / 10, Date: award.Date, OffersReceived: 3}
	}
	if _, err := svc.AwardTender(ctx, t.ID, award, k("award")); err != nil {
		return "", "", err
	}
	return t.ID, c.ID, nil
}

// waitFor polls cond until it holds or ctx ends (the commission service's
// projections of the other services' events catch up in milliseconds).
func waitFor(ctx context.Context, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}
