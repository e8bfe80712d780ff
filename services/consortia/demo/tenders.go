package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/platform/datadir"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
	tenderapp "github.com/consortia-dev/consortia/services/tender/app"
	"github.com/consortia-dev/consortia/services/tender/domain"
	"github.com/consortia-dev/consortia/services/tender/domain/eligibility"
	"github.com/consortia-dev/consortia/services/tender/intake"
	"github.com/consortia-dev/consortia/services/tender/intake/xlsx"
	"github.com/consortia-dev/consortia/services/tender/store"
)

// TenderSourceIDs are real tenders from the OpenPLACSP export of 30 Aug – 4 Sep
// 2021 (../shared/data/placsp/datos_sind_643.xlsx): the Cantabrian IT tenders
// first, then IT services tenders elsewhere in Spain of a size that micro-SMEs
// can only reach together. Authority, title, CPV codes and values are the real
// ones; the deadline is moved into the future and the tender marked as demo.
var TenderSourceIDs = []string{
	"8237180", // Consejería de Presidencia (Cantabria): sistema de grabación de salas de vista
	"8147796", // Consejería de Presidencia (Cantabria): ordenadores portátiles
	"8239978", // Servicio Cántabro de Salud
	"8030377", // MARE (Cantabria): servicios de Azure
	"8246586", // Ayuntamiento de Valladolid: plataforma de administración electrónica
	"8246616", // Junta de Castilla y León: operación y mantenimiento
	"8237182", // Ayuntamiento de Oliva: software de gestión
	"7697127", // Diputación de Badajoz: servicios geoespaciales
	"8080358", // RED.ES: análisis y seguimiento de planes
	"8229150", // Autoridad Portuaria de Málaga: Microsoft Dynamics
	"8235609", // Renfe Viajeros: mantenimiento evolutivo (4 lots)
	"7770955", // Madrid Destino: contratación y licitación electrónica
	"8218068", // Servicio de Salud: desarrollo e implantación
}

// capabilityByCPV maps CPV prefixes to the capabilities a team needs; longest
// prefix wins. It is demo enrichment: sources publish no structured requirements.
var capabilityByCPV = []struct {
	prefix string
	caps   []string
}{
	{"7226", []string{"software-development", "managed-services"}},
	{"7222", []string{"it-consulting"}},
	{"7221", []string{"software-development"}},
	{"7231", []string{"data-analytics"}},
	{"7232", []string{"cloud"}},
	{"7251", []string{"managed-services"}},
	{"7259", []string{"erp-crm", "managed-services"}},
	{"726", []string{"it-consulting"}},
	{"725", []string{"cloud", "managed-services"}},
	{"724", []string{"e-government", "web-development"}},
	{"722", []string{"software-development"}},
	{"723", []string{"data-analytics"}},
	{"72", []string{"software-development"}},
	{"4882", []string{"hardware-supply"}},
	{"48", []string{"software-development", "systems-integration"}},
	{"302", []string{"hardware-supply"}},
	{"3024", []string{"networks"}},
	{"5032", []string{"managed-services"}},
	{"805", []string{"training"}},
}

func capabilitiesFor(cpvs []string) []string {
	var out []string
	for _, c := range cpvs {
		best := ""
		var caps []string
		for _, m := range capabilityByCPV {
			if strings.HasPrefix(c, m.prefix) && len(m.prefix) > len(best) {
				best, caps = m.prefix, m.caps
			}
		}
		for _, cap := range caps {
			if !slices.Contains(out, cap) {
				out = append(out, cap)
			}
		}
	}
	if len(out) > 4 {
		out = out[:4]
	}
	return out
}

// DemoRequirements enriches a real tender with plausible requirements: the
// capabilities its CPV codes call for, ENS for IT services of some size (RD
// 311/2022), the LCSP default solvency thresholds.
func DemoRequirements(it intake.Tender) domain.Requirements {
	req := domain.Requirements{Capabilities: capabilitiesFor(it.CPVs)}
	services := false
	for _, c := range it.CPVs {
		services = services || strings.HasPrefix(c, "72") || strings.HasPrefix(c, "48")
	}
	switch {
	case services && it.EstimatedValueCents >= 100_000_000:
		req.Certifications = []domain.CertificationRequirement{{Kind: "ENS", Level: "media"}, {Kind: "ISO9001"}}
	case services && it.EstimatedValueCents >= 20_000_000:
		req.Certifications = []domain.CertificationRequirement{{Kind: "ENS", Level: "media"}}
	}
	return req
}

// LoadTenders reads the demo tenders from the spreadsheet, moved into the
// future relative to now.
func LoadTenders(now time.Time) ([]intake.Tender, error) {
	path, err := datadir.Path("placsp", "datos_sind_643.xlsx")
	if err != nil {
		return nil, err
	}
	res, err := xlsx.ReadFile(path, nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	byID := map[string]intake.Tender{}
	for _, t := range res.Tenders {
		byID[t.SourceID] = t
	}
	var out []intake.Tender
	day := now.UTC().Truncate(24 * time.Hour)
	for i, id := range TenderSourceIDs {
		t, ok := byID[id]
		if !ok {
			continue
		}
		// Deadlines spread over the coming weeks, at 14:00 as PLACSP usually sets them;
		// the first two fall this week so the home pages have something urgent.
		t.Deadline = day.AddDate(0, 0, 3+i*4).Add(14 * time.Hour)
		t.Status = intake.StatusActive
		t.Description = strings.TrimSpace("Demo: licitación real de PLACSP (semana del 30 de agosto de 2021) con el plazo trasladado al futuro. " + t.Description)
		out = append(out, t)
	}
	return out, nil
}

// SeedTenders imports the demo tenders for the TERA cluster (two shared with
// the other demo clusters). Import is idempotent, so this runs on every start.
func SeedTenders(ctx context.Context, svc *tenderapp.Service, now time.Time, log *slog.Logger) (int, error) {
	// Already seeded? Skip the spreadsheet read (about 2 s).
	if _, err := svc.Store().FindTenderBySource(ctx, "openplacsp-xlsx", TenderSourceIDs[0]); err == nil {
		return 0, nil
	} else if !errors.Is(err, domainerr.ErrNotFound) {
		return 0, err
	}
	ts, err := LoadTenders(now)
	if err != nil {
		return 0, err
	}
	created := 0
	for i, t := range ts {
		req := DemoRequirements(t)
		in := tenderapp.Import{Tender: t, Requirements: &req, Demo: true}
		switch i {
		case 0:
			in.SharedWith = []string{ClusterID("marca")}
		case 4:
			in.SharedWith = []string{ClusterID("gira")}
		}
		_, outcome, err := svc.ImportTender(ctx, ClusterID("tera"), in)
		if err != nil {
			return created, fmt.Errorf("demo tender %s: %w", t.SourceID, err)
		}
		if outcome == tenderapp.Created {
			created++
		}
	}
	log.Info("demo tenders loaded", "tenders", created, "source", "placsp/datos_sind_643.xlsx")
	return created, nil
}

// SeedConsortia forms demo consortia in different states from the engine's
// recommendations: one with invitations pending, one ready to submit (every
// member joined, shares summing to 100 %), one submitted. It runs only while no
// consortium exists yet.
func SeedConsortia(ctx context.Context, svc *tenderapp.Service, log *slog.Logger) (int, error) {
	existing, err := svc.Store().ListConsortia(ctx, store.ConsortiumFilter{})
	if err != nil || len(existing) > 0 {
		return 0, err
	}
	tenders, _, err := svc.ListTenders(ctx, store.TenderFilter{ClusterID: ClusterID("tera"), PageSize: 100})
	if err != nil {
		return 0, err
	}
	userOrgs := map[string]bool{}
	for i, c := range Companies(time.Now().Year()) {
		if i < FeaturedCompanies {
			userOrgs[c.ID()] = true
		}
	}
	formed := 0
	for _, t := range tenders {
		if formed == 3 {
			break
		}
		if !t.Demo || len(t.Details.Lots) > 0 {
			continue
		}
		res, err := svc.RecommendConsortia(ctx, t.ID, "", tenderapp.RecommendOptions{TopK: 10, MaxSize: 4})
		if err != nil {
			return formed, fmt.Errorf("demo recommendation for %s: %w", t.ID, err)
		}
		// Prefer a team with a company that has a demo user, so signing in as
		// company1..5 shows an invitation; keep to teams that need a consortium.
		pick := -1
		for i, team := range res.Teams {
			if len(team.Team.Members) < 2 {
				continue
			}
			if pick < 0 {
				pick = i
			}
			if slices.ContainsFunc(team.Team.Members, func(m eligibility.Member) bool { return userOrgs[m.Company.ID] }) {
				pick = i
				break
			}
		}
		if pick < 0 {
			continue
		}
		drafts := tenderapp.Drafts(res.Teams[pick])
		c, err := svc.CreateConsortium(ctx, t.ID, "", "", drafts, true, "demo-consortium-"+t.ID)
		if err != nil {
			return formed, fmt.Errorf("demo consortium for %s: %w", t.ID, err)
		}
		formed++
		if formed == 1 {
			continue // invitations pending
		}
		n := len(drafts)
		for i, d := range drafts {
			if c, err = svc.AcceptInvitation(ctx, c.ID, d.OrganizationID, ""); err != nil {
				return formed, err
			}
			share := 10000 / n
			if i == 0 {
				share += 10000 - share*n
			}
			if c, err = svc.SetShare(ctx, c.ID, d.OrganizationID, share, ""); err != nil {
				return formed, err
			}
		}
		if formed == 3 {
			if _, err = svc.SubmitConsortium(ctx, c.ID, ""); err != nil {
				return formed, fmt.Errorf("demo submission: %w", err)
			}
		}
	}
	log.Info("demo consortia formed", "consortia", formed)
	return formed, nil
}
